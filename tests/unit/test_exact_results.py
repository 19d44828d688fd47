"""Issue 11, wrong results, through the use cases: the roll at close, the register, frozen ballot rules."""

from __future__ import annotations

from dataclasses import replace

import pytest

from deliberation import errors
from deliberation.counting import Choice, Preset
from deliberation.lifecycle import MotionState
from deliberation.model import Member, MemberStatus, Rules, Side, Unit
from deliberation.usecases import (
    cast_vote,
    cast_votes,
    close_ballot,
    open_meeting,
    put_question,
    raise_motion,
    record_presence,
    second_motion,
    setup_council,
    speak,
)
from tests.fakes.fake_uow import FakeUnitOfWork

from .usecase_helpers import Clock

FIVE = ["a", "b", "c", "d", "e"]


async def _debating(uow: FakeUnitOfWork, clock: Clock, mover: str, seconder: str) -> int:
    motion = await raise_motion(uow, clock, uow.council, uow.actor(mover), "加装电梯")
    await second_motion(uow, clock, uow.council, uow.actor(seconder), motion.number)
    await speak(uow, clock, uow.council, uow.actor(mover), motion.number, Side.FOR, "老人上下楼难")
    return motion.number


# ---- 1. resident_meeting: present is the roll plus every voter, counted at close -------------------


@pytest.mark.parametrize(
    ("roll", "votes", "state"),
    [
        # roll: the chair and a; 6 members (the chair votes). Voters join the roll: present 5, 3 yes > 5/2.
        (["a"], "yyyn", MotionState.ADOPTED),
        # one more no: present 6, 3 yes is not more than half of 6.
        (["a"], "yyynn", MotionState.REJECTED),
        # roll of the chair alone, three voters: present 4 > 6/2, quorum met, 3 yes > 4/2.
        ([], "yyy", MotionState.ADOPTED),
        # two voters: present 3, not more than half of 6 members: no quorum.
        ([], "yy", MotionState.FAILED_QUORUM),
    ],
)
async def test_resident_meeting_counts_the_roll_plus_every_voter_at_close(
    roll: list[str], votes: str, state: MotionState
) -> None:
    uow, clock = FakeUnitOfWork.with_council(members=FIVE, preset=Preset.RESIDENT_MEETING), Clock()
    number = await _debating(uow, clock, "a", "b")
    await open_meeting(uow, clock, uow.council, uow.actor("chair"), "居民会议")  # the chair is on the roll
    for name in roll:
        await record_presence(uow, clock, uow.council, uow.actor(name))
    _, ballot = await put_question(uow, clock, uow.council, uow.actor("chair"), number)
    for name, choice in zip(FIVE, votes, strict=False):
        await cast_vote(uow, clock, uow.council, uow.actor(name), ballot.id, Choice.YES if choice == "y" else Choice.NO)
    closed = await close_ballot(uow, clock, uow.council, ballot.id, uow.actor("chair"))
    assert closed is not None and closed.motion.state is state
    assert closed.outcome.participation_heads.numerator * 6 // closed.outcome.participation_heads.denominator == (
        len({"chair", *roll, *FIVE[: len(votes)]})
    )


# ---- 2. civil278: only on the register; one owner, one vote ---------------------------------------


def _civil278() -> FakeUnitOfWork:
    """alice, bob, carol, dave own 101-104 (80 m² each); bob also owns 105; alice's wife lives in 101."""
    uow = FakeUnitOfWork.with_council(members=["alice", "bob", "carol", "dave"], preset=Preset.CIVIL278)
    state, council_id = uow.state, uow.council.id
    state.units[council_id]["105"] = (Unit("105", "bob", 80 * 10_000), True)
    wife = Member(state.new_id(), council_id, "u:wife", "wife", "wife", "101", MemberStatus.ACTIVE)
    state.members[wife.id] = wife
    return uow


async def test_civil278_opens_no_ballot_without_the_property_register() -> None:
    uow, clock = _civil278(), Clock()
    number = await _debating(uow, clock, "alice", "bob")
    uow.council = replace(uow.council, has_roster=False)  # the units are only what people typed with /join
    with pytest.raises(errors.RegisterRequired) as refused:
        await put_question(uow, clock, uow.council, uow.actor("chair"), number)
    assert refused.value.params == {"council": uow.council.id}


async def test_civil278_a_second_person_of_one_owner_is_refused_and_the_owner_counts_once() -> None:
    uow, clock = _civil278(), Clock()
    number = await _debating(uow, clock, "alice", "bob")
    _, ballot = await put_question(uow, clock, uow.council, uow.actor("chair"), number)
    assert (ballot.total_owners, ballot.eligible_voters, ballot.total_area_cm2) == (4, 4, 5 * 80 * 10_000)
    await cast_vote(uow, clock, uow.council, uow.actor("alice"), ballot.id, Choice.YES)
    before = uow.snapshot()
    with pytest.raises(errors.OwnerAlreadyVoted) as refused:
        await cast_vote(uow, clock, uow.council, uow.actor("wife"), ballot.id, Choice.NO)
    assert refused.value.params == {"owner": "alice", "name": "alice"}
    assert uow.snapshot() == before
    changed = await cast_vote(uow, clock, uow.council, uow.actor("alice"), ballot.id, Choice.NO)  # her own vote
    assert changed.previous is Choice.YES
    await cast_vote(uow, clock, uow.council, uow.actor("bob"), ballot.id, Choice.YES)  # two flats, one owner
    recorded = await cast_vote(uow, clock, uow.council, uow.actor("carol"), ballot.id, Choice.YES)
    assert recorded.closed is None and recorded.voted == 3  # three owners of four: not closed early
    assert sorted(await uow.votes.all(ballot.id)) == sorted(
        [
            ("o:alice", uow.member("alice").id, Choice.NO, 80 * 10_000),
            ("o:bob", uow.member("bob").id, Choice.YES, 160 * 10_000),
            ("o:carol", uow.member("carol").id, Choice.YES, 80 * 10_000),
        ]
    )
    closed = await close_ballot(uow, clock, uow.council, ballot.id, uow.actor("chair"))
    assert closed is not None
    tally = closed.outcome.tally
    assert (tally.yes, tally.no, tally.yes_area_cm2, tally.no_area_cm2) == (2, 1, 240 * 10_000, 80 * 10_000)


# ---- 3. the rules of a ballot are frozen when it opens ----------------------------------------------


async def test_a_ballot_is_counted_under_the_rules_it_opened_with() -> None:
    uow, clock = _civil278(), Clock()
    number = await _debating(uow, clock, "alice", "bob")
    _, ballot = await put_question(uow, clock, uow.council, uow.actor("chair"), number, major=True)
    assert ballot.rules == Rules.for_preset(Preset.CIVIL278)
    for name in ("alice", "bob", "carol"):
        await cast_vote(uow, clock, uow.council, uow.actor(name), ballot.id, Choice.YES)
    # Whatever happens to the council's rules now (an old /setup reset them silently), the ballot keeps its own.
    uow.council = replace(uow.council, rules=Rules.for_preset(Preset.NANTANG))
    closed = await close_ballot(uow, clock, uow.council, ballot.id, uow.actor("chair"))
    assert closed is not None and closed.ballot.result is not None
    assert (closed.ballot.result.preset, closed.ballot.result.rule) == (Preset.CIVIL278, "civil278.major")


async def test_setup_on_a_council_changes_nothing_without_confirmation_and_never_during_a_ballot() -> None:
    uow, clock = _civil278(), Clock()
    chair = uow.actor("chair")
    with pytest.raises(errors.SetupNeedsConfirm):
        await setup_council(uow, clock, chat_key=uow.council.chat_key, title="t", actor=chair)
    number = await _debating(uow, clock, "alice", "bob")
    _, ballot = await put_question(uow, clock, uow.council, chair, number, major=True)
    before = uow.snapshot()
    with pytest.raises(errors.RulesFrozenByBallot) as refused:
        await setup_council(
            uow, clock, chat_key=uow.council.chat_key, title="t", actor=chair, preset="nantang", confirm=True
        )
    assert refused.value.params == {"ballots": f"#{number}"}
    assert uow.snapshot() == before
    await close_ballot(uow, clock, uow.council, ballot.id, chair)
    council = await setup_council(
        uow, clock, chat_key=uow.council.chat_key, title="t", actor=chair, preset="robert", confirm=True
    )
    assert council.rules.preset is Preset.ROBERT


async def test_civil278_a_run_of_votes_keeps_one_vote_per_owner() -> None:
    uow, clock = _civil278(), Clock()
    number = await _debating(uow, clock, "alice", "bob")
    _, ballot = await put_question(uow, clock, uow.council, uow.actor("chair"), number)
    results = await cast_votes(
        uow,
        clock,
        uow.council,
        [(uow.actor("alice"), ballot.id, Choice.YES), (uow.actor("wife"), ballot.id, Choice.NO)],
    )
    assert not isinstance(results[0], errors.DeliberationError)
    assert isinstance(results[1], errors.OwnerAlreadyVoted)
    assert [(v, c) for v, _m, c, _a in await uow.votes.all(ballot.id)] == [("o:alice", Choice.YES)]
