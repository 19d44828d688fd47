"""Update processing order: different chats concurrently, one chat's updates strictly in turn.

PTB starts one task per update, in the order the updates arrive. Each task queues its update
on its chat's line before its first pause; the first task of a chat works the line until it is
empty, the others wait for theirs to be done. So one chat's updates run one after the other in
order while other chats proceed, and a second limit (`max_busy_chats`) bounds how many chats
are worked on at once.

A burst of vote presses in one group is the heavy case (spec §10: 1,000 members within a
second). With a `batcher`, a run of consecutive presses it accepts is worked together: the
batcher records them all in one unit of work (`prepare`, one commit), then the presses are
handled — answered — side by side. Nothing else of the chat runs in between, so the order of
the chat's updates still holds.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)


def chat_of(update: object) -> object:
    """The key that orders an update: its chat, else its sender, else nothing (runs freely)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return ("chat", update.effective_chat.id)
    if update.effective_user is not None:
        return ("user", update.effective_user.id)
    return None


class Batcher(Protocol):
    def batchable(self, update: object) -> bool:
        """May this update be worked in a run with its neighbours of the same chat?"""

    async def prepare(self, updates: Sequence[object]) -> None:
        """Do the run's work together before each update is handled; must not raise."""


class _Turn:
    __slots__ = ("line", "working")

    def __init__(self) -> None:
        self.line: deque[tuple[object, Awaitable[Any], asyncio.Future]] = deque()
        self.working = False


class ChatOrderedProcessor(BaseUpdateProcessor):
    """`ApplicationBuilder().concurrent_updates(ChatOrderedProcessor())`."""

    def __init__(
        self,
        max_busy_chats: int = 64,
        max_pending_updates: int = 100_000,
        batcher: Batcher | None = None,
        max_run: int = 200,
        answer_concurrency: int = 8,
    ) -> None:
        # PTB's own semaphore only bounds pending tasks; it is wide so that it never reorders them.
        super().__init__(max_pending_updates)
        self.max_busy_chats = max_busy_chats
        self.batcher = batcher
        self.max_run = max_run
        self.answer_concurrency = answer_concurrency
        self._turns: dict[object, _Turn] = {}
        self._busy = asyncio.Semaphore(max_busy_chats)
        self.on_idle: list[Callable[[object], None]] = []  # told (with the key) when a chat's line empties

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_of(update)
        if key is None:
            async with self._busy:
                await coroutine
            return
        turn = self._turns.get(key)
        if turn is None:
            turn = self._turns[key] = _Turn()
        done = asyncio.get_running_loop().create_future()
        turn.line.append((update, coroutine, done))
        if not turn.working:
            turn.working = True
            try:
                await self._work(turn)
            finally:
                turn.working = False
                if turn.line:  # cancelled while working: the rest of the line is not handled
                    for _update, rest, waiting in turn.line:
                        _close(rest)
                        if not waiting.done():
                            waiting.cancel()
                    turn.line.clear()
                self._turns.pop(key, None)
                for hook in self.on_idle:
                    hook(key)
        await done

    async def _work(self, turn: _Turn) -> None:
        while turn.line:
            if self.batcher is not None and len(turn.line) == 1 and self.batcher.batchable(turn.line[0][0]):
                await asyncio.sleep(0)  # let the updates fetched with this one join its line first
            update, coroutine, done = turn.line.popleft()
            if self.batcher is not None and self.batcher.batchable(update):
                run = [(update, coroutine, done)]
                while turn.line and len(run) < self.max_run and self.batcher.batchable(turn.line[0][0]):
                    run.append(turn.line.popleft())
                async with self._busy:
                    await self._run(self.batcher, run)
                continue
            async with self._busy:
                await _settle(coroutine, done)

    async def _run(self, batcher: Batcher, run: list[tuple[object, Awaitable[Any], asyncio.Future]]) -> None:
        # A run of one too: the batcher may record it together with other chats' runs (group commit).
        try:
            await batcher.prepare([update for update, _, _ in run])
        except Exception:  # noqa: BLE001 - each update is then handled on its own
            log.exception("a run of %d updates could not be prepared together", len(run))
        limit = asyncio.Semaphore(self.answer_concurrency)

        async def one(coroutine: Awaitable[Any], done: asyncio.Future) -> None:
            async with limit:
                await _settle(coroutine, done)

        await asyncio.gather(*(one(coroutine, done) for _, coroutine, done in run))

    def working(self, key: object) -> bool:
        """Are updates of this chat (`chat_of`) being handled or waiting their turn?"""
        return key in self._turns

    @property
    def busy_chats(self) -> int:
        return len(self._turns)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


async def _settle(coroutine: Awaitable[Any], done: asyncio.Future) -> None:
    try:
        await coroutine
    except asyncio.CancelledError:
        if not done.done():
            done.cancel()
        raise
    except BaseException as error:  # noqa: BLE001 - handed to the update's own task
        if not done.done():
            done.set_exception(error)
        return
    if not done.done():
        done.set_result(None)


def _close(coroutine: Awaitable[Any]) -> None:
    close = getattr(coroutine, "close", None)
    if close is not None:
        close()
