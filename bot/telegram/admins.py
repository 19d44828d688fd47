"""Group administrators (chairs by default), fetched with getChatAdministrators and cached briefly."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from telegram import Bot
from telegram.error import TelegramError

log = logging.getLogger(__name__)


class AdminCache:
    """`await admins.is_admin(chat_id, user_id)`: one API call per chat per `ttl` seconds at most."""

    def __init__(self, bot: Bot, ttl: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.bot = bot
        self.ttl = ttl
        self.clock = clock
        self.retry_after_failure = min(10.0, ttl)
        self._admins: dict[int, tuple[float, frozenset[int]]] = {}

    async def is_admin(self, chat_id: int, user_id: int) -> bool:
        return user_id in await self.admins(chat_id)

    async def admins(self, chat_id: int) -> frozenset[int]:
        cached = self._admins.get(chat_id)
        if cached is not None and self.clock() - cached[0] < self.ttl:
            return cached[1]
        # One chat's updates are handled one at a time (see processor.py), so no two lookups race here.
        ids = await self._fetch(chat_id)
        fetched_at = self.clock() if ids is not None else self.clock() - self.ttl + self.retry_after_failure
        self._admins[chat_id] = (fetched_at, ids or frozenset())
        return ids or frozenset()

    async def _fetch(self, chat_id: int) -> frozenset[int] | None:
        try:
            members = await self.bot.get_chat_administrators(chat_id)
        except TelegramError as error:
            # Not fatal: without the list nobody is a chair by platform right (roles still work);
            # the empty answer is kept a short while so a failing chat is not asked on every update.
            log.warning("getChatAdministrators(%s) failed: %s", chat_id, error)
            return None
        return frozenset(m.user.id for m in members)

    def forget(self, chat_id: int) -> None:
        self._admins.pop(chat_id, None)

    def move(self, old_chat_id: int, new_chat_id: int) -> None:
        self._admins.pop(old_chat_id, None)
        self._admins.pop(new_chat_id, None)
