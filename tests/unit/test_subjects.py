"""Tests for bot.desk.subjects: every subject round-trips, and nothing else decodes."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.desk.subjects import (
    BadSubject,
    BallotClosed,
    BallotMessage,
    BallotReminder,
    BallotResult,
    MinutesPosted,
    MotionCard,
    RatingPoll,
    RatingResult,
    Reminder,
    Subject,
    decode,
    encode,
    recognise,
)
from deliberation.delivery import ReminderKind

quick = settings(max_examples=300, deadline=None)
ids = st.integers(min_value=1, max_value=2**31 - 1)
parts = st.one_of(st.sampled_from(["edit", "reminder"]), st.integers(min_value=0, max_value=99))
subjects = st.one_of(
    st.builds(MotionCard, ids),
    st.builds(BallotMessage, ids),
    st.builds(BallotResult, ids),
    st.builds(BallotReminder, ids),
    st.builds(Reminder, st.sampled_from(ReminderKind), ids),
    st.builds(RatingPoll, ids),
    st.builds(RatingResult, ids),
    st.builds(MinutesPosted, ids),
    st.builds(BallotClosed, ids, parts),
)


@pytest.mark.parametrize(
    ("subject", "text"),
    [
        (MotionCard(7), "motion:7"),
        (BallotMessage(4), "ballot:4"),
        (BallotResult(4), "result:4"),
        (BallotReminder(4), "remind:ballot:4"),
        (Reminder(ReminderKind.SECOND_REMINDER, 2), "remind:motion.second_reminder:2"),
        (Reminder(ReminderKind.BALLOT_CLOSE, 4), "remind:ballot.close:4"),
        (Reminder(ReminderKind.MEETING_24H, 3), "remind:meeting.remind_24h:3"),
        (RatingPoll(5), "rating:5"),
        (RatingResult(5), "rating_result:5"),
        (MinutesPosted(9), "minutes:9"),
        (BallotClosed(4, "edit"), "ballot:4:closed:edit"),
        (BallotClosed(4, "reminder"), "ballot:4:closed:reminder"),
        (BallotClosed(4, 0), "ballot:4:closed:0"),
        (BallotClosed(4, 1), "ballot:4:closed:1"),
    ],
)
def test_the_stored_spelling_stays_the_same(subject: Subject, text: str) -> None:
    assert encode(subject) == text
    assert decode(text) == subject


@quick
@given(subjects)
def test_every_subject_round_trips(subject: Subject) -> None:
    assert decode(encode(subject)) == subject


@quick
@given(st.one_of(st.text(), st.text(alphabet="ballotremindcsue.:0123456789４", max_size=24), subjects.map(encode)))
@example("ballot:04")
@example("ballot:4:closed:00")
@example("remind:ballot.reminder:4")
@example("remind:nonsense:4")
def test_decode_returns_what_encode_makes_or_refuses(text: str) -> None:
    try:
        subject = decode(text)
    except BadSubject:
        assert recognise(text) is None
        return
    assert encode(subject) == text


@pytest.mark.parametrize(
    ("number", "ok"),
    [("0", False), ("1", True), (str(2**31 - 1), True), (str(2**31), False), ("４", False), ("01", False)],
)
def test_the_edges_of_an_id(number: str, ok: bool) -> None:
    if ok:
        assert decode(f"ballot:{number}") == BallotMessage(int(number))
    else:
        with pytest.raises(BadSubject):
            decode(f"ballot:{number}")


def test_a_ballot_reminder_is_not_the_ballot_reminder_kind() -> None:
    # The alarm names its ballot reminder "remind:ballot:4" itself; other announcements get the kind's name.
    assert decode("remind:ballot:4") == BallotReminder(4)
    assert decode("remind:ballot.reminder:4") == Reminder(ReminderKind.BALLOT_REMINDER, 4)


def test_recognise_takes_a_reply_without_a_subject() -> None:
    assert recognise(None) is None


NOT_OURS = [MotionCard(0), BallotMessage(2**31), BallotClosed(4, -1), BallotClosed(4, "result")]  # type: ignore[arg-type]


@pytest.mark.parametrize("subject", NOT_OURS)
def test_encode_refuses_what_is_not_ours(subject: Subject) -> None:
    with pytest.raises(ValueError):
        encode(subject)
