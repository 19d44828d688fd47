"""Debate rules: each refusal is typed and says how many speeches are left."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from deliberation import errors
from deliberation.debate import check_speech, side_from_text
from deliberation.lifecycle import MotionState
from deliberation.model import Motion, MotionKind, Rules, Side, Speech

NOW = datetime(2026, 11, 22, tzinfo=UTC)
RULES = Rules()


def motion(state=MotionState.DEBATING, **extra) -> Motion:
    return Motion(1, 1, 3, MotionKind.MAIN, "装灯", 10, state, NOW, **extra)


def said(*speakers: int) -> list[Speech]:
    return [Speech(1, member, Side.FOR, "…", NOW) for member in speakers]


def check(earlier=(), *, speaker=1, side=Side.FOR, text="我赞成", chair=False, warnings=0, m=None):
    return check_speech(
        RULES,
        m or motion(),
        speaker,
        speaker_is_chair=chair,
        side=side,
        text=text,
        earlier=list(earlier),
        warnings=warnings,
    )


def test_first_and_second_speech_leave_one_then_none():
    assert check() == 1
    assert check(said(1, 2)) == 0


def test_third_speech_refused_with_none_left():
    with pytest.raises(errors.SpeechLimitReached) as refused:
        check(said(1, 2, 1, 3))
    assert refused.value.params["left"] == 0


def test_second_speech_only_after_someone_else():
    with pytest.raises(errors.SpeakAgainTooSoon) as refused:
        check(said(2, 1))
    assert refused.value.params["left"] == 1


def test_length_limit_quotes_the_limit():
    with pytest.raises(errors.SpeechTooLong) as refused:
        check(text="字" * 301)
    assert refused.value.params == {"limit": 300, "length": 301, "left": 2}
    assert check(text="字" * 300) == 1


def test_side_must_be_stated():
    with pytest.raises(errors.SideRequired):
        check(side=None)


def test_chair_does_not_debate():
    with pytest.raises(errors.ChairDoesNotDebate):
        check(chair=True)


def test_two_warnings_silence_a_member():
    assert check(warnings=1) == 1
    with pytest.raises(errors.WarnedOff):
        check(warnings=2)


def test_no_debate_before_second_or_after_close():
    with pytest.raises(errors.IllegalTransition):
        check(m=motion(MotionState.PROPOSED))
    with pytest.raises(errors.IllegalTransition):
        check(m=motion(MotionState.VOTING))
    with pytest.raises(errors.DebateClosed):
        check(m=motion(debate_closed=True))


@pytest.mark.parametrize(
    ("text", "side", "rest"),
    [
        ("赞成，楼道太黑", Side.FOR, "楼道太黑"),
        ("反对：太贵了", Side.AGAINST, "太贵了"),
        ("for it is dark", Side.FOR, "it is dark"),
        ("against: cost", Side.AGAINST, "cost"),
    ],
)
def test_side_read_from_speech(text, side, rest):
    assert side_from_text(text) == (side, rest)


@pytest.mark.parametrize("text", ["我觉得可以", "format the text", "nothing here", ""])
def test_no_side_in_plain_text(text):
    assert side_from_text(text) is None
