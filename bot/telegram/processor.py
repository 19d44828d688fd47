"""Update processing order: different chats concurrently, one chat's updates strictly in turn.

PTB starts one task per update, in the order the updates arrive. Each task queues on its
chat's lock before its first pause, and asyncio locks hand over in arrival order, so one
chat's updates run one after the other in order while other chats proceed. A second limit
(`max_busy_chats`) bounds how many chats are worked on at once.
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


def chat_of(update: object) -> object:
    """The key that orders an update: its chat, else its sender, else nothing (runs freely)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return ("chat", update.effective_chat.id)
    if update.effective_user is not None:
        return ("user", update.effective_user.id)
    return None


class _Turn:
    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


class ChatOrderedProcessor(BaseUpdateProcessor):
    """`ApplicationBuilder().concurrent_updates(ChatOrderedProcessor())`."""

    def __init__(self, max_busy_chats: int = 64, max_pending_updates: int = 100_000) -> None:
        # PTB's own semaphore only bounds pending tasks; it is wide so that it never reorders them.
        super().__init__(max_pending_updates)
        self.max_busy_chats = max_busy_chats
        self._turns: dict[object, _Turn] = {}
        self._busy = asyncio.Semaphore(max_busy_chats)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_of(update)
        if key is None:
            async with self._busy:
                await coroutine
            return
        turn = self._turns.get(key)
        if turn is None:
            turn = self._turns[key] = _Turn()
        turn.users += 1
        try:
            async with turn.lock:
                async with self._busy:
                    await coroutine
        finally:
            turn.users -= 1
            if turn.users == 0:
                self._turns.pop(key, None)

    @property
    def busy_chats(self) -> int:
        return len(self._turns)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
