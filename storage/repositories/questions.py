"""南塘 11: questions the chair called, waiting for a quiet spell before their ballot opens."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from deliberation.delivery import ReminderKind
from deliberation.nantang import CalledQuestion, CallState

from ..models import CalledQuestionRow, ReminderRow


def _from_row(row: CalledQuestionRow) -> CalledQuestion:
    return CalledQuestion(
        row.id,
        row.council_id,
        row.motion_id,
        row.called_at,
        row.opens_at,
        timedelta(seconds=row.quiet_seconds),
        None if row.duration_seconds is None else timedelta(seconds=row.duration_seconds),
        row.secret,
        row.major,
        row.called_by,
        CallState(row.state),
    )


class CalledQuestionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, called: CalledQuestion) -> CalledQuestion:
        row = CalledQuestionRow(
            council_id=called.council_id,
            motion_id=called.motion_id,
            called_at=called.called_at,
            opens_at=called.opens_at,
            quiet_seconds=int(called.quiet.total_seconds()),
            duration_seconds=None if called.duration is None else int(called.duration.total_seconds()),
            secret=called.secret,
            major=called.major,
            called_by=called.called_by[:200],
            state=called.state.value,
        )
        self.session.add(row)
        await self.session.flush()
        return _from_row(row)

    async def get(self, called_id: int) -> CalledQuestion | None:
        row = await self.session.get(CalledQuestionRow, called_id)
        return None if row is None else _from_row(row)

    async def waiting_for(self, motion_id: int) -> CalledQuestion | None:
        row = (
            await self.session.execute(
                select(CalledQuestionRow).where(
                    CalledQuestionRow.motion_id == motion_id, CalledQuestionRow.state == CallState.WAITING.value
                )
            )
        ).scalar_one_or_none()
        return None if row is None else _from_row(row)

    async def update(self, called: CalledQuestion) -> None:
        row = await self.session.get(CalledQuestionRow, called.id)
        assert row is not None  # read in this transaction
        row.opens_at = called.opens_at
        row.state = called.state.value
        await self.session.flush()

    async def waiting(self, limit: int) -> Sequence[CalledQuestion]:
        rows = (
            await self.session.execute(
                select(CalledQuestionRow)
                .where(CalledQuestionRow.state == CallState.WAITING.value)
                .order_by(CalledQuestionRow.opens_at, CalledQuestionRow.id)
                .limit(limit)
            )
        ).scalars()
        return [_from_row(r) for r in rows]

    async def unplanned(self, limit: int) -> Sequence[CalledQuestion]:
        """Waiting questions with no alarm at their current opening time (new, or moved by a speech)."""
        r = ReminderRow
        planned = exists().where(
            r.kind == ReminderKind.QUESTION_OPEN.value,
            r.subject_id == CalledQuestionRow.id,
            r.due_at == CalledQuestionRow.opens_at,
        )
        rows = (
            await self.session.execute(
                select(CalledQuestionRow)
                .where(CalledQuestionRow.state == CallState.WAITING.value, ~planned)
                .order_by(CalledQuestionRow.id)
                .limit(limit)
            )
        ).scalars()
        return [_from_row(row) for row in rows]
