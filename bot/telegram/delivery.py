"""Posting to a chat: HTML messages with buttons, following migrated groups, noticing removal."""

from __future__ import annotations

import functools
import logging
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from telegram import Bot, InputFile, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter

from deliberation.model import Council

from ..desk.messages import Document, Reply
from .chats import TelegramChats
from .rendering import Chunk, caption_html, reply_chunks

log = logging.getLogger(__name__)

T = TypeVar("T")


class ChatGone(Exception):
    """The bot can no longer post in this chat (removed from the group, or blocked)."""

    def __init__(self, chat_id: int, reason: str) -> None:
        super().__init__(f"chat {chat_id}: {reason}")
        self.chat_id = chat_id
        self.reason = reason


def retry_seconds(error: RetryAfter) -> float:
    """How long Telegram asked us to wait (PTB 22 returns an int or a timedelta, with a warning)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def is_group(chat_id: int) -> bool:
    return chat_id < 0


# (old chat id, new chat id, the council that moved or None when nothing moved this time)
MigrationHook = Callable[[int, int, "Council | None"], Awaitable[None]]


class Delivery:
    """Sends replies; a group that became a supergroup is followed, a lost group is retired."""

    def __init__(self, bot: Bot, chats: TelegramChats) -> None:
        self.bot = bot
        self.chats = chats
        self.on_migrated: list[MigrationHook] = []
        # Content (cards, ballots, results, edits) being sent per chat; quiet acknowledgements wait for it.
        self.sending: dict[int, int] = {}
        self.on_idle: list[Callable[[int], None]] = []  # told when a chat has no content in flight

    async def send(
        self, chat_id: int, reply: Reply, *, reply_to: int | None = None, notify: bool = True
    ) -> tuple[int, list[Message]]:
        """Post `reply` (split when long); returns the chat it landed in and its messages.

        A reply with a `subject` is remembered (chat + subject -> message) for later edits;
        `pin` pins its first message when the bot may pin.
        """
        messages: list[Message] = []
        for chunk in reply_chunks(reply):
            post = functools.partial(self._post, chunk=chunk, reply_to=reply_to, notify=notify)
            chat_id, message = await self.call(chat_id, post)
            messages.append(message)
            reply_to = None  # only the first piece answers the member's message
        if reply.subject and messages:
            await self.chats.record_post(chat_id, reply.subject, messages[-1].message_id, messages[-1].text)
        if reply.pin and messages:
            await self.pin(chat_id, messages[0].message_id)
        return chat_id, messages

    async def send_document(self, chat_id: int, document: Document, *, reply_to: int | None = None) -> int:
        """Send a file (a minutes export); returns the chat it landed in."""
        chat_id, _ = await self.call(
            chat_id,
            lambda target: self.bot.send_document(
                target,
                InputFile(document.content, filename=document.filename),
                caption=caption_html(document.caption),
                parse_mode=ParseMode.HTML,
                reply_parameters=ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None,
            ),
        )
        return chat_id

    async def _post(self, chat_id: int, chunk: Chunk, reply_to: int | None, notify: bool) -> Message:
        return await self.bot.send_message(
            chat_id,
            chunk.html,
            parse_mode=ParseMode.HTML,
            reply_markup=chunk.markup,
            reply_parameters=ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None,
            disable_notification=not notify,
        )

    async def pin(self, chat_id: int, message_id: int) -> None:
        try:
            await self.bot.pin_chat_message(chat_id, message_id, disable_notification=True)
        except BadRequest as error:  # not an admin with the pin right: the message still stands
            log.info("could not pin %s in %s: %s", message_id, chat_id, error)

    def busy(self, chat_id: int) -> bool:
        """Is content being sent to this chat now?"""
        return chat_id in self.sending

    async def call(
        self,
        chat_id: int,
        request: Callable[[int], Awaitable[T]],
        *,
        follow_migration: bool = True,
        quiet: bool = False,
    ) -> tuple[int, T]:
        """Run one request for a chat: on ChatMigrated move the council and (if asked) repeat it
        in the new chat; on Forbidden in a group retire the council and raise ChatGone.
        A `quiet` request (an acknowledgement) is not content: acknowledgements do not wait for it."""
        if quiet:
            return await self._call(chat_id, request, follow_migration)
        self.sending[chat_id] = self.sending.get(chat_id, 0) + 1
        try:
            return await self._call(chat_id, request, follow_migration)
        finally:
            left = self.sending.pop(chat_id) - 1
            if left:
                self.sending[chat_id] = left
            else:
                for hook in self.on_idle:
                    hook(chat_id)

    async def _call(
        self, chat_id: int, request: Callable[[int], Awaitable[T]], follow_migration: bool
    ) -> tuple[int, T]:
        try:
            return chat_id, await request(chat_id)
        except ChatMigrated as migrated:
            new_chat_id = int(migrated.new_chat_id)
            await self.migrated(chat_id, new_chat_id)
            if not follow_migration:
                raise
            return await self._call(new_chat_id, request, False)
        except Forbidden as forbidden:
            if is_group(chat_id):
                await self.chats.retire(chat_id, reason=f"forbidden: {forbidden.message}")
            raise ChatGone(chat_id, forbidden.message) from forbidden

    async def migrated(self, old_chat_id: int, new_chat_id: int) -> None:
        """Move the council (idempotent) and tell the listeners (caches, notes to the group)."""
        moved = await self.chats.migrate(old_chat_id, new_chat_id)
        for hook in self.on_migrated:
            await hook(old_chat_id, new_chat_id, moved)
