"""Telegram's chat realities in the database: where cards were posted, migrated groups, removed bots."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from typing import Any

from deliberation import council_moves
from deliberation.model import Council
from deliberation.ports import Clock

log = logging.getLogger(__name__)

PLATFORM = "telegram"


def chat_key(chat_id: int | str) -> str:
    return f"{PLATFORM}:{chat_id}"


def chat_id_of(key: str) -> int | None:
    """ "telegram:-100123" -> -100123; a key of another platform -> None."""
    platform, _, chat = key.partition(":")
    if platform != PLATFORM:
        return None
    try:
        return int(chat)
    except ValueError:
        return None


def _utc_now() -> datetime:
    return datetime.now(UTC)


class TelegramChats:
    """Remembers posted messages per subject and follows a council when its chat changes.

    The message a subject was posted as is read on every tally edit (a ballot under a burst: one edit per
    3 s in each of hundreds of groups), so it is kept in memory for `ref_ttl` seconds. A post recorded
    here replaces it at once; one recorded by another worker (a ballot posted anew) is seen within that
    time, and an edit of the old message meanwhile fails as "message can't be edited" or lands on the
    old copy, which the next edit after the interval corrects.
    """

    def __init__(
        self,
        new_uow: Callable[[], AbstractAsyncContextManager[Any]],
        clock: Clock = _utc_now,
        ref_ttl: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.new_uow = new_uow  # storage.uow.uow_factory(sessions)
        self.clock = clock
        self.ref_ttl = ref_ttl
        self.monotonic = monotonic
        self._refs: dict[tuple[int, str], tuple[float, int | None]] = {}

    # ---- posts: "ballot:4" in a chat -> the Telegram message to edit --------------------------

    async def post_ref(self, chat_id: int, subject: str) -> int | None:
        now = self.monotonic()
        cached = self._refs.get((chat_id, subject))
        if cached is not None and cached[0] > now:
            return cached[1]
        async with self.new_uow() as uow:
            ref = await uow.posts.ref(chat_key(chat_id), subject)
        try:
            message_id = int(ref) if ref else None
        except ValueError:
            message_id = None
        self._remember(chat_id, subject, message_id)
        return message_id

    def _remember(self, chat_id: int, subject: str, message_id: int | None) -> None:
        if len(self._refs) > 10_000:
            now = self.monotonic()
            self._refs = {key: value for key, value in self._refs.items() if value[0] > now}
        self._refs[(chat_id, subject)] = (self.monotonic() + self.ref_ttl, message_id)

    def _forget_chat(self, chat_id: int) -> None:
        self._refs = {key: value for key, value in self._refs.items() if key[0] != chat_id}

    async def record_post(self, chat_id: int, subject: str, message_id: int, rendered: str | None = None) -> None:
        async with self.new_uow() as uow:
            await uow.posts.record(chat_key(chat_id), subject, str(message_id), rendered, self.clock())
            await uow.commit()
        self._remember(chat_id, subject, message_id)

    # ---- councils --------------------------------------------------------------------------------

    async def council(self, chat_id: int) -> Council | None:
        async with self.new_uow() as uow:
            return await uow.councils.by_chat(chat_key(chat_id))

    async def migrate(self, old_chat_id: int, new_chat_id: int) -> Council | None:
        """A group became a supergroup: the council, its queued announcements and posts follow.

        Returns the moved council, or None when there was nothing to move (already moved, or no
        council). Posts are forgotten rather than moved: message ids belong to one chat, so an
        old id could name a different message in the new chat; the next edit posts afresh.
        """
        old_key, new_key = chat_key(old_chat_id), chat_key(new_chat_id)
        self._forget_chat(old_chat_id)
        async with self.new_uow() as uow:
            await uow.outbox.follow_chat(old_key, new_key)
            await uow.posts.forget_chat(old_key)
            moved = None
            taken = await uow.councils.standing_of(new_key) is not None
            at_old = await _standing(uow, old_key)
            entry = council_moves.move(old_key, new_key, at_old, taken)
            if at_old is not None and entry is not None:
                await uow.councils.lock(at_old.council_id)
                if await uow.councils.move(at_old.council_id, old_key, new_key):
                    await uow.events.append(at_old.council_id, entry.type, self.clock(), entry.payload)
                    if council_moves.announces_after_move(at_old):
                        moved = await uow.councils.get(at_old.council_id)
            await uow.commit()
        if moved is not None:
            log.info("council %s moved from %s to %s", moved.id, old_key, new_key)
        return moved

    async def retire(self, chat_id: int, reason: str) -> Council | None:
        """The bot left the group (removed, kicked, forbidden): deactivate its council, drop its queue."""
        key = chat_key(chat_id)
        self._forget_chat(chat_id)
        async with self.new_uow() as uow:
            council = await uow.councils.by_chat(key)
            await uow.outbox.drop_unsent(key)
            entry = council_moves.retire(
                key, None if council is None else council_moves.Standing(council.id, True), reason
            )
            if council is not None and entry is not None:
                await uow.councils.lock(council.id)
                await uow.councils.deactivate(council.id)
                await uow.events.append(council.id, entry.type, self.clock(), entry.payload)
            await uow.commit()
        if council is not None:
            log.warning("council %s in %s deactivated: %s", council.id, key, reason)
        return council

    async def restore(self, chat_id: int) -> Council | None:
        """The bot was added back to a group that had a council: the council resumes."""
        key = chat_key(chat_id)
        async with self.new_uow() as uow:
            at_chat = await _standing(uow, key)
            entry = council_moves.restore(key, at_chat)
            if at_chat is None or entry is None:
                return None
            await uow.councils.reactivate(at_chat.council_id)
            await uow.events.append(at_chat.council_id, entry.type, self.clock(), entry.payload)
            council = await uow.councils.get(at_chat.council_id)
            await uow.commit()
            return council


async def _standing(uow: Any, key: str) -> council_moves.Standing | None:
    found = await uow.councils.standing_of(key)
    return None if found is None else council_moves.Standing(*found)
