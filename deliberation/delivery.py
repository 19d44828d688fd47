"""Delivery (落实) and the reminder plan: meetings, assignments, reports, ratings, and when each reminder is due.

Pure records and functions, standard library only. The scheduler asks `plan_*` which reminders a
subject should have *now*; a reminder the current plan no longer contains (the motion was seconded,
the ballot closed, the meeting cancelled, the item reported done) is dropped when its alarm rings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from fractions import Fraction
from math import ceil

from . import errors
from .counting import Preset
from .lifecycle import MotionState
from .model import Ballot, Motion, Rules

RATING_DURATION = timedelta(hours=48)
MEETING_TITLE_MAX = 200
REPORT_MAX = 500
FOLLOW_UP_BEFORE_DUE = timedelta(days=1)
PROGRESS_EVERY = timedelta(days=1)  # civil278 ballots: the group hears how far participation is, once a day
SHORT_BALLOT_FACTOR = 2  # a ballot shorter than twice the reminder lead gets its reminder at half-time


# ---- refusals -------------------------------------------------------------------------------


class MeetingNotScheduled(errors.DeliberationError):
    """Only a meeting still waiting to start can be cancelled (params: number, state)."""

    key = "sched.error.meeting_not_scheduled"


class NoOpenMeeting(errors.DeliberationError):
    key = "sched.error.no_open_meeting"


class MeetingAlreadyOpen(errors.DeliberationError):
    key = "sched.error.meeting_open"


class TitleRequired(errors.DeliberationError):
    key = "sched.error.title_required"


class NotAdopted(errors.DeliberationError):
    """Only an adopted motion is handed to someone to carry out (params: number, state)."""

    key = "sched.error.not_adopted"


class AssignmentNotFound(errors.DeliberationError):
    key = "sched.error.assignment_not_found"


class NotAssignee(errors.DeliberationError):
    key = "sched.error.not_assignee"


class ItemClosed(errors.DeliberationError):
    key = "sched.error.item_closed"


class RatingNotOpen(errors.DeliberationError):
    key = "sched.error.rating_not_open"


class RatingAlreadyOpen(errors.DeliberationError):
    key = "sched.error.rating_open"


class BadRating(errors.DeliberationError):
    key = "sched.error.bad_rating"


# ---- meetings -------------------------------------------------------------------------------


class MeetingState(StrEnum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    ADJOURNED = "adjourned"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Meeting:
    id: int
    council_id: int
    number: int
    title: str
    state: MeetingState
    created_at: datetime
    starts_at: datetime | None = None  # None: opened on the spot with /meeting
    opened_at: datetime | None = None
    adjourned_at: datetime | None = None


def meeting_quorum(rules: Rules, members: int) -> int:
    """How many present members a meeting needs (0: no quorum), per preset or the council's own setting."""
    if members <= 0:
        return 0
    if rules.quorum is not None:
        return max(ceil(Fraction(rules.quorum) * members), 1)
    if rules.preset in (Preset.ROBERT, Preset.RESIDENT_MEETING):
        return members // 2 + 1  # a majority / more than half
    if rules.preset is Preset.CIVIL278:
        return ceil(Fraction(2, 3) * members)  # art. 278: two thirds take part
    return 0  # 南塘: no quorum unless set


# ---- assignments, reports, ratings ----------------------------------------------------------


class AssignmentState(StrEnum):
    ASSIGNED = "assigned"
    DONE = "done"
    RATING = "rating"
    CLOSED = "closed"


class Rating(StrEnum):
    SATISFIED = "s"
    BASIC = "b"
    UNSATISFIED = "u"


_RATING_WORDS = {
    "s": Rating.SATISFIED,
    "满意": Rating.SATISFIED,
    "滿意": Rating.SATISFIED,
    "satisfied": Rating.SATISFIED,
    "b": Rating.BASIC,
    "基本满意": Rating.BASIC,
    "基本滿意": Rating.BASIC,
    "basic": Rating.BASIC,
    "basically": Rating.BASIC,
    "fair": Rating.BASIC,
    "u": Rating.UNSATISFIED,
    "不满意": Rating.UNSATISFIED,
    "不滿意": Rating.UNSATISFIED,
    "unsatisfied": Rating.UNSATISFIED,
    "dissatisfied": Rating.UNSATISFIED,
}

DONE_WORDS = frozenset({"done", "完成", "已完成", "办结", "已办结", "辦結", "已辦結", "完成了"})


def rating_from_text(text: str) -> Rating | None:
    return _RATING_WORDS.get(text.strip().casefold())


@dataclass(frozen=True)
class Assignment:
    """An adopted motion handed to a responsible person (交办); one per motion."""

    id: int
    council_id: int
    motion_id: int
    number: int  # the motion's number: what residents type
    assignee_id: int
    assignee_name: str
    due_at: datetime
    assigned_at: datetime
    state: AssignmentState = AssignmentState.ASSIGNED
    done_at: datetime | None = None
    last_report_at: datetime | None = None
    rating_closes_at: datetime | None = None
    closed_at: datetime | None = None
    result: dict | None = None

    @property
    def open(self) -> bool:
        return self.state is AssignmentState.ASSIGNED


@dataclass(frozen=True)
class Report:
    assignment_id: int
    member_id: int
    name: str
    text: str
    done: bool
    at: datetime


@dataclass(frozen=True)
class RatingTally:
    satisfied: int = 0
    basic: int = 0
    unsatisfied: int = 0

    @property
    def total(self) -> int:
        return self.satisfied + self.basic + self.unsatisfied

    def to_json(self) -> dict:
        return {"satisfied": self.satisfied, "basic": self.basic, "unsatisfied": self.unsatisfied}


def tally_ratings(choices: Iterable[Rating]) -> RatingTally:
    choices = list(choices)
    return RatingTally(
        sum(c is Rating.SATISFIED for c in choices),
        sum(c is Rating.BASIC for c in choices),
        sum(c is Rating.UNSATISFIED for c in choices),
    )


def is_overdue(assignment: Assignment, now: datetime) -> bool:
    """Still not done at its due time (the due minute itself counts as overdue)."""
    return assignment.state is AssignmentState.ASSIGNED and assignment.due_at <= now


# ---- the reminder plan ----------------------------------------------------------------------


class ReminderKind(StrEnum):
    SECOND_REMINDER = "motion.second_reminder"  # half-time: still no second
    LAPSE = "motion.lapse"  # the second deadline: the motion lapses
    RESUME = "motion.resume"  # a postponed motion comes back
    BALLOT_REMINDER = "ballot.reminder"  # before closing: who has not voted yet
    BALLOT_CLOSE = "ballot.close"  # the deadline: count and announce
    BALLOT_PROGRESS = "ballot.progress"  # civil278: once a day while open, participation against 2/3
    MEETING_24H = "meeting.remind_24h"
    MEETING_1H = "meeting.remind_1h"
    MEETING_START = "meeting.start"
    FOLLOW_UP = "assignment.follow_up"  # ask the assignee for progress
    OVERDUE = "assignment.overdue"  # flag to the chair
    RATING_CLOSE = "rating.close"
    PUBLICATION_END = "publication.end"  # the 公示 period of published minutes ends
    QUESTION_OPEN = "question.open"  # 南塘 11: the quiet spell after a called question passed; the ballot opens

    @property
    def subject(self) -> str:
        """What `subject_id` points at: motion, ballot, meeting, assignment or minutes version."""
        return {
            "motion": "motion",
            "ballot": "ballot",
            "meeting": "meeting",
            "assignment": "assignment",
            "rating": "assignment",
            "publication": "minutes",
            "question": "question",
        }[self.value.split(".")[0]]


# The reminder whose presence shows that a subject's plan was written (the scheduler's scan looks for it).
ANCHORS = {
    "motion.proposed": ReminderKind.LAPSE,
    "motion.postponed": ReminderKind.RESUME,
    "ballot": ReminderKind.BALLOT_CLOSE,
    "meeting": ReminderKind.MEETING_START,
    "assignment": ReminderKind.OVERDUE,
    "rating": ReminderKind.RATING_CLOSE,
    "publication": ReminderKind.PUBLICATION_END,
}


@dataclass(frozen=True)
class Planned:
    """One reminder: what, about which record, when; a warning rung after `expires_at` is stale and dropped."""

    kind: ReminderKind
    subject_id: int
    due_at: datetime
    expires_at: datetime | None = None

    @property
    def key(self) -> tuple[str, int, datetime]:
        return (self.kind.value, self.subject_id, self.due_at)


def plan_motion(motion: Motion) -> tuple[Planned, ...]:
    """Unseconded: a reminder at half-time, then the lapse. Postponed: the return at the set time."""
    if motion.state is MotionState.PROPOSED and motion.second_deadline is not None:
        half = motion.created_at + (motion.second_deadline - motion.created_at) / 2
        return (
            Planned(ReminderKind.SECOND_REMINDER, motion.id, half, motion.second_deadline),
            Planned(ReminderKind.LAPSE, motion.id, motion.second_deadline),
        )
    if motion.state is MotionState.POSTPONED and motion.postponed_until is not None:
        return (Planned(ReminderKind.RESUME, motion.id, motion.postponed_until),)
    return ()


def ballot_reminder_at(ballot: Ballot, rules: Rules) -> datetime:
    """Default 1 h before closing; half-time when the ballot is too short for that to make sense."""
    duration = ballot.closes_at - ballot.opened_at
    lead = rules.ballot_reminder_before
    if duration < lead * SHORT_BALLOT_FACTOR:
        return ballot.opened_at + duration / 2
    return ballot.closes_at - lead


def progress_times(ballot: Ballot) -> tuple[datetime, ...]:
    """A civil278 ballot's daily progress posts: every full day after it opened, while it is still open."""
    times = []
    at = ballot.opened_at + PROGRESS_EVERY
    while at < ballot.closes_at:
        times.append(at)
        at += PROGRESS_EVERY
    return tuple(times)


def plan_ballot(ballot: Ballot, rules: Rules) -> tuple[Planned, ...]:
    """An open ballot's reminder and close, timed by the rules it opened with (`rules`: the council's, for old ones)."""
    if not ballot.open:
        return ()
    frozen = ballot.rules_under(rules)
    daily: tuple[Planned, ...] = ()
    if frozen.weighted:  # a post rung a day late is old news: the next one says it better
        daily = tuple(
            Planned(ReminderKind.BALLOT_PROGRESS, ballot.id, at, min(at + PROGRESS_EVERY, ballot.closes_at))
            for at in progress_times(ballot)
        )
    return (
        *daily,
        Planned(ReminderKind.BALLOT_REMINDER, ballot.id, ballot_reminder_at(ballot, frozen), ballot.closes_at),
        Planned(ReminderKind.BALLOT_CLOSE, ballot.id, ballot.closes_at),
    )


def plan_meeting(meeting: Meeting) -> tuple[Planned, ...]:
    """T-24h and T-1h announcements (only those still ahead when it was scheduled), and the start."""
    if meeting.state is not MeetingState.SCHEDULED or meeting.starts_at is None:
        return ()
    start = meeting.starts_at
    plan = []
    if start - timedelta(hours=24) > meeting.created_at:
        # A T-24h notice rung later than T-1h would be old news: the T-1h one says it better.
        plan.append(
            Planned(ReminderKind.MEETING_24H, meeting.id, start - timedelta(hours=24), start - timedelta(hours=1))
        )
    if start - timedelta(hours=1) > meeting.created_at:
        plan.append(Planned(ReminderKind.MEETING_1H, meeting.id, start - timedelta(hours=1), start))
    plan.append(Planned(ReminderKind.MEETING_START, meeting.id, start, start + timedelta(hours=1)))
    return tuple(plan)


def follow_up_times(assigned_at: datetime, due_at: datetime) -> tuple[datetime, ...]:
    """Half-way to the due date, and a day before it when that is later still."""
    half = assigned_at + (due_at - assigned_at) / 2
    times = [half]
    day_before = due_at - FOLLOW_UP_BEFORE_DUE
    if day_before > half + timedelta(hours=1):
        times.append(day_before)
    return tuple(times)


def plan_assignment(assignment: Assignment) -> tuple[Planned, ...]:
    """Follow-ups until a report answers them, then the overdue flag — while the item is not done.

    A follow-up is skipped when the assignee reported since the previous checkpoint (the assignment,
    or the earlier follow-up): they have just told the group how it goes.
    """
    if assignment.state is not AssignmentState.ASSIGNED:
        return ()
    plan = []
    checkpoint = assignment.assigned_at
    for at in follow_up_times(assignment.assigned_at, assignment.due_at):
        if assignment.last_report_at is None or assignment.last_report_at < checkpoint:
            plan.append(Planned(ReminderKind.FOLLOW_UP, assignment.id, at, assignment.due_at))
        checkpoint = at
    plan.append(Planned(ReminderKind.OVERDUE, assignment.id, assignment.due_at))
    return tuple(plan)


def plan_rating(assignment: Assignment) -> tuple[Planned, ...]:
    if assignment.state is not AssignmentState.RATING or assignment.rating_closes_at is None:
        return ()
    return (Planned(ReminderKind.RATING_CLOSE, assignment.id, assignment.rating_closes_at),)


def plan_publication(version_id: int, ends_at: datetime | None, announced: bool) -> tuple[Planned, ...]:
    if ends_at is None or announced:
        return ()
    return (Planned(ReminderKind.PUBLICATION_END, version_id, ends_at),)


def plan_question(called_id: int, opens_at: datetime, waiting: bool) -> tuple[Planned, ...]:
    """A called question opens its ballot when its quiet spell ends (a speech moves `opens_at`)."""
    return (Planned(ReminderKind.QUESTION_OPEN, called_id, opens_at),) if waiting else ()


class Verdict(StrEnum):
    FIRE = "fire"
    DROP = "drop"  # no longer in the plan, or stale: marked done without a word
    WAIT = "wait"  # the alarm rang early (another clock): ring again at `due_at`


def decide(kind: ReminderKind, due_at: datetime, plan: Sequence[Planned], now: datetime) -> Verdict:
    """What to do with a reminder whose alarm rang `now`, given the subject's current plan."""
    planned = next((p for p in plan if p.kind is kind and p.due_at == due_at), None)
    if planned is None:
        return Verdict.DROP
    if due_at > now:
        return Verdict.WAIT
    if planned.expires_at is not None and now >= planned.expires_at:
        return Verdict.DROP
    return Verdict.FIRE
