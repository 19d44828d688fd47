"""Motions, and the speeches and warnings of their debate."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from deliberation.model import Motion, Speech

from ..mapping import motion_from_row, speech_from_row
from ..models import MotionRow, SpeechRow, WarningRow


class MotionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def next_number(self, council_id: int) -> int:
        top = (
            await self.session.execute(select(func.max(MotionRow.number)).where(MotionRow.council_id == council_id))
        ).scalar()
        return (top or 0) + 1

    async def add(self, motion: Motion) -> Motion:
        row = MotionRow(
            council_id=motion.council_id,
            number=motion.number,
            kind=motion.kind.value,
            text=motion.text,
            mover_id=motion.mover_id,
            state=motion.state.value,
            created_at=motion.created_at,
            second_deadline=motion.second_deadline,
            parent_id=motion.parent_id,
            seconder_id=motion.seconder_id,
            original_text=motion.original_text,
            debate_closed=motion.debate_closed,
            postponed_until=motion.postponed_until,
            referred_to=motion.referred_to,
            major=motion.major,
        )
        self.session.add(row)
        await self.session.flush()
        return motion_from_row(row)

    async def update(self, motion: Motion) -> None:
        await self.session.execute(
            update(MotionRow)
            .where(MotionRow.id == motion.id)
            .values(
                text=motion.text,
                state=motion.state.value,
                seconder_id=motion.seconder_id,
                original_text=motion.original_text,
                debate_closed=motion.debate_closed,
                second_deadline=motion.second_deadline,
                postponed_until=motion.postponed_until,
                referred_to=motion.referred_to,
                major=motion.major,
            )
        )

    async def by_number(self, council_id: int, number: int) -> Motion | None:
        row = (
            await self.session.execute(
                select(MotionRow).where(MotionRow.council_id == council_id, MotionRow.number == number)
            )
        ).scalar_one_or_none()
        return None if row is None else motion_from_row(row)

    async def get(self, motion_id: int) -> Motion:
        return motion_from_row(await self.session.get_one(MotionRow, motion_id))

    async def find(self, motion_id: int) -> Motion | None:
        row = await self.session.get(MotionRow, motion_id)
        return None if row is None else motion_from_row(row)

    async def children(self, motion_id: int) -> Sequence[Motion]:
        rows = await self.session.execute(
            select(MotionRow).where(MotionRow.parent_id == motion_id).order_by(MotionRow.number)
        )
        return [motion_from_row(r) for r in rows.scalars()]

    async def all(self, council_id: int) -> Sequence[Motion]:
        rows = await self.session.execute(
            select(MotionRow).where(MotionRow.council_id == council_id).order_by(MotionRow.number)
        )
        return [motion_from_row(r) for r in rows.scalars()]


class SpeechRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, speech: Speech) -> Speech:
        row = SpeechRow(
            motion_id=speech.motion_id,
            member_id=speech.member_id,
            side=speech.side.value,
            text=speech.text,
            at=speech.at,
        )
        self.session.add(row)
        await self.session.flush()
        return speech_from_row(row)

    async def for_motion(self, motion_id: int) -> Sequence[Speech]:
        rows = await self.session.execute(
            select(SpeechRow).where(SpeechRow.motion_id == motion_id).order_by(SpeechRow.id)
        )
        return [speech_from_row(r) for r in rows.scalars()]

    async def add_warning(self, motion_id: int, member_id: int, by_id: int, reason: str, at: datetime) -> int:
        self.session.add(WarningRow(motion_id=motion_id, member_id=member_id, by_id=by_id, reason=reason, at=at))
        await self.session.flush()
        return await self.warnings(motion_id, member_id)

    async def warnings(self, motion_id: int, member_id: int) -> int:
        return (
            await self.session.execute(
                select(func.count())
                .select_from(WarningRow)
                .where(WarningRow.motion_id == motion_id, WarningRow.member_id == member_id)
            )
        ).scalar_one()
