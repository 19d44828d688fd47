"""Announcements to groups go through a table first, so none is lost when a platform is down.

`enqueue` adds a row inside the caller's transaction (the change and its announcement
commit together); `OutboxDrainer` delivers pending rows through a platform `Sender`,
retrying temporary failures with back-off, until each is accepted exactly once.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import OutboxRow

from .conversation import Button, Reply
from .dispatch import Clock, utc_now

log = logging.getLogger(__name__)


class TemporaryFailure(Exception):
    """The platform could not take the message now (429, 5xx, network): try again later."""

    def __init__(self, message: str = "", retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentFailure(Exception):
    """The message can never be delivered (the bot was removed from the group): give up on it."""


class Sender(Protocol):
    async def send(self, chat_key: str, reply: Reply) -> str | None:
        """Post the reply; return a reference to the posted message (for later edits) if any."""


def reply_to_json(reply: Reply) -> dict:
    return asdict(reply)


def reply_from_json(data: dict) -> Reply:
    buttons = tuple(tuple(Button(**b) for b in row) for row in data.get("buttons", ()))
    return Reply(**{**data, "buttons": buttons})


async def enqueue(session: AsyncSession, *, chat_key: str, reply: Reply, at: datetime,
                  council_id: int | None = None, dedupe_key: str | None = None) -> bool:
    """Queue an announcement in the caller's transaction; False if `dedupe_key` was queued before."""
    if dedupe_key is not None:
        seen = (await session.execute(select(OutboxRow.id).where(OutboxRow.dedupe_key == dedupe_key))).first()
        if seen:
            return False
    try:
        async with session.begin_nested():
            session.add(OutboxRow(council_id=council_id, chat_key=chat_key, dedupe_key=dedupe_key,
                                  payload=reply_to_json(reply), created_at=at, next_attempt_at=at, attempts=0))
    except IntegrityError:
        return False
    return True


class OutboxDrainer:
    """Delivers queued announcements in order, one chat at a time, retrying with back-off."""

    def __init__(self, sessions: async_sessionmaker, sender: Sender, clock: Clock = utc_now,
                 max_backoff: float = 60.0, batch: int = 50) -> None:
        self.sessions = sessions
        self.sender = sender
        self.clock = clock
        self.max_backoff = max_backoff
        self.batch = batch
        self.wake = asyncio.Event()

    async def drain_once(self) -> int:
        """Try every due row once; return how many were delivered."""
        async with self.sessions() as session:
            rows = (await session.execute(
                select(OutboxRow).where(OutboxRow.sent_at.is_(None), OutboxRow.next_attempt_at <= self.clock())
                .order_by(OutboxRow.id).limit(self.batch))).scalars().all()
            pending = [(r.id, r.chat_key, r.payload, r.attempts) for r in rows]
        delivered, blocked_chats = 0, set()
        for row_id, chat_key, payload, attempts in pending:
            if chat_key in blocked_chats:
                continue  # keep one chat's announcements in order
            if not await self._claim(row_id):
                continue
            try:
                ref = await self.sender.send(chat_key, reply_from_json(payload))
            except TemporaryFailure as failure:
                blocked_chats.add(chat_key)
                delay = failure.retry_after or min(2 ** attempts, self.max_backoff)
                await self._retry(row_id, attempts + 1, delay, str(failure))
                continue
            except PermanentFailure as failure:
                log.warning("outbox %s to %s dropped: %s", row_id, chat_key, failure)
                await self._finish(row_id, None, f"permanent: {failure}")
                continue
            except Exception as failure:  # a bug or an unknown error: retry, never lose the message
                log.exception("outbox %s to %s failed", row_id, chat_key)
                blocked_chats.add(chat_key)
                await self._retry(row_id, attempts + 1, min(2 ** attempts, self.max_backoff), repr(failure))
                continue
            await self._finish(row_id, ref, None)
            delivered += 1
        return delivered

    async def _claim(self, row_id: int) -> bool:
        """Lease the row for a while so a second drainer (another worker) does not send it too."""
        lease = self.clock() + timedelta(seconds=120)
        async with self.sessions() as session:
            result = await session.execute(update(OutboxRow).where(
                OutboxRow.id == row_id, OutboxRow.sent_at.is_(None), OutboxRow.next_attempt_at <= self.clock()
            ).values(next_attempt_at=lease))
            await session.commit()
            return result.rowcount == 1

    async def _retry(self, row_id: int, attempts: int, delay: float, error: str) -> None:
        async with self.sessions() as session:
            await session.execute(update(OutboxRow).where(OutboxRow.id == row_id).values(
                attempts=attempts, next_attempt_at=self.clock() + timedelta(seconds=delay), last_error=error[:500]))
            await session.commit()

    async def _finish(self, row_id: int, ref: str | None, error: str | None) -> None:
        async with self.sessions() as session:
            await session.execute(update(OutboxRow).where(OutboxRow.id == row_id).values(
                sent_at=self.clock(), message_ref=ref, last_error=error))
            await session.commit()

    async def run(self, stop: asyncio.Event, idle: float = 1.0) -> None:
        """Drain until `stop` is set; `wake` (set after an enqueue) skips the idle wait."""
        while not stop.is_set():
            try:
                await self.drain_once()
            except Exception:
                log.exception("outbox drain failed; trying again")
            self.wake.clear()
            try:
                await asyncio.wait_for(self.wake.wait(), timeout=idle)
            except asyncio.TimeoutError:
                pass
