"""The WeCom group robot (群机器人): send-only markdown posts, within 20 a minute and 2,048 bytes each.

Two ways in:
- `send(chat_key, reply)` — the outbox `Sender`: posts now if the minute allows, else raises
  `TemporaryFailure(retry_after=…)` so the outbox retries later (nothing is queued twice);
- `post(reply)` + `flush()` — an in-process queue: waiting announcements are coalesced into as few
  posts as fit in 2,048 bytes, and posting waits (on an injected sleep) for a free slot.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable

import aiohttp

from ..capabilities import WECOM_ROBOT, Capabilities, fit_reply, split_text
from ..desk.messages import Reply
from ..outbox import PermanentFailure, TemporaryFailure

log = logging.getLogger(__name__)

Monotonic = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

# errcode values the webhook answers with (https://developer.work.weixin.qq.com/document/path/90313)
_RATE_LIMITED = {45009, 45033, -1}  # too frequent / system busy: later
_GONE = {93000, 93004, 93008}  # invalid webhook key / robot removed: never


class RateWindow:
    """At most `limit` posts in any `period` seconds (a sliding window over the posts' times)."""

    def __init__(self, limit: int = 20, period: float = 60.0, clock: Monotonic = time.monotonic) -> None:
        self.limit = limit
        self.period = period
        self.clock = clock
        self.sent: deque[float] = deque()

    def wait_for(self, count: int = 1) -> float:
        """Seconds until `count` more posts are allowed (0: now)."""
        now = self.clock()
        while self.sent and self.sent[0] <= now - self.period:
            self.sent.popleft()
        if count > self.limit:
            raise ValueError(f"{count} posts can never fit in a window of {self.limit}")
        room = self.limit - len(self.sent)
        if count <= room:
            return 0.0
        # the (count - room)-th oldest post must leave the window first
        oldest = self.sent[count - room - 1]
        return max(oldest + self.period - now, 0.001)

    def take(self) -> None:
        self.sent.append(self.clock())


def render_markdown(reply: Reply) -> str:
    """WeCom markdown: a bold title line above the text."""
    return f"**{reply.title}**\n{reply.text}" if reply.title else reply.text


class WeComRobot:
    """One group robot webhook, with its own rate window and queue."""

    def __init__(
        self,
        url: str,
        *,
        http: aiohttp.ClientSession | None = None,
        window: RateWindow | None = None,
        sleep: Sleep = asyncio.sleep,
        locale: str = "zh_Hans",
        caps: Capabilities = WECOM_ROBOT,
    ) -> None:
        self.url = url
        self._http = http
        self._own_http = http is None
        self.caps = caps
        self.window = window or RateWindow(caps.messages_per_minute or 20, 60.0)
        self.sleep = sleep
        self.locale = locale
        self.pending: deque[str] = deque()  # markdown pieces, each within the byte limit
        self._lock = asyncio.Lock()

    @property
    def max_bytes(self) -> int:
        return self.caps.max_text_bytes or 2048

    def pieces(self, reply: Reply) -> list[str]:
        """The reply as markdown posts of at most 2,048 bytes (no buttons: hints instead)."""
        out = []
        for part in fit_reply(reply, self.caps, locale=self.locale):
            out.extend(split_text(render_markdown(part), self.max_bytes))
        return out

    # ---- the outbox Sender -----------------------------------------------------------------

    async def send(self, chat_key: str, reply: Reply) -> str | None:
        """Post one announcement now, or raise TemporaryFailure with how long to wait."""
        pieces = self.pieces(reply)
        if len(pieces) > self.window.limit:
            raise PermanentFailure(f"robot: {len(pieces)} posts for one announcement is more than a minute allows")
        async with self._lock:
            delay = self.window.wait_for(len(pieces))
            if delay > 0:
                raise TemporaryFailure("robot: 20 messages a minute", retry_after=delay)
            for piece in pieces:
                await self._post(piece)
        return None  # robot messages cannot be edited: nothing to refer to

    # ---- the in-process queue --------------------------------------------------------------

    def post(self, reply: Reply) -> None:
        """Queue an announcement; `flush` delivers it (coalesced with others waiting)."""
        self.pending.extend(self.pieces(reply))

    def _coalesce(self) -> str:
        """Take as many waiting pieces as fit in one post (joined by a blank line)."""
        body = self.pending.popleft()
        while self.pending:
            candidate = body + "\n\n" + self.pending[0]
            if len(candidate.encode("utf-8")) > self.max_bytes:
                break
            body = candidate
            self.pending.popleft()
        return body

    async def flush(self) -> int:
        """Deliver everything queued, waiting for free slots; returns how many posts were made."""
        posts = 0
        async with self._lock:
            while self.pending:
                delay = self.window.wait_for(1)
                if delay > 0:
                    await self.sleep(delay)
                    continue
                body = self._coalesce()
                try:
                    await self._post(body)
                except TemporaryFailure as failure:
                    self.pending.appendleft(body)
                    await self.sleep(failure.retry_after or 5.0)
                    continue
                posts += 1
        return posts

    # ---- HTTP ------------------------------------------------------------------------------

    async def _session(self) -> aiohttp.ClientSession:
        if self._http is None:
            self._http = aiohttp.ClientSession()
        return self._http

    async def _post(self, markdown: str) -> None:
        http = await self._session()
        self.window.take()
        try:
            async with http.post(
                self.url,
                json={"msgtype": "markdown", "markdown": {"content": markdown}},
                timeout=aiohttp.ClientTimeout(total=15),
            ) as response:
                if response.status >= 500 or response.status == 429:
                    raise TemporaryFailure(f"robot: HTTP {response.status}")
                if response.status >= 400:
                    raise PermanentFailure(f"robot: HTTP {response.status}")
                answer = await response.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError) as failure:
            raise TemporaryFailure(f"robot: {failure!r}") from failure
        code = int(answer.get("errcode", 0))
        if code == 0:
            return
        if code in _GONE:
            raise PermanentFailure(f"robot: errcode {code} {answer.get('errmsg', '')}")
        if code in _RATE_LIMITED:
            raise TemporaryFailure(f"robot: errcode {code}", retry_after=60.0 if code == 45009 else None)
        raise PermanentFailure(f"robot: errcode {code} {answer.get('errmsg', '')}")

    async def close(self) -> None:
        if self._own_http and self._http is not None:
            await self._http.close()
            self._http = None
