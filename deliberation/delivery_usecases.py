"""Use cases of meetings and delivery (落实): schedule, open, attend, adjourn; assign, report, rate.

Same shape as usecases.py: each takes a unit of work and a clock, locks the council, checks the
rules and roles, changes the records and appends to the event chain; the caller commits. The reminders
these records need are derived from them by the scheduler (delivery.plan_*), so nothing here
talks about alarms.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from . import errors
from .delivery import (
    DONE_WORDS, MEETING_TITLE_MAX, RATING_DURATION, REPORT_MAX, Assignment, AssignmentNotFound, AssignmentState,
    BadRating, ItemClosed, Meeting, MeetingAlreadyOpen, MeetingNotFound, MeetingNotScheduled, MeetingState,
    NoOpenMeeting, NotAdopted, NotAssignee, Rating, RatingAlreadyOpen, RatingNotOpen, RatingTally, Report,
    TitleRequired, meeting_quorum, tally_ratings,
)
from .lifecycle import MotionState
from .model import Actor, Council, Member
from .ports import Clock, UnitOfWork
from .usecases import find_member, record_event, require_chair, require_member

# A scheduled meeting may be opened this early with a bare /meeting (people gather before the hour).
EARLY_OPEN = timedelta(hours=2)
LATE_OPEN = timedelta(hours=12)


class Meetings(Protocol):
    async def next_number(self, council_id: int) -> int: ...
    async def add(self, meeting: Meeting) -> Meeting: ...
    async def update(self, meeting: Meeting) -> None: ...
    async def by_number(self, council_id: int, number: int) -> Meeting | None: ...
    async def in_state(self, council_id: int, *states: MeetingState) -> Sequence[Meeting]: ...
    async def add_attendance(self, meeting_id: int, member_id: int, name: str, at: datetime) -> bool: ...
    async def attendance(self, meeting_id: int) -> Sequence[tuple[int, str]]: ...


class Assignments(Protocol):
    async def add(self, assignment: Assignment) -> Assignment: ...
    async def update(self, assignment: Assignment) -> None: ...
    async def get(self, assignment_id: int) -> Assignment | None: ...
    async def by_motion(self, motion_id: int) -> Assignment | None: ...
    async def all(self, council_id: int) -> Sequence[Assignment]: ...
    async def add_report(self, report: Report) -> None: ...
    async def reports(self, assignment_id: int) -> Sequence[Report]: ...
    async def upsert_rating(self, assignment_id: int, member_id: int, choice: Rating, at: datetime) -> Rating | None: ...
    async def ratings(self, assignment_id: int) -> Sequence[Rating]: ...


class DeliveryUnitOfWork(UnitOfWork, Protocol):
    meetings: Meetings
    assignments: Assignments


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _title(text: str) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise TitleRequired()
    if len(text) > MEETING_TITLE_MAX:
        raise errors.TextTooLong(limit=MEETING_TITLE_MAX, length=len(text))
    return text


async def _active_members(uow: UnitOfWork, council: Council) -> list[Member]:
    return [m for m in await uow.members.all(council.id) if m.active]


# ---- meetings ---------------------------------------------------------------------------------

async def schedule_meeting(uow: DeliveryUnitOfWork, clock: Clock, council: Council, actor: Actor,
                           starts_at: datetime, title: str) -> Meeting:
    """The chair puts a council meeting in the calendar; announcements follow at T-24h and T-1h."""
    require_chair(actor)
    title = _title(title)
    now = clock()
    if starts_at <= now:
        raise errors.DateInPastText(given=_iso(starts_at))
    await uow.councils.lock(council.id)
    meeting = await uow.meetings.add(Meeting(0, council.id, await uow.meetings.next_number(council.id), title,
                                             MeetingState.SCHEDULED, now, starts_at))
    await record_event(uow, council, clock, "meeting.scheduled", meeting=meeting.number, title=title,
                  starts_at=_iso(starts_at), by=actor.name)
    return meeting


async def upcoming_meetings(uow: DeliveryUnitOfWork, council: Council, now: datetime) -> Sequence[Meeting]:
    """The meeting under way and those still to come (one never opened drops off after LATE_OPEN)."""
    meetings = await uow.meetings.in_state(council.id, MeetingState.OPEN, MeetingState.SCHEDULED)
    return [m for m in meetings if m.state is MeetingState.OPEN or (m.starts_at and m.starts_at >= now - LATE_OPEN)]


async def cancel_meeting(uow: DeliveryUnitOfWork, clock: Clock, council: Council, actor: Actor,
                         number: int) -> Meeting:
    require_chair(actor)
    await uow.councils.lock(council.id)
    meeting = await uow.meetings.by_number(council.id, number)
    if meeting is None:
        raise MeetingNotFound(number=number)
    if meeting.state is not MeetingState.SCHEDULED:
        raise MeetingNotScheduled(number=number, state=meeting.state.value)
    meeting = replace(meeting, state=MeetingState.CANCELLED)
    await uow.meetings.update(meeting)
    await record_event(uow, council, clock, "meeting.cancelled", meeting=meeting.number, title=meeting.title,
                  by=actor.name)
    return meeting


async def open_meeting(uow: DeliveryUnitOfWork, clock: Clock, council: Council, actor: Actor, title: str = "",
                       *, default_title: str = "") -> Meeting:
    """The chair opens a meeting: the scheduled one due about now, or one on the spot with `title`.

    The chair, when a member, is the first one present.
    """
    require_chair(actor)
    await uow.councils.lock(council.id)
    now = clock()
    current = await uow.meetings.in_state(council.id, MeetingState.OPEN)
    if current:
        raise MeetingAlreadyOpen(number=current[0].number, title=current[0].title)
    due = [m for m in await uow.meetings.in_state(council.id, MeetingState.SCHEDULED)
           if m.starts_at is not None and now - LATE_OPEN <= m.starts_at <= now + EARLY_OPEN]
    title = " ".join((title or "").split())
    if due:  # the meeting in the calendar, retitled if the chair says so
        meeting = replace(due[0], state=MeetingState.OPEN, opened_at=now, title=_title(title) if title else due[0].title)
        await uow.meetings.update(meeting)
    else:
        meeting = await uow.meetings.add(Meeting(0, council.id, await uow.meetings.next_number(council.id),
                                                 _title(title or default_title), MeetingState.OPEN, now,
                                                 opened_at=now))
    await record_event(uow, council, clock, "meeting.opened", meeting=meeting.number, title=meeting.title,
                  chair=actor.name)
    if actor.member is not None and actor.member.active:
        if await uow.meetings.add_attendance(meeting.id, actor.member.id, actor.member.name, now):
            await record_event(uow, council, clock, "attendance.recorded", meeting=meeting.number,
                          member=actor.member.id, name=actor.member.name)
    return meeting


@dataclass(frozen=True)
class Presence:
    meeting: Meeting
    recorded: Sequence[str]   # names newly marked present
    already: Sequence[str]    # names that were present already
    present: int
    expected: int             # 应到: active members
    needed: int               # quorum (0: none)

    @property
    def quorum_met(self) -> bool:
        return self.present >= self.needed


async def _open_meeting(uow: DeliveryUnitOfWork, council: Council) -> Meeting:
    current = await uow.meetings.in_state(council.id, MeetingState.OPEN)
    if not current:
        raise NoOpenMeeting()
    return current[0]


async def record_presence(uow: DeliveryUnitOfWork, clock: Clock, council: Council, actor: Actor,
                          handles: Sequence[str] = ()) -> Presence:
    """A member says they are present; the chair may mark others (`handles`) who cannot type."""
    if handles:
        require_chair(actor)
    else:
        require_member(actor)
    await uow.councils.lock(council.id)
    meeting = await _open_meeting(uow, council)
    targets = [await find_member(uow, council, h) for h in handles] if handles else [actor.member]
    recorded, already = [], []
    for member in targets:
        if not member.active:
            raise errors.PendingApproval(unit=member.unit or "")
        if await uow.meetings.add_attendance(meeting.id, member.id, member.name, clock()):
            recorded.append(member.name)
            await record_event(uow, council, clock, "attendance.recorded", meeting=meeting.number, member=member.id,
                          name=member.name)
        else:
            already.append(member.name)
    present = len(await uow.meetings.attendance(meeting.id))
    expected = len(await _active_members(uow, council))
    return Presence(meeting, recorded, already, present, expected, meeting_quorum(council.rules, expected))


async def present_count(uow: DeliveryUnitOfWork, council: Council) -> int | None:
    """Members present at the open meeting, or None when no meeting is open (for a live ballot's quorum)."""
    current = await uow.meetings.in_state(council.id, MeetingState.OPEN)
    return len(await uow.meetings.attendance(current[0].id)) if current else None


@dataclass(frozen=True)
class MeetingSummary:
    meeting: Meeting
    present: Sequence[str]
    expected: int
    needed: int

    @property
    def quorum_met(self) -> bool:
        return len(self.present) >= self.needed


async def adjourn(uow: DeliveryUnitOfWork, clock: Clock, council: Council, actor: Actor) -> MeetingSummary:
    require_chair(actor)
    await uow.councils.lock(council.id)
    meeting = await _open_meeting(uow, council)
    meeting = replace(meeting, state=MeetingState.ADJOURNED, adjourned_at=clock())
    await uow.meetings.update(meeting)
    names = [name for _, name in await uow.meetings.attendance(meeting.id)]
    expected = len(await _active_members(uow, council))
    await record_event(uow, council, clock, "meeting.adjourned", meeting=meeting.number)
    return MeetingSummary(meeting, names, expected, meeting_quorum(council.rules, expected))


# ---- delivery: assign, report, rate ----------------------------------------------------------

async def assignment_for(uow: DeliveryUnitOfWork, council: Council, number: int) -> Assignment:
    motion = await uow.motions.by_number(council.id, number)
    assignment = await uow.assignments.by_motion(motion.id) if motion else None
    if assignment is None:
        raise AssignmentNotFound(number=number)
    return assignment


async def assign(uow: DeliveryUnitOfWork, clock: Clock, council: Council, actor: Actor, number: int,
                 handle: str, due_at: datetime) -> Assignment:
    """交办: the chair hands an adopted motion to a member, with a due date; a new call re-assigns it."""
    require_chair(actor)
    now = clock()
    if due_at <= now:
        raise errors.DateInPastText(given=_iso(due_at))
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
        assignment = await uow.assignments.add(Assignment(0, council.id, motion.id, motion.number, assignee.id,
                                                          assignee.name, due_at, now))
    else:
        assignment = replace(existing, assignee_id=assignee.id, assignee_name=assignee.name, due_at=due_at,
                             assigned_at=now, state=AssignmentState.ASSIGNED, done_at=None, last_report_at=None)
        await uow.assignments.update(assignment)
    await record_event(uow, council, clock, "assignment.made", number=motion.number, assignee=assignee.id,
                  assignee_name=assignee.name, due=_iso(due_at), by=actor.name)
    return assignment


def split_done(text: str) -> tuple[str, bool]:
    """"done 灯已装好" / "灯已装好 完成" -> ("灯已装好", True)."""
    words = text.split()
    if words and words[0].casefold() in DONE_WORDS:
        return " ".join(text.split(maxsplit=1)[1:]).strip(), True
    if words and words[-1].casefold() in DONE_WORDS:
        return text.strip()[: len(text.strip()) - len(words[-1])].strip(), True
    return text.strip(), False


async def report(uow: DeliveryUnitOfWork, clock: Clock, council: Council, actor: Actor, number: int,
                 text: str, done: bool = False) -> Assignment:
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
    await record_event(uow, council, clock, "report.recorded", number=number, text=text, done=done, by=name)
    return assignment


async def open_rating(uow: DeliveryUnitOfWork, clock: Clock, council: Council, actor: Actor, number: int,
                      duration: timedelta | None = None) -> Assignment:
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
    now = clock()
    assignment = replace(assignment, state=AssignmentState.RATING, rating_closes_at=now + (duration or RATING_DURATION))
    await uow.assignments.update(assignment)
    await record_event(uow, council, clock, "rating.opened", number=number, closes_at=_iso(assignment.rating_closes_at))
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


async def _rating_assignment(uow: DeliveryUnitOfWork, council: Council, assignment_id: int) -> Assignment:
    assignment = await uow.assignments.get(assignment_id)
    if assignment is None or assignment.council_id != council.id:
        raise AssignmentNotFound(number="")
    return assignment


async def rate(uow: DeliveryUnitOfWork, clock: Clock, council: Council, actor: Actor, assignment_id: int,
               choice: Rating | str) -> RatingRecorded:
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
    if assignment.state is not AssignmentState.RATING or (assignment.rating_closes_at
                                                          and assignment.rating_closes_at <= now):
        raise RatingNotOpen(number=assignment.number)
    previous = await uow.assignments.upsert_rating(assignment.id, member.id, choice, now)
    # Who chose what stays out of the chain: the poll is anonymous, only the totals are kept.
    await record_event(uow, council, clock, "rating.cast", number=assignment.number, name=member.name)
    rated = len(await uow.assignments.ratings(assignment.id))
    eligible = len(await _active_members(uow, council))
    closed = None
    if rated >= eligible > 0:
        closed = await _close_rating(uow, clock, council, assignment, eligible)
    return RatingRecorded(assignment, choice, previous, rated, eligible, closed)


async def close_rating(uow: DeliveryUnitOfWork, clock: Clock, council: Council, assignment_id: int,
                       actor: Actor | None = None) -> RatingClosed | None:
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
    closed = await _close_rating(uow, clock, council, assignment, len(await _active_members(uow, council)))
    return closed


async def _close_rating(uow: DeliveryUnitOfWork, clock: Clock, council: Council, assignment: Assignment,
                        members: int) -> RatingClosed:
    tally = tally_ratings(await uow.assignments.ratings(assignment.id))
    assignment = replace(assignment, state=AssignmentState.CLOSED, closed_at=clock(), result=tally.to_json())
    await uow.assignments.update(assignment)
    await record_event(uow, council, clock, "rating.closed", number=assignment.number, **tally.to_json())
    return RatingClosed(assignment, tally, members)
