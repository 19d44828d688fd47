"""The outbox's Telegram `Sender`: queued announcements out, Telegram errors mapped to retry or give up."""
from __future__ import annotations

import logging

from telegram.error import BadRequest, ChatMigrated, NetworkError, RetryAfter, TelegramError

from ..conversation import Reply
from ..outbox import PermanentFailure, TemporaryFailure
from .chats import chat_id_of
from .delivery import ChatGone, Delivery, retry_seconds

log = logging.getLogger(__name__)


class TelegramSender:
    """`OutboxDrainer(sessions, TelegramSender(delivery))`."""

    def __init__(self, delivery: Delivery) -> None:
        self.delivery = delivery

    async def send(self, chat_key: str, reply: Reply) -> str | None:
        chat_id = chat_id_of(chat_key)
        if chat_id is None:
            # Another platform's row in a shared database: not ours to send, and not ours to drop.
            raise TemporaryFailure(f"{chat_key} is not a Telegram chat", retry_after=3600)
        try:
            _, messages = await self.delivery.send(chat_id, reply)
        except RetryAfter as error:  # the rate limiter's own retries were not enough
            raise TemporaryFailure(str(error), retry_after=retry_seconds(error)) from error
        except ChatGone as gone:  # the council was retired and its queue dropped already
            raise PermanentFailure(gone.reason) from gone
        except ChatMigrated as error:  # migrated twice in a row: the next attempt follows again
            raise TemporaryFailure(str(error), retry_after=1) from error
        except BadRequest as error:  # chat not found, text refused: sending again cannot help
            raise PermanentFailure(error.message) from error
        except (NetworkError, TelegramError) as error:  # timeouts, 5xx, connection resets
            raise TemporaryFailure(str(error)) from error
        return str(messages[-1].message_id) if messages else None
