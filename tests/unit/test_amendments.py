"""Issue 11, amendments and subsidiary motions, through the use cases: each rule at its exact edge."""

from __future__ import annotations

from datetime import timedelta

import pytest

from deliberation import errors
from deliberation.counting import Choice, Preset
from deliberation.lifecycle import MotionState
from deliberation.model import MotionKind, Side
from deliberation.usecases import (
    cast_vote,
    close_ballot,
    open_meeting,
    put_question,
    raise_motion,
    second_motion,
    speak,
    withdraw,
)
from tests.fakes.fake_uow import FakeUnitOfWork

from .usecase_helpers import Clock, with_rules

PEOPLE = ["alice", "bob", "carol"]


async def _seconded(uow: FakeUnitOfWork, clock: Clock, text: str = "装声控灯", **kw: object) -> int:
    motion = await raise_motion(uow, clock, uow.council, uow.actor("alice"), text, **kw)  # type: ignore[arg-type]
    await second_motion(uow, clock, uow.council, uow.actor("bob"), motion.number)
    return motion.number


async def _amend(uow: FakeUnitOfWork, clock: Clock, parent: int, text: str, who: str = "carol") -> int:
    amendment = await raise_motion(
        uow, clock, uow.council, uow.actor(who), text, kind=MotionKind.AMENDMENT, parent_number=parent
    )
    return amendment.number


async def _adopt(uow: FakeUnitOfWork, clock: Clock, number: int) -> None:
    _, ballot = await put_question(uow, clock, uow.council, uow.actor("chair"), number)
    for name in PEOPLE:
        await cast_vote(uow, clock, uow.council, uow.actor(name), ballot.id, Choice.YES)


async def _state(uow: FakeUnitOfWork, number: int) -> MotionState:
    motion = await uow.motions.by_number(uow.council.id, number)
    assert motion is not None
    return motion.state


# ---- 5. one primary amendment at a time -------------------------------------------------------------


async def test_a_second_amendment_is_refused_until_the_first_is_settled() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    main = await _seconded(uow, clock)
    first = await _amend(uow, clock, main, "装感应灯")
    before = uow.snapshot()
    with pytest.raises(errors.AmendmentAlreadyPending) as refused:
        await _amend(uow, clock, main, "装太阳能灯", who="bob")
    assert refused.value.params == {"number": main, "amendment": first}
    assert uow.snapshot() == before
    await second_motion(uow, clock, uow.council, uow.actor("alice"), first)
    await _adopt(uow, clock, first)  # settled: the next amendment is in order
    assert await _amend(uow, clock, main, "装太阳能灯", who="bob") == first + 1


# ---- 6. secondary amendments; postpone and refer may be amended ------------------------------------


async def test_an_amendment_takes_one_secondary_amendment_and_no_third_level() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    main = await _seconded(uow, clock)
    primary = await _amend(uow, clock, main, "装感应灯")
    await second_motion(uow, clock, uow.council, uow.actor("alice"), primary)
    secondary = await _amend(uow, clock, primary, "装两盏感应灯", who="bob")
    await second_motion(uow, clock, uow.council, uow.actor("alice"), secondary)
    with pytest.raises(errors.AmendmentTooDeep):
        await _amend(uow, clock, secondary, "装三盏感应灯")
    with pytest.raises(errors.AmendmentPending):  # the secondary is settled before the primary
        await put_question(uow, clock, uow.council, uow.actor("chair"), primary)
    await _adopt(uow, clock, secondary)
    await _adopt(uow, clock, primary)
    motion = await uow.motions.by_number(uow.council.id, main)
    assert motion is not None and motion.text == "装两盏感应灯"


async def test_a_postponement_may_be_amended_to_another_time() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    main = await _seconded(uow, clock)
    week, fortnight = clock() + timedelta(days=7), clock() + timedelta(days=14)
    postpone = await _seconded(
        uow, clock, "延期一周", kind=MotionKind.POSTPONE, parent_number=main, postponed_until=week
    )
    amendment = await raise_motion(
        uow,
        clock,
        uow.council,
        uow.actor("carol"),
        "延期两周",
        kind=MotionKind.AMENDMENT,
        parent_number=postpone,
        postponed_until=fortnight,
    )
    await second_motion(uow, clock, uow.council, uow.actor("alice"), amendment.number)
    await _adopt(uow, clock, amendment.number)
    await _adopt(uow, clock, postpone)
    motion = await uow.motions.by_number(uow.council.id, main)
    assert motion is not None and motion.state is MotionState.POSTPONED and motion.postponed_until == fortnight


async def test_closing_debate_cannot_be_amended() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    main = await _seconded(uow, clock)
    close = await _seconded(uow, clock, "停止辩论", kind=MotionKind.CLOSE_DEBATE, parent_number=main)
    with pytest.raises(errors.NotAmendable):
        await _amend(uow, clock, close, "明天停止辩论")


# ---- 7. an unseconded amendment does not block the main question -----------------------------------


async def test_an_unseconded_amendment_lapses_when_the_question_is_put() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    with_rules(uow, one_matter=False)  # two main motions before the council at once
    main = await _seconded(uow, clock)
    unseconded = await _amend(uow, clock, main, "装感应灯")
    motion, _ballot = await put_question(uow, clock, uow.council, uow.actor("chair"), main)
    assert motion.state is MotionState.VOTING
    assert await _state(uow, unseconded) is MotionState.LAPSED
    seconded_one = await _amend(uow, clock, await _seconded(uow, clock, "换门锁"), "换智能门锁")
    await second_motion(uow, clock, uow.council, uow.actor("alice"), seconded_one)
    with pytest.raises(errors.AmendmentPending):  # once seconded, it is settled first
        await put_question(uow, clock, uow.council, uow.actor("chair"), seconded_one - 1)


# ---- 8. a motion that goes takes its amendments and subsidiaries with it ---------------------------


async def test_a_withdrawn_motion_takes_its_amendments_and_no_amendment_rewrites_it() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    main = await _seconded(uow, clock)
    primary = await _amend(uow, clock, main, "装感应灯")
    await second_motion(uow, clock, uow.council, uow.actor("alice"), primary)
    secondary = await _amend(uow, clock, primary, "装两盏感应灯", who="bob")
    await withdraw(uow, clock, uow.council, uow.actor("alice"), main)
    assert [await _state(uow, n) for n in (main, primary, secondary)] == [MotionState.WITHDRAWN] * 3
    with pytest.raises(errors.IllegalTransition):
        await put_question(uow, clock, uow.council, uow.actor("chair"), primary)
    motion = await uow.motions.by_number(uow.council.id, main)
    assert motion is not None and motion.text == "装声控灯"


async def test_a_motion_whose_amendment_is_being_voted_on_cannot_be_withdrawn() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    main = await _seconded(uow, clock)
    primary = await _amend(uow, clock, main, "装感应灯")
    await second_motion(uow, clock, uow.council, uow.actor("alice"), primary)
    await put_question(uow, clock, uow.council, uow.actor("chair"), primary)
    with pytest.raises(errors.SubsidiaryBallotOpen):
        await withdraw(uow, clock, uow.council, uow.actor("alice"), main)
    assert await _state(uow, main) is MotionState.SECONDED


@pytest.mark.parametrize("kind", [MotionKind.POSTPONE, MotionKind.REFER])
async def test_a_postponed_or_referred_motion_takes_its_pending_amendment(kind: MotionKind) -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    main = await _seconded(uow, clock)
    amendment = await _amend(uow, clock, main, "装感应灯")
    extra = {"postponed_until": clock() + timedelta(days=7)} if kind is MotionKind.POSTPONE else {"referred_to": "物业"}
    subsidiary = await _seconded(uow, clock, "延期或交付", kind=kind, parent_number=main, **extra)
    await _adopt(uow, clock, subsidiary)
    assert await _state(uow, main) in (MotionState.POSTPONED, MotionState.REFERRED)
    assert await _state(uow, amendment) is MotionState.WITHDRAWN


# ---- 9. closing debate is undebatable and ends amendments; resident_meeting needs half the present -


async def test_closing_debate_is_undebatable_and_after_it_no_amendment_is_in_order() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    main = await _seconded(uow, clock)
    close = await _seconded(uow, clock, "停止辩论", kind=MotionKind.CLOSE_DEBATE, parent_number=main)
    with pytest.raises(errors.Undebatable):
        await speak(uow, clock, uow.council, uow.actor("carol"), close, Side.AGAINST, "还没说完")
    await _amend(uow, clock, main, "装感应灯")  # still in order before the close is adopted (unseconded)
    _, ballot = await put_question(uow, clock, uow.council, uow.actor("chair"), close)
    for name in PEOPLE:
        await cast_vote(uow, clock, uow.council, uow.actor(name), ballot.id, Choice.YES)
    with pytest.raises(errors.AmendAfterDebateClosed):
        await _amend(uow, clock, main, "装太阳能灯", who="bob")


async def test_resident_meeting_closing_debate_needs_more_than_half_of_those_present() -> None:
    members = ["a", "b", "c", "d", "e"]
    uow, clock = FakeUnitOfWork.with_council(members=members, preset=Preset.RESIDENT_MEETING), Clock()
    main = (await raise_motion(uow, clock, uow.council, uow.actor("a"), "加装电梯")).number
    await second_motion(uow, clock, uow.council, uow.actor("b"), main)
    await open_meeting(uow, clock, uow.council, uow.actor("chair"), "居民会议")
    close = (
        await raise_motion(
            uow, clock, uow.council, uow.actor("a"), "停止辩论", kind=MotionKind.CLOSE_DEBATE, parent_number=main
        )
    ).number
    await second_motion(uow, clock, uow.council, uow.actor("b"), close)
    _, ballot = await put_question(uow, clock, uow.council, uow.actor("chair"), close)
    # present: the chair on the roll plus five voters = 6; 3 yes of 4 cast is 2/3, but 3 is not > 6/2
    for name, choice in zip(members, [Choice.YES] * 3 + [Choice.NO, Choice.ABSTAIN], strict=True):
        await cast_vote(uow, clock, uow.council, uow.actor(name), ballot.id, choice)
    closed = await close_ballot(uow, clock, uow.council, ballot.id, uow.actor("chair"))
    assert closed is not None and closed.motion.state is MotionState.REJECTED


# ---- 10. a postponement that expires before its own ballot closes ----------------------------------


async def test_a_postponement_ending_before_its_ballot_closes_is_refused_at_the_edge() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    main = await _seconded(uow, clock)
    until = clock() + timedelta(hours=2)
    postpone = await _seconded(
        uow, clock, "延期两小时", kind=MotionKind.POSTPONE, parent_number=main, postponed_until=until
    )
    with pytest.raises(errors.PostponeEndsTooSoon):
        await put_question(uow, clock, uow.council, uow.actor("chair"), postpone, timedelta(hours=2))
    _, ballot = await put_question(
        uow, clock, uow.council, uow.actor("chair"), postpone, timedelta(hours=2) - timedelta(seconds=1)
    )
    assert ballot.closes_at < until
