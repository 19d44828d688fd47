"""The desk's command areas; each module exports its `TABLE`, and `ALL` is every area in menu order."""

from __future__ import annotations

from ..context import Table
from . import (
    ballots,
    board,
    channels,
    community,
    council,
    follow_up,
    hall,
    meetings,
    minutes,
    motions,
    nantang,
    owners,
    proceedings,
)

ALL: tuple[Table, ...] = (
    council.TABLE,
    nantang.TABLE,
    motions.TABLE,
    ballots.TABLE,
    channels.TABLE,
    meetings.TABLE,
    follow_up.TABLE,
    minutes.TABLE,
    proceedings.TABLE,
    board.TABLE,
    owners.TABLE,
    hall.TABLE,
    community.TABLE,
)

# Every command name the full desk knows (the Telegram menu shows only these).
COMMAND_NAMES: frozenset[str] = frozenset(name for table in ALL for name in table.commands)
