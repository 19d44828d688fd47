"""Follow-up of adopted motions: assignments, their progress reports and the members' ratings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from deliberation.delivery import Assignment, Rating, Report

from ..database import dialect_insert
from ..mapping import assignment_from_row, report_from_row
from ..models import AssignmentRow, RatingRow, ReportRow


class AssignmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, a: Assignment) -> Assignment:
        row = AssignmentRow(
            council_id=a.council_id,
            motion_id=a.motion_id,
            number=a.number,
            assignee_id=a.assignee_id,
            assignee_name=a.assignee_name,
            due_at=a.due_at,
            assigned_at=a.assigned_at,
            state=a.state.value,
        )
        self.session.add(row)
        await self.session.flush()
        return assignment_from_row(row)

    async def update(self, a: Assignment) -> None:
        await self.session.execute(
            update(AssignmentRow)
            .where(AssignmentRow.id == a.id)
            .values(
                assignee_id=a.assignee_id,
                assignee_name=a.assignee_name,
                due_at=a.due_at,
                assigned_at=a.assigned_at,
                state=a.state.value,
                done_at=a.done_at,
                last_report_at=a.last_report_at,
                rating_closes_at=a.rating_closes_at,
                closed_at=a.closed_at,
                result=a.result,
            )
        )

    async def get(self, assignment_id: int) -> Assignment | None:
        row = await self.session.get(AssignmentRow, assignment_id)
        return None if row is None else assignment_from_row(row)

    async def by_motion(self, motion_id: int) -> Assignment | None:
        row = (
            await self.session.execute(select(AssignmentRow).where(AssignmentRow.motion_id == motion_id))
        ).scalar_one_or_none()
        return None if row is None else assignment_from_row(row)

    async def all(self, council_id: int) -> Sequence[Assignment]:
        rows = await self.session.execute(
            select(AssignmentRow).where(AssignmentRow.council_id == council_id).order_by(AssignmentRow.number)
        )
        return [assignment_from_row(r) for r in rows.scalars()]

    async def add_report(self, report: Report) -> None:
        self.session.add(
            ReportRow(
                assignment_id=report.assignment_id,
                member_id=report.member_id,
                name=report.name,
                text=report.text,
                done=report.done,
                at=report.at,
            )
        )
        await self.session.flush()

    async def reports(self, assignment_id: int) -> Sequence[Report]:
        rows = await self.session.execute(
            select(ReportRow).where(ReportRow.assignment_id == assignment_id).order_by(ReportRow.id)
        )
        return [report_from_row(r) for r in rows.scalars()]

    async def upsert_rating(self, assignment_id: int, member_id: int, choice: Rating, at: datetime) -> Rating | None:
        """Record or change a member's rating (one row per member, whatever the races); return the previous one."""
        previous = (
            await self.session.execute(
                select(RatingRow.choice).where(
                    RatingRow.assignment_id == assignment_id, RatingRow.member_id == member_id
                )
            )
        ).scalar_one_or_none()
        stmt = dialect_insert(self.session, RatingRow).values(
            assignment_id=assignment_id, member_id=member_id, choice=choice.value, at=at
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["assignment_id", "member_id"], set_={"choice": stmt.excluded.choice, "at": stmt.excluded.at}
        )
        await self.session.execute(stmt)
        return None if previous is None else Rating(previous)

    async def ratings(self, assignment_id: int) -> Sequence[Rating]:
        rows = await self.session.execute(select(RatingRow.choice).where(RatingRow.assignment_id == assignment_id))
        return [Rating(c) for c in rows.scalars()]
