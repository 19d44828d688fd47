"""A non-member is told once per few minutes why their commands do nothing; repeats in that window are marked.

Thirty refused commands used to mean thirty group replies (and, under Telegram's 20 per minute per group,
a result held up by 21 s). The desk remembers, per chat and person, when it last refused someone for not
being a member, and marks a repeat within `REPEAT_WINDOW` seconds; the adapter then stays silent where its
refusals would show in the group. The memory is per process and in memory: after a restart, or on another
webhook worker, a person may be told once more — harmless, and no database write per refusal.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from .messages import Incoming, Response

REPEAT_WINDOW = 300.0  # seconds: a non-member hears why at most once in this long, per chat
REMEMBERED = 10_000  # (chat, person) pairs kept at most; the oldest are forgotten first

# Refusals that say "you are not (or no longer, or not yet) a member": only the asker needs them.
NON_MEMBER_REFUSALS = frozenset(
    {"error.not_member", "error.pending_approval", "error.member_left", "error.member_removed"}
)


class RepeatedRefusals:
    """`mark(incoming, response)`: a non-member refusal becomes `personal`, and `repeated` within the window."""

    def __init__(self, window: float = REPEAT_WINDOW, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self.clock = clock
        self._told: OrderedDict[tuple[str, str], float] = OrderedDict()  # oldest first

    def mark(self, incoming: Incoming, response: Response) -> Response:
        if incoming.data is not None or not incoming.chat_is_group or response.refusal not in NON_MEMBER_REFUSALS:
            return response  # a press is answered by its own pop-up: nobody else sees it
        response.personal = True
        response.repeated = not self._first(incoming.chat_key, incoming.user_key)
        return response

    def _first(self, chat_key: str, user_key: str) -> bool:
        now = self.clock()
        while self._told and now - next(iter(self._told.values())) >= self.window:
            self._told.popitem(last=False)
        key = (chat_key, user_key)
        if key in self._told:
            return False
        self._told[key] = now
        if len(self._told) > REMEMBERED:
            self._told.popitem(last=False)
        return True
