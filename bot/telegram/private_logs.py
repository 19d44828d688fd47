"""Logs of the Telegram transport that carry neither the bot token nor what a member chose.

python-telegram-bot logs at DEBUG every update it fetches and every request with its parameters: a vote
button's data next to the member's name, the pop-up "recorded: against". httpx logs at INFO every request
URL, which holds the bot token. Whatever level an operator sets, those DEBUG lines are dropped and the
token is cut out of every line httpx writes (spec §10: no log reveals who chose what, or the token).
"""

from __future__ import annotations

import logging
import re

# The loggers whose DEBUG lines hold whole updates or request parameters.
CONTENT_LOGGERS = ("telegram.Bot", "telegram.ext.ExtBot", "telegram.ext.Application")
TOKEN_LOGGERS = ("httpx", "httpcore", "aiohttp.client")
_TOKEN = re.compile(r"bot\d+:[A-Za-z0-9_-]{10,}")


class NoContents(logging.Filter):
    """Drops DEBUG records: their contents may be a member's vote."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


class NoToken(logging.Filter):
    """Rewrites a record whose text holds a bot token ("bot123:ABC…" in a URL) with the token cut out."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if _TOKEN.search(text):
            record.msg, record.args = _TOKEN.sub("bot<token>", text), None
        return True


def install() -> None:
    """Put the filters on their loggers (once: a second call changes nothing)."""
    for names, kind in ((CONTENT_LOGGERS, NoContents), (TOKEN_LOGGERS, NoToken)):
        for name in names:
            logger = logging.getLogger(name)
            if not any(isinstance(f, kind) for f in logger.filters):
                logger.addFilter(kind())
