"""Coalesced message edits: at most one edit per message per interval, and the latest text wins.

A burst of 1,000 votes asks for 1,000 tally edits; this sends the first at once and then one
every `interval` seconds carrying whatever is newest. The outbox's edits (a closed ballot's final
text) are written through the same per-message slot (`write_through`): they replace any tally
still waiting, so each message has one writer at a time and a stale tally never lands after the
final text. "Message is not modified" counts as
done; a message that can no longer be edited (too old, deleted, lost in a migration) is
replaced by a new message, which later edits then target.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, RetryAfter, TelegramError

from ..desk.messages import Edit, Reply
from .delivery import ChatGone, Delivery, retry_seconds
from .rendering import Chunk, edit_chunk

log = logging.getLogger(__name__)

T = TypeVar("T")

GONE = (
    "message can't be edited",
    "message to edit not found",
    "message_id_invalid",
    "message identifier is not specified",
)


@dataclass
class _Slot:
    """One subject in one chat: the newest wanted content and when it was last written."""

    wanted: Edit | None = None
    written: Chunk | None = None
    last_at: float = float("-inf")
    task: asyncio.Task | None = None
    failures: int = 0
    waiters: list[asyncio.Future] = field(default_factory=list)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # one write to this message at a time


class CoalescedEdits:
    """`submit(chat_id, edit)` returns at once; the edit is written now or with the next batch."""

    def __init__(
        self,
        delivery: Delivery,
        interval: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
        max_failures: int = 5,
    ) -> None:
        self.delivery = delivery
        self.interval = interval
        self.clock = clock
        self.max_failures = max_failures
        self._slots: dict[tuple[int, str], _Slot] = {}
        self._hurry = asyncio.Event()  # set on shutdown: write pending edits without waiting

    def submit(self, chat_id: int, edit: Edit) -> None:
        if len(self._slots) > 2000:
            self._prune()
        slot = self._slots.setdefault((chat_id, edit.subject), _Slot())
        slot.wanted = edit
        if slot.task is None or slot.task.done():
            slot.task = asyncio.create_task(
                self._run(chat_id, edit.subject, slot), name=f"edit {chat_id} {edit.subject}"
            )

    async def write_through(self, chat_id: int, edit: Edit, write: Callable[[], Awaitable[T]]) -> T:
        """Write `edit` now with `write`, in the message's slot: a tally waiting there is dropped (this is
        newer), one being written is waited for. `write`'s errors are the caller's (the outbox retries)."""
        slot = self._slots.setdefault((chat_id, edit.subject), _Slot())
        async with slot.lock:
            slot.wanted = None
            result = await write()
            slot.written, slot.last_at = edit_chunk(edit), self.clock()
            return result

    def _prune(self) -> None:
        """Forget idle subjects whose interval is over (they would be edited at once anyway)."""
        now = self.clock()
        for key, slot in list(self._slots.items()):
            if (slot.task is None or slot.task.done()) and now - slot.last_at > self.interval:
                del self._slots[key]

    async def _pause(self, seconds: float) -> None:
        if seconds <= 0 or self._hurry.is_set():
            return
        try:
            await asyncio.wait_for(self._hurry.wait(), seconds)
        except TimeoutError:
            pass

    async def _run(self, chat_id: int, subject: str, slot: _Slot) -> None:
        try:
            while slot.wanted is not None:
                await self._pause(slot.last_at + self.interval - self.clock())
                async with slot.lock:
                    if slot.wanted is None:  # written through meanwhile (`write_through`): nothing older goes
                        break
                    edit, slot.wanted = slot.wanted, None
                    try:
                        if not await self._write(chat_id, edit, slot):
                            continue  # already showing this: no call made, no interval spent
                        slot.failures = 0
                    except RetryAfter as error:  # the rate limiter gave up retrying: keep the newest, wait
                        slot.wanted = slot.wanted or edit
                        slot.last_at = self.clock() + retry_seconds(error) - self.interval
                        continue
                    except ChatGone:
                        return
                    except ChatMigrated as migrated:  # the council has moved: post afresh in the new chat
                        self._slots.pop((chat_id, subject), None)
                        self.submit(int(migrated.new_chat_id), slot.wanted or edit)
                        return
                    except TelegramError as error:
                        slot.failures += 1
                        if slot.failures < self.max_failures:
                            log.warning("edit of %s in %s failed (%s); trying again", subject, chat_id, error)
                            slot.wanted = slot.wanted or edit
                        else:
                            log.error("edit of %s in %s given up: %s", subject, chat_id, error)
                            slot.failures = 0
                    except Exception:
                        log.exception("edit of %s in %s failed", subject, chat_id)
                    slot.last_at = self.clock()
        finally:
            for waiter in slot.waiters:
                if not waiter.done():
                    waiter.set_result(None)
            slot.waiters.clear()

    async def _write(self, chat_id: int, edit: Edit, slot: _Slot) -> bool:
        """Show `edit`; False when the message already shows it (nothing sent)."""
        chunk = edit_chunk(edit)
        if slot.written == chunk:
            return False
        message_id = await self.delivery.chats.post_ref(chat_id, edit.subject)
        if message_id is None:
            await self._repost(chat_id, edit)
        else:
            try:
                await self.delivery.call(
                    chat_id,
                    lambda target: self.delivery.bot.edit_message_text(
                        chunk.html,
                        chat_id=target,
                        message_id=message_id,
                        parse_mode=ParseMode.HTML,
                        reply_markup=chunk.markup,
                    ),
                    follow_migration=False,
                )
            except BadRequest as error:
                text = error.message.lower()
                if "message is not modified" in text:
                    pass
                elif any(reason in text for reason in GONE):
                    log.info("%s in %s can no longer be edited (%s): posting it again", edit.subject, chat_id, error)
                    await self._repost(chat_id, edit)
                else:
                    raise
        slot.written = chunk
        return True

    async def _repost(self, chat_id: int, edit: Edit) -> None:
        await self.delivery.send(
            chat_id, Reply(edit.text, title=edit.title, buttons=edit.buttons, subject=edit.subject), notify=False
        )

    async def settle(self, timeout: float | None = None) -> None:
        """Wait until every submitted edit is written (tests use it; `close` too)."""
        while True:
            waiters = []
            for slot in list(self._slots.values()):
                if slot.task is not None and not slot.task.done():
                    future = asyncio.get_running_loop().create_future()
                    slot.waiters.append(future)
                    waiters.append(future)
            if not waiters:
                return
            await asyncio.wait_for(asyncio.gather(*waiters), timeout)

    async def close(self, timeout: float = 10.0) -> None:
        """Write what is pending now, without waiting out the interval, then stop."""
        self._hurry.set()
        try:
            await self.settle(timeout)
        except TimeoutError:
            log.warning("pending edits not written before shutdown")
        for slot in self._slots.values():
            if slot.task is not None and not slot.task.done():
                slot.task.cancel()
