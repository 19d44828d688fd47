"""The minutes built by replaying a council's event log for a scope: everything, a period, a meeting or motions."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from .. import events as kinds
from ..chain import Event
from .errors import MeetingNotFound
from .localise import local, localise_approval, localise_assignment, localise_attendee, localise_motion
from .model import (
    DIGEST_PER_SIDE,
    Minutes,
    MinutesAssignment,
    MinutesMotion,
    MinutesRating,
    MinutesReport,
    MinutesRuleChange,
)
from .motions import MotionEvent, MotionReplay, MotionTrack, Payload, apply, finish, when
from .proceedings import (
    MinutesAttendee,
    MinutesQuorum,
    ProceedingsTrack,
    approved_later,
    labelled,
    meeting_ordinal,
    sign_in,
)
from .proceedings import take as take_proceedings

# The event types read here (the use cases write them; "?" marks an optional key):
#   council.setup {title, preset, chair}            council.rules {preset, by}
#   council.rule_set {rule, value, fields, by}      (/set: one rule changed)
#   member.joined {member, name, unit, status}      member.approved {member, name, by}
#   role.assigned {member, name, role ("chair"|"secretary"), by}
#   motion.raised {number, kind, text, mover, mover_name, parent, second_deadline, postponed_until, referred_to}
#   meeting.opened {meeting, title, place?, chair?, recorder?}   meeting.adjourned {meeting}
#   attendance.recorded {meeting, member, name}
#   assignment.made {number, assignee_name, due}     (due: ISO date/datetime or None)
#   report.recorded {number, text, done, by?}        rating.closed {number, satisfied, basic, unsatisfied}
# and the motion events of motions.MOTION_EVENTS (seconded, speeches, warnings, ballots, votes, ...).
# Unknown event types are ignored, so the log may grow new kinds without breaking old minutes.
# Secret ballots: the log never holds a secret voter's choice, and the minutes never name a secret
# ballot's voters either (only the counts).

_DELIVERY = frozenset({kinds.ASSIGNMENT_MADE, kinds.REPORT_RECORDED, kinds.RATING_CLOSED})
# Events of these families that carry a motion number are about that motion, for the scope.
_MOTION_FAMILIES = frozenset(
    {"motion", "speech", "ballot", "vote", "debate", "member", "assignment", "report", "rating"}
)


@dataclass(frozen=True)
class _Meeting:
    """The stretch of the log a meeting covers (seqs), and what its opening says about it."""

    first_seq: int = 0
    last_seq: int | None = None  # None: not adjourned (or no meeting asked for)
    title: str | None = None
    place: str | None = None
    chair: str | None = None
    recorder: str | None = None


def _meeting(events: list[Event], meeting_id: int | None) -> _Meeting:
    """The first opening of the meeting and its adjournment; MeetingNotFound when it never opened."""
    if meeting_id is None:
        return _Meeting()
    opened: Event | None = None
    last_seq = None
    for event in events:
        if event.payload.get("meeting") != meeting_id:
            continue
        if event.type == kinds.MEETING_OPENED and opened is None:
            opened = event
        elif event.type == kinds.MEETING_ADJOURNED and opened is not None:
            last_seq = event.seq
    if opened is None:
        raise MeetingNotFound(meeting=meeting_id)
    payload = opened.payload
    return _Meeting(
        opened.seq, last_seq, payload.get("title"), payload.get("place"), payload.get("chair"), payload.get("recorder")
    )


@dataclass
class _AssignmentTrack:
    """Delivery of one motion while the log is replayed."""

    number: int
    assignee: str = ""
    due: str | None = None
    at: datetime | None = None
    reports: list[MinutesReport] = field(default_factory=list)
    rating: MinutesRating | None = None
    in_scope: bool = False


@dataclass(frozen=True)
class _Step:
    """One event as the replay sees it: `in_window` when inside the period and meeting, `in_scope` when
    the minutes of this scope record it."""

    kind: str
    payload: Payload
    at: datetime
    number: int | None
    in_window: bool
    in_scope: bool

    def motion_event(self) -> MotionEvent:
        return MotionEvent(self.payload, self.at, self.in_scope)


@dataclass
class _Replay(MotionReplay):
    """Everything the walk over the log accumulates for the council as a whole."""

    meeting_id: int | None = None
    wanted: set[int] | None = None  # motion numbers asked for; their amendments join as they are raised
    setup_chair: str | None = None
    members: dict[int, tuple[str, bool]] = field(default_factory=dict)  # id -> (name, active)
    chairs: list[str] = field(default_factory=list)
    recorders: list[str] = field(default_factory=list)
    motions: dict[int, MotionTrack] = field(default_factory=dict)
    assignments: dict[int, _AssignmentTrack] = field(default_factory=dict)
    attendees: dict[object, str] = field(default_factory=dict)  # member id (or name) -> name
    first_at: datetime | None = None
    last_at: datetime | None = None
    adjourned_at: datetime | None = None
    in_scope_events: int = 0
    proceedings: ProceedingsTrack = field(default_factory=ProceedingsTrack)
    rule_changes: list[MinutesRuleChange] = field(default_factory=list)

    def motion_wanted(self, number: int | None) -> bool:
        return self.wanted is None or number in self.wanted

    def locate(self, event: Event, at: datetime, in_window: bool) -> _Step:
        """Decide whether the scope records this event, and count it when it does."""
        payload, kind = event.payload, event.type
        number: int | None = payload.get("number")
        if (
            kind == kinds.MOTION_RAISED
            and number is not None
            and self.wanted is not None
            and payload.get("parent") in self.wanted
        ):
            self.wanted.add(number)  # amendments and subsidiaries follow their motion
        concerns_motion = number is not None and kind.split(".")[0] in _MOTION_FAMILIES
        in_scope = (
            in_window
            and (not concerns_motion or self.motion_wanted(number))
            and (self.wanted is None or concerns_motion)
        )
        if in_scope:
            self.in_scope_events += 1
            self.first_at = self.first_at or at
            self.last_at = at
        return _Step(kind, payload, at, number, in_window, in_scope)

    def take(self, step: _Step) -> None:
        """Apply one event: a council event by its type, delivery by motion, anything else naming a
        motion to that motion."""
        take_proceedings(self.proceedings, step.kind, step.payload, step.at, step.in_scope)
        handler = COUNCIL_EVENTS.get(step.kind)
        if handler is not None:
            handler(self, step)
        elif step.kind in _DELIVERY:
            if self.motion_wanted(step.number):
                _delivery(self, step)
            return  # delivery is not deliberation: it never brings its motion into the record
        elif step.number is not None:
            motion = self.motions.get(step.number)
            if motion is None:  # a log that starts mid-way: keep what we can
                motion = self.motions[step.number] = MotionTrack(step.number, "main", "", "", None, step.at)
            apply(step.kind, motion, step.motion_event(), self)
        if step.in_scope and step.number in self.motions:
            self.motions[step.number].in_scope = True


def _add(names: list[str], name: str | None) -> None:
    if name and name not in names:
        names.append(name)


# ---- council events, one function per type -------------------------------------------------------------


def _setup(replay: _Replay, step: _Step) -> None:
    replay.preset = step.payload.get("preset") or replay.preset
    replay.setup_chair = step.payload.get("chair")
    _add(replay.chairs, replay.setup_chair)


def _rules(replay: _Replay, step: _Step) -> None:
    replay.preset = step.payload.get("preset") or replay.preset


def _rule_set(replay: _Replay, step: _Step) -> None:
    if step.in_scope:
        p = step.payload
        replay.rule_changes.append(MinutesRuleChange(step.at, p.get("rule", ""), p.get("value", ""), p.get("by", "")))


def _joined(replay: _Replay, step: _Step) -> None:
    replay.members[step.payload["member"]] = (step.payload.get("name", ""), step.payload.get("status") == "active")


def _approved(replay: _Replay, step: _Step) -> None:
    replay.members[step.payload["member"]] = (step.payload.get("name", ""), True)


def _role(replay: _Replay, step: _Step) -> None:
    payload = step.payload
    observer = payload["member"] in replay.proceedings.observers  # a 列席 secretary records, is not 应到
    replay.members[payload["member"]] = (payload.get("name", ""), not observer)
    _add(replay.chairs if payload.get("role") == "chair" else replay.recorders, payload.get("name"))


def _raised(replay: _Replay, step: _Step) -> None:
    payload = step.payload
    motion = MotionTrack(
        step.number or 0,
        payload.get("kind", "main"),
        payload.get("text", ""),
        payload.get("mover_name", ""),
        payload.get("parent"),
        step.at,
    )
    motion.postponed_until = payload.get("postponed_until")
    motion.referred_to = payload.get("referred_to")
    replay.motions[motion.number] = motion
    if step.in_scope:
        replay.participants.setdefault(motion.mover)


def _attendance(replay: _Replay, step: _Step) -> None:
    payload = step.payload
    if replay.meeting_id is not None and payload.get("meeting") == replay.meeting_id and step.in_window:
        if sign_in(replay.proceedings, payload, step.at):  # 列席 people sign in too, but are not 实到
            replay.attendees[payload.get("member", payload.get("name"))] = payload.get("name", "")
    elif replay.meeting_id is None and step.in_scope:
        replay.participants.setdefault(payload.get("name", ""))  # outside a meeting, attending is taking part


def _adjourned(replay: _Replay, step: _Step) -> None:
    if replay.meeting_id is not None and step.payload.get("meeting") == replay.meeting_id:
        replay.adjourned_at = step.at


def _ignored(replay: _Replay, step: _Step) -> None:
    """Read elsewhere (the meeting's opening bounds the window) or not part of the minutes."""


def _delivery(replay: _Replay, step: _Step) -> None:
    payload, number = step.payload, step.number or 0
    item = replay.assignments.setdefault(number, _AssignmentTrack(number))
    item.in_scope = item.in_scope or step.in_scope
    if step.kind == kinds.ASSIGNMENT_MADE:
        item.assignee, item.due, item.at = payload.get("assignee_name", ""), payload.get("due"), step.at
    elif step.kind == kinds.REPORT_RECORDED:
        item.reports.append(
            MinutesReport(step.at, payload.get("text", ""), bool(payload.get("done")), payload.get("by"))
        )
    else:
        item.rating = MinutesRating(
            int(payload.get("satisfied", 0)), int(payload.get("basic", 0)), int(payload.get("unsatisfied", 0))
        )


COUNCIL_EVENTS: dict[str, Callable[[_Replay, _Step], None]] = {
    kinds.COUNCIL_SETUP: _setup,
    kinds.COUNCIL_RULES: _rules,
    kinds.COUNCIL_RULE_SET: _rule_set,
    kinds.MEMBER_JOINED: _joined,
    kinds.MEMBER_APPROVED: _approved,
    kinds.ROLE_ASSIGNED: _role,
    kinds.MOTION_RAISED: _raised,
    kinds.MEETING_OPENED: _ignored,
    kinds.ATTENDANCE_RECORDED: _attendance,
    kinds.MEETING_ADJOURNED: _adjourned,
}


# ---- the walk and the record it leaves -----------------------------------------------------------------


def build_minutes(
    events: Iterable[Event],
    *,
    council_name: str,
    place: str,
    period_start: datetime | None = None,
    period_end: datetime | None = None,
    motion_numbers: Iterable[int] | None = None,
    meeting_id: int | None = None,
    chain_head: str,
    chain_seq: int,
    version: int = 1,
    generated_at: datetime,
    timezone: str = "Asia/Shanghai",
    digest_per_side: int = DIGEST_PER_SIDE,
    quorum: Callable[[int], int] | None = None,
) -> Minutes:
    """Replay the council's events and keep what the minutes of the chosen scope record.

    The scope narrows by period ([start, end)), by meeting (from its opening to its adjournment)
    and by motion numbers (those motions and the amendments and subsidiary motions on them);
    narrowings combine. Everything up to the scope's end is replayed, so a motion raised before a
    meeting still shows its mover, and its wording is the wording as the scope ends. `quorum` gives the
    members a meeting needs present out of those expected (the council's rules); a meeting's record states it.
    """
    zone = ZoneInfo(timezone)
    ordered = sorted(events, key=lambda e: e.seq)
    if period_start is not None and period_start.tzinfo is None:
        period_start = period_start.replace(tzinfo=zone)
    if period_end is not None and period_end.tzinfo is None:
        period_end = period_end.replace(tzinfo=zone)
    numbers = None if motion_numbers is None else tuple(motion_numbers)
    meeting = _meeting(ordered, meeting_id)
    replay = _Replay(
        digest_per_side=digest_per_side, meeting_id=meeting_id, wanted=None if numbers is None else set(numbers)
    )
    for event in ordered:
        if meeting.last_seq is not None and event.seq > meeting.last_seq:
            break
        at = when(event.at)
        assert at is not None  # every event is stamped
        if period_end is not None and at >= period_end:
            continue
        in_window = event.seq >= meeting.first_seq and (period_start is None or at >= period_start)
        replay.take(replay.locate(event, at, in_window))

    attendance_recorded = meeting_id is not None and bool(replay.attendees)
    names, absentees, expected, expected_units = _presence(replay, attendance_recorded)
    starts_at, ends_at, scope = _span(replay, ordered, meeting, period_start, period_end)
    chairs = _first(meeting.chair, replay.chairs)
    recorders = _first(meeting.recorder, replay.recorders)
    track = replay.proceedings
    ordinal = meeting_ordinal(ordered, meeting_id, zone) if meeting_id is not None else None
    observers = _observers(track, recorders)

    def here(moment: datetime | None) -> datetime | None:
        return local(moment, zone)

    return Minutes(
        council_name=track.formal_name or council_name,
        place=track.places.get(meeting_id or 0) or meeting.place or place,
        scope=scope,
        timezone=timezone,
        preset=replay.preset,
        starts_at=here(starts_at),
        ends_at=here(ends_at),
        chairs=tuple(chairs),
        recorders=tuple(recorders),
        expected=expected,
        present=len(names),
        attendance_recorded=attendance_recorded,
        attendees=tuple(names),
        absentees=tuple(name for _, name in absentees),
        motions=tuple(localise_motion(m, zone) for m in _motion_records(replay)),
        assignments=tuple(localise_assignment(a, zone) for a in _assignment_records(replay)),
        chain_head=chain_head,
        chain_seq=chain_seq,
        version=version,
        generated_at=local(generated_at, zone),
        title=meeting.title,
        meeting=meeting_id,
        adjourned_at=here(replay.adjourned_at),
        period_start=here(period_start),
        period_end=here(period_end),
        motion_numbers=tuple(sorted(numbers)) if numbers is not None else (),
        events=replay.in_scope_events,
        chat_title=council_name if track.formal_name and track.formal_name != council_name else "",
        meeting_year=ordinal[0] if ordinal else None,
        meeting_ordinal=ordinal[1] if ordinal else None,
        meeting_kind=track.kinds.get(meeting_id) if meeting_id is not None else None,
        agenda=tuple(track.agenda.get(meeting_id, ())) if meeting_id is not None else (),
        sign_ins=tuple(localise_attendee(a, zone) for a in track.sign_ins.values()) if attendance_recorded else (),
        absent=tuple(MinutesAttendee(name, track.units.get(member)) for member, name in absentees),
        observers=tuple(localise_attendee(a, zone) for a in observers),
        expected_units=len({u for u in expected_units.values() if u}),
        present_units=len({a.unit for a in track.sign_ins.values() if a.unit}) if attendance_recorded else 0,
        quorum=(
            MinutesQuorum(quorum(expected), expected, len(names))
            if quorum is not None and meeting_id is not None
            else None
        ),
        approval=localise_approval(labelled(track.approvals[0], ordered, zone), zone) if track.approvals else None,
        approved=(
            localise_approval(labelled(approved_later(ordered, meeting_id), ordered, zone), zone)
            if meeting_id is not None
            else None
        ),
        points=tuple(dataclasses.replace(p, at=local(p.at, zone)) for p in track.points.values()),
        tellers=tuple(track.tellers.values()),
        rule_changes=tuple(dataclasses.replace(c, at=here(c.at) or c.at) for c in replay.rule_changes),
    )


def _observers(track: ProceedingsTrack, recorders: list[str]) -> list[MinutesAttendee]:
    """列席: the 列席 people who signed in, and a recorder who is 列席 (a community secretary records there)."""
    shown = list(track.observers_present.values())
    names = {a.name for a in shown}
    shown += [MinutesAttendee(name) for name in track.observers.values() if name in recorders and name not in names]
    return shown


def _motion_records(replay: _Replay) -> list[MinutesMotion]:
    """The motions the scope records, in number order, each with the motions raised on it."""
    motions = replay.motions
    # A child in scope brings its parent in, so it can be shown beneath it (children first, so that
    # a motion on an amendment brings in the amendment and then the main motion).
    for motion in reversed(list(motions.values())):
        if motion.in_scope and motion.parent in motions and replay.motion_wanted(motion.parent):
            motions[motion.parent].in_scope = True
    children: dict[int, list[MotionTrack]] = {}
    for _, motion in sorted(motions.items()):
        if motion.parent is not None:
            children.setdefault(motion.parent, []).append(motion)
    units, ballots = replay.proceedings.voter_unit, replay.ballots
    return [finish(m, children.get(n, ()), ballots, units) for n, m in sorted(motions.items()) if m.in_scope]


def _assignment_records(replay: _Replay) -> list[MinutesAssignment]:
    motions = replay.motions
    return [
        MinutesAssignment(
            a.number,
            motions[a.number].text if a.number in motions else "",
            a.assignee,
            a.due,
            a.at,
            tuple(a.reports),
            a.rating,
        )
        for _, a in sorted(replay.assignments.items())
        if a.in_scope
    ]


def _presence(
    replay: _Replay, attendance_recorded: bool
) -> tuple[list[str], list[tuple[Any, str]], int, dict[Any, str | None]]:
    """Who was present (the meeting's roll, else whoever took part), who was absent (member id, name), how
    many were expected (active members when the record ends) and their units."""
    members = dict(replay.members)
    if replay.setup_chair is not None and replay.setup_chair not in {name for name, _ in members.values()}:
        members[-1] = (replay.setup_chair, True)  # the founder chairs without a join event
    active = {member_id: name for member_id, (name, ok) in members.items() if ok}
    units = {member_id: replay.proceedings.units.get(member_id) for member_id in active}
    if not attendance_recorded:
        return [n for n in replay.participants if n], [], len(active), units
    names = list(replay.attendees.values())
    present_ids = set(replay.attendees)
    absentees = [(m, name) for m, name in active.items() if m not in present_ids and name not in names]
    return names, absentees, len(active), units


def _span(
    replay: _Replay, events: list[Event], meeting: _Meeting, period_start: datetime | None, period_end: datetime | None
) -> tuple[datetime | None, datetime | None, str]:
    """When the record starts and ends, and which kind of scope it is."""
    if replay.meeting_id is not None:
        starts_at = next((when(e.at) for e in events if e.seq == meeting.first_seq), replay.first_at)
        return starts_at, replay.adjourned_at or replay.last_at, "meeting"
    if period_start is not None or period_end is not None:
        # What happened, not the calendar bounds; an empty period shows its bounds.
        return replay.first_at or period_start, replay.last_at or period_end, "period"
    return replay.first_at, replay.last_at, "motions" if replay.wanted is not None else "all"


def _first(name: str | None, names: list[str]) -> list[str]:
    """The meeting's own chair (or recorder) first, then the council's."""
    return [name] + [n for n in names if n != name] if name else names
