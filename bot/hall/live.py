"""Wakes the hall's live pages when a council's record moves on.

The database is the source of every change: on PostgreSQL each worker listens for the notifications the
database sends at commit (storage.live), whichever worker made the change; elsewhere (SQLite: one process)
the pages look at the council's chain head every second.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

POLL = 1.0  # seconds between looks at the chain head when nothing notifies
HEARTBEAT = 15.0  # seconds: when notified, still look now and then (and keep proxies from closing the stream)


class Changes:
    """`changed(council_id)` wakes everyone in `wait(council_id)`."""

    def __init__(self, *, notified: bool = False) -> None:
        self.notified = notified  # True when a listener calls `changed` for every committed change
        self._waiting: defaultdict[int, set[asyncio.Event]] = defaultdict(set)

    def changed(self, council_id: int) -> None:
        for event in self._waiting.get(council_id, ()):
            event.set()

    async def wait(self, council_id: int) -> None:
        """Until this council changes, or the next look is due."""
        event = asyncio.Event()
        self._waiting[council_id].add(event)
        try:
            await asyncio.wait_for(event.wait(), HEARTBEAT if self.notified else POLL)
        except TimeoutError:
            pass
        finally:
            self._waiting[council_id].discard(event)
            if not self._waiting[council_id]:
                del self._waiting[council_id]
