"""The minutes in the council's time zone: every moment and every time kept as text in a payload."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import overload
from zoneinfo import ZoneInfo

from .model import MinutesAssignment, MinutesMotion
from .proceedings import MinutesApproval, MinutesAttendee


@overload
def local(moment: datetime, zone: ZoneInfo) -> datetime: ...
@overload
def local(moment: datetime | None, zone: ZoneInfo) -> datetime | None: ...
def local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    """The moment in the council's time zone: the minutes show local times."""
    return None if moment is None else moment.astimezone(zone)


def local_text(text: str | None, zone: ZoneInfo) -> str | None:
    """A time kept as text in a payload (postponed until, due) in the council's zone; a bare date stays."""
    if not text or len(text) <= 10:
        return text
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)  # the log's times are UTC
    return moment.astimezone(zone).isoformat(timespec="seconds")


def localise_motion(motion: MinutesMotion, zone: ZoneInfo) -> MinutesMotion:
    return dataclasses.replace(
        motion,
        postponed_until=local_text(motion.postponed_until, zone),
        raised_at=local(motion.raised_at, zone),
        decided_at=local(motion.decided_at, zone),
        speeches=tuple(dataclasses.replace(s, at=local(s.at, zone)) for s in motion.speeches),
        warning_notes=tuple(dataclasses.replace(n, at=local(n.at, zone)) for n in motion.warning_notes),
        votes=tuple(
            dataclasses.replace(
                v,
                opened_at=local(v.opened_at, zone),
                closes_at=local(v.closes_at, zone),
                closed_at=local(v.closed_at, zone),
            )
            for v in motion.votes
        ),
    )


def localise_assignment(item: MinutesAssignment, zone: ZoneInfo) -> MinutesAssignment:
    return dataclasses.replace(
        item,
        due=local_text(item.due, zone),
        assigned_at=local(item.assigned_at, zone),
        reports=tuple(dataclasses.replace(r, at=local(r.at, zone)) for r in item.reports),
    )


def localise_attendee(attendee: MinutesAttendee, zone: ZoneInfo) -> MinutesAttendee:
    return dataclasses.replace(attendee, at=local(attendee.at, zone))


def localise_approval(approval: MinutesApproval | None, zone: ZoneInfo) -> MinutesApproval | None:
    return None if approval is None else dataclasses.replace(approval, at=local(approval.at, zone))
