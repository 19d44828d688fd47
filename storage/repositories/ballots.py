"""Ballots and their votes; a secret ballot's choices are forgotten once counted."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from deliberation.counting import Choice
from deliberation.model import Ballot

from ..database import dialect_insert
from ..mapping import ballot_from_row, ballot_result_json
from ..models import BallotRow, MotionRow, VoteRow


def _counted(choice: str | None) -> Choice:
    """A stored choice; every query here skips NULL, the choice a secret ballot forgets once counted."""
    if choice is None:
        raise ValueError("a forgotten secret choice was read as a vote")
    return Choice(choice)


class BallotRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, ballot: Ballot) -> Ballot:
        row = BallotRow(
            council_id=ballot.council_id,
            motion_id=ballot.motion_id,
            opened_at=ballot.opened_at,
            closes_at=ballot.closes_at,
            threshold=ballot.threshold,
            secret=ballot.secret,
            eligible_voters=ballot.eligible_voters,
            members=ballot.members,
            total_area_cm2=ballot.total_area_cm2,
            total_owners=ballot.total_owners,
            present=ballot.present,
            closed_at=None,
            result={},
            rules=None if ballot.rules is None else ballot.rules.to_json(),
        )
        self.session.add(row)
        await self.session.flush()
        return ballot_from_row(row)

    async def prefetch(self, ballot_ids: set[int]) -> None:
        """Load these ballots and their motions into the session at once (`get` then needs no query)."""
        if ballot_ids:
            ballots = (
                await self.session.execute(select(BallotRow).where(BallotRow.id.in_(list(ballot_ids))))
            ).scalars()
            motion_ids = [row.motion_id for row in ballots]
            if motion_ids:
                await self.session.execute(select(MotionRow).where(MotionRow.id.in_(motion_ids)))

    async def get(self, ballot_id: int) -> Ballot | None:
        row = await self.session.get(BallotRow, ballot_id)
        return None if row is None else ballot_from_row(row)

    async def open_for_motion(self, motion_id: int) -> Ballot | None:
        row = (
            await self.session.execute(
                select(BallotRow).where(BallotRow.motion_id == motion_id, BallotRow.closed_at.is_(None))
            )
        ).scalar_one_or_none()
        return None if row is None else ballot_from_row(row)

    async def for_motion(self, motion_id: int) -> Sequence[Ballot]:
        rows = await self.session.execute(
            select(BallotRow).where(BallotRow.motion_id == motion_id).order_by(BallotRow.id)
        )
        return [ballot_from_row(r) for r in rows.scalars()]

    async def open_ballots(self) -> Sequence[Ballot]:
        rows = await self.session.execute(select(BallotRow).where(BallotRow.closed_at.is_(None)))
        return [ballot_from_row(r) for r in rows.scalars()]

    async def update(self, ballot: Ballot) -> None:
        await self.session.execute(
            update(BallotRow)
            .where(BallotRow.id == ballot.id)
            .values(closes_at=ballot.closes_at, closed_at=ballot.closed_at, result=ballot_result_json(ballot.result))
        )


class VoteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._known: dict[int, dict[str, Choice]] | None = None

    async def upsert(
        self, ballot_id: int, voter: str, member_id: int, choice: Choice, area_cm2: int, at: datetime
    ) -> None:
        stmt = dialect_insert(self.session, VoteRow).values(
            ballot_id=ballot_id, voter=voter, member_id=member_id, choice=choice.value, area_cm2=area_cm2, cast_at=at
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["ballot_id", "voter"],
            set_={
                "choice": stmt.excluded.choice,
                "member_id": stmt.excluded.member_id,
                "cast_at": stmt.excluded.cast_at,
            },
        )
        await self.session.execute(stmt)

    async def choice_of(self, ballot_id: int, voter: str) -> Choice | None:
        value = (
            await self.session.execute(
                select(VoteRow.choice).where(VoteRow.ballot_id == ballot_id, VoteRow.voter == voter)
            )
        ).scalar_one_or_none()
        return None if value is None else Choice(value)

    async def prefetch_choices(self, ballot_ids: set[int]) -> None:
        """Read the choices of several open ballots at once; each `choices(ballot_id)` then takes its share."""
        known: dict[int, dict[str, Choice]] = {ballot_id: {} for ballot_id in ballot_ids}
        self._known = known
        if ballot_ids:
            rows = await self.session.execute(
                select(VoteRow.ballot_id, VoteRow.voter, VoteRow.choice).where(
                    VoteRow.ballot_id.in_(list(ballot_ids)), VoteRow.choice.is_not(None)
                )
            )
            for ballot_id, voter, choice in rows:
                known[ballot_id][voter] = _counted(choice)

    async def choices(self, ballot_id: int) -> dict[str, Choice]:
        known = self._known
        if known is not None and ballot_id in known:
            return known.pop(ballot_id)  # read once: later calls see the database again
        rows = await self.session.execute(
            select(VoteRow.voter, VoteRow.choice).where(VoteRow.ballot_id == ballot_id, VoteRow.choice.is_not(None))
        )
        return {voter: _counted(choice) for voter, choice in rows}

    async def upsert_many(self, rows: Sequence[tuple[int, str, int, Choice, int, datetime]]) -> None:
        if not rows:
            return
        # Core on the table, one statement for every row count: compiled once and cached (executemany)
        stmt = dialect_insert(self.session, VoteRow.__table__)
        stmt = stmt.on_conflict_do_update(
            index_elements=["ballot_id", "voter"],
            set_={
                "choice": stmt.excluded.choice,
                "member_id": stmt.excluded.member_id,
                "cast_at": stmt.excluded.cast_at,
            },
        )
        await self.session.execute(
            stmt,
            [
                {"ballot_id": b, "voter": v, "member_id": m, "choice": c.value, "area_cm2": a, "cast_at": at}
                for b, v, m, c, a, at in rows
            ],
        )

    async def all(self, ballot_id: int) -> Sequence[tuple[str, int, Choice, int]]:
        rows = await self.session.execute(
            select(VoteRow.voter, VoteRow.member_id, VoteRow.choice, VoteRow.area_cm2)
            .where(VoteRow.ballot_id == ballot_id, VoteRow.choice.is_not(None))
            .order_by(VoteRow.id)
        )
        return [(v, m, _counted(c), a) for v, m, c, a in rows]

    async def voters(self, ballot_id: int) -> Sequence[str]:
        return list((await self.session.execute(select(VoteRow.voter).where(VoteRow.ballot_id == ballot_id))).scalars())

    async def count(self, ballot_id: int) -> int:
        return (
            await self.session.execute(select(func.count()).select_from(VoteRow).where(VoteRow.ballot_id == ballot_id))
        ).scalar_one()

    async def counts(self, ballot_id: int) -> dict[Choice, int]:
        rows = await self.session.execute(
            select(VoteRow.choice, func.count())
            .where(VoteRow.ballot_id == ballot_id, VoteRow.choice.is_not(None))
            .group_by(VoteRow.choice)
        )
        found = {_counted(choice): count for choice, count in rows}
        return {choice: found.get(choice, 0) for choice in Choice}

    async def forget_choices(self, ballot_id: int) -> None:
        # Keep who took part (turnout), destroy what each chose and when.
        await self.session.execute(
            update(VoteRow).where(VoteRow.ballot_id == ballot_id).values(choice=None, cast_at=None)
        )
