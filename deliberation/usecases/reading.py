"""Queries: what is open, a motion's history, the ballot to vote on. They read and change nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .. import errors
from ..delivery import Assignment, AssignmentState, Report
from ..lifecycle import TERMINAL, MotionState
from ..model import Actor, Ballot, Council, Member, Motion, Rules, Speech
from ..ports import UnitOfWork
from .steps import find_motion, require_member


@dataclass(frozen=True)
class MotionHistory:
    motion: Motion
    mover: Member | None
    seconder: Member | None
    children: Sequence[Motion]
    speeches: Sequence[tuple[Speech, str]]
    ballots: Sequence[Ballot]
    voted: int
    # Delivery (落实), once the motion was adopted and handed on: who carries it out, their reports,
    # and the members' rating (how many rated while the poll is open; the tally is in the assignment once closed).
    assignment: Assignment | None = None
    reports: Sequence[Report] = ()
    rated: int = 0


async def motion_history(uow: UnitOfWork, council: Council, number: int | None) -> MotionHistory:
    """Everything that happened to one motion: text, amendments, speeches, ballots and its delivery."""
    motion = await find_motion(uow, council, number)
    names = {m.id: m for m in await uow.members.all(council.id)}
    ballots = await uow.ballots.for_motion(motion.id)
    open_ballot = next((b for b in ballots if b.open), None)
    assignment = await uow.assignments.by_motion(motion.id)
    reports = await uow.assignments.reports(assignment.id) if assignment else ()
    rating_open = assignment is not None and assignment.state is AssignmentState.RATING
    rated = len(await uow.assignments.ratings(assignment.id)) if assignment and rating_open else 0
    return MotionHistory(
        motion,
        names.get(motion.mover_id),
        names.get(motion.seconder_id or 0),
        await uow.motions.children(motion.id),
        [
            (s, names[s.member_id].name if s.member_id in names else "?")
            for s in await uow.speeches.for_motion(motion.id)
        ],
        ballots,
        await uow.votes.count(open_ballot.id) if open_ballot else 0,
        assignment,
        reports,
        rated,
    )


async def open_items(uow: UnitOfWork, council: Council) -> Sequence[Motion]:
    return [m for m in await uow.motions.all(council.id) if m.state not in TERMINAL]


def speeches_left(rules: Rules, speeches: Sequence[Speech], member_id: int) -> int:
    return max(rules.speeches_per_member - sum(1 for s in speeches if s.member_id == member_id), 0)


async def ballot_for(uow: UnitOfWork, council: Council, number: int | None, actor: Actor | None = None) -> Ballot:
    """The open ballot of the numbered motion (or of the only motion being voted on).

    With `actor`, a voter: non-members are told so before anything about the motion.
    """
    if actor is not None:
        require_member(actor)
    motion = await find_motion(uow, council, number, frozenset({MotionState.VOTING}))
    ballot = await uow.ballots.open_for_motion(motion.id)
    if ballot is None:
        raise errors.BallotNotOpen(number=motion.number)
    return ballot


async def ballot_for_typed_vote(
    uow: UnitOfWork, council: Council, number: int | None, actor: Actor, *, in_group: bool
) -> Ballot:
    """`ballot_for` a vote typed as a command: refused for a secret ballot when typed where others read it."""
    ballot = await ballot_for(uow, council, number, actor)
    if ballot.secret and in_group:
        motion = await uow.motions.get(ballot.motion_id)
        raise errors.SecretVoteTyped(number=motion.number)
    return ballot
