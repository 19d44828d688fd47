"""The outbox table: announcements queued with the change that caused them, leased and marked by the drainer.

A row is pending until it is sent (`sent_at`) or given up on (`dead_at`, a dead letter: never sent).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import OutboxRow


@dataclass(frozen=True)
class Queued:
    """An undelivered row as the drainer needs it."""

    id: int
    chat_key: str
    payload: dict[str, Any]
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    council_id: int | None = None
    dedupe_key: str | None = None


def _queued(row: OutboxRow) -> Queued:
    return Queued(
        row.id,
        row.chat_key,
        row.payload,
        row.attempts,
        row.next_attempt_at,
        row.created_at,
        row.council_id,
        row.dedupe_key,
    )


_PENDING = (OutboxRow.sent_at.is_(None), OutboxRow.dead_at.is_(None))


class OutboxRepository:
    """Never commits: `add` joins the caller's transaction; the drainer commits each step on its own."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        *,
        chat_key: str,
        payload: dict[str, Any],
        at: datetime,
        council_id: int | None = None,
        dedupe_key: str | None = None,
    ) -> int | None:
        """Queue a payload; its new id, or None if `dedupe_key` was queued before."""
        if dedupe_key is not None:
            seen = (await self.session.execute(select(OutboxRow.id).where(OutboxRow.dedupe_key == dedupe_key))).first()
            if seen:
                return None
        row = OutboxRow(
            council_id=council_id,
            chat_key=chat_key,
            dedupe_key=dedupe_key,
            payload=payload,
            created_at=at,
            next_attempt_at=at,
            attempts=0,
        )
        try:
            async with self.session.begin_nested():
                self.session.add(row)
        except IntegrityError:
            return None
        return row.id

    async def unsent(self, limit: int) -> Sequence[Queued]:
        """The oldest undelivered rows, due or not, in the order they were queued."""
        rows = (
            (await self.session.execute(select(OutboxRow).where(*_PENDING).order_by(OutboxRow.id).limit(limit)))
            .scalars()
            .all()
        )
        return [_queued(r) for r in rows]

    async def unsent_of(self, row_ids: Sequence[int]) -> Sequence[Queued]:
        """Those of these rows not delivered yet, in the order they were queued."""
        rows = (
            (
                await self.session.execute(
                    select(OutboxRow).where(OutboxRow.id.in_(list(row_ids)), *_PENDING).order_by(OutboxRow.id)
                )
            )
            .scalars()
            .all()
        )
        return [_queued(r) for r in rows]

    async def waiting_before(self, chat_key: str, row_id: int) -> bool:
        """Whether the chat has an undelivered row older than `row_id` (which must then go first)."""
        return (
            await self.session.execute(
                select(OutboxRow.id).where(OutboxRow.chat_key == chat_key, *_PENDING, OutboxRow.id < row_id).limit(1)
            )
        ).first() is not None

    async def lease(self, row_id: int, now: datetime, lease: timedelta) -> bool:
        """Take a due row for `lease` so that a second drainer (another worker) does not send it too."""
        result = await self.session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == row_id, *_PENDING, OutboxRow.next_attempt_at <= now)
            .values(next_attempt_at=now + lease)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]

    async def retry_later(self, row_id: int, attempts: int, at: datetime, error: str) -> None:
        await self.session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == row_id)
            .values(attempts=attempts, next_attempt_at=at, last_error=error[:500])
        )

    async def finish(self, row_id: int, at: datetime, ref: str | None, error: str | None) -> None:
        """Delivered, with the platform's reference to the message."""
        await self.session.execute(
            update(OutboxRow).where(OutboxRow.id == row_id).values(sent_at=at, message_ref=ref, last_error=error)
        )

    async def bury(self, row_id: int, at: datetime, attempts: int, error: str) -> None:
        """Given up on (a dead letter): kept with why, never sent; the chat's later rows go on."""
        await self.session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == row_id)
            .values(dead_at=at, attempts=attempts, last_error=error[:500])
        )

    async def follow_chat(self, old_chat_key: str, new_chat_key: str) -> None:
        """The chat got a new key (a migrated group): its undelivered rows go to the new one."""
        await self.session.execute(
            update(OutboxRow).where(OutboxRow.chat_key == old_chat_key, *_PENDING).values(chat_key=new_chat_key)
        )

    async def drop_unsent(self, chat_key: str) -> None:
        """The bot left the chat: what was still to be said there never will be."""
        await self.session.execute(delete(OutboxRow).where(OutboxRow.chat_key == chat_key, *_PENDING))
