"""A member's message that gave away a secret (a typed vote in a secret ballot): removed, answered privately."""

from __future__ import annotations

import logging

from telegram.error import TelegramError

from ..desk.messages import Response
from .delivery import ChatGone, Delivery

log = logging.getLogger(__name__)


async def withdraw(delivery: Delivery, chat_id: int, message_id: int, user_id: int | None, response: Response) -> None:
    """Delete the message where the bot may, tell the member privately why, and never react to it.

    The group hears nothing; only when the message could be neither deleted nor answered privately (the
    bot is no admin, the member never started a chat with it) does the refusal answer it in the group:
    what it gave away is on show anyway, and the member learns that it was not counted.
    """
    removed = told = False
    try:
        await delivery.call(chat_id, lambda target: delivery.bot.delete_message(target, message_id))
        removed = True
    except TelegramError as error:  # not an admin with the right to delete, or too old
        log.info("message %s in %s not deleted: %s", message_id, chat_id, error)
    if user_id is not None:
        for reply in response.replies:
            try:
                await delivery.send(user_id, reply)
                told = True
            except (ChatGone, TelegramError) as error:  # the member never started a private chat with the bot
                log.info("no private answer to %s: %s", user_id, error)
                break
    if not removed and not told:
        for reply in response.replies:
            await delivery.send(chat_id, reply, reply_to=message_id)
