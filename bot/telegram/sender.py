"""The outbox's Telegram `Sender`: queued announcements out, Telegram errors mapped to retry or give up."""

from __future__ import annotations

import contextlib
import logging

from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, NetworkError, RetryAfter, TelegramError

from ..desk.messages import Edit, Reply
from ..outbox import NotServedHere, PermanentFailure, TemporaryFailure
from .chats import chat_id_of
from .delivery import ChatGone, Delivery, retry_seconds
from .edits import GONE, CoalescedEdits
from .rendering import edit_chunk

log = logging.getLogger(__name__)


class TelegramSender:
    """`OutboxDrainer(new_uow, TelegramSender(delivery, edits))`.

    With the coalesced editor, an outbox edit is written through that message's slot: it replaces a
    live tally still waiting there, so the closed ballot's final text is the last (and one) edit.
    """

    def __init__(self, delivery: Delivery, edits: CoalescedEdits | None = None) -> None:
        self.delivery = delivery
        self.edits = edits

    async def send(self, chat_key: str, reply: Reply) -> str | None:
        chat_id = self._chat_id(chat_key)
        with _mapped_errors():
            _, messages = await self.delivery.send(chat_id, reply)
        return str(messages[-1].message_id) if messages else None

    async def edit(self, chat_key: str, reply: Reply) -> str | None:
        """Replace the message posted for `reply.subject` (a closed ballot's final text, without buttons);
        where there is none, or it can no longer be edited, post the reply anew."""
        chat_id = self._chat_id(chat_key)
        if self.edits is not None and reply.subject:
            edit = Edit(reply.subject, reply.text, reply.title, reply.buttons)
            return await self.edits.write_through(chat_id, edit, lambda: self._edit(chat_key, chat_id, reply))
        return await self._edit(chat_key, chat_id, reply)

    async def _edit(self, chat_key: str, chat_id: int, reply: Reply) -> str | None:
        message_id = await self.delivery.chats.post_ref(chat_id, reply.subject) if reply.subject else None
        if message_id is None or reply.subject is None:
            return await self.send(chat_key, reply)
        chunk = edit_chunk(Edit(reply.subject, reply.text, reply.title, reply.buttons))
        with _mapped_errors(edit=True) as gone:
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
            await self.delivery.call(
                chat_id,
                lambda target: self.delivery.bot.edit_message_reply_markup(target, message_id, reply_markup=None),
                follow_migration=False,
            )
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
        if edit and any(reason in text for reason in GONE):
            gone.append(True)
            return
        raise PermanentFailure(error.message) from error
    except (NetworkError, TelegramError) as error:  # timeouts, 5xx, connection resets
        raise TemporaryFailure(str(error)) from error
