"""Councils: one per chat, found by chat key; moved, retired and restored with their chat."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from deliberation.chain import GENESIS
from deliberation.model import Council

from ..mapping import council_from_row, council_values
from ..models import CouncilRow


class CouncilRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_chat(self, chat_key: str) -> Council | None:
        row = (
            await self.session.execute(
                select(CouncilRow).where(CouncilRow.chat_key == chat_key, CouncilRow.active.is_(True))
            )
        ).scalar_one_or_none()
        return None if row is None else council_from_row(row)

    async def by_chats(self, chat_keys: set[str]) -> Sequence[Council]:
        rows = await self.session.execute(
            select(CouncilRow).where(CouncilRow.chat_key.in_(list(chat_keys)), CouncilRow.active.is_(True))
        )
        return [council_from_row(row) for row in rows.scalars()]

    async def get(self, council_id: int) -> Council:
        return council_from_row(await self.session.get_one(CouncilRow, council_id))

    async def get_optional(self, council_id: int) -> Council | None:
        row = await self.session.get(CouncilRow, council_id)
        return None if row is None else council_from_row(row)

    async def get_active(self, council_id: int) -> Council | None:
        """The council, unless it is gone or retired (its bot left the group)."""
        row = await self.session.get(CouncilRow, council_id)
        return None if row is None or not row.active else council_from_row(row)

    async def of_ids(self, council_ids: Sequence[int] | set[int]) -> dict[int, Council]:
        rows = await self.session.execute(select(CouncilRow).where(CouncilRow.id.in_(list(council_ids))))
        return {row.id: council_from_row(row) for row in rows.scalars()}

    async def all(self) -> Sequence[Council]:
        rows = (await self.session.execute(select(CouncilRow).where(CouncilRow.active.is_(True)))).scalars()
        return [council_from_row(r) for r in rows]

    async def add(self, council: Council) -> Council:
        row = CouncilRow(
            **council_values(council),
            chain_seq=0,
            chain_head=GENESIS,
            active=True,
            created_at=datetime.now().astimezone(),
        )
        self.session.add(row)
        await self.session.flush()
        return council_from_row(row)

    async def update(self, council: Council) -> None:
        await self.session.execute(
            update(CouncilRow).where(CouncilRow.id == council.id).values(**council_values(council))
        )

    async def lock(self, council_id: int) -> None:
        # PostgreSQL: a row lock serializes one council's changes across workers.
        # SQLite: BEGIN IMMEDIATE already holds the database's write lock.
        bind = self.session.bind
        if bind is not None and bind.dialect.name == "postgresql":
            await self.session.execute(select(CouncilRow.id).where(CouncilRow.id == council_id).with_for_update())

    async def deactivate(self, council_id: int) -> None:
        await self.session.execute(update(CouncilRow).where(CouncilRow.id == council_id).values(active=False))

    # ---- a council follows its chat ----------------------------------------------------------------

    async def standing_of(self, chat_key: str) -> tuple[int, bool] | None:
        """(council id, active) of the council kept for this chat, retired or not; None when there is none."""
        row = (
            await self.session.execute(select(CouncilRow.id, CouncilRow.active).where(CouncilRow.chat_key == chat_key))
        ).first()
        return None if row is None else (row[0], bool(row[1]))

    async def move(self, council_id: int, old_chat_key: str, new_chat_key: str) -> bool:
        """Give the council its new chat key; False when it was not at the old one any more (moved already)."""
        # Conditional, so that two workers hearing of the same migration move it once.
        result = await self.session.execute(
            update(CouncilRow)
            .where(CouncilRow.id == council_id, CouncilRow.chat_key == old_chat_key)
            .values(chat_key=new_chat_key)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]

    async def reactivate(self, council_id: int) -> None:
        await self.session.execute(update(CouncilRow).where(CouncilRow.id == council_id).values(active=True))
