"""The civil278 channels: tellers, paper-slip entries, the ballot attempts ledger and proxies.

A secret ballot's choices in attempts and paper entries are sealed under the ballot's own key
(`storage.sealing`, as the votes are) and erased when it closes: after close no row links an owner to a choice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from deliberation.channels import Attempt, Channel, PaperEntry, Proxy, Teller, TellerRole
from deliberation.counting import Choice

from ..models import BallotAttemptRow, BallotKeyRow, BallotRow, PaperEntryRow, ProxyRow, TellerRow
from ..sealing import Seal
from .ballots import SHREDDED


class _Sealer:
    """The seal of an open secret ballot (None for an open ballot); its key goes when the ballot closes."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._seals: dict[int, Seal | None] = {}

    async def seal_of(self, ballot_id: int) -> Seal | None:
        if ballot_id not in self._seals:
            ballot = await self.session.get(BallotRow, ballot_id)
            seal = None
            if ballot is not None and ballot.secret:
                key = (
                    await self.session.execute(select(BallotKeyRow.key).where(BallotKeyRow.ballot_id == ballot_id))
                ).scalar_one_or_none()
                seal = None if key is None else Seal(key, ballot_id)
            self._seals[ballot_id] = seal
        return self._seals[ballot_id]

    async def store(self, ballot_id: int, bound: str, choice: Choice | None) -> tuple[str | None, bytes | None]:
        seal = await self.seal_of(ballot_id)
        if choice is None:
            return None, None
        if seal is None:
            return choice.value, None
        return None, seal.seal(bound, choice.value)

    async def read(self, ballot_id: int, bound: str, choice: str | None, sealed: bytes | None) -> Choice | None:
        if choice is not None:
            return Choice(choice)
        seal = await self.seal_of(ballot_id)
        if sealed is None or seal is None:
            return None
        return Choice(seal.open(bound, sealed))

    def forget(self, ballot_id: int) -> None:
        self._seals[ballot_id] = None


class BallotAttemptRepository:
    """`uow.ballot_attempts`: every accepted vote attempt of a ballot, in order; read by the evidence pack."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._sealer = _Sealer(session)

    @staticmethod
    def _bound(owner: str, at: datetime, channel: str) -> str:
        return f"attempt\x1f{owner}\x1f{int(at.timestamp())}\x1f{channel}"

    async def add(self, attempt: Attempt) -> Attempt:
        choice, sealed = await self._sealer.store(
            attempt.ballot_id, self._bound(attempt.owner, attempt.at, attempt.channel), attempt.choice
        )
        row = BallotAttemptRow(
            ballot_id=attempt.ballot_id,
            owner=attempt.owner,
            channel=attempt.channel.value,
            by=attempt.by,
            member_id=attempt.member_id,
            choice=choice,
            sealed=sealed,
            at=attempt.at,
            counted=attempt.counted,
        )
        self.session.add(row)
        await self.session.flush()
        return await self._from_row(row)

    async def _from_row(self, row: BallotAttemptRow) -> Attempt:
        choice = await self._sealer.read(
            row.ballot_id, self._bound(row.owner, row.at, row.channel), row.choice, row.sealed
        )
        return Attempt(
            row.ballot_id, row.owner, Channel(row.channel), row.at, choice, row.by, row.member_id, row.counted, row.id
        )

    async def for_ballot(self, ballot_id: int) -> Sequence[Attempt]:
        """Every attempt, oldest first; a closed secret ballot's come without their choices."""
        rows = await self.session.execute(
            select(BallotAttemptRow).where(BallotAttemptRow.ballot_id == ballot_id).order_by(BallotAttemptRow.id)
        )
        return [await self._from_row(r) for r in rows.scalars()]

    async def for_owner(self, ballot_id: int, owner: str) -> Sequence[Attempt]:
        rows = await self.session.execute(
            select(BallotAttemptRow)
            .where(BallotAttemptRow.ballot_id == ballot_id, BallotAttemptRow.owner == owner)
            .order_by(BallotAttemptRow.id)
        )
        return [await self._from_row(r) for r in rows.scalars()]

    async def set_counted(self, ballot_id: int, owner: str, attempt_id: int) -> None:
        """Mark `attempt_id` as the owner's counted attempt, and no other."""
        await self.session.execute(
            update(BallotAttemptRow)
            .where(BallotAttemptRow.ballot_id == ballot_id, BallotAttemptRow.owner == owner)
            .values(counted=BallotAttemptRow.id == attempt_id)
        )

    async def forget_choices(self, ballot_id: int) -> None:
        """A secret ballot closed: no attempt or paper entry keeps its choice (the key goes with the votes')."""
        for table in (BallotAttemptRow, PaperEntryRow):
            await self.session.execute(
                update(table).where(table.ballot_id == ballot_id).values(choice=None, sealed=None)
            )
        self._sealer.forget(ballot_id)
        self.session.info[SHREDDED] = True


class PaperEntryRepository:
    """`uow.paper_entries`: the tellers' entries of returned slips."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._sealer = _Sealer(session)

    @staticmethod
    def _bound(owner: str, teller_id: int, at: datetime) -> str:
        return f"paper\x1f{owner}\x1f{teller_id}\x1f{int(at.timestamp())}"

    async def add(self, entry: PaperEntry) -> PaperEntry:
        choice, sealed = await self._sealer.store(
            entry.ballot_id, self._bound(entry.owner, entry.teller_id, entry.at), entry.choice
        )
        row = PaperEntryRow(
            ballot_id=entry.ballot_id,
            owner=entry.owner,
            teller_id=entry.teller_id,
            teller=entry.teller,
            role=entry.role.value,
            choice=choice,
            sealed=sealed,
            at=entry.at,
            replaced=False,
        )
        self.session.add(row)
        await self.session.flush()
        return await self._from_row(row)

    async def _from_row(self, row: PaperEntryRow) -> PaperEntry:
        choice = await self._sealer.read(
            row.ballot_id, self._bound(row.owner, row.teller_id, row.at), row.choice, row.sealed
        )
        return PaperEntry(
            row.ballot_id,
            row.owner,
            row.teller_id,
            row.teller,
            TellerRole(row.role),
            choice,
            row.at,
            row.replaced,
            row.id,
        )

    async def replace(self, entry_id: int) -> None:
        await self.session.execute(update(PaperEntryRow).where(PaperEntryRow.id == entry_id).values(replaced=True))

    async def for_slip(self, ballot_id: int, owner: str) -> Sequence[PaperEntry]:
        rows = await self.session.execute(
            select(PaperEntryRow)
            .where(PaperEntryRow.ballot_id == ballot_id, PaperEntryRow.owner == owner)
            .order_by(PaperEntryRow.id)
        )
        return [await self._from_row(r) for r in rows.scalars()]

    async def for_ballot(self, ballot_id: int) -> Sequence[PaperEntry]:
        rows = await self.session.execute(
            select(PaperEntryRow).where(PaperEntryRow.ballot_id == ballot_id).order_by(PaperEntryRow.id)
        )
        return [await self._from_row(r) for r in rows.scalars()]


class TellerRepository:
    """`uow.tellers`: the council's tellers, past and present."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def _from_row(row: TellerRow) -> Teller:
        return Teller(
            row.council_id, row.member_id, row.name, TellerRole(row.role), row.appointed_at, row.removed_at, row.id
        )

    async def add(self, teller: Teller) -> Teller:
        row = TellerRow(
            council_id=teller.council_id,
            member_id=teller.member_id,
            name=teller.name,
            role=teller.role.value,
            appointed_at=teller.appointed_at,
            removed_at=None,
        )
        self.session.add(row)
        await self.session.flush()
        return self._from_row(row)

    async def remove(self, teller_id: int, at: datetime) -> None:
        await self.session.execute(update(TellerRow).where(TellerRow.id == teller_id).values(removed_at=at))

    async def all(self, council_id: int) -> Sequence[Teller]:
        rows = await self.session.execute(
            select(TellerRow).where(TellerRow.council_id == council_id).order_by(TellerRow.id)
        )
        return [self._from_row(r) for r in rows.scalars()]


class ProxyRepository:
    """`uow.proxies`: written proxies, with the signed 委托书's file id, sha256 and bytes when kept."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def _from_row(row: ProxyRow) -> Proxy:
        return Proxy(
            row.council_id,
            row.owner,
            row.unit,
            row.holder_id,
            row.holder,
            row.granted_by,
            row.via,
            row.created_at,
            row.until,
            row.file_id,
            row.file_sha256,
            row.revoked_at,
            row.id,
        )

    async def add(self, proxy: Proxy, file_bytes: bytes | None = None) -> Proxy:
        row = ProxyRow(
            council_id=proxy.council_id,
            owner=proxy.owner,
            unit=proxy.unit,
            holder_id=proxy.holder_id,
            holder=proxy.holder,
            granted_by=proxy.granted_by,
            via=proxy.via,
            created_at=proxy.created_at,
            until=proxy.until,
            file_id=proxy.file_id,
            file_sha256=proxy.file_sha256,
            file_bytes=file_bytes,
            revoked_at=None,
        )
        self.session.add(row)
        await self.session.flush()
        return self._from_row(row)

    async def revoke(self, proxy_id: int, at: datetime) -> None:
        await self.session.execute(update(ProxyRow).where(ProxyRow.id == proxy_id).values(revoked_at=at))

    async def all(self, council_id: int) -> Sequence[Proxy]:
        rows = await self.session.execute(
            select(ProxyRow).where(ProxyRow.council_id == council_id).order_by(ProxyRow.id)
        )
        return [self._from_row(r) for r in rows.scalars()]

    async def attachment(self, proxy_id: int) -> bytes | None:
        """The bytes of the signed 委托书 as kept (None when only the platform's file id is known)."""
        return (
            await self.session.execute(select(ProxyRow.file_bytes).where(ProxyRow.id == proxy_id))
        ).scalar_one_or_none()
