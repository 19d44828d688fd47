"""Announcements to groups go through a table first, so none is lost when a platform is down.

`enqueue` adds a row inside the caller's unit of work (the change and its announcement
commit together); `OutboxDrainer` delivers pending rows through a platform `Sender`,
retrying temporary failures with back-off, until each is accepted exactly once.
`enqueue_edit` queues a change to a message posted before (a ballot that loses its buttons
when the clock closes it): a sender with an `edit` method edits it, any other posts it anew.
`OutboxDrainer.deliver(ids)` sends rows just queued at once (the normal, fast case); what it
cannot send stays for the drainer's loop.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from deliberation.ports import Clock

from .dead_letters import QueuedRow, queue_dead_letter_notice
from .desk.messages import Reply
from .desk.outbox_rows import (  # noqa: F401  (queued by the desk and the alarm; named here for older callers)
    BUTTONS_ONLY_KEY,
    EDIT_KEY,
    enqueue,
    enqueue_drop_buttons,
    enqueue_edit,
    enqueue_row,
    reply_from_json,
    reply_to_json,
)

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=120)  # a row being sent is another drainer's for this long
MAX_ATTEMPTS = 8  # a row is given up on after this many failures ...
MIN_AGE = timedelta(minutes=15)  # ... spread over at least this long (an outage this short loses nothing),
MAX_AGE = timedelta(hours=24)  # ... or once it is this old, however few times it was tried


def utc_now() -> datetime:
    return datetime.now(UTC)


class OutboxStore(Protocol):
    """What the drainer needs of the outbox table (storage.repositories.outbox.OutboxRepository)."""

    async def unsent(self, limit: int) -> Any: ...
    async def unsent_of(self, row_ids: list[int]) -> Any: ...
    async def waiting_before(self, chat_key: str, row_id: int) -> bool: ...
    async def lease(self, row_id: int, now: datetime, lease: timedelta) -> bool: ...
    async def retry_later(self, row_id: int, attempts: int, at: datetime, error: str) -> None: ...
    async def bury(self, row_id: int, at: datetime, attempts: int, error: str) -> None: ...
    async def finish(self, row_id: int, at: datetime, ref: str | None, error: str | None) -> None: ...


class DrainerWork(Protocol):
    """A unit of work as the drainer uses it: its outbox and one commit."""

    outbox: OutboxStore

    async def commit(self) -> None: ...


NewUnitOfWork = Callable[[], AbstractAsyncContextManager[Any]]


class TemporaryFailure(Exception):
    """The platform could not take the message now (429, 5xx, network): try again later."""

    def __init__(self, message: str = "", retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class NotServedHere(TemporaryFailure):
    """No sender for the row's platform in this process: not an attempt, it waits for one that has it."""


class PermanentFailure(Exception):
    """The message can never be delivered (the bot was removed from the group): give up on it."""


class Sender(Protocol):
    async def send(self, chat_key: str, reply: Reply) -> str | None:
        """Post the reply; return a reference to the posted message (for later edits) if any.

        A sender may also have `async def edit(chat_key, reply) -> str | None`: replace the message
        posted for `reply.subject` (posting anew when there is none); without it edits are posted.
        """


class OutboxDrainer:
    """Delivers queued announcements in order, one chat at a time, retrying with back-off.

    A row that keeps failing is given up on (a dead letter) once it failed `max_attempts` times and has
    waited at least `min_age`, or has waited `max_age`; a permanent failure gives it up at once. The chat's
    later rows then go on in order, and the council's chairs are told once, in the council's chat.
    `min_age` is there so that a platform outage shorter than it loses nothing.
    """

    def __init__(
        self, new_uow: NewUnitOfWork, sender: Sender, clock: Clock = utc_now, max_backoff: float = 60.0, batch: int = 50
    ) -> None:
        self.new_uow = new_uow  # storage.uow.uow_factory(sessions): every step is its own short transaction
        self.sender = sender
        self.clock = clock
        self.max_backoff = max_backoff
        self.batch = batch
        self.max_attempts = MAX_ATTEMPTS
        self.min_age = MIN_AGE
        self.max_age = MAX_AGE
        self.wake = asyncio.Event()

    async def drain_once(self) -> int:
        """Try every due row once, oldest first; return how many were delivered.

        A chat's rows go out in order: while its oldest unsent row waits for a retry (or is being
        sent by another worker), its later rows wait too, even when they are due.
        """
        now = self.clock()
        async with self.new_uow() as uow:
            pending = list(await uow.outbox.unsent(self.batch * 10))
        delivered, blocked_chats = 0, set()
        for row in pending:
            if row.chat_key in blocked_chats:
                continue  # keep one chat's announcements in order
            if row.next_attempt_at > now:
                blocked_chats.add(row.chat_key)
                continue
            outcome = await self._deliver_row(row)
            if outcome == "sent":
                delivered += 1
            elif outcome != "dropped":
                blocked_chats.add(row.chat_key)
        return delivered

    async def deliver(self, row_ids: list[int]) -> int:
        """Send rows just queued (committed) now, in order; a row waits for the loop when an older
        row of its chat is still pending, or when sending fails. Returns how many were delivered."""
        if not row_ids:
            return 0
        async with self.new_uow() as uow:
            pending = list(await uow.outbox.unsent_of(row_ids))
            older = {}
            for chat_key in {row.chat_key for row in pending}:
                older[chat_key] = await uow.outbox.waiting_before(chat_key, min(row_ids))
        delivered, blocked_chats = 0, {chat for chat, waiting in older.items() if waiting}
        for row in pending:
            if row.chat_key in blocked_chats:
                continue
            outcome = await self._deliver_row(row)
            if outcome == "sent":
                delivered += 1
            elif outcome != "dropped":
                blocked_chats.add(row.chat_key)
        if delivered < len(pending):
            self.wake.set()
        return delivered

    async def _deliver_row(self, row: QueuedRow) -> str:
        """Claim and send one row: "sent", "retry" (failed, tried again later), "dropped" (a dead letter)
        or "taken" (another worker has it)."""
        row_id, chat_key, payload, attempts = row.id, row.chat_key, row.payload, row.attempts
        if not await self._claim(row_id):
            return "taken"
        try:
            reply = reply_from_json(payload)
            if payload.get(BUTTONS_ONLY_KEY):  # a sender that cannot edit has nothing to do here
                drop = getattr(self.sender, "drop_buttons", None)
                ref = await drop(chat_key, reply.subject) if drop is not None else None
            else:
                edit = getattr(self.sender, "edit", None) if payload.get(EDIT_KEY) else None
                ref = await (edit(chat_key, reply) if edit is not None else self.sender.send(chat_key, reply))
        except NotServedHere as failure:  # not an attempt: another process (or a restart) will send it
            await self._retry(row_id, attempts, failure.retry_after or self.max_backoff, str(failure))
            return "retry"
        except TemporaryFailure as failure:
            return await self._failed(row, str(failure), failure.retry_after)
        except PermanentFailure as failure:
            await self._bury(row, attempts + 1, f"permanent: {failure}")
            return "dropped"
        except Exception as failure:  # a bug or an unknown error: retry (up to the cap), never lose it silently
            log.exception("outbox %s to %s failed", row_id, chat_key)
            return await self._failed(row, repr(failure), None)
        await self._finish(row_id, ref, None)
        return "sent"

    def backoff(self, attempts: int, retry_after: float | None) -> float:
        """Seconds before the next attempt: the platform's word if it gave one, else exponential; jittered so
        that rows failing together do not all come back at the same moment."""
        if retry_after:  # a little later than asked, never earlier
            return retry_after + min(0.1 * retry_after, 0.5) * random.random()
        ceiling = min(2.0**attempts, self.max_backoff)
        return ceiling * random.uniform(0.5, 1.0)

    def gives_up(self, row: QueuedRow, attempts: int) -> bool:
        """Whether a row that just failed its `attempts`-th time is a dead letter."""
        age = self.clock() - row.created_at
        return age >= self.max_age or (attempts >= self.max_attempts and age >= self.min_age)

    async def _failed(self, row: QueuedRow, error: str, retry_after: float | None) -> str:
        attempts = row.attempts + 1
        if self.gives_up(row, attempts):
            await self._bury(row, attempts, error)
            return "dropped"
        await self._retry(row.id, attempts, self.backoff(row.attempts, retry_after), error)
        return "retry"

    async def _bury(self, row: QueuedRow, attempts: int, error: str) -> None:
        """Make the row a dead letter and queue the notice to the council's chairs, in one transaction."""
        log.warning("outbox %s to %s given up after %d attempts: %s", row.id, row.chat_key, attempts, error)
        async with self.new_uow() as uow:
            await uow.outbox.bury(row.id, self.clock(), attempts, error)
            await queue_dead_letter_notice(uow, row, self.clock())
            await uow.commit()
        self.wake.set()  # the chat's later rows, and the notice

    async def _claim(self, row_id: int) -> bool:
        """Lease the row for a while so a second drainer (another worker) does not send it too."""
        async with self.new_uow() as uow:
            taken = await uow.outbox.lease(row_id, self.clock(), LEASE)
            await uow.commit()
            return bool(taken)

    async def _retry(self, row_id: int, attempts: int, delay: float, error: str) -> None:
        async with self.new_uow() as uow:
            await uow.outbox.retry_later(row_id, attempts, self.clock() + timedelta(seconds=delay), error)
            await uow.commit()

    async def _finish(self, row_id: int, ref: str | None, error: str | None) -> None:
        async with self.new_uow() as uow:
            await uow.outbox.finish(row_id, self.clock(), ref, error)
            await uow.commit()

    async def run(self, stop: asyncio.Event, idle: float = 1.0) -> None:
        """Drain until `stop` is set; `wake` (set after an enqueue) skips the idle wait."""
        while not stop.is_set():
            self.wake.clear()  # before draining: a row queued while it drains wakes the next round
            try:
                await self.drain_once()
            except Exception:
                log.exception("outbox drain failed; trying again")
            try:
                await asyncio.wait_for(self.wake.wait(), timeout=idle)
            except TimeoutError:
                pass
