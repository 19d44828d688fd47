"""Owners' decisions on the in-memory unit of work: the register frozen with a ballot, re-import refused while
one is open, slip codes, and progress toward 2/3 at its exact edge."""

from __future__ import annotations

import pytest

from deliberation import errors, events
from deliberation.channels import owner_code, parse_slip_code
from deliberation.counting import Choice, Preset
from deliberation.electorate import floor_of, owners_of, register_digest
from deliberation.model import Side, Unit
from deliberation.progress import participation
from deliberation.roster import RosterUnit
from deliberation.usecases import (
    ballot_progress,
    cast_vote,
    close_ballot,
    import_roster,
    paper_slips,
    put_question,
    raise_motion,
    second_motion,
    speak,
)
from tests.fakes.fake_uow import FakeUnitOfWork

from .usecase_helpers import Clock

OWNERS = ["alice", "bob", "carol", "dave", "erin", "frank"]  # six owners of 80 m² each: 2/3 is exactly 4


async def _ballot(uow: FakeUnitOfWork, clock: Clock, *, secret: bool = False) -> tuple[int, int]:
    motion = await raise_motion(uow, clock, uow.council, uow.actor("alice"), "加装电梯")
    await second_motion(uow, clock, uow.council, uow.actor("bob"), motion.number)
    await speak(uow, clock, uow.council, uow.actor("alice"), motion.number, Side.FOR, "方便老人")
    _, ballot = await put_question(uow, clock, uow.council, uow.actor("chair"), motion.number, secret=secret)
    return motion.number, ballot.id


# ---- slip codes ------------------------------------------------------------------------------------


# ---- the register ----------------------------------------------------------------------------------


def test_owners_count_once_with_their_summed_area_in_register_order() -> None:
    units = [
        Unit("3-1001", "王五", 100),
        Unit("3-502", "张三", 50),
        Unit("10-101", "王五", 10),
        Unit("3-501", "李四", 1),
    ]
    owners = owners_of(units)
    assert [(o.number, o.name, o.unit_codes, o.area_cm2) for o in owners] == [
        (1, "李四", "3-501", 1),
        (2, "张三", "3-502", 50),
        (3, "王五", "3-1001、10-101", 110),
    ]
    assert [floor_of(c) for c in ("3-502", "3-1001", "12", "B-0203", "商铺A")] == ["5", "10", "", "2", ""]


async def test_a_civil278_ballot_freezes_the_register_and_the_chain_holds_its_fingerprint() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=OWNERS, preset=Preset.CIVIL278), Clock()
    _, ballot_id = await _ballot(uow, clock)
    frozen = await uow.ballots.register(ballot_id)
    assert frozen is not None and sorted(u.code for u in frozen) == [str(101 + i) for i in range(len(OWNERS))]
    opened = [e for e in uow.events.recorded if e.type == events.BALLOT_OPENED][-1]
    assert opened.payload["register_sha256"] == register_digest(frozen)


async def test_a_nantang_ballot_freezes_no_register() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=OWNERS), Clock()
    _, ballot_id = await _ballot(uow, clock)
    assert await uow.ballots.register(ballot_id) is None
    opened = [e for e in uow.events.recorded if e.type == events.BALLOT_OPENED][-1]
    assert "register_sha256" not in opened.payload


NEW_REGISTER = [RosterUnit("101", "alice", 800_000), RosterUnit("102", "bob", 800_000)]


async def test_a_register_reimported_while_a_civil278_ballot_is_open_is_refused_and_changes_nothing() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=OWNERS, preset=Preset.CIVIL278), Clock()
    number, ballot_id = await _ballot(uow, clock)
    before = uow.snapshot()
    with pytest.raises(errors.RegisterFrozenByBallot) as refused:
        await import_roster(uow, clock, uow.council, NEW_REGISTER, uow.actor("chair"))
    assert refused.value.params == {"ballots": f"#{number}"}
    with pytest.raises(errors.RegisterFrozenByBallot):  # the command line too
        await import_roster(uow, clock, uow.council, NEW_REGISTER)
    assert uow.snapshot() == before
    # closed one minute later: the register may change, and the closed ballot keeps the one it counted on
    clock.tick(minutes=1)
    await close_ballot(uow, clock, uow.council, ballot_id, uow.actor("chair"))
    await import_roster(uow, clock, uow.council, NEW_REGISTER, uow.actor("chair"))
    assert len(await uow.units.all(uow.council.id)) == 2
    assert len(await uow.ballots.register(ballot_id) or ()) == len(OWNERS)


async def test_only_a_chair_or_the_secretary_imports_a_register_in_the_chat() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=OWNERS, preset=Preset.CIVIL278), Clock()
    before = uow.snapshot()
    with pytest.raises(errors.RoleRequired):
        await import_roster(uow, clock, uow.council, NEW_REGISTER, uow.actor("alice"))
    assert uow.snapshot() == before


# ---- paper slips -----------------------------------------------------------------------------------


async def test_paper_slips_one_per_owner_carry_codes_of_this_ballot() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=OWNERS, preset=Preset.CIVIL278), Clock()
    number, ballot_id = await _ballot(uow, clock)
    found, slips = await paper_slips(uow, uow.council, uow.actor("chair"), number)
    assert [s.owner.name for s in slips] == OWNERS
    assert [parse_slip_code(s.code).owner_code for s in slips] == [owner_code(name) for name in OWNERS]
    assert len({s.receipt for s in slips}) == len(OWNERS)  # one receipt per owner, printed on the stub
    assert {parse_slip_code(s.code).ballot_id for s in slips} == {ballot_id}
    with pytest.raises(errors.RoleRequired):
        await paper_slips(uow, uow.council, uow.actor("alice"), number)


async def test_paper_slips_are_for_civil278_ballots_only() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=OWNERS), Clock()
    number, _ = await _ballot(uow, clock)
    with pytest.raises(errors.NotWeighted):
        await paper_slips(uow, uow.council, uow.actor("chair"), number)


# ---- progress toward 2/3 ---------------------------------------------------------------------------


async def test_progress_at_two_thirds_minus_one_owner_and_at_two_thirds() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=OWNERS, preset=Preset.CIVIL278), Clock()
    number, ballot_id = await _ballot(uow, clock)
    for name in OWNERS[:3]:
        await cast_vote(uow, clock, uow.council, uow.actor(name), ballot_id, Choice.YES)
    shown = await ballot_progress(uow, uow.council, number, uow.actor("alice"))
    p = shown.progress
    assert (p.voted_owners, p.total_owners, p.needed_owners, p.missing_owners) == (3, 6, 4, 1)
    assert (p.voted_area_cm2, p.needed_area_cm2, p.missing_area_cm2) == (2_400_000, 3_200_000, 800_000)
    assert not p.reached
    assert [o.name for o in p.not_voted] == OWNERS[3:]
    await cast_vote(uow, clock, uow.council, uow.actor(OWNERS[3]), ballot_id, Choice.NO)
    p = (await ballot_progress(uow, uow.council, number)).progress
    assert (p.voted_owners, p.missing_owners, p.voted_area_cm2, p.missing_area_cm2) == (4, 0, 3_200_000, 0)
    assert p.reached  # exactly 2/3: "以上" includes the bound


def test_progress_one_square_centimetre_short_of_two_thirds_of_the_area_is_not_reached() -> None:
    owners = owners_of([Unit("1", "a", 200), Unit("2", "b", 100), Unit("3", "c", 1)])  # 2/3 of 301 cm²: 201
    p = participation(owners, ["o:a"])
    assert (p.missing_owners, p.missing_area_cm2, p.reached) == (1, 1, False)
    p = participation(owners, ["o:a", "o:c"])
    assert (p.missing_owners, p.missing_area_cm2, p.reached) == (0, 0, True)
    p = participation(owners, ["o:b", "o:c"])  # enough owners, not enough area
    assert (p.missing_owners, p.missing_area_cm2, p.reached) == (0, 100, False)


async def test_progress_is_for_members_and_refuses_others() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=OWNERS, preset=Preset.CIVIL278), Clock()
    number, _ = await _ballot(uow, clock)
    from deliberation.model import Actor

    with pytest.raises(errors.NotAMember):
        await ballot_progress(uow, uow.council, number, Actor("u:stranger", "stranger"))
