"""Updates in, confirmed to Telegram only once handled: our getUpdates loop and our webhook server.

Telegram re-sends an update until the bot confirms it: a getUpdates call confirms every update below its
`offset`, a webhook POST is confirmed by its 200. python-telegram-bot's Updater confirms a fetched batch
when it asks for the next one and its webhook answers 200 before any handler ran, so a crash loses what
was taken but not handled. Here an update is confirmed only after its handling finished — its unit of
work committed (or it was refused) and it was answered:

- polling: the offset is a low-water mark, one past the highest update below which every update taken is
  handled (chats run concurrently, so a later update may finish before an earlier one);
- webhook: the POST is answered after the handling.

After a crash Telegram re-sends what was not confirmed. An update handled before the crash finds its
claim (`processed_updates`): nothing is done twice and the duplicate press is answered again, which
Telegram refuses (the query was answered), so the member sees one pop-up. The guarantee: every update
handled, its effect exactly once, its answer at least once; a second answer only for updates handled in
the moment between their answer and the confirmation reaching Telegram.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import time
import warnings
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.error import InvalidToken, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

from .delivery import retry_seconds

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
READ_TIMEOUT = 5.0  # beyond the long poll's own timeout (python-telegram-bot's default read timeout)


async def handle(application: Application, update: Update) -> None:
    """Run `update` through the handlers in chat order, as python-telegram-bot's update fetcher does."""
    await application.update_processor.process_update(update, application.process_update(update))


class Polling:
    """getUpdates in a loop; the offset moves past an update only once it and every earlier one is handled.

    Telegram answers a getUpdates call with the (at most `limit`) oldest updates from `offset` on, handled
    or not, so what is being handled comes back with every call: those are skipped, and the loop asks
    again only when the window moved (a confirmation, with `limit` 1 while the window is more than half
    full) or after `recheck` seconds (other chats' new updates while one is slow).

    The window holds at most `LIMIT` updates: one update that takes long (a reply waiting for the group's
    flood limit) would stop every chat once a hundred more arrived behind it. After `hold_limit` seconds
    it no longer holds the offset back (a warning says so): from then on a crash may lose its answer.
    """

    LIMIT = 100

    def __init__(
        self,
        application: Application,
        allowed_updates: Sequence[str],
        timeout: int = 10,
        recheck: float = 0.25,
        hold_limit: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.application = application
        self.allowed_updates = list(allowed_updates)
        self.timeout = timeout
        self.recheck = recheck
        self.hold_limit = hold_limit
        self.clock = clock
        self._running: dict[int, float] = {}  # update id -> when its handling started
        self._finished: set[int] = set()  # handled, not yet below the low-water mark
        self._overdue: set[int] = set()  # running longer than `hold_limit`: no longer holding the offset
        self._highest: int | None = None
        self._sent: int | None = None  # the highest offset Telegram was given: everything below it is confirmed
        self._moved = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def offset(self) -> int | None:
        """What to confirm: the lowest update being handled, else one past the highest taken."""
        holding = self._holding()
        if holding:
            low = min(holding)
        elif self._highest is not None:
            low = self._highest + 1
        else:
            return self._sent
        return low if self._sent is None else max(low, self._sent)

    def _holding(self) -> list[int]:
        """The updates being handled that hold the offset back (not yet for `hold_limit` seconds)."""
        since = self.clock() - self.hold_limit
        holding = [update_id for update_id, started in self._running.items() if started > since]
        if len(holding) < len(self._running):
            for update_id in self._running.keys() - holding:
                if update_id not in self._overdue:
                    self._overdue.add(update_id)
                    log.warning("update %s still handled after %.0f s: confirmed anyway", update_id, self.hold_limit)
        return holding

    def unconfirmed(self) -> int:
        """Updates taken here that Telegram will send again: the window in use."""
        offset = self.offset()
        return sum(1 for i in (*self._running, *self._finished) if offset is None or i >= offset)

    async def start(self) -> None:
        for attempt in range(5):  # a webhook left set makes getUpdates fail with 409
            try:
                await self.application.bot.delete_webhook()
                break
            except TelegramError as error:  # timed out, network, 5xx
                if isinstance(error, InvalidToken) or attempt == 4:
                    raise
                log.warning("deleteWebhook failed (%s); trying again", error)
                await asyncio.sleep(1 + attempt)
        self._task = asyncio.create_task(self._loop(), name="telegram-polling")

    async def stop(self) -> None:
        """No new updates; those taken are still handled (the application waits for them)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def confirm(self) -> None:
        """Tell Telegram what was handled since the last call (after the handlers finished, on stopping)."""
        offset = self.offset()
        if offset is None or offset == self._sent:
            return
        try:
            await self.application.bot.get_updates(offset=offset, limit=1, timeout=0)
            self._sent = offset
        except TelegramError as error:  # handled again after the restart: duplicates, nothing twice
            log.warning("the last updates were not confirmed: %s", error)

    async def _loop(self) -> None:
        backoff = 1.0
        while True:
            offset = self.offset()
            window = self.unconfirmed()
            limit = self.LIMIT if window <= self.LIMIT // 2 else 1  # 1: a confirmation, the window is full
            try:
                # what is unconfirmed comes back at once anyway
                updates = await self._fetch(offset, limit, 0 if window else self.timeout)
            except RetryAfter as error:
                await asyncio.sleep(retry_seconds(error))
                continue
            except InvalidToken:
                log.error("the bot token was refused; no more updates")
                raise
            except TimedOut:
                continue
            except TelegramError as error:  # network, 409 (another poller), 5xx: try again a little later
                log.warning("getUpdates failed (%s); again in %.0f s", error, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            backoff = 1.0
            if offset is not None:
                self._sent = offset if self._sent is None else max(self._sent, offset)
            # Only what is new here is parsed: the updates being handled come back with every call.
            fresh = [
                Update.de_json(raw, self.application.bot) for raw in updates if self._take(raw["update_id"], offset)
            ]
            for update in fresh:
                self.application.create_task(self._handle(update), update=update)
            if fresh and len(updates) == limit and self.unconfirmed() <= self.LIMIT // 2:
                continue  # a full page of new updates: more may be waiting
            await self._wait_for_progress(offset)

    async def _fetch(self, offset: int | None, limit: int, timeout: int) -> list[dict[str, Any]]:
        """getUpdates, unparsed (python-telegram-bot's `get_updates` would parse every update of the page)."""
        bot = self.application.bot
        with warnings.catch_warnings():  # "use get_updates instead": on purpose, see above
            warnings.simplefilter("ignore")
            result = await bot.do_api_request(
                "getUpdates",
                api_kwargs={
                    "offset": offset,
                    "limit": limit,
                    "timeout": timeout,
                    "allowed_updates": self.allowed_updates,
                },
                read_timeout=READ_TIMEOUT + timeout,
            )
        return result if isinstance(result, list) else []

    def _take(self, update_id: int, offset: int | None) -> bool:
        """Is this update new here? Handled ones between the offset asked with and the low-water mark now
        (finished while the call was under way) are not; one below the offset asked with is a re-delivery."""
        if update_id in self._running or update_id in self._finished:
            return False
        now = self.offset()
        if offset is not None and now is not None and offset <= update_id < now:
            return False
        self._running[update_id] = self.clock()
        if self._highest is None or update_id > self._highest:
            self._highest = update_id
        return True

    async def _handle(self, update: Update) -> None:
        try:
            await handle(self.application, update)
        except asyncio.CancelledError:  # not handled: not confirmed, Telegram sends it again
            raise
        except Exception:  # answered with the internal error by the adapter; not worth a retry loop
            self._finished_with(update.update_id)
            raise
        self._finished_with(update.update_id)

    def _finished_with(self, update_id: int) -> None:
        self._running.pop(update_id, None)
        self._overdue.discard(update_id)
        self._finished.add(update_id)
        low = self.offset()
        self._finished = {i for i in self._finished if low is not None and i >= low}
        self._moved.set()

    async def _wait_for_progress(self, offset: int | None) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.recheck
        while self.unconfirmed() and self.offset() == offset:
            self._moved.clear()
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._moved.wait(), remaining)


class WebhookServer:
    """The webhook: a POST is answered 200 once its update was handled (403 without the secret token)."""

    def __init__(
        self, application: Application, path: str, host: str, port: int, secret: str | None, remember: int = 10_000
    ) -> None:
        self.application = application
        self.path = "/" + path.lstrip("/")
        self.host = host
        self.port = port
        self._secret = secret.encode() if secret else None
        self._running: dict[int, asyncio.Task[None]] = {}
        self._handled: OrderedDict[int, None] = OrderedDict()  # recent ones: a POST again is answered at once
        self._remember = remember
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post(self.path, self._post)
        # On stopping, POSTs under way are handled and answered; what is cut off Telegram sends again.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=20)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()

    async def stop(self) -> None:
        """No new POSTs; those under way are handled and answered."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _post(self, request: web.Request) -> web.Response:
        if self._secret is not None:
            given = request.headers.get(SECRET_HEADER, "").encode()
            if not hmac.compare_digest(given, self._secret):
                return web.Response(status=403)
        try:
            update = Update.de_json(json.loads(await request.read()), self.application.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            return web.Response(status=400)
        if not isinstance(update, Update):
            return web.Response(status=400)
        await self._handled_once(update)
        return web.Response(status=200)

    async def _handled_once(self, update: Update) -> None:
        update_id = update.update_id
        if update_id in self._handled:
            return  # handled here; our 200 did not reach Telegram
        task = self._running.get(update_id)
        if task is None:  # a POST again while the first is handled waits for the same handling
            task = self.application.create_task(handle(self.application, update), update=update)
            self._running[update_id] = task
            task.add_done_callback(lambda done: self._done(update_id, done))
        with contextlib.suppress(Exception):  # the error handler has it; the adapter answered the member
            await asyncio.shield(task)

    def _done(self, update_id: int, task: asyncio.Task[None]) -> None:
        self._running.pop(update_id, None)
        if task.cancelled():
            return  # not handled: no 200, Telegram sends it again
        self._handled[update_id] = None
        while len(self._handled) > self._remember:
            self._handled.popitem(last=False)
