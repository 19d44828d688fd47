"""The outbox's Telegram `Sender`: queued announcements out, Telegram errors mapped to retry or give up."""
from __future__ import annotations

import contextlib
import logging

from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, NetworkError, RetryAfter, TelegramError

from ..conversation import Edit, Reply
from ..outbox import NotServedHere, PermanentFailure, TemporaryFailure
from .chats import chat_id_of
from .delivery import ChatGone, Delivery, retry_seconds
from .edits import _GONE
from .rendering import edit_chunk

log = logging.getLogger(__name__)


class TelegramSender:
    """`OutboxDrainer(sessions, TelegramSender(delivery))`."""

    def __init__(self, delivery: Delivery) -> None:
        self.delivery = delivery

    async def send(self, chat_key: str, reply: Reply) -> str | None:
        chat_id = self._chat_id(chat_key)
        with _mapped_errors():
            _, messages = await self.delivery.send(chat_id, reply)
        return str(messages[-1].message_id) if messages else None

    async def edit(self, chat_key: str, reply: Reply) -> str | None:
        """Replace the message posted for `reply.subject` (a ballot closed by the clock loses its
        buttons); where there is none, or it can no longer be edited, post the reply anew."""
        chat_id = self._chat_id(chat_key)
        message_id = await self.delivery.chats.post_ref(chat_id, reply.subject) if reply.subject else None
        if message_id is None:
            return await self.send(chat_key, reply)
        chunk = edit_chunk(Edit(reply.subject, reply.text, reply.title, reply.buttons))
        with _mapped_errors(edit=True) as gone:
            await self.delivery.call(chat_id, lambda target: self.delivery.bot.edit_message_text(
                chunk.html, chat_id=target, message_id=message_id, parse_mode=ParseMode.HTML,
                reply_markup=chunk.markup), follow_migration=False)
        if gone:
            return await self.send(chat_key, reply)
        return str(message_id)

    async def drop_buttons(self, chat_key: str, subject: str) -> str | None:
        """Take the buttons off the message posted for `subject`; nothing when there is none (or it is gone)."""
        chat_id = self._chat_id(chat_key)
        message_id = await self.delivery.chats.post_ref(chat_id, subject)
        if message_id is None:
            return None
        with _mapped_errors(edit=True):
            await self.delivery.call(chat_id, lambda target: self.delivery.bot.edit_message_reply_markup(
                target, message_id, reply_markup=None), follow_migration=False)
        return str(message_id)

    @staticmethod
    def _chat_id(chat_key: str) -> int:
        chat_id = chat_id_of(chat_key)
        if chat_id is None:
            # Another platform's row in a shared database: not ours to send, and not ours to drop.
            raise NotServedHere(f"{chat_key} is not a Telegram chat", retry_after=3600)
        return chat_id


class _Gone(list):
    """Truthy when the message to edit is gone (too old, deleted): post it anew instead."""


@contextlib.contextmanager
def _mapped_errors(edit: bool = False):
    """Telegram errors -> TemporaryFailure (try again later) or PermanentFailure (give up)."""
    gone = _Gone()
    try:
        yield gone
    except RetryAfter as error:  # the rate limiter's own retries were not enough
        raise TemporaryFailure(str(error), retry_after=retry_seconds(error)) from error
    except ChatGone as lost:  # the council was retired and its queue dropped already
        raise PermanentFailure(lost.reason) from lost
    except ChatMigrated as error:  # migrated twice in a row: the next attempt follows again
        raise TemporaryFailure(str(error), retry_after=1) from error
    except BadRequest as error:  # chat not found, text refused: sending again cannot help
        text = error.message.lower()
        if edit and "message is not modified" in text:
            return  # it shows this already
        if edit and any(reason in text for reason in _GONE):
            gone.append(True)
            return
        raise PermanentFailure(error.message) from error
    except (NetworkError, TelegramError) as error:  # timeouts, 5xx, connection resets
        raise TemporaryFailure(str(error)) from error
