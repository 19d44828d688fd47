"""Use cases of the record's proceedings: the formal name, 列席, a meeting's place and agenda, approving the
previous minutes, points of order and the chair's rulings. Each records an event the minutes replay."""

from __future__ import annotations

from dataclasses import dataclass, replace

from .. import errors, events, publication
from ..delivery import Meeting, MeetingState, NoOpenMeeting
from ..model import Actor, Council, Member, MemberStatus
from ..ports import Clock, UnitOfWork
from ..proceedings import (
    AGENDA_ITEM_MAX,
    AGENDA_MAX_ITEMS,
    CORRECTION_MAX,
    NAME_MAX,
    ORDER_MAX,
    PLACE_MAX,
    MinutesAlreadyApproved,
    NoMeetingForDetails,
    NoPendingPoint,
    NoPreviousMinutes,
    TooManyAgendaItems,
    clean,
    split_ruling,
)
from .steps import record_event, require_chair, require_member


async def name_council(uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, name: str) -> str:
    """/name: the chair gives the council its formal name, which the record uses instead of the chat title."""
    require_chair(actor)
    name = clean(name, NAME_MAX)
    await uow.councils.lock(council.id)
    await record_event(uow, council, clock, events.COUNCIL_NAMED, name=name, by=actor.name)
    return name


async def observe(uow: UnitOfWork, clock: Clock, council: Council, actor: Actor) -> Member:
    """`/join 列席`: someone attends and may record (a community secretary) without a unit or a vote."""
    await uow.councils.lock(council.id)
    existing = await uow.members.by_user(council.id, actor.user_key)
    if existing is not None and existing.status is MemberStatus.REMOVED:
        raise errors.MemberRemoved()
    if existing is not None and existing.status in (MemberStatus.ACTIVE, MemberStatus.PENDING):
        raise errors.AlreadyMember(unit=existing.unit or "")
    if existing is not None:
        member = replace(existing, status=MemberStatus.OBSERVER, unit=None, name=actor.name, username=actor.username)
        await uow.members.update(member)
    else:
        member = await uow.members.add(
            Member(0, council.id, actor.user_key, actor.name, actor.username, status=MemberStatus.OBSERVER)
        )
    await record_event(
        uow, council, clock, events.MEMBER_JOINED, member=member.id, name=member.name, unit=None, status="observer"
    )
    return member


async def _meeting_to_describe(uow: UnitOfWork, council: Council) -> Meeting:
    """The meeting under way, else the next one in the calendar."""
    current = await uow.meetings.in_state(council.id, MeetingState.OPEN)
    if current:
        return current[0]
    scheduled = [m for m in await uow.meetings.in_state(council.id, MeetingState.SCHEDULED) if m.starts_at]
    if not scheduled:
        raise NoMeetingForDetails()
    return min(scheduled, key=lambda m: m.starts_at or m.created_at)


async def set_place(uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, place: str) -> Meeting:
    """/place: where the meeting under way (or the next one) sits."""
    publication.require_recorder(actor)
    place = clean(place, PLACE_MAX)
    await uow.councils.lock(council.id)
    meeting = await _meeting_to_describe(uow, council)
    await record_event(uow, council, clock, events.MEETING_PLACE, meeting=meeting.number, place=place, by=actor.name)
    return meeting


@dataclass(frozen=True)
class Agenda:
    meeting: Meeting
    items: list[str]


async def add_agenda(uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, item: str) -> Agenda:
    """/agenda: one more item on the agenda of the meeting under way (or the next one)."""
    publication.require_recorder(actor)
    item = clean(item, AGENDA_ITEM_MAX)
    await uow.councils.lock(council.id)
    meeting = await _meeting_to_describe(uow, council)
    items = [
        str(e.payload.get("item", ""))
        for e in await uow.events.all(council.id)
        if e.type == events.AGENDA_ADDED and e.payload.get("meeting") == meeting.number
    ]
    if len(items) >= AGENDA_MAX_ITEMS:
        raise TooManyAgendaItems(limit=AGENDA_MAX_ITEMS)
    await record_event(uow, council, clock, events.AGENDA_ADDED, meeting=meeting.number, item=item, by=actor.name)
    return Agenda(meeting, items + [item])


@dataclass(frozen=True)
class Approval:
    meeting: Meeting  # the meeting that approved
    previous: Meeting  # the meeting whose minutes it approved
    corrections: str


async def approve_minutes(
    uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, corrections: str = ""
) -> Approval:
    """`/minutes approve [corrections]`: the meeting under way approves the previous meeting's minutes, as its
    first business. Corrections are recorded with the approval, so the previous minutes, published again, are a
    new version that carries them; the old version stays."""
    publication.require_recorder(actor)
    corrections = " ".join((corrections or "").split())
    if len(corrections) > CORRECTION_MAX:
        raise errors.TextTooLong(limit=CORRECTION_MAX, length=len(corrections))
    await uow.councils.lock(council.id)
    current = await uow.meetings.in_state(council.id, MeetingState.OPEN)
    if not current:
        raise NoOpenMeeting()
    meeting = current[0]
    earlier = [m for m in await uow.meetings.in_state(council.id, MeetingState.ADJOURNED) if m.number < meeting.number]
    if not earlier:
        raise NoPreviousMinutes()
    previous = max(earlier, key=lambda m: m.number)
    for event in await uow.events.all(council.id):
        if event.type == events.MINUTES_APPROVED and event.payload.get("previous") == previous.number:
            raise MinutesAlreadyApproved(number=previous.number)
    await record_event(
        uow,
        council,
        clock,
        events.MINUTES_APPROVED,
        meeting=meeting.number,
        previous=previous.number,
        corrections=corrections,
        by=actor.name,
    )
    return Approval(meeting, previous, corrections)


@dataclass(frozen=True)
class Point:
    point: int
    by: str
    text: str
    sustained: bool | None = None
    reason: str = ""


async def raise_point(
    uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, text: str, number: int | None = None
) -> Point:
    """/order: a member raises a point of order (程序异议); the chair rules on it with /ruling."""
    member = require_member(actor)
    text = clean(text, ORDER_MAX)
    await uow.councils.lock(council.id)
    raised = [e for e in await uow.events.all(council.id) if e.type == events.ORDER_RAISED]
    point = len(raised) + 1
    payload: dict[str, object] = {"point": point, "by": member.name, "text": text}
    if number is not None:
        payload["number"] = number
    await record_event(uow, council, clock, events.ORDER_RAISED, **payload)
    return Point(point, member.name, text)


async def rule_point(uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, text: str) -> Point:
    """/ruling 成立|不成立 <reason or rule>: the chair rules on the latest point of order not yet ruled on."""
    require_chair(actor)
    sustained, reason = split_ruling(text)
    reason = clean(reason, ORDER_MAX)
    await uow.councils.lock(council.id)
    pending: dict[int, Point] = {}
    for event in await uow.events.all(council.id):
        if event.type == events.ORDER_RAISED:
            p = event.payload
            pending[int(p.get("point") or 0)] = Point(int(p.get("point") or 0), p.get("by", ""), p.get("text", ""))
        elif event.type == events.ORDER_RULED:
            pending.pop(int(event.payload.get("point") or 0), None)
    if not pending:
        raise NoPendingPoint()
    point = pending[max(pending)]
    await record_event(
        uow, council, clock, events.ORDER_RULED, point=point.point, sustained=sustained, reason=reason, by=actor.name
    )
    return replace(point, sustained=sustained, reason=reason)
