"""Who is present when a ballot opens and when it closes (a live meeting's roll, and everyone who voted)."""

from __future__ import annotations

from ..delivery import MeetingState
from ..model import Ballot, Council, Rules
from ..ports import UnitOfWork
from .membership import voting_refusal


async def present_count(uow: UnitOfWork, council: Council) -> int | None:
    """Members present at the live meeting, or None when no meeting is open (a ballot's quorum counts them)."""
    current = await uow.meetings.in_state(council.id, MeetingState.OPEN)
    return len(await uow.meetings.attendance(current[0].id)) if current else None


async def present_at_close(
    uow: UnitOfWork, council: Council, ballot: Ballot, rules: Rules, voters: set[int]
) -> int | None:
    """Those present at a meeting ballot, counted when it closes: the meeting's roll plus everyone who voted.

    A voter is present by definition (组织法 art. 9: 出席人). Outside a live meeting there is no roll (None).
    """
    if ballot.present is None:
        return None
    meetings = [
        m
        for m in await uow.meetings.in_state(council.id, MeetingState.OPEN, MeetingState.ADJOURNED)
        if m.opened_at is not None and m.opened_at <= ballot.opened_at
    ]
    roll: set[int] = set()
    if meetings:
        meeting = max(meetings, key=lambda m: (m.opened_at or m.created_at, m.id))
        members = {m.id: m for m in await uow.members.all(council.id)}
        roll = {
            member_id
            for member_id, _name in await uow.meetings.attendance(meeting.id)
            if member_id in members and members[member_id].active and voting_refusal(rules, members[member_id]) is None
        }
    return len(roll | voters)
