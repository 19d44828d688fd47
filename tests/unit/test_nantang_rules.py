"""Issue 11, 南塘十三条 as settings, through the use cases: each rule at its exact edge, and its setting off."""

from __future__ import annotations

from datetime import timedelta

import pytest

from deliberation import events
from deliberation.counting import Choice, Preset
from deliberation.lifecycle import MotionState
from deliberation.model import MotionKind, Side
from deliberation.nantang import AbstainNotOffered, ChairVotesLast, QuestionNotMotion, SidesAlternate, is_question
from deliberation.usecases import (
    MotionQueued,
    call_question,
    cast_vote,
    close_ballot,
    open_called_question,
    open_next,
    put_question,
    queue,
    raise_motion,
    second_motion,
    speak,
    withdraw,
)
from tests.fakes.fake_uow import FakeUnitOfWork

from .usecase_helpers import Clock, with_rules

PEOPLE = ["alice", "bob", "carol", "dave"]


async def _debating(uow: FakeUnitOfWork, clock: Clock, text: str = "在楼道安装感应灯") -> int:
    motion = await raise_motion(uow, clock, uow.council, uow.actor("alice"), text)
    await second_motion(uow, clock, uow.council, uow.actor("bob"), motion.number)
    return motion.number


# ---- 南塘 2: a question is not a motion ------------------------------------------------------------


@pytest.mark.parametrize("text", ["为什么楼道这么黑？", "为什么楼道这么黑", "楼道灯能修吗", "Why is it dark?"])
def test_questions_are_told_from_proposals(text: str) -> None:
    assert is_question(text)


@pytest.mark.parametrize("text", ["在楼道安装感应灯", "请物业一周内修好3号楼楼道灯", "Fix the lights"])
def test_proposals_are_not_questions(text: str) -> None:
    assert not is_question(text)


async def test_a_question_is_refused_with_nothing_recorded_and_accepted_once_the_setting_is_off() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    before = uow.snapshot()
    with pytest.raises(QuestionNotMotion) as refused:
        await raise_motion(uow, clock, uow.council, uow.actor("alice"), "为什么楼道这么黑？")
    assert refused.value.params == {"text": "为什么楼道这么黑？"}
    assert uow.snapshot() == before
    with_rules(uow, motion_must_act=False)
    motion = await raise_motion(uow, clock, uow.council, uow.actor("alice"), "为什么楼道这么黑？")
    assert motion.state is MotionState.PROPOSED


# ---- 南塘 8: sides alternate -----------------------------------------------------------------------


async def test_a_third_same_side_speech_waits_for_the_other_side_until_ten_quiet_minutes() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    number = await _debating(uow, clock)
    await speak(uow, clock, uow.council, uow.actor("alice"), number, Side.FOR, "楼道太暗")
    await speak(uow, clock, uow.council, uow.actor("bob"), number, Side.FOR, "老人晚上看不见")
    clock.tick(minutes=9, seconds=59)
    before = uow.snapshot()
    with pytest.raises(SidesAlternate) as refused:
        await speak(uow, clock, uow.council, uow.actor("carol"), number, Side.FOR, "我也赞成")
    assert refused.value.params == {"side": "for", "minutes": 10, "left": 2}
    assert uow.snapshot() == before
    await speak(uow, clock, uow.council, uow.actor("dave"), number, Side.AGAINST, "太费电")  # the other side: at once
    await speak(uow, clock, uow.council, uow.actor("carol"), number, Side.FOR, "感应灯省电")  # alternated


async def test_after_ten_quiet_minutes_the_same_side_may_speak_again() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    number = await _debating(uow, clock)
    await speak(uow, clock, uow.council, uow.actor("alice"), number, Side.FOR, "楼道太暗")
    await speak(uow, clock, uow.council, uow.actor("bob"), number, Side.FOR, "老人晚上看不见")
    clock.tick(minutes=10)
    await speak(uow, clock, uow.council, uow.actor("carol"), number, Side.FOR, "我也赞成")


async def test_with_alternation_off_a_side_may_speak_three_times_in_a_row() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    with_rules(uow, alternation_wait=None)
    number = await _debating(uow, clock)
    for who in ("alice", "bob", "carol"):
        await speak(uow, clock, uow.council, uow.actor(who), number, Side.FOR, "赞成")


# ---- 南塘 11: the question is put when debate is exhausted --------------------------------------------


async def test_vote_right_after_a_speech_waits_five_quiet_minutes_and_a_speech_restarts_them() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    number = await _debating(uow, clock)
    await speak(uow, clock, uow.council, uow.actor("alice"), number, Side.FOR, "楼道太暗")
    clock.tick(minutes=4, seconds=59)
    called = await call_question(uow, clock, uow.council, uow.actor("chair"), number)
    assert called.ballot is None and called.waiting is not None
    assert called.waiting.opens_at == clock.now + timedelta(minutes=5)
    assert uow.events.recorded[-1].type == events.QUESTION_CALLED
    assert called.motion.state is MotionState.DEBATING
    clock.tick(minutes=2)
    await speak(uow, clock, uow.council, uow.actor("dave"), number, Side.AGAINST, "太费电")  # restarts the wait
    clock.tick(minutes=4, seconds=59)
    assert await open_called_question(uow, clock, uow.council, called.waiting.id) is None  # one second early
    clock.tick(seconds=1)
    opened = await open_called_question(uow, clock, uow.council, called.waiting.id)
    assert opened is not None and opened.ballot is not None
    assert opened.motion.state is MotionState.VOTING
    assert await open_called_question(uow, clock, uow.council, called.waiting.id) is None  # opens once


async def test_vote_five_minutes_after_the_last_speech_opens_at_once() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    number = await _debating(uow, clock)
    await speak(uow, clock, uow.council, uow.actor("alice"), number, Side.FOR, "楼道太暗")
    clock.tick(minutes=5)
    called = await call_question(uow, clock, uow.council, uow.actor("chair"), number)
    assert called.ballot is not None and called.waiting is None


async def test_without_any_speech_and_under_robert_the_question_is_put_at_once() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    assert (await call_question(uow, clock, uow.council, uow.actor("chair"), await _debating(uow, clock))).ballot
    robert, clock = FakeUnitOfWork.with_council(members=PEOPLE, preset=Preset.ROBERT), Clock()
    number = await _debating(robert, clock)
    await speak(robert, clock, robert.council, robert.actor("alice"), number, Side.FOR, "楼道太暗")
    assert robert.council.rules.quiet_before_vote == timedelta(0)
    assert (await call_question(robert, clock, robert.council, robert.actor("chair"), number)).ballot is not None


async def test_an_adopted_close_debate_skips_the_quiet_wait() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    with_rules(uow, abstain_choice=True)
    number = await _debating(uow, clock)
    await speak(uow, clock, uow.council, uow.actor("alice"), number, Side.FOR, "楼道太暗")
    close = await raise_motion(
        uow, clock, uow.council, uow.actor("carol"), "停止讨论", kind=MotionKind.CLOSE_DEBATE, parent_number=number
    )
    await second_motion(uow, clock, uow.council, uow.actor("dave"), close.number)
    _, ballot = await put_question(uow, clock, uow.council, uow.actor("chair"), close.number)
    for who in PEOPLE:
        await cast_vote(uow, clock, uow.council, uow.actor(who), ballot.id, Choice.YES)
    called = await call_question(uow, clock, uow.council, uow.actor("chair"), number)  # a second after the speech
    assert called.ballot is not None


async def test_a_called_question_whose_motion_was_withdrawn_does_not_open() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    number = await _debating(uow, clock)
    await speak(uow, clock, uow.council, uow.actor("alice"), number, Side.FOR, "楼道太暗")
    called = await call_question(uow, clock, uow.council, uow.actor("chair"), number)
    assert called.waiting is not None
    await withdraw(uow, clock, uow.council, uow.actor("alice"), number)
    clock.tick(minutes=5)
    opened = await open_called_question(uow, clock, uow.council, called.waiting.id)
    assert opened is not None and opened.ballot is None and opened.refused is not None


# ---- 南塘 11: the chair votes last, where the chair votes ---------------------------------------------


async def _chair_votes(uow: FakeUnitOfWork, clock: Clock) -> int:
    with_rules(uow, chair_votes=True, chair_votes_last=True)
    number = await _debating(uow, clock)
    _, ballot = await put_question(uow, clock, uow.council, uow.actor("chair"), number, timedelta(hours=1))
    assert ballot.eligible_voters == len(PEOPLE) + 1
    return ballot.id


async def test_the_chair_votes_once_every_other_voter_has_voted() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    ballot_id = await _chair_votes(uow, clock)
    for who in PEOPLE[:-1]:
        await cast_vote(uow, clock, uow.council, uow.actor(who), ballot_id, Choice.YES)
    before = uow.snapshot()
    with pytest.raises(ChairVotesLast) as refused:
        await cast_vote(uow, clock, uow.council, uow.actor("chair"), ballot_id, Choice.NO)
    assert refused.value.params["waiting"] == 1
    assert uow.snapshot() == before
    await cast_vote(uow, clock, uow.council, uow.actor(PEOPLE[-1]), ballot_id, Choice.NO)
    recorded = await cast_vote(uow, clock, uow.council, uow.actor("chair"), ballot_id, Choice.NO)
    assert recorded.closed is not None  # the chair's was the last vote


async def test_the_chair_votes_in_the_last_ten_minutes_and_not_a_second_before() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    ballot_id = await _chair_votes(uow, clock)
    clock.tick(minutes=49, seconds=59)
    with pytest.raises(ChairVotesLast):
        await cast_vote(uow, clock, uow.council, uow.actor("chair"), ballot_id, Choice.YES)
    clock.tick(seconds=1)
    await cast_vote(uow, clock, uow.council, uow.actor("chair"), ballot_id, Choice.YES)


async def test_a_chair_voting_normally_votes_at_any_time() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE, preset=Preset.ROBERT), Clock()
    number = await _debating(uow, clock)
    _, ballot = await put_question(uow, clock, uow.council, uow.actor("chair"), number)
    await cast_vote(uow, clock, uow.council, uow.actor("chair"), ballot.id, Choice.YES)


# ---- 南塘 12: 赞成/反对 only; the tally hidden while open --------------------------------------------


async def test_abstaining_is_not_offered_under_nantang_and_the_tally_is_turnout_only() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    _, ballot = await put_question(uow, clock, uow.council, uow.actor("chair"), await _debating(uow, clock))
    before = uow.snapshot()
    with pytest.raises(AbstainNotOffered):
        await cast_vote(uow, clock, uow.council, uow.actor("alice"), ballot.id, Choice.ABSTAIN)
    assert uow.snapshot() == before
    recorded = await cast_vote(uow, clock, uow.council, uow.actor("alice"), ballot.id, Choice.YES)
    assert recorded.counts is None and recorded.voted == 1  # turnout only while open
    for who in ("bob", "carol"):
        await cast_vote(uow, clock, uow.council, uow.actor(who), ballot.id, Choice.NO)
    last = await cast_vote(uow, clock, uow.council, uow.actor("dave"), ballot.id, Choice.YES)
    assert last.closed is not None
    result = last.closed.ballot.result
    assert result is not None and (result.yes, result.no, result.abstain, result.passed) == (2, 2, 0, False)


async def test_with_abstain_and_a_live_tally_set_both_come_back() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    with_rules(uow, abstain_choice=True, tally_live=True)
    _, ballot = await put_question(uow, clock, uow.council, uow.actor("chair"), await _debating(uow, clock))
    recorded = await cast_vote(uow, clock, uow.council, uow.actor("alice"), ballot.id, Choice.ABSTAIN)
    assert recorded.counts == {Choice.YES: 0, Choice.NO: 0, Choice.ABSTAIN: 1}


# ---- 一事一议: one matter at a time -------------------------------------------------------------------


async def test_a_main_motion_raised_while_another_is_before_the_council_waits_in_order() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    first = await raise_motion(uow, clock, uow.council, uow.actor("alice"), "在楼道安装感应灯")  # not yet seconded
    second = await raise_motion(uow, clock, uow.council, uow.actor("bob"), "修好单元门")
    third = await raise_motion(uow, clock, uow.council, uow.actor("carol"), "清理楼顶杂物")
    assert second.second_deadline is None and uow.events.recorded[-1].type == events.MOTION_QUEUED
    assert [m.number for m in await queue(uow, uow.council)] == [second.number, third.number]
    with pytest.raises(MotionQueued):
        await second_motion(uow, clock, uow.council, uow.actor("alice"), second.number)
    assert await open_next(uow, clock, uow.council) is None  # #1 is still before the council
    await withdraw(uow, clock, uow.council, uow.actor("alice"), first.number)
    clock.tick(minutes=1)
    opened = await open_next(uow, clock, uow.council)
    assert opened is not None and opened.number == second.number
    assert opened.second_deadline == clock.now + uow.council.rules.second_deadline
    await second_motion(uow, clock, uow.council, uow.actor("alice"), second.number)
    assert [m.number for m in await queue(uow, uow.council)] == [third.number]


async def test_the_queue_moves_when_the_ballot_closes() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    number = await _debating(uow, clock)
    waiting = await raise_motion(uow, clock, uow.council, uow.actor("bob"), "修好单元门")
    _, ballot = await put_question(uow, clock, uow.council, uow.actor("chair"), number, timedelta(hours=1))
    assert await open_next(uow, clock, uow.council) is None  # under vote: still before the council
    clock.tick(hours=1)
    await close_ballot(uow, clock, uow.council, ballot.id)
    opened = await open_next(uow, clock, uow.council)
    assert opened is not None and opened.number == waiting.number


async def test_amendments_are_not_queued_and_one_matter_off_queues_nothing() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    number = await _debating(uow, clock)
    amendment = await raise_motion(
        uow, clock, uow.council, uow.actor("carol"), "安装声控灯", kind=MotionKind.AMENDMENT, parent_number=number
    )
    assert amendment.second_deadline is not None
    with_rules(uow, one_matter=False)
    other = await raise_motion(uow, clock, uow.council, uow.actor("bob"), "修好单元门")
    assert other.second_deadline is not None
