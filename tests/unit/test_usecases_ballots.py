"""Ballot use cases on the in-memory unit of work: who counts as present, whose vote it is, who may vote."""

from __future__ import annotations

import pytest

from deliberation import errors, events
from deliberation.counting import Choice, Preset
from deliberation.model import BallotResult, Member, MemberStatus, Role, Rules, Side
from deliberation.usecases import (
    cast_vote,
    may_vote,
    open_meeting,
    put_question,
    raise_motion,
    record_presence,
    second_motion,
    speak,
)
from tests.fakes.fake_uow import FakeUnitOfWork

from .usecase_helpers import Clock, with_rules

NAMES = ["alice", "bob", "carol", "dave"]


async def _debating(uow: FakeUnitOfWork, clock: Clock) -> int:
    motion = await raise_motion(uow, clock, uow.council, uow.actor("alice"), "装声控灯")
    await second_motion(uow, clock, uow.council, uow.actor("bob"), motion.number)
    await speak(uow, clock, uow.council, uow.actor("alice"), motion.number, Side.FOR, "楼道太暗")
    return motion.number


async def test_put_question_counts_a_live_meetings_attendance_as_present() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=NAMES), Clock()
    number = await _debating(uow, clock)
    await open_meeting(uow, clock, uow.council, uow.actor("chair"), "三月例会")  # the chair is present
    await record_presence(uow, clock, uow.council, uow.actor("alice"))
    await record_presence(uow, clock, uow.council, uow.actor("bob"))
    _, ballot = await put_question(uow, clock, uow.council, uow.actor("chair"), number)
    assert ballot.present == 3
    assert ballot.closes_at - ballot.opened_at == uow.council.rules.meeting_ballot_duration
    opened = [e for e in uow.events.recorded if e.type == events.BALLOT_OPENED]
    assert opened[-1].payload["present"] == 3
    assert uow.commits == 0


async def test_without_a_live_meeting_nobody_is_counted_present() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=NAMES), Clock()
    number = await _debating(uow, clock)
    _, ballot = await put_question(uow, clock, uow.council, uow.actor("chair"), number)
    assert ballot.present is None
    assert ballot.closes_at - ballot.opened_at == uow.council.rules.ballot_duration


def _member(unit: str | None = "101", roles: frozenset[Role] = frozenset()) -> Member:
    return Member(7, 1, "u:x", "x", unit=unit, status=MemberStatus.ACTIVE, roles=roles)


def test_voter_key_is_the_owner_under_civil278_and_the_member_otherwise() -> None:
    member = _member()
    assert events.voter_key(Rules.for_preset(Preset.CIVIL278), member, "王芳") == "o:王芳"
    for preset in (Preset.NANTANG, Preset.ROBERT, Preset.RESIDENT_MEETING):
        assert events.voter_key(Rules.for_preset(preset), member, "王芳") == "m7"
    with pytest.raises(ValueError):
        events.voter_key(Rules.for_preset(Preset.CIVIL278), member)


def test_who_may_vote() -> None:
    chair = _member(roles=frozenset({Role.CHAIR}))
    assert not may_vote(Rules.for_preset(Preset.NANTANG), chair)  # 南塘: the chair does not vote
    assert may_vote(Rules.for_preset(Preset.ROBERT), chair)
    assert may_vote(Rules.for_preset(Preset.NANTANG), _member(unit=None))
    assert not may_vote(Rules.for_preset(Preset.CIVIL278), _member(unit=None))  # a vote belongs to a unit
    assert may_vote(Rules.for_preset(Preset.CIVIL278), _member())


async def test_a_civil278_vote_is_stored_under_the_owner() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=NAMES, preset=Preset.CIVIL278), Clock()
    number = await _debating(uow, clock)
    _, ballot = await put_question(uow, clock, uow.council, uow.actor("chair"), number)
    await cast_vote(uow, clock, uow.council, uow.actor("alice"), ballot.id, Choice.YES)
    assert await uow.votes.voters(ballot.id) == ["o:alice"]


async def test_the_chair_refused_a_vote_under_nantang_changes_nothing() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=NAMES), Clock()
    number = await _debating(uow, clock)
    _, ballot = await put_question(uow, clock, uow.council, uow.actor("chair"), number)
    before = uow.snapshot()
    with pytest.raises(errors.NotEligible):
        await cast_vote(uow, clock, uow.council, uow.actor("chair"), ballot.id, Choice.YES)
    assert uow.snapshot() == before


async def test_the_last_vote_closes_the_ballot_with_a_typed_result() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=NAMES), Clock()
    with_rules(uow, abstain_choice=True)  # 南塘 12 offers no abstain; this council chose to
    number = await _debating(uow, clock)
    _, ballot = await put_question(uow, clock, uow.council, uow.actor("chair"), number)
    choices = [Choice.YES, Choice.YES, Choice.NO, Choice.ABSTAIN]
    recorded = [
        await cast_vote(uow, clock, uow.council, uow.actor(n), ballot.id, c)
        for n, c in zip(NAMES, choices, strict=True)
    ]
    closed = recorded[-1].closed
    assert closed is not None and isinstance(closed.ballot.result, BallotResult)
    result = closed.ballot.result
    assert (result.yes, result.no, result.abstain, result.passed, result.cast) == (2, 1, 1, True, 4)
    assert result.preset is Preset.NANTANG
    payload = uow.events.recorded[-1].payload
    assert uow.events.recorded[-1].type == events.BALLOT_CLOSED
    assert (payload["yes"], payload["no"], payload["abstain"], payload["passed"]) == (2, 1, 1, True)
    assert uow.commits == 0
