"""Use cases of council meetings: schedule, cancel, open, attend, adjourn."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from .. import errors, events
from ..delivery import (
    MEETING_TITLE_MAX,
    Meeting,
    MeetingAlreadyOpen,
    MeetingNotScheduled,
    MeetingState,
    NoOpenMeeting,
    TitleRequired,
    meeting_quorum,
)
from ..lifecycle import MotionState
from ..model import Actor, Council, Member, MemberStatus
from ..ports import Clock, UnitOfWork
from ..proceedings import split_kind
from .steps import active_members, find_member, iso, record_event, require_chair, require_member

# A scheduled meeting may be opened this early with a bare /meeting (people gather before the hour).
EARLY_OPEN = timedelta(hours=2)
LATE_OPEN = timedelta(hours=12)


def _title(text: str) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise TitleRequired()
    if len(text) > MEETING_TITLE_MAX:
        raise errors.TextTooLong(limit=MEETING_TITLE_MAX, length=len(text))
    return text


async def schedule_meeting(
    uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, starts_at: datetime, title: str
) -> Meeting:
    """The chair puts a council meeting in the calendar; announcements follow at T-24h and T-1h."""
    require_chair(actor)
    title = _title(title)
    now = clock()
    if starts_at <= now:
        raise errors.DateInPastText(given=iso(starts_at))
    await uow.councils.lock(council.id)
    meeting = await uow.meetings.add(
        Meeting(
            0, council.id, await uow.meetings.next_number(council.id), title, MeetingState.SCHEDULED, now, starts_at
        )
    )
    await record_event(
        uow,
        council,
        clock,
        events.MEETING_SCHEDULED,
        meeting=meeting.number,
        title=title,
        starts_at=iso(starts_at),
        by=actor.name,
    )
    return meeting


async def upcoming_meetings(uow: UnitOfWork, council: Council, now: datetime) -> Sequence[Meeting]:
    """The meeting under way and those still to come (one never opened drops off after LATE_OPEN)."""
    meetings = await uow.meetings.in_state(council.id, MeetingState.OPEN, MeetingState.SCHEDULED)
    return [m for m in meetings if m.state is MeetingState.OPEN or (m.starts_at and m.starts_at >= now - LATE_OPEN)]


async def cancel_meeting(uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, number: int) -> Meeting:
    require_chair(actor)
    await uow.councils.lock(council.id)
    meeting = await uow.meetings.by_number(council.id, number)
    if meeting is None:
        raise errors.MeetingNotFound(meeting=number)
    if meeting.state is not MeetingState.SCHEDULED:
        raise MeetingNotScheduled(number=number, state=meeting.state.value)
    meeting = replace(meeting, state=MeetingState.CANCELLED)
    await uow.meetings.update(meeting)
    await record_event(
        uow, council, clock, events.MEETING_CANCELLED, meeting=meeting.number, title=meeting.title, by=actor.name
    )
    return meeting


async def open_meeting(
    uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, title: str = "", *, default_title: str = ""
) -> Meeting:
    """The chair opens a meeting: the scheduled one due about now, or one on the spot with `title`.

    The chair, when a member, is the first one present.
    """
    require_chair(actor)
    await uow.councils.lock(council.id)
    now = clock()
    current = await uow.meetings.in_state(council.id, MeetingState.OPEN)
    if current:
        raise MeetingAlreadyOpen(number=current[0].number, title=current[0].title)
    due = [
        m
        for m in await uow.meetings.in_state(council.id, MeetingState.SCHEDULED)
        if m.starts_at is not None and now - LATE_OPEN <= m.starts_at <= now + EARLY_OPEN
    ]
    kind, title = split_kind(" ".join((title or "").split()))
    if due and not title:
        kind = split_kind(due[0].title)[0]  # "/schedule … 临时 电梯议事会" named the kind in the calendar
    if due:  # the meeting in the calendar, retitled if the chair says so
        scheduled_title = split_kind(due[0].title)[1] or due[0].title  # "临时 电梯会" -> "电梯会"
        meeting = replace(
            due[0], state=MeetingState.OPEN, opened_at=now, title=_title(title) if title else scheduled_title
        )
        await uow.meetings.update(meeting)
    else:
        meeting = await uow.meetings.add(
            Meeting(
                0,
                council.id,
                await uow.meetings.next_number(council.id),
                _title(title or default_title),
                MeetingState.OPEN,
                now,
                opened_at=now,
            )
        )
    await record_event(
        uow,
        council,
        clock,
        events.MEETING_OPENED,
        meeting=meeting.number,
        title=meeting.title,
        chair=actor.name,
        kind=kind.value,
    )
    if actor.member is not None and actor.member.active:
        if await uow.meetings.add_attendance(meeting.id, actor.member.id, actor.member.name, now):
            await record_event(
                uow,
                council,
                clock,
                events.ATTENDANCE_RECORDED,
                meeting=meeting.number,
                member=actor.member.id,
                name=actor.member.name,
            )
    return meeting


@dataclass(frozen=True)
class Presence:
    meeting: Meeting
    recorded: Sequence[str]  # names newly marked present
    already: Sequence[str]  # names that were present already
    present: int
    expected: int  # 应到: active members
    needed: int  # quorum (0: none)

    @property
    def quorum_met(self) -> bool:
        return self.present >= self.needed


async def _open_meeting(uow: UnitOfWork, council: Council) -> Meeting:
    current = await uow.meetings.in_state(council.id, MeetingState.OPEN)
    if not current:
        raise NoOpenMeeting()
    return current[0]


async def record_presence(
    uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, handles: Sequence[str] = ()
) -> Presence:
    """A member says they are present; the chair may mark others (`handles`) who cannot type."""
    targets: list[Member]
    if handles:
        require_chair(actor)
    elif actor.member is not None and actor.member.status is MemberStatus.OBSERVER:
        return await _observer_present(uow, clock, council, actor.member)
    else:
        targets = [require_member(actor)]
    await uow.councils.lock(council.id)
    meeting = await _open_meeting(uow, council)
    if handles:
        targets = [await find_member(uow, council, h) for h in handles]
    recorded, already = [], []
    for member in targets:
        if not member.active:
            raise errors.PendingApproval(unit=member.unit or "")
        if await uow.meetings.add_attendance(meeting.id, member.id, member.name, clock()):
            recorded.append(member.name)
            await record_event(
                uow,
                council,
                clock,
                events.ATTENDANCE_RECORDED,
                meeting=meeting.number,
                member=member.id,
                name=member.name,
            )
        else:
            already.append(member.name)
    return await _presence(uow, council, meeting, recorded, already)


async def _presence(
    uow: UnitOfWork, council: Council, meeting: Meeting, recorded: list[str], already: list[str]
) -> Presence:
    """Who was just marked present, with the meeting's 实到, 应到 and quorum as they now stand."""
    present = len(await uow.meetings.attendance(meeting.id))
    expected = len(await active_members(uow, council))
    return Presence(meeting, recorded, already, present, expected, meeting_quorum(council.rules, expected))


async def _observer_present(uow: UnitOfWork, clock: Clock, council: Council, observer: Member) -> Presence:
    """列席 people sign in too: the record lists them, but they are not 实到 and count for no quorum."""
    await uow.councils.lock(council.id)
    meeting = await _open_meeting(uow, council)
    signed = any(
        e.type == events.ATTENDANCE_RECORDED
        and e.payload.get("meeting") == meeting.number
        and e.payload.get("member") == observer.id
        for e in await uow.events.all(council.id)
    )
    if not signed:
        await record_event(
            uow,
            council,
            clock,
            events.ATTENDANCE_RECORDED,
            meeting=meeting.number,
            member=observer.id,
            name=observer.name,
            observer=True,
        )
    named = [observer.name]
    return await _presence(uow, council, meeting, [] if signed else named, named if signed else [])


@dataclass(frozen=True)
class MeetingSummary:
    meeting: Meeting
    present: Sequence[str]
    expected: int
    needed: int

    @property
    def quorum_met(self) -> bool:
        return len(self.present) >= self.needed


async def meeting_ballots_open(uow: UnitOfWork, council: Council, meeting: Meeting) -> list[int]:
    """Numbers of the motions whose ballot was put during `meeting` and is still open."""
    numbers = []
    for motion in await uow.motions.all(council.id):
        if motion.state is not MotionState.VOTING:
            continue
        ballot = await uow.ballots.open_for_motion(motion.id)
        # A meeting ballot counts the meeting's roll (`present`); one opened before the meeting does not.
        if ballot is not None and ballot.present is not None and meeting.opened_at is not None:
            if ballot.opened_at >= meeting.opened_at:
                numbers.append(motion.number)
    return sorted(numbers)


async def adjourn(uow: UnitOfWork, clock: Clock, council: Council, actor: Actor) -> MeetingSummary:
    """The chair closes the meeting; refused while a ballot put during it is open (RONR §21).

    The chair ends such a ballot with /close first: an adjournment never cuts a vote short unannounced.
    """
    require_chair(actor)
    await uow.councils.lock(council.id)
    meeting = await _open_meeting(uow, council)
    voting = await meeting_ballots_open(uow, council, meeting)
    if voting:
        numbers = ", ".join(f"#{n}" for n in voting)
        raise errors.BallotOpenAtAdjourn(meeting=meeting.number, ballots=numbers, first=voting[0])
    meeting = replace(meeting, state=MeetingState.ADJOURNED, adjourned_at=clock())
    await uow.meetings.update(meeting)
    names = [name for _, name in await uow.meetings.attendance(meeting.id)]
    expected = len(await active_members(uow, council))
    await record_event(uow, council, clock, events.MEETING_ADJOURNED, meeting=meeting.number)
    return MeetingSummary(meeting, names, expected, meeting_quorum(council.rules, expected))
