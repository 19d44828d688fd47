"""Use cases of follow-up (落实): hand an adopted motion to someone, their reports, the members' rating."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from .. import errors, events
from ..delivery import (
    DONE_WORDS,
    RATING_DURATION,
    REPORT_MAX,
    Assignment,
    AssignmentNotFound,
    AssignmentState,
    BadRating,
    ItemClosed,
    NotAdopted,
    NotAssignee,
    Rating,
    RatingAlreadyOpen,
    RatingNotOpen,
    RatingTally,
    Report,
    tally_ratings,
)
from ..lifecycle import MotionState
from ..model import Actor, Council
from ..ports import Clock, UnitOfWork
from .steps import active_members, find_member, iso, record_event, require_chair, require_member


async def assignment_for(uow: UnitOfWork, council: Council, number: int) -> Assignment:
    motion = await uow.motions.by_number(council.id, number)
    assignment = await uow.assignments.by_motion(motion.id) if motion else None
    if assignment is None:
        raise AssignmentNotFound(number=number)
    return assignment


async def assign(
    uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, number: int, handle: str, due_at: datetime
) -> Assignment:
    """交办: the chair hands an adopted motion to a member, with a due date; a new call re-assigns it."""
    require_chair(actor)
    now = clock()
    if due_at <= now:
        raise errors.DateInPastText(given=iso(due_at))
    await uow.councils.lock(council.id)
    motion = await uow.motions.by_number(council.id, number)
    if motion is None:
        raise errors.MotionNotFound(number=number)
    if motion.state is not MotionState.ADOPTED:
        raise NotAdopted(number=number, state=motion.state.value)
    assignee = await find_member(uow, council, handle)
    existing = await uow.assignments.by_motion(motion.id)
    if existing is not None and existing.state in (AssignmentState.RATING, AssignmentState.CLOSED):
        raise ItemClosed(number=number)
    if existing is None:
        assignment = await uow.assignments.add(
            Assignment(0, council.id, motion.id, motion.number, assignee.id, assignee.name, due_at, now)
        )
    else:
        assignment = replace(
            existing,
            assignee_id=assignee.id,
            assignee_name=assignee.name,
            due_at=due_at,
            assigned_at=now,
            state=AssignmentState.ASSIGNED,
            done_at=None,
            last_report_at=None,
        )
        await uow.assignments.update(assignment)
    await record_event(
        uow,
        council,
        clock,
        events.ASSIGNMENT_MADE,
        number=motion.number,
        assignee=assignee.id,
        assignee_name=assignee.name,
        due=iso(due_at),
        by=actor.name,
    )
    return assignment


def split_done(text: str) -> tuple[str, bool]:
    """ "done 灯已装好" / "灯已装好 完成" -> ("灯已装好", True)."""
    words = text.split()
    if words and words[0].casefold() in DONE_WORDS:
        return " ".join(text.split(maxsplit=1)[1:]).strip(), True
    if words and words[-1].casefold() in DONE_WORDS:
        return text.strip()[: len(text.strip()) - len(words[-1])].strip(), True
    return text.strip(), False


async def report(
    uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, number: int, text: str, done: bool = False
) -> Assignment:
    """反馈: the assignee (or the chair) tells the group how it goes, or that it is done."""
    member = actor.member if actor.is_chair else require_member(actor)
    text = " ".join((text or "").split()) if "\n" not in (text or "") else (text or "").strip()
    if not text and not done:
        raise errors.TextEmpty()
    if len(text) > REPORT_MAX:
        raise errors.TextTooLong(limit=REPORT_MAX, length=len(text))
    await uow.councils.lock(council.id)
    assignment = await assignment_for(uow, council, number)
    if not actor.is_chair and (member is None or member.id != assignment.assignee_id):
        raise NotAssignee(number=number, name=assignment.assignee_name)
    if assignment.state not in (AssignmentState.ASSIGNED, AssignmentState.DONE):
        raise ItemClosed(number=number)
    now = clock()
    name = member.name if member is not None else actor.name
    await uow.assignments.add_report(Report(assignment.id, member.id if member else 0, name, text, done, now))
    assignment = replace(assignment, last_report_at=now)
    if done and assignment.state is AssignmentState.ASSIGNED:
        assignment = replace(assignment, state=AssignmentState.DONE, done_at=now)
    await uow.assignments.update(assignment)
    await record_event(uow, council, clock, events.REPORT_RECORDED, number=number, text=text, done=done, by=name)
    return assignment


async def open_rating(
    uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, number: int, duration: timedelta | None = None
) -> Assignment:
    """评议: the chair asks the members to rate a finished item (满意/基本满意/不满意)."""
    require_chair(actor)
    await uow.councils.lock(council.id)
    assignment = await assignment_for(uow, council, number)
    if assignment.state is AssignmentState.RATING:
        raise RatingAlreadyOpen(number=number)
    if assignment.state is AssignmentState.CLOSED:
        raise ItemClosed(number=number)
    if assignment.state is not AssignmentState.DONE:
        raise RatingNotOpen(number=number)
    closes_at = clock() + (duration or RATING_DURATION)
    assignment = replace(assignment, state=AssignmentState.RATING, rating_closes_at=closes_at)
    await uow.assignments.update(assignment)
    await record_event(uow, council, clock, events.RATING_OPENED, number=number, closes_at=iso(closes_at))
    return assignment


@dataclass(frozen=True)
class RatingClosed:
    assignment: Assignment
    tally: RatingTally
    members: int


@dataclass(frozen=True)
class RatingRecorded:
    assignment: Assignment
    choice: Rating
    previous: Rating | None
    rated: int
    eligible: int
    closed: RatingClosed | None = None


async def _rating_assignment(uow: UnitOfWork, council: Council, assignment_id: int) -> Assignment:
    assignment = await uow.assignments.get(assignment_id)
    if assignment is None or assignment.council_id != council.id:
        raise AssignmentNotFound(number="")
    return assignment


async def rate(
    uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, assignment_id: int, choice: Rating | str
) -> RatingRecorded:
    """A member rates the outcome (and may change their mind while the poll is open)."""
    member = require_member(actor)
    if not isinstance(choice, Rating):
        try:
            choice = Rating(choice)
        except ValueError:
            raise BadRating(given=str(choice)[:20]) from None
    await uow.councils.lock(council.id)
    assignment = await _rating_assignment(uow, council, assignment_id)
    now = clock()
    if assignment.state is not AssignmentState.RATING or (
        assignment.rating_closes_at and assignment.rating_closes_at <= now
    ):
        raise RatingNotOpen(number=assignment.number)
    previous = await uow.assignments.upsert_rating(assignment.id, member.id, choice, now)
    # Who chose what stays out of the chain: the poll is anonymous, only the totals are kept.
    await record_event(uow, council, clock, events.RATING_CAST, number=assignment.number, name=member.name)
    rated = len(await uow.assignments.ratings(assignment.id))
    eligible = len(await active_members(uow, council))
    closed = None
    if rated >= eligible > 0:
        closed = await _close_rating(uow, clock, council, assignment, eligible)
    return RatingRecorded(assignment, choice, previous, rated, eligible, closed)


async def close_rating(
    uow: UnitOfWork, clock: Clock, council: Council, assignment_id: int, actor: Actor | None = None
) -> RatingClosed | None:
    """Close the poll: by the chair at any time, by the clock (`actor=None`) at its deadline.

    Returns None when the clock finds it already closed or not yet due.
    """
    if actor is not None:
        require_chair(actor)
    await uow.councils.lock(council.id)
    assignment = await _rating_assignment(uow, council, assignment_id)
    if assignment.state is not AssignmentState.RATING:
        if actor is None:
            return None
        raise RatingNotOpen(number=assignment.number)
    if actor is None and assignment.rating_closes_at and assignment.rating_closes_at > clock():
        return None
    return await _close_rating(uow, clock, council, assignment, len(await active_members(uow, council)))


async def _close_rating(
    uow: UnitOfWork, clock: Clock, council: Council, assignment: Assignment, members: int
) -> RatingClosed:
    tally = tally_ratings(await uow.assignments.ratings(assignment.id))
    assignment = replace(assignment, state=AssignmentState.CLOSED, closed_at=clock(), result=tally.to_json())
    await uow.assignments.update(assignment)
    await record_event(uow, council, clock, events.RATING_CLOSED, number=assignment.number, **tally.to_json())
    return RatingClosed(assignment, tally, members)
