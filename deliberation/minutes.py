"""Minutes (议事记录 / 会议纪要) built from the event log alone: the model, the builder, rows for CSV/JSON.

Nothing here is typed by hand: `build_minutes` replays a council's events (in chain order) and
keeps what a secretary's record needs. It reads these event types:

Emitted by deliberation/usecases.py:
  council.setup        {title, preset, chair}
  council.rules        {preset, by}
  member.joined        {member, name, unit, status}
  member.approved      {member, name, by}
  role.assigned        {member, name, role ("chair"|"secretary"), by}
  motion.raised        {number, kind, text, mover, mover_name, parent, second_deadline,
                        postponed_until, referred_to}
  motion.seconded      {number, seconder, seconder_name}  (the seconder is not minuted: RONR)
  speech.recorded      {number, member, name, side, text}
  member.warned        {number, member, name, reason, count}
  motion.withdrawn     {number, by}
  motion.lapsed        {number}
  motion.resumed       {number}
  ballot.opened        {number, ballot, secret, threshold, closes_at, eligible, members,
                        total_area_cm2, total_owners, present, by}
  vote.cast            {number, ballot, name} + {choice, voter, area_cm2} for open ballots only
  ballot.closed        {number, ballot, state, early, secret, passed, quorum_met, rule, preset,
                        threshold, yes, no, abstain, yes_area_cm2, no_area_cm2, abstain_area_cm2,
                        approval_heads, approval_area, participation_heads, participation_area}
  motion.amended       {number, amendment, text}
  debate.closed        {number}
  motion.postponed     {number, until}
  motion.referred      {number, to}

For the meeting and delivery work (emit exactly these keys; "?" marks an optional key):
  meeting.opened       {meeting: int, title: str, place?: str, chair?: str, recorder?: str}
  attendance.recorded  {meeting: int, member: int, name: str}
  meeting.adjourned    {meeting: int}
  assignment.made      {number: int, assignee_name: str, due: str | None}  (due: ISO date/datetime)
  report.recorded      {number: int, text: str, done: bool, by?: str}
  rating.closed        {number: int, satisfied: int, basic: int, unsatisfied: int}

Unknown event types are ignored, so the log may grow new kinds without breaking old minutes.
Secret ballots: the log never holds a secret voter's choice, and the minutes never hold a secret
ballot's voter names either (only the counts).
"""
from __future__ import annotations

import dataclasses
import json
import re
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from datetime import timezone as dt_timezone
from typing import Any
from zoneinfo import ZoneInfo

from .chain import Event
from .errors import DeliberationError

DIGEST_PER_SIDE = 5  # speeches quoted per side per motion: a digest, not a transcript
EXCERPT_CHARS = 30

_DELIVERY = frozenset({"assignment.made", "report.recorded", "rating.closed"})
TERMINAL_STATES = frozenset({"adopted", "rejected", "withdrawn", "lapsed", "referred", "failed_quorum"})


class BadScope(DeliberationError):
    """The /minutes or /export scope could not be read (params: scope)."""

    key = "minutes.error.bad_scope"


class MeetingNotFound(DeliberationError):
    """No meeting with that number (or no meeting at all) in the record (params: meeting)."""

    key = "minutes.error.no_meeting"


class BadFormat(DeliberationError):
    """An export format we do not write (params: format, formats)."""

    key = "minutes.error.bad_format"


class NothingPublished(DeliberationError):
    key = "minutes.error.nothing_published"


# ---- the model -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class MinutesSpeech:
    number: int
    speaker: str
    side: str  # "for" | "against"
    excerpt: str  # the first words only
    at: datetime


@dataclass(frozen=True)
class MinutesRollCall:
    """One named vote of an open (roll-call) ballot. Never made for a secret ballot."""

    name: str
    choice: str  # "yes" | "no" | "abstain"
    area_cm2: int = 0


@dataclass(frozen=True)
class MinutesVote:
    number: int  # the motion put to the vote
    ballot: int
    secret: bool
    weighted: bool  # civil278: counted by owners and area
    threshold: str  # "ordinary" | "major" | "two_thirds"
    opened_at: datetime
    closes_at: datetime | None
    eligible: int
    members: int
    present: int | None
    total_area_cm2: int
    total_owners: int
    voted: int  # turnout so far (for a secret ballot: how many, never who)
    closed: bool = False
    closed_at: datetime | None = None
    state: str | None = None  # the motion state the ballot produced
    passed: bool | None = None
    quorum_met: bool | None = None
    rule: str | None = None
    yes: int = 0
    no: int = 0
    abstain: int = 0
    yes_area_cm2: int = 0
    no_area_cm2: int = 0
    abstain_area_cm2: int = 0
    approval_heads: str | None = None  # exact fractions "a/b"
    approval_area: str | None = None
    participation_heads: str | None = None
    participation_area: str | None = None
    roll_call: tuple[MinutesRollCall, ...] = ()

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.abstain

    @property
    def participating_area_cm2(self) -> int:
        return self.yes_area_cm2 + self.no_area_cm2 + self.abstain_area_cm2


@dataclass(frozen=True)
class MinutesAmendment:
    """An amendment to a motion and its fate (adopted amendments replaced the motion's wording)."""

    number: int
    text: str
    mover: str
    state: str

    @property
    def adopted(self) -> bool:
        return self.state == "adopted"


@dataclass(frozen=True)
class MinutesMotion:
    number: int
    kind: str  # "main" | "amendment" | "close_debate" | "postpone" | "refer"
    text: str  # the final wording, after adopted amendments
    mover: str  # the mover, never the seconder
    state: str
    raised_at: datetime
    parent: int | None = None
    original_text: str | None = None  # the wording as raised, when an amendment changed it
    seconded: bool = False
    decided_at: datetime | None = None
    amendments: tuple[MinutesAmendment, ...] = ()
    speeches: tuple[MinutesSpeech, ...] = ()  # the digest
    speeches_for: int = 0
    speeches_against: int = 0
    warnings: int = 0
    votes: tuple[MinutesVote, ...] = ()
    withdrawn_by: str | None = None
    postponed_until: str | None = None
    referred_to: str | None = None
    debate_closed: bool = False

    @property
    def speeches_omitted(self) -> int:
        return self.speeches_for + self.speeches_against - len(self.speeches)

    @property
    def final_vote(self) -> MinutesVote | None:
        closed = [v for v in self.votes if v.closed]
        return closed[-1] if closed else (self.votes[-1] if self.votes else None)


@dataclass(frozen=True)
class MinutesReport:
    at: datetime
    text: str
    done: bool
    by: str | None = None


@dataclass(frozen=True)
class MinutesRating:
    satisfied: int
    basic: int
    unsatisfied: int


@dataclass(frozen=True)
class MinutesAssignment:
    """Delivery (落实): who carries an adopted motion out, by when, what they reported, how it was rated."""

    number: int
    motion_text: str
    assignee: str
    due: str | None
    assigned_at: datetime | None
    reports: tuple[MinutesReport, ...] = ()
    rating: MinutesRating | None = None

    @property
    def done(self) -> bool:
        return any(r.done for r in self.reports)


@dataclass(frozen=True)
class Minutes:
    council_name: str
    place: str
    scope: str  # "all" | "period" | "meeting" | "motions"
    timezone: str
    preset: str
    starts_at: datetime | None
    ends_at: datetime | None
    chairs: tuple[str, ...]
    recorders: tuple[str, ...]
    expected: int  # 应到: active members when the record ends
    present: int  # 实到: meeting attendance, otherwise members who spoke, moved or voted
    attendance_recorded: bool  # True when `present` comes from a meeting's roll
    attendees: tuple[str, ...]
    absentees: tuple[str, ...]  # only known when attendance was taken
    motions: tuple[MinutesMotion, ...]
    assignments: tuple[MinutesAssignment, ...]
    chain_head: str
    chain_seq: int
    version: int
    generated_at: datetime
    title: str | None = None  # the meeting's title
    meeting: int | None = None
    adjourned_at: datetime | None = None
    period_start: datetime | None = None
    period_end: datetime | None = None
    motion_numbers: tuple[int, ...] = ()
    events: int = 0  # events within the scope

    @property
    def weighted(self) -> bool:
        return self.preset == "civil278"

    @property
    def votes(self) -> tuple[MinutesVote, ...]:
        """Every ballot in the order it was put."""
        return tuple(sorted((v for m in self.motions for v in m.votes), key=lambda v: (v.opened_at, v.ballot)))

    def motion(self, number: int) -> MinutesMotion | None:
        return next((m for m in self.motions if m.number == number), None)

    def children(self, number: int) -> tuple[MinutesMotion, ...]:
        return tuple(m for m in self.motions if m.parent == number)

    def top_level(self) -> tuple[MinutesMotion, ...]:
        """Motions to render as items: main motions, and any motion whose parent is outside the record."""
        numbers = {m.number for m in self.motions}
        return tuple(m for m in self.motions if m.parent is None or m.parent not in numbers)


# ---- scope ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    """What a set of minutes covers: everything, a period, a meeting (None: the latest) or motions."""

    kind: str  # "all" | "period" | "meeting" | "motions"
    start: datetime | None = None
    end: datetime | None = None
    meeting: int | None = None
    motions: tuple[int, ...] = ()

    @property
    def text(self) -> str:
        """A stable spelling, stored with each published version."""
        if self.kind == "period":
            return f"period:{_iso(self.start)}/{_iso(self.end)}"
        if self.kind == "meeting":
            return f"meeting:{self.meeting if self.meeting is not None else 'latest'}"
        if self.kind == "motions":
            return "motions:" + ",".join(str(n) for n in self.motions)
        return "all"


_TODAY = {"today", "今天", "今日", "本日"}
_YESTERDAY = {"yesterday", "昨天", "昨日"}
_WEEK = {"week", "本周", "本週", "this-week"}
_MONTH = {"month", "本月", "this-month"}
_MEETING = {"meeting", "会议", "會議", "例会", "例會"}
_ALL = {"", "all", "全部", "所有"}


def parse_scope(text: str | None, *, now: datetime, tz: str = "Asia/Shanghai") -> Scope:
    """Read a scope as users type it: `12`, `#12`, `today`/`今天`, `yesterday`, `week`, `month`,
    `meeting`, `meeting 3`, `all`, `2026-11-22`, `2026-11` or `2026-11-01..2026-11-30`.

    Days are calendar days in the council's time zone; periods are [start, end).
    """
    raw = (text or "").strip()
    word = raw.lower().replace("：", ":").strip()
    zone = ZoneInfo(tz)
    local_now = now.astimezone(zone)
    today = local_now.date()

    def days(first: date, last: date) -> Scope:
        return Scope("period", _midnight(first, zone), _midnight(last + timedelta(days=1), zone))

    if word in _ALL:
        return Scope("all")
    if word in _TODAY:
        return days(today, today)
    if word in _YESTERDAY:
        return days(today - timedelta(days=1), today - timedelta(days=1))
    if word in _WEEK:
        monday = today - timedelta(days=today.weekday())
        return days(monday, today)
    if word in _MONTH:
        return days(today.replace(day=1), today)
    parts = word.split()
    if parts and parts[0] in _MEETING:
        if len(parts) == 1:
            return Scope("meeting")
        number = parts[1].lstrip("#")
        if len(parts) == 2 and number.isdigit():
            return Scope("meeting", meeting=int(number))
        raise BadScope(scope=raw)
    numbers = [p.lstrip("#") for p in re.split(r"[,\s，、]+", word) if p]
    if numbers and all(n.isdigit() for n in numbers):
        return Scope("motions", motions=tuple(sorted({int(n) for n in numbers})))
    try:
        if ".." in word or "~" in word or "至" in word:
            first_text, last_text = re.split(r"\.\.|~|至", word, maxsplit=1)
            first, last = _read_day(first_text.strip(), first=True), _read_day(last_text.strip(), first=False)
            if last < first:
                raise BadScope(scope=raw)
            return days(first, last)
        if re.fullmatch(r"\d{4}-\d{1,2}", word):
            first = _read_day(word, first=True)
            return days(first, _read_day(word, first=False))
        day = _read_day(word, first=True)
        return days(day, day)
    except ValueError:
        raise BadScope(scope=raw) from None


def _read_day(text: str, *, first: bool) -> date:
    """`2026-11-22` -> that day; `2026-11` -> its first (or last) day."""
    if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):
        y, m, d = (int(p) for p in text.split("-"))
        return date(y, m, d)
    if re.fullmatch(r"\d{4}-\d{1,2}", text):
        y, m = (int(p) for p in text.split("-"))
        start = date(y, m, 1)
        if first:
            return start
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    raise ValueError(text)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _iso(moment: datetime | None) -> str:
    return "" if moment is None else moment.isoformat(timespec="seconds")


# ---- the builder ------------------------------------------------------------------------------------

def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The first words of a speech, on one line: a digest, not a transcript."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[:limit].rstrip() + "…"


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt_timezone.utc)


class _MotionState:
    __slots__ = ("number", "kind", "text", "original", "mover", "parent", "state", "raised_at", "seconded",
                 "decided_at", "speeches", "for_count", "against_count", "warnings", "ballots", "withdrawn_by",
                 "postponed_until", "referred_to", "debate_closed", "in_scope")

    def __init__(self, number: int, kind: str, text: str, mover: str, parent: int | None, at: datetime) -> None:
        self.number, self.kind, self.text, self.original = number, kind, text, None
        self.mover, self.parent, self.state, self.raised_at = mover, parent, "proposed", at
        self.seconded, self.decided_at = False, None
        self.speeches: dict[str, list[MinutesSpeech]] = {"for": [], "against": []}
        self.for_count = self.against_count = self.warnings = 0
        self.ballots: list[int] = []
        self.withdrawn_by = self.postponed_until = self.referred_to = None
        self.debate_closed = False
        self.in_scope = False


class _BallotState:
    __slots__ = ("opened", "closed", "votes", "voters", "in_scope", "weighted")

    def __init__(self, opened: dict, at: datetime, weighted: bool) -> None:
        self.opened = (opened, at)
        self.closed: tuple[dict, datetime] | None = None
        self.votes: dict[str, tuple[str, str, int]] = {}  # open ballots: voter -> (name, choice, area)
        self.voters: set[str] = set()  # turnout, by name, for every ballot
        self.in_scope = False
        self.weighted = weighted


class _AssignmentState:
    __slots__ = ("number", "assignee", "due", "at", "reports", "rating", "in_scope")

    def __init__(self, number: int) -> None:
        self.number, self.assignee, self.due, self.at = number, "", None, None
        self.reports: list[MinutesReport] = []
        self.rating: MinutesRating | None = None
        self.in_scope = False


def build_minutes(events: Iterable[Event], *, council_name: str, place: str,
                  period_start: datetime | None = None, period_end: datetime | None = None,
                  motion_numbers: Iterable[int] | None = None, meeting_id: int | None = None,
                  chain_head: str, chain_seq: int, version: int = 1, generated_at: datetime,
                  timezone: str = "Asia/Shanghai", digest_per_side: int = DIGEST_PER_SIDE) -> Minutes:
    """Replay the council's events and keep what the minutes of the chosen scope record.

    The scope narrows by period ([start, end)), by meeting (from its opening to its adjournment)
    and by motion numbers (those motions and the amendments and subsidiary motions on them);
    narrowings combine. Everything up to the scope's end is replayed, so a motion raised before a
    meeting still shows its mover, and its wording is the wording as the scope ends.
    """
    zone = ZoneInfo(timezone)
    events = sorted(events, key=lambda e: e.seq)
    wanted = None if motion_numbers is None else set(motion_numbers)
    if period_start is not None and period_start.tzinfo is None:
        period_start = period_start.replace(tzinfo=zone)
    if period_end is not None and period_end.tzinfo is None:
        period_end = period_end.replace(tzinfo=zone)

    window_from, window_to = 0, None  # seqs bounding a meeting
    meeting_title = meeting_place = meeting_chair = meeting_recorder = None
    if meeting_id is not None:
        for event in events:
            if event.payload.get("meeting") != meeting_id:
                continue
            if event.type == "meeting.opened" and not window_from:
                window_from = event.seq
                meeting_title = event.payload.get("title")
                meeting_place = event.payload.get("place")
                meeting_chair = event.payload.get("chair")
                meeting_recorder = event.payload.get("recorder")
            elif event.type == "meeting.adjourned" and window_from:
                window_to = event.seq
        if not window_from:
            raise MeetingNotFound(meeting=meeting_id)

    preset = "nantang"
    setup_chair: str | None = None
    members: dict[int, tuple[str, bool]] = {}  # id -> (name, active)
    chairs: list[str] = []
    recorders: list[str] = []
    motions: dict[int, _MotionState] = {}
    ballots: dict[int, _BallotState] = {}
    assignments: dict[int, _AssignmentState] = {}
    attendees: dict[object, str] = {}
    participants: dict[str, None] = {}
    first_at = last_at = adjourned_at = None
    in_scope_events = 0

    def add_role(names: list[str], name: str | None) -> None:
        if name and name not in names:
            names.append(name)

    def motion_wanted(number: int | None) -> bool:
        if wanted is None:
            return True
        return number in wanted

    for event in events:
        if window_to is not None and event.seq > window_to:
            break
        at = _when(event.at)
        if period_end is not None and at >= period_end:
            continue
        payload, kind = event.payload, event.type
        window = event.seq >= window_from and (period_start is None or at >= period_start)
        number = payload.get("number")
        if kind == "motion.raised" and wanted is not None and payload.get("parent") in wanted:
            wanted.add(number)  # amendments and subsidiaries follow their motion
        concerns_motion = number is not None and kind.split(".")[0] in {
            "motion", "speech", "ballot", "vote", "debate", "member", "assignment", "report", "rating"}
        in_scope = window and (not concerns_motion or motion_wanted(number)) and (
            wanted is None or concerns_motion)
        if in_scope:
            in_scope_events += 1
            first_at = first_at or at
            last_at = at

        if kind == "council.setup":
            preset = payload.get("preset") or preset
            setup_chair = payload.get("chair")
            add_role(chairs, setup_chair)
        elif kind == "council.rules":
            preset = payload.get("preset") or preset
        elif kind == "member.joined":
            members[payload["member"]] = (payload.get("name", ""), payload.get("status") == "active")
        elif kind == "member.approved":
            members[payload["member"]] = (payload.get("name", ""), True)
        elif kind == "role.assigned":
            members[payload["member"]] = (payload.get("name", ""), True)
            add_role(chairs if payload.get("role") == "chair" else recorders, payload.get("name"))
        elif kind == "motion.raised":
            motion = motions[number] = _MotionState(number, payload.get("kind", "main"), payload.get("text", ""),
                                                    payload.get("mover_name", ""), payload.get("parent"), at)
            motion.postponed_until = payload.get("postponed_until")
            motion.referred_to = payload.get("referred_to")
            if in_scope:
                participants.setdefault(motion.mover)
        elif kind == "meeting.opened":
            pass
        elif kind == "attendance.recorded":
            if meeting_id is not None and payload.get("meeting") == meeting_id and window:
                attendees[payload.get("member", payload.get("name"))] = payload.get("name", "")
            elif meeting_id is None and in_scope:
                participants.setdefault(payload.get("name", ""))
        elif kind == "meeting.adjourned":
            if meeting_id is not None and payload.get("meeting") == meeting_id:
                adjourned_at = at
        elif kind in _DELIVERY:
            if not motion_wanted(number):
                continue
            item = assignments.setdefault(number, _AssignmentState(number))
            item.in_scope = item.in_scope or in_scope
            if kind == "assignment.made":
                item.assignee, item.due, item.at = payload.get("assignee_name", ""), payload.get("due"), at
            elif kind == "report.recorded":
                item.reports.append(MinutesReport(at, payload.get("text", ""), bool(payload.get("done")),
                                                  payload.get("by")))
            else:
                item.rating = MinutesRating(int(payload.get("satisfied", 0)), int(payload.get("basic", 0)),
                                            int(payload.get("unsatisfied", 0)))
        elif number is not None:
            motion = motions.get(number)
            if motion is None:  # a log that starts mid-way: keep what we can
                motion = motions[number] = _MotionState(number, "main", "", "", None, at)
            _apply(motion, ballots, kind, payload, at, in_scope, participants, preset, digest_per_side)
        if in_scope and number is not None and number in motions and kind not in _DELIVERY:
            motions[number].in_scope = True

    # A child in scope brings its parent in, so it can be shown beneath it (children first, so that
    # a motion on an amendment brings in the amendment and then the main motion).
    for motion in reversed(list(motions.values())):
        if motion.in_scope and motion.parent in motions and motion_wanted(motion.parent):
            motions[motion.parent].in_scope = True

    minutes_motions = tuple(_finish(m, motions, ballots) for n, m in sorted(motions.items()) if m.in_scope)
    minutes_assignments = tuple(
        MinutesAssignment(a.number, motions[a.number].text if a.number in motions else "", a.assignee, a.due,
                          a.at, tuple(a.reports), a.rating)
        for _, a in sorted(assignments.items()) if a.in_scope)

    if setup_chair is not None and setup_chair not in {name for name, _ in members.values()}:
        members[-1] = (setup_chair, True)  # the founder chairs without a join event
    active = {member_id: name for member_id, (name, ok) in members.items() if ok}
    if meeting_id is not None:
        attendance_recorded = bool(attendees)
    else:
        attendance_recorded = False
    if attendance_recorded:
        names = list(attendees.values())
        present_ids = set(attendees)
        absentees = tuple(name for member_id, name in active.items()
                          if member_id not in present_ids and name not in names)
    else:
        names = [n for n in participants if n]
        absentees = ()

    if meeting_id is not None:
        starts_at = next((_when(e.at) for e in events if e.seq == window_from), first_at)
        ends_at = adjourned_at or last_at
        scope = "meeting"
    elif period_start is not None or period_end is not None:
        # What happened, not the calendar bounds; an empty period shows its bounds.
        starts_at, ends_at, scope = first_at or period_start, last_at or period_end, "period"
    else:
        starts_at, ends_at = first_at, last_at
        scope = "motions" if wanted is not None else "all"

    if meeting_chair:
        chairs = [meeting_chair] + [c for c in chairs if c != meeting_chair]
    if meeting_recorder:
        recorders = [meeting_recorder] + [r for r in recorders if r != meeting_recorder]

    local = lambda moment: None if moment is None else moment.astimezone(zone)  # noqa: E731
    return Minutes(
        council_name=council_name, place=meeting_place or place, scope=scope, timezone=timezone, preset=preset,
        starts_at=local(starts_at), ends_at=local(ends_at), chairs=tuple(chairs), recorders=tuple(recorders),
        expected=len(active), present=len(names), attendance_recorded=attendance_recorded,
        attendees=tuple(names), absentees=absentees,
        motions=tuple(_localise(m, zone) for m in minutes_motions),
        assignments=tuple(dataclasses.replace(a, assigned_at=local(a.assigned_at),
                                              reports=tuple(dataclasses.replace(r, at=local(r.at)) for r in a.reports))
                          for a in minutes_assignments),
        chain_head=chain_head, chain_seq=chain_seq, version=version, generated_at=local(generated_at),
        title=meeting_title, meeting=meeting_id, adjourned_at=local(adjourned_at),
        period_start=local(period_start), period_end=local(period_end),
        motion_numbers=tuple(sorted(motion_numbers)) if motion_numbers is not None else (),
        events=in_scope_events)


def _apply(motion: _MotionState, ballots: dict[int, _BallotState], kind: str, payload: dict, at: datetime,
           in_scope: bool, participants: dict[str, None], preset: str, digest_per_side: int) -> None:
    """One motion event applied to the motion (and its ballots)."""
    if kind == "motion.seconded":
        motion.seconded = True
        if motion.state == "proposed":
            motion.state = "seconded"
    elif kind == "speech.recorded":
        if motion.state in ("proposed", "seconded"):
            motion.state = "debating"
        if not in_scope:
            return
        side = "against" if payload.get("side") == "against" else "for"
        name = payload.get("name", "")
        participants.setdefault(name)
        if side == "for":
            motion.for_count += 1
        else:
            motion.against_count += 1
        quoted = motion.speeches[side]
        if len(quoted) < digest_per_side:
            quoted.append(MinutesSpeech(motion.number, name, side, excerpt(payload.get("text", "")), at))
    elif kind == "member.warned":
        if in_scope:
            motion.warnings += 1
    elif kind == "motion.withdrawn":
        motion.state, motion.decided_at, motion.withdrawn_by = "withdrawn", at, payload.get("by")
    elif kind == "motion.lapsed":
        motion.state, motion.decided_at = "lapsed", at
    elif kind == "motion.resumed":
        motion.state, motion.decided_at, motion.postponed_until = "seconded", None, None
        motion.debate_closed = False
    elif kind == "motion.amended":
        if motion.original is None:
            motion.original = motion.text
        motion.text = payload.get("text", motion.text)
    elif kind == "debate.closed":
        motion.debate_closed = True
    elif kind == "motion.postponed":
        motion.state, motion.postponed_until = "postponed", payload.get("until")
    elif kind == "motion.referred":
        motion.state, motion.decided_at, motion.referred_to = "referred", at, payload.get("to")
    elif kind == "ballot.opened":
        motion.state = "voting"
        ballot_id = payload["ballot"]
        ballots[ballot_id] = _BallotState(payload, at, preset == "civil278")
        motion.ballots.append(ballot_id)
        ballots[ballot_id].in_scope = in_scope
        if in_scope and payload.get("by"):
            participants.setdefault(payload["by"])  # the chair who put the question
    elif kind == "vote.cast":
        ballot = ballots.get(payload.get("ballot"))
        if ballot is None:
            return
        name = payload.get("name", "")
        ballot.voters.add(name)
        if in_scope:
            participants.setdefault(name)
        opened = ballot.opened[0]
        if not opened.get("secret") and "choice" in payload:
            ballot.votes[payload.get("voter") or name] = (name, payload["choice"], int(payload.get("area_cm2") or 0))
    elif kind == "ballot.closed":
        ballot = ballots.get(payload.get("ballot"))
        if ballot is None:
            return
        ballot.closed = (payload, at)
        ballot.in_scope = ballot.in_scope or in_scope
        if str(payload.get("rule", "")).startswith("civil278"):
            ballot.weighted = True
        motion.state = payload.get("state", motion.state)
        motion.decided_at = at


def _finish(motion: _MotionState, motions: dict[int, _MotionState], ballots: dict[int, _BallotState]) -> MinutesMotion:
    amendments = tuple(MinutesAmendment(m.number, m.text, m.mover, m.state)
                       for _, m in sorted(motions.items()) if m.parent == motion.number and m.kind == "amendment")
    speeches = sorted(motion.speeches["for"] + motion.speeches["against"], key=lambda s: s.at)
    votes = tuple(_vote(motion.number, ballot_id, ballots[ballot_id])
                  for ballot_id in motion.ballots if ballots[ballot_id].in_scope)
    return MinutesMotion(
        number=motion.number, kind=motion.kind, text=motion.text, mover=motion.mover, state=motion.state,
        raised_at=motion.raised_at, parent=motion.parent, original_text=motion.original, seconded=motion.seconded,
        decided_at=motion.decided_at if motion.state in TERMINAL_STATES else None, amendments=amendments,
        speeches=tuple(speeches), speeches_for=motion.for_count, speeches_against=motion.against_count,
        warnings=motion.warnings, votes=votes, withdrawn_by=motion.withdrawn_by,
        postponed_until=motion.postponed_until, referred_to=motion.referred_to,
        debate_closed=motion.debate_closed)


def _vote(number: int, ballot_id: int, ballot: _BallotState) -> MinutesVote:
    opened, opened_at = ballot.opened
    secret = bool(opened.get("secret"))
    base = dict(number=number, ballot=ballot_id, secret=secret, weighted=ballot.weighted,
                threshold=opened.get("threshold", "ordinary"), opened_at=opened_at,
                closes_at=_when(opened.get("closes_at")), eligible=int(opened.get("eligible") or 0),
                members=int(opened.get("members") or 0), present=opened.get("present"),
                total_area_cm2=int(opened.get("total_area_cm2") or 0),
                total_owners=int(opened.get("total_owners") or 0), voted=len(ballot.voters))
    if ballot.closed is None:
        return MinutesVote(**base)
    result, closed_at = ballot.closed
    # Names only for an open (roll-call) ballot; a secret ballot's minutes hold counts alone.
    roll_call = () if secret else tuple(MinutesRollCall(name, choice, area)
                                        for name, choice, area in ballot.votes.values())
    cast = int(result.get("yes", 0)) + int(result.get("no", 0)) + int(result.get("abstain", 0))
    base["voted"] = max(base["voted"], cast)
    return MinutesVote(
        **base, closed=True, closed_at=closed_at, state=result.get("state"), passed=bool(result.get("passed")),
        quorum_met=bool(result.get("quorum_met")), rule=result.get("rule"),
        yes=int(result.get("yes", 0)), no=int(result.get("no", 0)), abstain=int(result.get("abstain", 0)),
        yes_area_cm2=int(result.get("yes_area_cm2") or 0), no_area_cm2=int(result.get("no_area_cm2") or 0),
        abstain_area_cm2=int(result.get("abstain_area_cm2") or 0),
        approval_heads=result.get("approval_heads"), approval_area=result.get("approval_area"),
        participation_heads=result.get("participation_heads"), participation_area=result.get("participation_area"),
        roll_call=roll_call)


def _localise(motion: MinutesMotion, zone: ZoneInfo) -> MinutesMotion:
    local = lambda moment: None if moment is None else moment.astimezone(zone)  # noqa: E731
    return dataclasses.replace(
        motion, raised_at=local(motion.raised_at), decided_at=local(motion.decided_at),
        speeches=tuple(dataclasses.replace(s, at=local(s.at)) for s in motion.speeches),
        votes=tuple(dataclasses.replace(v, opened_at=local(v.opened_at), closes_at=local(v.closes_at),
                                        closed_at=local(v.closed_at)) for v in motion.votes))


# ---- rows for spreadsheets and archives --------------------------------------------------------------

ROW_FIELDS = (
    "record", "number", "kind", "parent", "text", "original_text", "mover", "state", "raised_at", "decided_at",
    "amendments", "speeches_for", "speeches_against", "ballot", "secret", "threshold", "rule", "opened_at",
    "closed_at", "eligible", "members", "present", "yes", "no", "abstain", "yes_area_m2", "no_area_m2",
    "abstain_area_m2", "total_area_m2", "total_owners", "participation_heads", "participation_area",
    "approval_heads", "approval_area", "quorum_met", "passed", "roll_call", "assignee", "due", "done",
)


def area_m2(cm2: int) -> str:
    """Whole square centimetres as an exact decimal of square metres: 895000 -> "89.5"."""
    whole, rest = divmod(int(cm2), 10_000)
    return f"{whole}.{rest:04d}".rstrip("0") if rest else str(whole)


def motion_row(minutes: Minutes, motion: MinutesMotion) -> dict[str, Any]:
    assignment = next((a for a in minutes.assignments if a.number == motion.number), None)
    row: dict[str, Any] = dict.fromkeys(ROW_FIELDS)
    row.update(record="motion", number=motion.number, kind=motion.kind, parent=motion.parent, text=motion.text,
               original_text=motion.original_text, mover=motion.mover, state=motion.state,
               raised_at=_iso(motion.raised_at), decided_at=_iso(motion.decided_at) or None,
               amendments="; ".join(f"#{a.number} {a.state}" for a in motion.amendments) or None,
               speeches_for=motion.speeches_for, speeches_against=motion.speeches_against)
    if assignment is not None:
        row.update(assignee=assignment.assignee, due=assignment.due, done=assignment.done)
    return row


def ballot_row(vote: MinutesVote, text: str = "") -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(ROW_FIELDS)
    row.update(record="ballot", number=vote.number, text=text, state=vote.state, ballot=vote.ballot,
               secret=vote.secret, threshold=vote.threshold, rule=vote.rule, opened_at=_iso(vote.opened_at),
               closed_at=_iso(vote.closed_at) or None, eligible=vote.eligible, members=vote.members,
               present=vote.present, yes=vote.yes, no=vote.no, abstain=vote.abstain,
               quorum_met=vote.quorum_met, passed=vote.passed,
               participation_heads=vote.participation_heads, approval_heads=vote.approval_heads)
    if vote.weighted:
        row.update(yes_area_m2=area_m2(vote.yes_area_cm2), no_area_m2=area_m2(vote.no_area_cm2),
                   abstain_area_m2=area_m2(vote.abstain_area_cm2), total_area_m2=area_m2(vote.total_area_cm2),
                   total_owners=vote.total_owners, participation_area=vote.participation_area,
                   approval_area=vote.approval_area)
    if not vote.secret and vote.roll_call:
        row["roll_call"] = "; ".join(f"{r.name}:{r.choice}" for r in vote.roll_call)
    return row


def minutes_rows(minutes: Minutes) -> list[dict[str, Any]]:
    """One row per motion, each followed by one row per ballot outcome on it."""
    rows: list[dict[str, Any]] = []
    for motion in minutes.motions:
        rows.append(motion_row(minutes, motion))
        rows.extend(ballot_row(vote, motion.text) for vote in motion.votes)
    return rows


# ---- serialisation (stored versions are re-read exactly as they were drafted) ---------------------------

def minutes_to_dict(minutes: Minutes) -> dict[str, Any]:
    return _plain(minutes)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def minutes_from_dict(data: dict[str, Any]) -> Minutes:
    return _typed(Minutes, data)


_HINTS: dict[type, dict[str, Any]] = {}


def _typed(cls: type, data: dict[str, Any]) -> Any:
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    values = {f.name: _convert(hints[f.name], data[f.name]) for f in dataclasses.fields(cls) if f.name in data}
    return cls(**values)


def _convert(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _convert(options[0], value) if len(options) == 1 else value
    if origin is tuple:
        inner = typing.get_args(hint)[0]
        return tuple(_convert(inner, v) for v in value)
    if hint is datetime:
        return datetime.fromisoformat(value)
    if dataclasses.is_dataclass(hint):
        return _typed(hint, value)
    return value


# ---- stored versions -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MinutesVersion:
    """One stored version of a council's minutes for a scope; a correction is a new version."""

    id: int
    council_id: int
    scope: str
    version: int
    body: dict[str, Any]
    markdown: str
    chain_head: str
    chain_seq: int
    created_at: datetime
    published_at: datetime | None = None
    publication_ends_at: datetime | None = None
    publication_announced_at: datetime | None = None
    pinned_message_ref: str | None = None
    created_by: str | None = None

    @property
    def minutes(self) -> Minutes:
        return minutes_from_dict(self.body)

    @property
    def published(self) -> bool:
        return self.published_at is not None


def content_key(minutes: Minutes) -> str:
    """What the minutes say, without when they were generated or which version they are:
    two drafts with the same key need no new version."""
    data = minutes_to_dict(minutes)
    for name in ("chain_head", "chain_seq", "version", "generated_at"):
        data.pop(name, None)
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


__all__ = [
    "BadFormat", "BadScope", "DIGEST_PER_SIDE", "MeetingNotFound", "Minutes", "MinutesAmendment",
    "MinutesAssignment", "MinutesMotion", "MinutesRating", "MinutesReport", "MinutesRollCall", "MinutesSpeech",
    "MinutesVersion", "MinutesVote", "NothingPublished", "ROW_FIELDS", "Scope", "area_m2", "ballot_row",
    "build_minutes", "content_key", "excerpt", "minutes_from_dict", "minutes_rows", "minutes_to_dict",
    "motion_row", "parse_scope",
]
