"""Meetings and who attended them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from deliberation.delivery import Meeting, MeetingState

from ..database import dialect_insert
from ..mapping import meeting_from_row
from ..models import AttendanceRow, MeetingRow


class MeetingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def next_number(self, council_id: int) -> int:
        top = (
            await self.session.execute(select(func.max(MeetingRow.number)).where(MeetingRow.council_id == council_id))
        ).scalar()
        return (top or 0) + 1

    async def add(self, meeting: Meeting) -> Meeting:
        row = MeetingRow(
            council_id=meeting.council_id,
            number=meeting.number,
            title=meeting.title,
            state=meeting.state.value,
            created_at=meeting.created_at,
            starts_at=meeting.starts_at,
            opened_at=meeting.opened_at,
            adjourned_at=meeting.adjourned_at,
        )
        self.session.add(row)
        await self.session.flush()
        return meeting_from_row(row)

    async def update(self, meeting: Meeting) -> None:
        await self.session.execute(
            update(MeetingRow)
            .where(MeetingRow.id == meeting.id)
            .values(
                title=meeting.title,
                state=meeting.state.value,
                starts_at=meeting.starts_at,
                opened_at=meeting.opened_at,
                adjourned_at=meeting.adjourned_at,
            )
        )

    async def get(self, meeting_id: int) -> Meeting | None:
        row = await self.session.get(MeetingRow, meeting_id)
        return None if row is None else meeting_from_row(row)

    async def by_number(self, council_id: int, number: int) -> Meeting | None:
        row = (
            await self.session.execute(
                select(MeetingRow).where(MeetingRow.council_id == council_id, MeetingRow.number == number)
            )
        ).scalar_one_or_none()
        return None if row is None else meeting_from_row(row)

    async def in_state(self, council_id: int, *states: MeetingState) -> Sequence[Meeting]:
        rows = await self.session.execute(
            select(MeetingRow)
            .where(MeetingRow.council_id == council_id, MeetingRow.state.in_([s.value for s in states]))
            .order_by(MeetingRow.starts_at, MeetingRow.number)
        )
        return [meeting_from_row(r) for r in rows.scalars()]

    async def add_attendance(self, meeting_id: int, member_id: int, name: str, at: datetime) -> bool:
        """Record presence once; False when the member was already marked present."""
        stmt = (
            dialect_insert(self.session, AttendanceRow)
            .values(meeting_id=meeting_id, member_id=member_id, name=name, at=at)
            .on_conflict_do_nothing()
        )
        return (await self.session.execute(stmt)).rowcount == 1  # type: ignore[attr-defined]  # a CursorResult

    async def attendance(self, meeting_id: int) -> Sequence[tuple[int, str]]:
        rows = await self.session.execute(
            select(AttendanceRow.member_id, AttendanceRow.name)
            .where(AttendanceRow.meeting_id == meeting_id)
            .order_by(AttendanceRow.id)
        )
        return [(m, n) for m, n in rows]
