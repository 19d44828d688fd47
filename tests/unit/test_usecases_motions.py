"""Motion use cases on the in-memory unit of work: events recorded, nothing committed, refusals change nothing."""

from __future__ import annotations

import pytest

from deliberation import errors, events
from deliberation.lifecycle import MotionState
from deliberation.model import MotionKind, Side
from deliberation.usecases import (
    REFERRAL_MAX,
    Warned,
    put_question,
    raise_motion,
    referral_target,
    second_motion,
    speak,
    warn,
)
from tests.fakes.fake_uow import FakeUnitOfWork

from .usecase_helpers import Clock


async def test_seconding_records_the_event_and_leaves_the_commit_to_the_caller() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=["alice", "bob"]), Clock()
    motion = await raise_motion(uow, clock, uow.council, uow.actor("alice"), "装声控灯")
    seconded = await second_motion(uow, clock, uow.council, uow.actor("bob"), motion.number)
    assert [e.type for e in uow.events.recorded] == [events.MOTION_RAISED, events.MOTION_SECONDED]
    assert seconded.state is MotionState.SECONDED and seconded.seconder_id == uow.member("bob").id
    assert uow.commits == 0
    assert uow.locked == [uow.council.id, uow.council.id]  # each use case serialises the council


async def test_a_refusal_changes_nothing() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=["alice", "bob"]), Clock()
    motion = await raise_motion(uow, clock, uow.council, uow.actor("alice"), "装声控灯")
    before = uow.snapshot()
    with pytest.raises(errors.CannotSecondOwn):
        await second_motion(uow, clock, uow.council, uow.actor("alice"), motion.number)
    with pytest.raises(errors.NotAMember):
        await raise_motion(uow, clock, uow.council, uow.actor("stranger"), "换门锁")
    assert uow.snapshot() == before
    assert uow.commits == 0


async def test_leaving_the_unit_of_work_without_a_commit_keeps_nothing() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=["alice"]), Clock()
    async with uow:
        await raise_motion(uow, clock, uow.council, uow.actor("alice"), "装声控灯")
    assert uow.events.recorded == [] and await uow.motions.all(uow.council.id) == []
    async with uow:
        await raise_motion(uow, clock, uow.council, uow.actor("alice"), "装声控灯")
        await uow.commit()
    assert [e.type for e in uow.events.recorded] == [events.MOTION_RAISED] and uow.commits == 1


async def _debating(uow: FakeUnitOfWork, clock: Clock) -> int:
    motion = await raise_motion(uow, clock, uow.council, uow.actor("alice"), "装声控灯")
    await second_motion(uow, clock, uow.council, uow.actor("bob"), motion.number)
    await speak(uow, clock, uow.council, uow.actor("alice"), motion.number, Side.FOR, "楼道太暗")
    return motion.number


async def test_a_warning_silences_exactly_at_the_limit() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=["alice", "bob", "carol"]), Clock()
    number = await _debating(uow, clock)
    limit = uow.council.rules.warnings_limit
    given = [await warn(uow, clock, uow.council, uow.actor("chair"), "carol", number, "跑题") for _ in range(limit + 1)]
    assert all(isinstance(w, Warned) for w in given)
    assert [(w.count, w.silenced) for w in given[limit - 2 :]] == [(limit - 1, False), (limit, True), (limit + 1, True)]
    assert given[-1].member.name == "carol" and given[-1].motion.number == number
    with pytest.raises(errors.WarnedOff):
        await speak(uow, clock, uow.council, uow.actor("carol"), number, Side.AGAINST, "我反对")


async def test_only_the_chair_warns() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=["alice", "bob", "carol"]), Clock()
    number = await _debating(uow, clock)
    with pytest.raises(errors.RoleRequired):
        await warn(uow, clock, uow.council, uow.actor("bob"), "carol", number)


def test_a_referral_target_is_stripped_and_refused_when_empty() -> None:
    assert referral_target("  物业管理委员会 ") == "物业管理委员会"
    for empty in ("", "   ", None):
        with pytest.raises(errors.TextEmpty):
            referral_target(empty)


def test_a_referral_target_is_cut_at_its_limit() -> None:
    assert REFERRAL_MAX == 200
    assert referral_target("委" * 200) == "委" * 200
    assert referral_target("委" * 201) == "委" * 200


async def test_a_referral_motion_keeps_the_target_as_the_domain_cut_it() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=["alice", "bob"]), Clock()
    number = await _debating(uow, clock)
    refer = await raise_motion(
        uow,
        clock,
        uow.council,
        uow.actor("bob"),
        "提交给委员会",
        kind=MotionKind.REFER,
        parent_number=number,
        referred_to="  " + "委" * 201,
    )
    assert refer.referred_to == "委" * 200
    assert uow.events.recorded[-1].payload["referred_to"] == "委" * 200
    before = uow.snapshot()
    with pytest.raises(errors.TextEmpty):
        await raise_motion(
            uow,
            clock,
            uow.council,
            uow.actor("bob"),
            "提交给",
            kind=MotionKind.REFER,
            parent_number=number,
            referred_to="   ",
        )
    assert uow.snapshot() == before


async def test_put_question_is_the_chairs_and_refused_for_others() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=["alice", "bob"]), Clock()
    number = await _debating(uow, clock)
    before = uow.snapshot()
    with pytest.raises(errors.RoleRequired):
        await put_question(uow, clock, uow.council, uow.actor("alice"), number)
    assert uow.snapshot() == before
