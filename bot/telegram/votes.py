"""Group commit of vote presses across chats.

The chat-ordered processor hands each chat's run of vote presses to the adapter. Runs of
different chats that are ready while a transaction is under way are recorded together in
the next one (`Dispatcher.handle_vote_runs`: one unit of work, one commit). With 200 groups
voting at once, most runs hold one press, so this — not the per-chat run — is what keeps
the database from doing one transaction per vote (SQLite has one writer at a time).
"""

from __future__ import annotations

import asyncio

from ..desk import Desk as Dispatcher
from ..desk.messages import Incoming, Response


class VoteRuns:
    def __init__(self, dispatcher: Dispatcher, max_presses: int = 500) -> None:
        self.dispatcher = dispatcher
        self.max_presses = max_presses
        self._pending: list[tuple[list[Incoming], asyncio.Future]] = []
        self._working = False

    async def submit(self, run: list[Incoming]) -> list[Response] | None:
        """Record one chat's run (with whatever other runs are waiting); its responses, or None."""
        done = asyncio.get_running_loop().create_future()
        self._pending.append((run, done))
        if not self._working:
            self._working = True
            try:
                while self._pending:
                    await asyncio.sleep(0)  # runs of other chats handed over in the same moment join
                    taken: list[tuple[list[Incoming], asyncio.Future]] = []
                    size = 0
                    while self._pending and (not taken or size + len(self._pending[0][0]) <= self.max_presses):
                        taken.append(self._pending.pop(0))
                        size += len(taken[-1][0])
                    try:
                        results = await self.dispatcher.handle_vote_runs([r for r, _ in taken])
                    except BaseException:
                        results = [None] * len(taken)
                        for _, waiting in taken:
                            if not waiting.done():
                                waiting.set_result(None)
                        raise
                    for (_, waiting), result in zip(taken, results, strict=True):
                        if not waiting.done():
                            waiting.set_result(result)
            finally:
                self._working = False
                for _, waiting in self._pending:  # cancelled while working: the others go one by one
                    if not waiting.done():
                        waiting.set_result(None)
                self._pending.clear()
        return await done
