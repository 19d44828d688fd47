"""Stored minutes versions: add a version, read any version, track publication (公示). Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, inspect, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from deliberation.minutes import MinutesVersion

from ..mapping import minutes_version_from_row
from ..models import MinutesVersionRow


class MinutesRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def next_version(self, council_id: int, scope: str) -> int:
        top = (
            await self.session.execute(
                select(func.max(MinutesVersionRow.version)).where(
                    MinutesVersionRow.council_id == council_id, MinutesVersionRow.scope == scope
                )
            )
        ).scalar()
        return (top or 0) + 1

    async def add(
        self,
        council_id: int,
        scope: str,
        version: int,
        body: dict,
        markdown: str,
        *,
        chain_head: str,
        chain_seq: int,
        created_at: datetime,
        created_by: str | None = None,
        published_at: datetime | None = None,
        publication_ends_at: datetime | None = None,
    ) -> MinutesVersion:
        row = MinutesVersionRow(
            council_id=council_id,
            scope=scope,
            version=version,
            body=body,
            markdown=markdown,
            chain_head=chain_head,
            chain_seq=chain_seq,
            created_at=created_at,
            created_by=created_by,
            published_at=published_at,
            publication_ends_at=publication_ends_at,
        )
        self.session.add(row)
        await self.session.flush()
        return minutes_version_from_row(row)

    async def get(self, version_id: int) -> MinutesVersion | None:
        row = await self.session.get(MinutesVersionRow, version_id)
        return None if row is None else minutes_version_from_row(row)

    async def find(self, council_id: int, scope: str, version: int) -> MinutesVersion | None:
        row = (
            await self.session.execute(
                select(MinutesVersionRow).where(
                    MinutesVersionRow.council_id == council_id,
                    MinutesVersionRow.scope == scope,
                    MinutesVersionRow.version == version,
                )
            )
        ).scalar_one_or_none()
        return None if row is None else minutes_version_from_row(row)

    async def latest(self, council_id: int, scope: str | None = None) -> MinutesVersion | None:
        """The newest version for the scope (or the newest of the council's minutes)."""
        query = select(MinutesVersionRow).where(MinutesVersionRow.council_id == council_id)
        if scope is not None:
            query = query.where(MinutesVersionRow.scope == scope)
        row = (await self.session.execute(query.order_by(MinutesVersionRow.id.desc()).limit(1))).scalar_one_or_none()
        return None if row is None else minutes_version_from_row(row)

    async def versions(self, council_id: int, scope: str | None = None) -> Sequence[MinutesVersion]:
        """Every version, oldest first: corrections never hide what was published before."""
        query = select(MinutesVersionRow).where(MinutesVersionRow.council_id == council_id)
        if scope is not None:
            query = query.where(MinutesVersionRow.scope == scope)
        rows = await self.session.execute(query.order_by(MinutesVersionRow.id))
        return [minutes_version_from_row(r) for r in rows.scalars()]

    async def set_pinned(self, version_id: int, message_ref: str) -> None:
        await self.session.execute(
            update(MinutesVersionRow).where(MinutesVersionRow.id == version_id).values(pinned_message_ref=message_ref)
        )

    async def publication_ended(self, now: datetime) -> Sequence[MinutesVersion]:
        """Published versions whose 公示 period has ended and has not been announced yet."""
        rows = await self.session.execute(
            select(MinutesVersionRow)
            .where(
                MinutesVersionRow.publication_ends_at.is_not(None),
                MinutesVersionRow.publication_ends_at <= now,
                MinutesVersionRow.publication_announced_at.is_(None),
            )
            .order_by(MinutesVersionRow.publication_ends_at)
        )
        return [minutes_version_from_row(r) for r in rows.scalars()]

    async def publications_pending(self) -> Sequence[MinutesVersion]:
        """Published versions whose end is still to be announced (to rebuild reminders at start-up)."""
        rows = await self.session.execute(
            select(MinutesVersionRow)
            .where(
                MinutesVersionRow.publication_ends_at.is_not(None), MinutesVersionRow.publication_announced_at.is_(None)
            )
            .order_by(MinutesVersionRow.publication_ends_at)
        )
        return [minutes_version_from_row(r) for r in rows.scalars()]

    async def supersede(self, version_id: int, at: datetime) -> None:
        """A correction replaces this version: its 公示 ends now, with no separate announcement
        (the correction's own post says what it corrects). The version itself stays readable."""
        await self.session.execute(
            update(MinutesVersionRow)
            .where(MinutesVersionRow.id == version_id, MinutesVersionRow.publication_announced_at.is_(None))
            .values(publication_ends_at=at, publication_announced_at=at)
        )

    async def mark_announced(self, version_id: int, at: datetime) -> bool:
        """Claim the end-of-publication announcement; False if another scheduler already did."""
        result = await self.session.execute(
            update(MinutesVersionRow)
            .where(MinutesVersionRow.id == version_id, MinutesVersionRow.publication_announced_at.is_(None))
            .values(publication_announced_at=at)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]

    async def available(self) -> bool:
        """False on a database migrated to a revision before minutes were kept."""

        def has_table(sync_session: Any) -> bool:
            return bool(inspect(sync_session.connection()).has_table(MinutesVersionRow.__tablename__))

        return await self.session.run_sync(has_table)
