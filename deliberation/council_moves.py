"""A council follows its chat: moved when the group gets a new id, retired when the bot leaves, restored on return.

Each decision says whether anything changes and, if so, the event that goes into the council's chain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .events import COUNCIL_MOVED, COUNCIL_RESTORED, COUNCIL_RETIRED


@dataclass(frozen=True)
class Standing:
    """The council kept for a chat, as found: its id and whether it is active (retired councils are kept)."""

    council_id: int
    active: bool


@dataclass(frozen=True)
class ChainEntry:
    """What to record in the council's chain for a change of chat."""

    type: str
    payload: dict[str, Any] = field(default_factory=dict)


def move(
    old_chat: str, new_chat: str, at_old: Standing | None, new_chat_taken: bool, reason: str = "supergroup"
) -> ChainEntry | None:
    """The council of `old_chat` follows the group to `new_chat`; None when there is nothing to move
    (no council there, or it moved already) or the new chat has a council of its own (never merged)."""
    if at_old is None or new_chat_taken:
        return None
    return ChainEntry(COUNCIL_MOVED, {"from": old_chat, "to": new_chat, "reason": reason})


def announces_after_move(at_old: Standing) -> bool:
    """A retired council moves with its chat but stays retired: nobody is told."""
    return at_old.active


def retire(chat: str, at_chat: Standing | None, reason: str) -> ChainEntry | None:
    """The bot left the chat: its active council retires; None when there is none."""
    if at_chat is None or not at_chat.active:
        return None
    return ChainEntry(COUNCIL_RETIRED, {"chat": chat, "reason": reason})


def restore(chat: str, at_chat: Standing | None) -> ChainEntry | None:
    """The bot is back in the chat: its retired council resumes; None when there is none to resume."""
    if at_chat is None or at_chat.active:
        return None
    return ChainEntry(COUNCIL_RESTORED, {"chat": chat})
