"""Ballots and their votes; a secret ballot's choices are sealed while it is open and destroyed once counted."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from deliberation.counting import Choice
from deliberation.electorate import register_digest, register_json, units_from_json
from deliberation.model import Ballot, Unit

from ..database import dialect_insert
from ..mapping import ballot_from_row, ballot_result_json
from ..models import BallotKeyRow, BallotRegisterRow, BallotRow, MotionRow, VoteRow
from ..sealing import Seal, new_key

# After a commit that destroyed a secret ballot's choices, the unit of work erases their traces from the
# database files (`storage.database.erase_traces`): set in the session's info by `forget_choices`.
SHREDDED = "yishi.shredded"

# A vote that still counts: a choice in the clear (open ballot) or sealed (secret ballot, until it closes).
_HAS_CHOICE = or_(VoteRow.choice.is_not(None), VoteRow.sealed.is_not(None))


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
        if ballot.secret:
            self.session.add(BallotKeyRow(ballot_id=row.id, key=new_key()))
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

    async def freeze_register(self, ballot_id: int, units: Sequence[Unit]) -> str:
        row = BallotRegisterRow(ballot_id=ballot_id, units=register_json(units), digest=register_digest(units))
        self.session.add(row)
        await self.session.flush()
        return row.digest

    async def register(self, ballot_id: int) -> Sequence[Unit] | None:
        row = await self.session.get(BallotRegisterRow, ballot_id)
        return None if row is None else units_from_json(row.units)

    async def update(self, ballot: Ballot) -> None:
        await self.session.execute(
            update(BallotRow)
            .where(BallotRow.id == ballot.id)
            .values(closes_at=ballot.closes_at, closed_at=ballot.closed_at, result=ballot_result_json(ballot.result))
        )


class VoteRepository:
    """Votes; a secret ballot's choices are stored sealed (`storage.sealing`) and without the time of voting."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._known: dict[int, dict[str, Choice]] | None = None
        self._seals: dict[int, Seal | None] = {}
        self._secret: set[int] = set()

    async def _seal(self, ballot_id: int) -> Seal | None:
        """The seal of an open secret ballot, else None; the ballot row is usually in the session already."""
        if ballot_id not in self._seals:
            ballot = await self.session.get(BallotRow, ballot_id)
            seal = None
            if ballot is not None and ballot.secret:
                self._secret.add(ballot_id)
                key = (
                    await self.session.execute(select(BallotKeyRow.key).where(BallotKeyRow.ballot_id == ballot_id))
                ).scalar_one_or_none()
                seal = None if key is None else Seal(key, ballot_id)  # no key: closed, its choices destroyed
            self._seals[ballot_id] = seal
        return self._seals[ballot_id]

    def _choice(self, ballot_id: int, voter: str, choice: str | None, sealed: bytes | None) -> Choice:
        """A stored choice, opened when sealed; every query here skips the rows whose choice was forgotten."""
        if choice is not None:
            return Choice(choice)
        seal = self._seals.get(ballot_id)
        if sealed is None or seal is None:
            raise ValueError("a forgotten secret choice was read as a vote")
        return Choice(seal.open(voter, sealed))

    async def _row(self, ballot_id: int, voter: str, member_id: int, choice: Choice, area: int, at: datetime) -> dict:
        values: dict[str, Any] = {"ballot_id": ballot_id, "voter": voter, "member_id": member_id, "area_cm2": area}
        seal = await self._seal(ballot_id)
        if seal is None and ballot_id in self._secret:
            raise ValueError(f"secret ballot {ballot_id} has no key: it was closed")
        if seal is None:
            values.update(choice=choice.value, sealed=None, cast_at=at)
        else:  # neither the choice in the clear nor the time of voting, which the ballot message's turnout dates
            values.update(choice=None, sealed=seal.seal(voter, choice.value), cast_at=None)
        return values

    def _upsert(self, table: Any) -> Any:
        stmt = dialect_insert(self.session, table)
        return stmt.on_conflict_do_update(
            index_elements=["ballot_id", "voter"],
            set_={
                "choice": stmt.excluded.choice,
                "sealed": stmt.excluded.sealed,
                "member_id": stmt.excluded.member_id,
                "cast_at": stmt.excluded.cast_at,
            },
        )

    async def upsert(
        self, ballot_id: int, voter: str, member_id: int, choice: Choice, area_cm2: int, at: datetime
    ) -> None:
        row = await self._row(ballot_id, voter, member_id, choice, area_cm2, at)
        await self.session.execute(self._upsert(VoteRow).values(**row))

    async def choice_of(self, ballot_id: int, voter: str) -> Choice | None:
        await self._seal(ballot_id)
        found = (
            await self.session.execute(
                select(VoteRow.choice, VoteRow.sealed).where(
                    VoteRow.ballot_id == ballot_id, VoteRow.voter == voter, _HAS_CHOICE
                )
            )
        ).one_or_none()
        return None if found is None else self._choice(ballot_id, voter, *found)

    async def prefetch_choices(self, ballot_ids: set[int]) -> None:
        """Read the choices of several open ballots at once; each `choices(ballot_id)` then takes its share."""
        known: dict[int, dict[str, Choice]] = {ballot_id: {} for ballot_id in ballot_ids}
        self._known = known
        if ballot_ids:
            for ballot_id in ballot_ids:
                await self._seal(ballot_id)
            rows = await self.session.execute(
                select(VoteRow.ballot_id, VoteRow.voter, VoteRow.choice, VoteRow.sealed).where(
                    VoteRow.ballot_id.in_(list(ballot_ids)), _HAS_CHOICE
                )
            )
            for ballot_id, voter, choice, sealed in rows:
                known[ballot_id][voter] = self._choice(ballot_id, voter, choice, sealed)

    async def choices(self, ballot_id: int) -> dict[str, Choice]:
        known = self._known
        if known is not None and ballot_id in known:
            return known.pop(ballot_id)  # read once: later calls see the database again
        await self._seal(ballot_id)
        rows = await self.session.execute(
            select(VoteRow.voter, VoteRow.choice, VoteRow.sealed).where(VoteRow.ballot_id == ballot_id, _HAS_CHOICE)
        )
        return {voter: self._choice(ballot_id, voter, choice, sealed) for voter, choice, sealed in rows}

    async def upsert_many(self, rows: Sequence[tuple[int, str, int, Choice, int, datetime]]) -> None:
        if not rows:
            return
        # Core on the table, one statement for every row count: compiled once and cached (executemany)
        await self.session.execute(self._upsert(VoteRow.__table__), [await self._row(*row) for row in rows])

    async def all(self, ballot_id: int) -> Sequence[tuple[str, int, Choice, int]]:
        await self._seal(ballot_id)
        rows = await self.session.execute(
            select(VoteRow.voter, VoteRow.member_id, VoteRow.choice, VoteRow.sealed, VoteRow.area_cm2)
            .where(VoteRow.ballot_id == ballot_id, _HAS_CHOICE)
            .order_by(VoteRow.id)
        )
        return [(v, m, self._choice(ballot_id, v, c, s), a) for v, m, c, s, a in rows]

    async def ledger(self, ballot_id: int) -> Sequence[tuple[str, int, datetime | None]]:
        rows = await self.session.execute(
            select(VoteRow.voter, VoteRow.area_cm2, VoteRow.cast_at)
            .where(VoteRow.ballot_id == ballot_id)
            .order_by(VoteRow.id)
        )
        return [(v, a, at) for v, a, at in rows]

    async def voters(self, ballot_id: int) -> Sequence[str]:
        return list((await self.session.execute(select(VoteRow.voter).where(VoteRow.ballot_id == ballot_id))).scalars())

    async def count(self, ballot_id: int) -> int:
        return (
            await self.session.execute(select(func.count()).select_from(VoteRow).where(VoteRow.ballot_id == ballot_id))
        ).scalar_one()

    async def counts(self, ballot_id: int) -> dict[Choice, int]:
        found: dict[Choice, int] = {}
        if await self._seal(ballot_id) is None:
            rows = await self.session.execute(
                select(VoteRow.choice, func.count())
                .where(VoteRow.ballot_id == ballot_id, VoteRow.choice.is_not(None))
                .group_by(VoteRow.choice)
            )
            found = {Choice(choice): count for choice, count in rows if choice is not None}
        else:  # sealed: only here, in memory, are they opened and counted
            for choice in (await self.choices(ballot_id)).values():
                found[choice] = found.get(choice, 0) + 1
        return {choice: found.get(choice, 0) for choice in Choice}

    async def forget_choices(self, ballot_id: int) -> None:
        # Keep who took part (turnout); destroy what each chose and when, and the key that opens any copy left.
        await self.session.execute(
            update(VoteRow).where(VoteRow.ballot_id == ballot_id).values(choice=None, sealed=None, cast_at=None)
        )
        await self.session.execute(delete(BallotKeyRow).where(BallotKeyRow.ballot_id == ballot_id))
        self._seals[ballot_id] = None
        self.session.info[SHREDDED] = True
