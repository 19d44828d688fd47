"""One outbox Sender for a process that serves several platforms: each chat key goes to its platform's sender.

Chat keys are "<platform>:<chat id>" (`Incoming.chat_key`): "telegram:-1001234", "wecom:b3", "console:main".
A row for a platform this process does not serve stays queued (a temporary failure) until a process that
serves it takes it, or this one is restarted with that platform configured.
"""

from __future__ import annotations

import logging

from .desk.messages import Reply
from .outbox import NotServedHere, Sender

log = logging.getLogger(__name__)

# How long a row for a platform nobody here serves waits before this process looks at it again.
UNSERVED_RETRY_SECONDS = 300.0


def platform_of(chat_key: str) -> str:
    return chat_key.partition(":")[0]


class PlatformRouter:
    """Sends, edits and drops buttons through the sender registered for the chat key's platform."""

    def __init__(self) -> None:
        self.senders: dict[str, Sender] = {}

    def add(self, platform: str, sender: Sender) -> None:
        self.senders[platform] = sender

    def _target(self, chat_key: str) -> Sender:
        sender = self.senders.get(platform_of(chat_key))
        if sender is None:
            raise NotServedHere(
                f"no sender for {platform_of(chat_key)!r} in this process", retry_after=UNSERVED_RETRY_SECONDS
            )
        return sender

    async def send(self, chat_key: str, reply: Reply) -> str | None:
        return await self._target(chat_key).send(chat_key, reply)

    async def edit(self, chat_key: str, reply: Reply) -> str | None:
        """The platform's edit, or a new post where the platform's sender cannot edit (the outbox's rule)."""
        target = self._target(chat_key)
        edit = getattr(target, "edit", None)
        return await (edit(chat_key, reply) if edit is not None else target.send(chat_key, reply))

    async def drop_buttons(self, chat_key: str, subject: str | None) -> str | None:
        """The platform's drop of a message's buttons; nothing where its sender has none."""
        drop = getattr(self._target(chat_key), "drop_buttons", None)
        return await drop(chat_key, subject) if drop is not None else None
