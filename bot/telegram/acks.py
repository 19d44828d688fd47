"""Quiet acknowledgements (the 👍 on a /join, a speech request, a typed vote) never hold up content.

Under Telegram's flood limit (about 20 messages a minute in a group) every reaction takes a slot, so
40 joins used to queue 40 reactions ahead of the next motion card. Here an acknowledgement waits in
its chat's queue while the chat has content to send: updates still in its line (the chat-ordered
processor) or a card, ballot, result or edit being sent (`Delivery`). Once the chat is quiet, what
has gathered goes out: a reaction for one or a few, and one note ("已登记 40 人") for a wave, so a
wave costs one slot, not forty. At most one acknowledgement of a chat is with the rate limiter at a
time, so content that comes after it waits for one slot at most. Content keeps its own order: it
never waits here.

An acknowledgement is a courtesy: it is not kept in the database, and a crash may lose it (the
member's command itself is recorded, and /show says so).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ack:
    message_id: int
    user_id: int
    locale: str


@dataclass
class _Queue:
    acks: list[Ack] = field(default_factory=list)
    task: asyncio.Task | None = None
    wake: asyncio.Event = field(default_factory=asyncio.Event)


# react(chat_id, message_id); note(chat_id, people, locale): the Telegram calls (bot/telegram/adapter.py)
React = Callable[[int, int], Awaitable[None]]
Note = Callable[[int, int, str], Awaitable[None]]


class Acknowledgements:
    """`submit(chat_id, ack)` returns at once; `wake(chat_id)` when the chat's content may be done.

    `busy` are the questions "does this chat have content to send now?" (any True holds the queue).
    More than `coalesce_above` gathered acknowledgements become one note. An acknowledgement waits at
    most `max_hold` seconds for a busy chat (a chat busy for that long gets its note then).
    """

    def __init__(
        self,
        react: React,
        note: Note,
        *,
        coalesce_above: int = 3,
        max_hold: float = 30.0,
        grace: float = 0.3,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.react = react
        self.note = note
        self.coalesce_above = coalesce_above
        self.max_hold = max_hold
        self.grace = grace
        self.clock = clock
        self.busy: list[Callable[[int], bool]] = []
        self._queues: dict[int, _Queue] = {}
        self.sent_reactions = 0
        self.sent_notes = 0

    def submit(self, chat_id: int, ack: Ack) -> None:
        queue = self._queues.get(chat_id)
        if queue is None:
            queue = self._queues[chat_id] = _Queue()
        queue.acks.append(ack)
        if queue.task is None or queue.task.done():
            queue.task = asyncio.create_task(self._work(chat_id, queue), name=f"acks {chat_id}")

    def wake(self, chat_id: int) -> None:
        queue = self._queues.get(chat_id)
        if queue is not None:
            queue.wake.set()

    def pending(self, chat_id: int) -> int:
        queue = self._queues.get(chat_id)
        return len(queue.acks) if queue else 0

    def _is_busy(self, chat_id: int) -> bool:
        return any(question(chat_id) for question in self.busy)

    async def _quiet(self, chat_id: int, queue: _Queue, since: float) -> None:
        """Wait until the chat has no content to send (or the acknowledgement waited `max_hold`).

        After a busy spell the chat must stay quiet for `grace` seconds too: the next batch of a wave
        (getUpdates hands out 100 at a time) then joins the same note."""
        waited = False
        while True:
            while self._is_busy(chat_id):
                waited = True
                left = since + self.max_hold - self.clock()
                if left <= 0:
                    return
                queue.wake.clear()
                try:
                    await asyncio.wait_for(queue.wake.wait(), left)
                except TimeoutError:
                    return
            if not waited or self.grace <= 0:
                return
            waited = False
            await asyncio.sleep(self.grace)

    async def _work(self, chat_id: int, queue: _Queue) -> None:
        try:
            while queue.acks:
                await asyncio.sleep(0)  # the handler that queued it finishes first
                await self._quiet(chat_id, queue, self.clock())
                taken, queue.acks = queue.acks, []
                try:
                    await self._send(chat_id, queue, taken)
                except Exception:  # a courtesy: logged, never retried
                    log.exception("acknowledgements in %s not sent", chat_id)
        finally:
            if not queue.acks and self._queues.get(chat_id) is queue:
                del self._queues[chat_id]

    async def _send(self, chat_id: int, queue: _Queue, taken: list[Ack]) -> None:
        if len(taken) > self.coalesce_above:
            people = len({ack.user_id for ack in taken})
            await self.note(chat_id, people, taken[-1].locale)
            self.sent_notes += 1
            return
        for i, ack in enumerate(taken):
            if i:  # content that came meanwhile goes first; what is left may join a wave
                await self._quiet(chat_id, queue, self.clock())
                if queue.acks:
                    queue.acks[:0] = taken[i:]
                    return
            await self.react(chat_id, ack.message_id)
            self.sent_reactions += 1

    async def settle(self, timeout: float | None = None) -> None:
        """Wait until every queued acknowledgement is sent (tests, shutdown)."""
        tasks = [q.task for q in self._queues.values() if q.task is not None and not q.task.done()]
        if tasks:
            await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout)
