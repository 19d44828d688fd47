"""The proceedings a filed 议事记录 carries besides its motions, replayed from the log: the council's formal name,
the meeting's number in its year, kind, place and agenda, sign-in with units and times, 列席, the quorum, the
approval of the previous minutes, points of order and the tellers.

The event types read here (the use cases in deliberation.usecases.proceedings write them):
  council.named {name, by}                     meeting.place {meeting, place, by}
  agenda.added {meeting, item, by}             minutes.approved {meeting, previous, corrections, by}
  order.raised {point, by, text, number?}      order.ruled {point, sustained, reason, by}
  teller.appointed {member?, name, role ("counter" | "scrutineer")}
and, for sign-in, member.joined {member, name, unit, status} and attendance.recorded {meeting, member, name,
observer?}. Unknown keys are ignored; old logs without these events give the record it always had.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from .. import events as kinds
from ..chain import Event

OBSERVER = "observer"  # member.joined status of a 列席 person


def when(text: str | None) -> datetime | None:
    """An ISO time from the log; a time without a zone is UTC, as the log has always been written."""
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class MinutesAttendee:
    """Someone at the meeting (or expected there): name, unit and when they signed in."""

    name: str
    unit: str | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class MinutesQuorum:
    """The quorum statement: how many were needed, expected and present, and whether it was met."""

    needed: int
    expected: int
    present: int

    @property
    def met(self) -> bool:
        return self.present >= self.needed


@dataclass(frozen=True)
class MinutesApproval:
    """A meeting's approval of the previous meeting's minutes, with the corrections it made."""

    previous: int  # the council's number of the meeting whose minutes were approved
    at_meeting: int  # the meeting that approved them
    at: datetime
    by: str
    corrections: str = ""
    previous_label: tuple[int, int] | None = None  # (year, n) of the approved meeting: 2026年第3次
    at_meeting_label: tuple[int, int] | None = None  # (year, n) of the approving meeting


@dataclass(frozen=True)
class MinutesPoint:
    """A point of order, and the chair's ruling with the reason or rule it cited."""

    point: int
    by: str
    text: str
    at: datetime
    number: int | None = None  # the motion it was raised on
    sustained: bool | None = None  # None: not ruled on
    reason: str = ""
    ruled_by: str = ""


@dataclass(frozen=True)
class MinutesTeller:
    name: str
    role: str  # "counter" (计票人) | "scrutineer" (监票人)


@dataclass
class ProceedingsTrack:
    """What the walk over the log keeps for the proceedings."""

    formal_name: str | None = None
    places: dict[int, str] = field(default_factory=dict)  # meeting -> place
    agenda: dict[int, list[str]] = field(default_factory=dict)  # meeting -> items
    kinds: dict[int, str] = field(default_factory=dict)  # meeting -> kind
    units: dict[Any, str | None] = field(default_factory=dict)  # member id -> unit
    unit_of_name: dict[str, str | None] = field(default_factory=dict)  # member's name -> unit (the latest join)
    observers: dict[Any, str] = field(default_factory=dict)  # member id -> name (列席)
    sign_ins: dict[Any, MinutesAttendee] = field(default_factory=dict)  # member id -> sign-in (the meeting's)
    observers_present: dict[Any, MinutesAttendee] = field(default_factory=dict)
    approvals: list[MinutesApproval] = field(default_factory=list)  # made within the record
    points: dict[int, MinutesPoint] = field(default_factory=dict)
    tellers: dict[str, MinutesTeller] = field(default_factory=dict)

    def voter_unit(self, voter: str, name: str) -> str | None:
        """An open ballot's voter's unit: by member (voter key "m<id>"), else by the name they joined with."""
        if voter.startswith("m") and voter[1:].isdigit():
            for member in (int(voter[1:]), voter[1:]):
                if self.units.get(member):
                    return self.units[member]
        return self.unit_of_name.get(name)


def take(track: ProceedingsTrack, kind: str, payload: dict[str, Any], at: datetime, in_scope: bool) -> None:
    """Apply one event of the proceedings (the replay calls this for every event it keeps)."""
    if kind == kinds.COUNCIL_NAMED:
        track.formal_name = payload.get("name") or track.formal_name
    elif kind == kinds.MEMBER_JOINED:
        member = payload.get("member")
        track.units[member] = payload.get("unit")
        if payload.get("name"):
            track.unit_of_name[payload["name"]] = payload.get("unit")
        if payload.get("status") == OBSERVER:
            track.observers[member] = payload.get("name", "")
        else:
            track.observers.pop(member, None)
    elif kind == kinds.MEETING_OPENED:
        track.kinds[int(payload.get("meeting") or 0)] = payload.get("kind") or "regular"
    elif kind == kinds.MEETING_PLACE:
        track.places[int(payload.get("meeting") or 0)] = payload.get("place", "")
    elif kind == kinds.AGENDA_ADDED:
        track.agenda.setdefault(int(payload.get("meeting") or 0), []).append(payload.get("item", ""))
    elif kind == kinds.TELLER_APPOINTED and payload.get("name"):
        track.tellers[payload["name"]] = MinutesTeller(payload["name"], payload.get("role") or "counter")
    elif in_scope:
        _in_scope(track, kind, payload, at)


def _in_scope(track: ProceedingsTrack, kind: str, payload: dict[str, Any], at: datetime) -> None:
    if kind == kinds.MINUTES_APPROVED:
        track.approvals.append(_approval(payload, at))
    elif kind == kinds.ORDER_RAISED:
        point = int(payload.get("point") or len(track.points) + 1)
        track.points[point] = MinutesPoint(
            point, payload.get("by", ""), payload.get("text", ""), at, payload.get("number")
        )
    elif kind == kinds.ORDER_RULED:
        raised = track.points.get(int(payload.get("point") or 0))
        if raised is not None:
            track.points[raised.point] = MinutesPoint(
                raised.point,
                raised.by,
                raised.text,
                raised.at,
                raised.number,
                bool(payload.get("sustained")),
                payload.get("reason", ""),
                payload.get("by", ""),
            )


def sign_in(track: ProceedingsTrack, payload: dict[str, Any], at: datetime) -> bool:
    """A sign-in at the meeting of the record; True when it was a member's (it counts as 实到)."""
    member = payload.get("member", payload.get("name"))
    if payload.get("observer") or member in track.observers:
        track.observers_present.setdefault(member, MinutesAttendee(payload.get("name", ""), None, at))
        return False
    track.sign_ins.setdefault(member, MinutesAttendee(payload.get("name", ""), track.units.get(member), at))
    return True


def _approval(payload: dict[str, Any], at: datetime) -> MinutesApproval:
    return MinutesApproval(
        int(payload.get("previous") or 0),
        int(payload.get("meeting") or 0),
        at,
        payload.get("by", ""),
        payload.get("corrections") or "",
    )


def approved_later(events: Sequence[Event], meeting_id: int) -> MinutesApproval | None:
    """The approval of this meeting's minutes by a later meeting, read from the whole log."""
    for event in events:
        if event.type == kinds.MINUTES_APPROVED and event.payload.get("previous") == meeting_id:
            at = when(event.at)
            assert at is not None
            return _approval(event.payload, at)
    return None


def labelled(approval: MinutesApproval | None, events: Sequence[Event], zone: ZoneInfo) -> MinutesApproval | None:
    """The approval with both meetings named as the record names them: the n-th meeting of their year."""
    if approval is None:
        return None
    return replace(
        approval,
        previous_label=meeting_ordinal(events, approval.previous, zone),
        at_meeting_label=meeting_ordinal(events, approval.at_meeting, zone),
    )


def meeting_ordinal(events: Sequence[Event], meeting_id: int, zone: ZoneInfo) -> tuple[int, int] | None:
    """(year, n): the meeting is the council's n-th meeting opened in that year, in the council's time zone."""
    opened: dict[int, datetime] = {}
    for event in events:
        if event.type == kinds.MEETING_OPENED and event.payload.get("meeting") is not None:
            at = when(event.at)
            assert at is not None
            opened.setdefault(int(event.payload["meeting"]), at.astimezone(zone))
    if meeting_id not in opened:
        return None
    year = opened[meeting_id].year
    ordered = sorted((at, number) for number, at in opened.items() if at.year == year)
    return year, [number for _, number in ordered].index(meeting_id) + 1
