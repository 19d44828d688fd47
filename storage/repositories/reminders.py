"""The alarms' table: plans inserted idempotently, each reminder claimed exactly once, and the scan for
subjects whose plan has not been written yet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from deliberation.delivery import Assignment, AssignmentState, Meeting, MeetingState, Planned, ReminderKind
from deliberation.model import Ballot, Council, Motion

from ..database import dialect_insert
from ..mapping import assignment_from_row, ballot_from_row, meeting_from_row, motion_from_row
from ..models import AssignmentRow, BallotRow, MeetingRow, MinutesVersionRow, MotionRow, ReminderRow
from .councils import CouncilRepository


@dataclass(frozen=True)
class Reminder:
    """One row of the alarms' table as it stands."""

    id: int
    council_id: int
    kind: str
    subject_id: int
    due_at: datetime
    sent_at: datetime | None
    outcome: str | None


@dataclass(frozen=True)
class Claimed:
    """A reminder just claimed by this transaction."""

    kind: str
    subject_id: int
    due_at: datetime
    council_id: int

    def __getitem__(self, index: int) -> Any:  # read as the (kind, subject_id, due_at, council_id) row it was
        return (self.kind, self.subject_id, self.due_at, self.council_id)[index]


class ReminderRepository:
    """The alarms' truth. Plans are inserted idempotently; a reminder is claimed (sent_at set) exactly once."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_plan(self, council_id: int, plan: Sequence[Planned], now: datetime) -> int:
        if not plan:
            return 0
        stmt = dialect_insert(self.session, ReminderRow).values(
            [
                {
                    "council_id": council_id,
                    "kind": p.kind.value,
                    "subject_id": p.subject_id,
                    "due_at": p.due_at,
                    "expires_at": p.expires_at,
                    "created_at": now,
                }
                for p in plan
            ]
        )
        return (await self.session.execute(stmt.on_conflict_do_nothing())).rowcount  # type: ignore[attr-defined]

    async def pending(self, after_id: int = 0, limit: int | None = None) -> Sequence[tuple[int, str, datetime]]:
        """(id, kind, due_at) of every reminder not yet claimed, oldest id first."""
        stmt = (
            select(ReminderRow.id, ReminderRow.kind, ReminderRow.due_at)
            .where(ReminderRow.sent_at.is_(None), ReminderRow.id > after_id)
            .order_by(ReminderRow.id)
        )
        if limit:
            stmt = stmt.limit(limit)
        return [(i, k, d) for i, k, d in (await self.session.execute(stmt)).all()]

    async def get(self, reminder_id: int) -> Reminder | None:
        row = await self.session.get(ReminderRow, reminder_id)
        if row is None:
            return None
        return Reminder(row.id, row.council_id, row.kind, row.subject_id, row.due_at, row.sent_at, row.outcome)

    async def claim_due(self, reminder_id: int, now: datetime) -> Claimed | None:
        """Claim a reminder that is due, in the caller's transaction; None when it is not due yet or
        someone has claimed it already."""
        r = ReminderRow
        result = await self.session.execute(
            update(r)
            .where(r.id == reminder_id, r.sent_at.is_(None), r.due_at <= now)
            .values(sent_at=now, outcome="fired")
            .returning(r.kind, r.subject_id, r.due_at, r.council_id),
            execution_options={"synchronize_session": False},
        )
        row = result.first()
        return None if row is None else Claimed(row[0], row[1], row[2], row[3])

    async def claim(self, reminder_id: int, now: datetime, outcome: str) -> bool:
        """Mark it handled in the caller's transaction; True only for the one transaction that did so."""
        result = await self.session.execute(
            update(ReminderRow)
            .where(ReminderRow.id == reminder_id, ReminderRow.sent_at.is_(None))
            .values(sent_at=now, outcome=outcome)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]

    async def set_outcome(self, reminder_id: int, outcome: str) -> None:
        await self.session.execute(
            update(ReminderRow).where(ReminderRow.id == reminder_id).values(outcome=outcome),
            execution_options={"synchronize_session": False},
        )

    # ---- the scan: subjects whose plan has not been written yet (no anchor reminder) -------------

    def _anchored(self, kind: ReminderKind, subject_id: Any, due_at: Any) -> Any:
        r = ReminderRow
        return exists().where(r.kind == kind.value, r.subject_id == subject_id, r.due_at == due_at)

    async def unplanned_motions(self, limit: int) -> Sequence[Motion]:
        proposed = (
            (MotionRow.state == "proposed")
            & MotionRow.second_deadline.is_not(None)
            & ~self._anchored(ReminderKind.LAPSE, MotionRow.id, MotionRow.second_deadline)
        )
        postponed = (
            (MotionRow.state == "postponed")
            & MotionRow.postponed_until.is_not(None)
            & ~self._anchored(ReminderKind.RESUME, MotionRow.id, MotionRow.postponed_until)
        )
        rows = await self.session.execute(select(MotionRow).where(proposed | postponed).limit(limit))
        return [motion_from_row(r) for r in rows.scalars()]

    async def unplanned_ballots(self, limit: int) -> Sequence[Ballot]:
        rows = await self.session.execute(
            select(BallotRow)
            .where(
                BallotRow.closed_at.is_(None),
                ~self._anchored(ReminderKind.BALLOT_CLOSE, BallotRow.id, BallotRow.closes_at),
            )
            .limit(limit)
        )
        return [ballot_from_row(r) for r in rows.scalars()]

    async def unplanned_meetings(self, limit: int) -> Sequence[Meeting]:
        rows = await self.session.execute(
            select(MeetingRow)
            .where(
                MeetingRow.state == MeetingState.SCHEDULED.value,
                MeetingRow.starts_at.is_not(None),
                ~self._anchored(ReminderKind.MEETING_START, MeetingRow.id, MeetingRow.starts_at),
            )
            .limit(limit)
        )
        return [meeting_from_row(r) for r in rows.scalars()]

    async def unplanned_assignments(self, limit: int) -> Sequence[Assignment]:
        assigned = (AssignmentRow.state == AssignmentState.ASSIGNED.value) & ~self._anchored(
            ReminderKind.OVERDUE, AssignmentRow.id, AssignmentRow.due_at
        )
        rating = (
            (AssignmentRow.state == AssignmentState.RATING.value)
            & AssignmentRow.rating_closes_at.is_not(None)
            & ~self._anchored(ReminderKind.RATING_CLOSE, AssignmentRow.id, AssignmentRow.rating_closes_at)
        )
        rows = await self.session.execute(select(AssignmentRow).where(assigned | rating).limit(limit))
        return [assignment_from_row(r) for r in rows.scalars()]

    async def unplanned_publications(self, limit: int) -> Sequence[tuple[int, int, datetime]]:
        """(version id, council id, end of 公示) of published minutes whose end is not planned yet."""
        m = MinutesVersionRow
        rows = await self.session.execute(
            select(m.id, m.council_id, m.publication_ends_at)
            .where(
                m.publication_ends_at.is_not(None),
                m.publication_announced_at.is_(None),
                ~self._anchored(ReminderKind.PUBLICATION_END, m.id, m.publication_ends_at),
            )
            .limit(limit)
        )
        return [(i, c, e) for i, c, e in rows.all() if e is not None]

    async def councils(self, ids: Sequence[int] | set[int]) -> dict[int, Council]:
        return await CouncilRepository(self.session).of_ids(ids)
