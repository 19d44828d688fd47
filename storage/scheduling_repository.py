"""Repositories for meetings, assignments and reminders, and the unit of work that adds them to the core one."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy import exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from deliberation.delivery import (
    Assignment, AssignmentState, Meeting, MeetingState, Planned, Rating, Report, ReminderKind,
)

from .models import BallotRow, CouncilRow, MotionRow
from .repositories import _ballot, _council, _motion
from .scheduling_models import (
    AssignmentRow, AttendanceRow, MeetingRow, RatingRow, ReminderRow, ReportRow,
)

# The minutes engineer's table, named here by its columns only (see bot.scheduler.announce_publication_end).
MINUTES_VERSIONS = sa.table(
    "minutes_versions", sa.column("id", sa.Integer), sa.column("council_id", sa.Integer),
    sa.column("scope", sa.String), sa.column("version", sa.Integer),
    sa.column("publication_ends_at", sa.DateTime), sa.column("publication_announced_at", sa.DateTime))


def _insert(session: AsyncSession, table):
    return (postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert)(table)


def _aware(moment: datetime | None) -> datetime | None:
    """Plain DateTime columns (outside our models) come back naive UTC."""
    return None if moment is None else moment.replace(tzinfo=timezone.utc)


def _meeting(row: MeetingRow) -> Meeting:
    return Meeting(row.id, row.council_id, row.number, row.title, MeetingState(row.state), row.created_at,
                   row.starts_at, row.opened_at, row.adjourned_at)


class MeetingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def next_number(self, council_id: int) -> int:
        top = (await self.session.execute(
            select(func.max(MeetingRow.number)).where(MeetingRow.council_id == council_id))).scalar()
        return (top or 0) + 1

    async def add(self, meeting: Meeting) -> Meeting:
        row = MeetingRow(council_id=meeting.council_id, number=meeting.number, title=meeting.title,
                         state=meeting.state.value, created_at=meeting.created_at, starts_at=meeting.starts_at,
                         opened_at=meeting.opened_at, adjourned_at=meeting.adjourned_at)
        self.session.add(row)
        await self.session.flush()
        return _meeting(row)

    async def update(self, meeting: Meeting) -> None:
        await self.session.execute(update(MeetingRow).where(MeetingRow.id == meeting.id).values(
            title=meeting.title, state=meeting.state.value, starts_at=meeting.starts_at,
            opened_at=meeting.opened_at, adjourned_at=meeting.adjourned_at))

    async def get(self, meeting_id: int) -> Meeting | None:
        row = await self.session.get(MeetingRow, meeting_id)
        return None if row is None else _meeting(row)

    async def by_number(self, council_id: int, number: int) -> Meeting | None:
        row = (await self.session.execute(select(MeetingRow).where(
            MeetingRow.council_id == council_id, MeetingRow.number == number))).scalar_one_or_none()
        return None if row is None else _meeting(row)

    async def in_state(self, council_id: int, *states: MeetingState) -> Sequence[Meeting]:
        rows = await self.session.execute(select(MeetingRow).where(
            MeetingRow.council_id == council_id, MeetingRow.state.in_([s.value for s in states]))
            .order_by(MeetingRow.starts_at, MeetingRow.number))
        return [_meeting(r) for r in rows.scalars()]

    async def add_attendance(self, meeting_id: int, member_id: int, name: str, at: datetime) -> bool:
        """Record presence once; False when the member was already marked present."""
        stmt = _insert(self.session, AttendanceRow).values(meeting_id=meeting_id, member_id=member_id, name=name,
                                                             at=at).on_conflict_do_nothing()
        return (await self.session.execute(stmt)).rowcount == 1

    async def attendance(self, meeting_id: int) -> Sequence[tuple[int, str]]:
        rows = await self.session.execute(select(AttendanceRow.member_id, AttendanceRow.name)
                                          .where(AttendanceRow.meeting_id == meeting_id).order_by(AttendanceRow.id))
        return [(m, n) for m, n in rows]


def _assignment(row: AssignmentRow) -> Assignment:
    return Assignment(row.id, row.council_id, row.motion_id, row.number, row.assignee_id, row.assignee_name,
                      row.due_at, row.assigned_at, AssignmentState(row.state), row.done_at, row.last_report_at,
                      row.rating_closes_at, row.closed_at, row.result)


class AssignmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, a: Assignment) -> Assignment:
        row = AssignmentRow(council_id=a.council_id, motion_id=a.motion_id, number=a.number,
                            assignee_id=a.assignee_id, assignee_name=a.assignee_name, due_at=a.due_at,
                            assigned_at=a.assigned_at, state=a.state.value)
        self.session.add(row)
        await self.session.flush()
        return _assignment(row)

    async def update(self, a: Assignment) -> None:
        await self.session.execute(update(AssignmentRow).where(AssignmentRow.id == a.id).values(
            assignee_id=a.assignee_id, assignee_name=a.assignee_name, due_at=a.due_at, assigned_at=a.assigned_at,
            state=a.state.value, done_at=a.done_at, last_report_at=a.last_report_at,
            rating_closes_at=a.rating_closes_at, closed_at=a.closed_at, result=a.result))

    async def get(self, assignment_id: int) -> Assignment | None:
        row = await self.session.get(AssignmentRow, assignment_id)
        return None if row is None else _assignment(row)

    async def by_motion(self, motion_id: int) -> Assignment | None:
        row = (await self.session.execute(
            select(AssignmentRow).where(AssignmentRow.motion_id == motion_id))).scalar_one_or_none()
        return None if row is None else _assignment(row)

    async def all(self, council_id: int) -> Sequence[Assignment]:
        rows = await self.session.execute(select(AssignmentRow).where(AssignmentRow.council_id == council_id)
                                          .order_by(AssignmentRow.number))
        return [_assignment(r) for r in rows.scalars()]

    async def add_report(self, report: Report) -> None:
        self.session.add(ReportRow(assignment_id=report.assignment_id, member_id=report.member_id, name=report.name,
                                   text=report.text, done=report.done, at=report.at))
        await self.session.flush()

    async def reports(self, assignment_id: int) -> Sequence[Report]:
        rows = await self.session.execute(select(ReportRow).where(ReportRow.assignment_id == assignment_id)
                                          .order_by(ReportRow.id))
        return [Report(r.assignment_id, r.member_id, r.name, r.text, r.done, r.at) for r in rows.scalars()]

    async def upsert_rating(self, assignment_id: int, member_id: int, choice: Rating, at: datetime) -> Rating | None:
        """Record or change a member's rating (one row per member, whatever the races); return the previous one."""
        previous = (await self.session.execute(select(RatingRow.choice).where(
            RatingRow.assignment_id == assignment_id, RatingRow.member_id == member_id))).scalar_one_or_none()
        stmt = _insert(self.session, RatingRow).values(assignment_id=assignment_id, member_id=member_id,
                                                         choice=choice.value, at=at)
        stmt = stmt.on_conflict_do_update(index_elements=["assignment_id", "member_id"],
                                          set_={"choice": stmt.excluded.choice, "at": stmt.excluded.at})
        await self.session.execute(stmt)
        return None if previous is None else Rating(previous)

    async def ratings(self, assignment_id: int) -> Sequence[Rating]:
        rows = await self.session.execute(select(RatingRow.choice).where(RatingRow.assignment_id == assignment_id))
        return [Rating(c) for c in rows.scalars()]


class ReminderRepository:
    """The alarms' truth. Plans are inserted idempotently; a reminder is claimed (sent_at set) exactly once."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_plan(self, council_id: int, plan: Sequence[Planned], now: datetime) -> int:
        if not plan:
            return 0
        stmt = _insert(self.session, ReminderRow).values([
            {"council_id": council_id, "kind": p.kind.value, "subject_id": p.subject_id, "due_at": p.due_at,
             "expires_at": p.expires_at, "created_at": now} for p in plan])
        return (await self.session.execute(stmt.on_conflict_do_nothing())).rowcount

    async def pending(self, after_id: int = 0, limit: int | None = None) -> Sequence[tuple[int, str, datetime]]:
        """(id, kind, due_at) of every reminder not yet claimed, oldest id first."""
        stmt = (select(ReminderRow.id, ReminderRow.kind, ReminderRow.due_at)
                .where(ReminderRow.sent_at.is_(None), ReminderRow.id > after_id).order_by(ReminderRow.id))
        if limit:
            stmt = stmt.limit(limit)
        return [(i, k, d) for i, k, d in (await self.session.execute(stmt)).all()]

    async def get(self, reminder_id: int) -> ReminderRow | None:
        return await self.session.get(ReminderRow, reminder_id)

    async def claim_due(self, reminder_id: int, now: datetime):
        """Claim a reminder that is due, in the caller's transaction: (kind, subject_id, due_at, council_id),
        or None when it is not due yet or someone has claimed it already."""
        r = ReminderRow
        result = await self.session.execute(
            update(r).where(r.id == reminder_id, r.sent_at.is_(None), r.due_at <= now)
            .values(sent_at=now, outcome="fired").returning(r.kind, r.subject_id, r.due_at, r.council_id),
            execution_options={"synchronize_session": False})
        return result.first()

    async def claim(self, reminder_id: int, now: datetime, outcome: str) -> bool:
        """Mark it handled in the caller's transaction; True only for the one transaction that did so."""
        result = await self.session.execute(update(ReminderRow).where(
            ReminderRow.id == reminder_id, ReminderRow.sent_at.is_(None)).values(sent_at=now, outcome=outcome))
        return result.rowcount == 1

    async def set_outcome(self, reminder_id: int, outcome: str) -> None:
        await self.session.execute(update(ReminderRow).where(ReminderRow.id == reminder_id).values(outcome=outcome),
                                   execution_options={"synchronize_session": False})

    # ---- the scan: subjects whose plan has not been written yet (no anchor reminder) -------------

    def _anchored(self, kind: ReminderKind, subject_id, due_at):
        r = ReminderRow
        return exists().where(r.kind == kind.value, r.subject_id == subject_id, r.due_at == due_at)

    async def unplanned_motions(self, limit: int):
        proposed = (MotionRow.state == "proposed") & MotionRow.second_deadline.is_not(None) & ~self._anchored(
            ReminderKind.LAPSE, MotionRow.id, MotionRow.second_deadline)
        postponed = (MotionRow.state == "postponed") & MotionRow.postponed_until.is_not(None) & ~self._anchored(
            ReminderKind.RESUME, MotionRow.id, MotionRow.postponed_until)
        rows = await self.session.execute(select(MotionRow).where(proposed | postponed).limit(limit))
        return [_motion(r) for r in rows.scalars()]

    async def unplanned_ballots(self, limit: int):
        rows = await self.session.execute(select(BallotRow).where(
            BallotRow.closed_at.is_(None),
            ~self._anchored(ReminderKind.BALLOT_CLOSE, BallotRow.id, BallotRow.closes_at)).limit(limit))
        return [_ballot(r) for r in rows.scalars()]

    async def unplanned_meetings(self, limit: int) -> Sequence[Meeting]:
        rows = await self.session.execute(select(MeetingRow).where(
            MeetingRow.state == MeetingState.SCHEDULED.value, MeetingRow.starts_at.is_not(None),
            ~self._anchored(ReminderKind.MEETING_START, MeetingRow.id, MeetingRow.starts_at)).limit(limit))
        return [_meeting(r) for r in rows.scalars()]

    async def unplanned_assignments(self, limit: int) -> Sequence[Assignment]:
        assigned = (AssignmentRow.state == AssignmentState.ASSIGNED.value) & ~self._anchored(
            ReminderKind.OVERDUE, AssignmentRow.id, AssignmentRow.due_at)
        rating = (AssignmentRow.state == AssignmentState.RATING.value) & AssignmentRow.rating_closes_at.is_not(
            None) & ~self._anchored(ReminderKind.RATING_CLOSE, AssignmentRow.id, AssignmentRow.rating_closes_at)
        rows = await self.session.execute(select(AssignmentRow).where(assigned | rating).limit(limit))
        return [_assignment(r) for r in rows.scalars()]

    async def unplanned_publications(self, limit: int) -> Sequence[tuple[int, int, datetime]]:
        """(version id, council id, end of 公示) of published minutes whose end is not planned yet."""
        m = MINUTES_VERSIONS
        rows = await self.session.execute(select(m.c.id, m.c.council_id, m.c.publication_ends_at).where(
            m.c.publication_ends_at.is_not(None), m.c.publication_announced_at.is_(None),
            ~self._anchored(ReminderKind.PUBLICATION_END, m.c.id, m.c.publication_ends_at)).limit(limit))
        return [(i, c, _aware(e)) for i, c, e in rows.all()]

    async def councils(self, ids: Sequence[int]):
        rows = await self.session.execute(select(CouncilRow).where(CouncilRow.id.in_(list(ids))))
        return {r.id: _council(r) for r in rows.scalars()}


class DeliveryUnitOfWork:
    """The core unit of work plus meetings, assignments and reminders, on the same session and transaction.

    With `defer_commit` the use cases' own commit is held back, so the scheduler can add the claim of
    its reminder and the announcement to the same transaction and commit all three at once.
    """

    def __init__(self, uow, *, defer_commit: bool = False) -> None:
        self._uow = uow
        self.session = uow.session
        self.meetings = MeetingRepository(self.session)
        self.assignments = AssignmentRepository(self.session)
        self.reminders = ReminderRepository(self.session)
        self.defer_commit = defer_commit

    def __getattr__(self, name: str):
        return getattr(self._uow, name)

    async def commit(self) -> None:
        if not self.defer_commit:
            await self._uow.commit()

    async def rollback(self) -> None:
        await self._uow.rollback()
