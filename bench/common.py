"""Shared pieces of the Telegram benchmarks: the fake Bot API with delivery timestamps, a bot under test,
bare baselines (python-telegram-bot, aiogram 3), seeding councils and reading the timings back."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, TypeHandler  # noqa: E402

from bot.main import build_core, build_telegram, serve_telegram  # noqa: E402
from bot.settings import TelegramSettings, WebhookSettings  # noqa: E402
from storage.models import MemberRow  # noqa: E402
from tests.fakes.fake_bot_api import FakeBotApi, FakeUser  # noqa: E402,F401

logging.getLogger("httpx").setLevel(logging.WARNING)
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
CHAIR = FakeUser(id=9001, first_name="王主任", username="wang")
# No artificial limits: the fake server has none, and the edits still coalesce every 3 s (the default).
FAST = {"rate_overall_per_second": 1_000_000.0, "rate_group_per_minute": 100_000_000.0, "max_retries": 5}


class TimedFakeBotApi(FakeBotApi):
    """The fake server, remembering when each update left in a getUpdates answer."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict_callbacks=True, **kwargs)
        self.delivered_at: dict[int, float] = {}

    def _take_batch(self, limit: int):
        batch = super()._take_batch(limit)
        now = time.monotonic()
        for entry in batch:
            self.delivered_at.setdefault(entry.update_id, now)
        return batch


@dataclass
class Timing:
    n: int
    seconds: float
    p50_ms: float
    p99_ms: float
    answered: int
    answered_twice: int

    @property
    def rate(self) -> float:
        return self.n / self.seconds if self.seconds else 0.0


def timing(api: TimedFakeBotApi, updates: list[dict], since: int) -> Timing:
    """From the first delivery to the last answer; per click, delivery -> answerCallbackQuery."""
    by_query = {u["callback_query"]["id"]: u["update_id"] for u in updates}
    answers = [
        c for c in api.calls("answerCallbackQuery", since=since) if c.params.get("callback_query_id") in by_query
    ]
    answered = Counter(c.params["callback_query_id"] for c in answers if c.ok)
    first_answer: dict[str, float] = {}
    for c in answers:
        first_answer.setdefault(c.params["callback_query_id"], c.time)
    latencies = sorted((first_answer[q] - api.delivered_at[u]) * 1000 for q, u in by_query.items() if q in first_answer)
    start = min(api.delivered_at[u["update_id"]] for u in updates)
    end = max(first_answer.values()) if first_answer else start
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else float("nan")
    return Timing(
        len(updates),
        end - start,
        statistics.median(latencies) if latencies else float("nan"),
        p99,
        len(answered),
        sum(1 for v in answered.values() if v > 1),
    )


async def wait_answered(api: FakeBotApi, updates: list[dict], since: int, timeout: float = 300) -> None:
    wanted = {u["callback_query"]["id"] for u in updates}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        calls = api.calls(since=since)
        since += len(calls)
        wanted.difference_update(c.params.get("callback_query_id") for c in calls if c.method == "answerCallbackQuery")
        if not wanted:
            return
        await asyncio.sleep(0.05)
    raise TimeoutError("not every click was answered")


# ---- databases -----------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def database(kind: str):
    """A fresh database URL: a SQLite file in a temporary directory, or a scratch PostgreSQL database."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="yishi-bench-") as tmp:
            yield f"sqlite+aiosqlite:///{tmp}/yishi.db"
        return
    import asyncpg

    name = f"yishi_bench_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(PG_ADMIN)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    try:
        yield f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    finally:
        conn = await asyncpg.connect(PG_ADMIN)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


async def commit_latency_ms(url: str, n: int = 50) -> float:
    """The median time of a one-row insert and commit in this database (fsync included): what one
    transaction costs at least on this machine, now."""
    if not url.startswith("postgresql"):
        return float("nan")
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await conn.execute("CREATE TABLE IF NOT EXISTS bench_probe (x int)")
        took = []
        for i in range(n):
            started = time.monotonic()
            async with conn.transaction():
                await conn.execute("INSERT INTO bench_probe VALUES ($1)", i)
            took.append((time.monotonic() - started) * 1000)
        await conn.execute("DROP TABLE bench_probe")
        return statistics.median(took)
    finally:
        await conn.close()


# ---- the bot under test --------------------------------------------------------------------------


class RunningBot:
    def __init__(self, api: FakeBotApi, app, bot) -> None:
        self.api, self.app, self.bot = api, app, bot
        self.processed: Counter = Counter()
        self.changed = asyncio.Event()

    async def _record(self, update: Update, context) -> None:
        self.processed[update.update_id] += 1
        self.changed.set()

    async def run(self, update: dict) -> dict:
        update = self.api.push_raw(update)
        while self.processed[update["update_id"]] < 1:
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), 30)
        return update


@contextlib.asynccontextmanager
async def our_bot(api: FakeBotApi, url: str, **overrides: Any):
    settings = TelegramSettings(bot_token=api.token, api_base=api.base_url, **{**FAST, **overrides})
    app = await build_core(url)
    bot = build_telegram(app, settings)
    running = RunningBot(api, app, bot)
    bot.application.add_handler(TypeHandler(Update, running._record), group=1)
    stop = asyncio.Event()
    since = len(api.calls())
    task = asyncio.create_task(serve_telegram(app, bot, settings, WebhookSettings(url=None), stop))
    try:
        await api.wait_for_polling(since=since, timeout=30)
        yield running
    finally:
        stop.set()
        await asyncio.wait_for(task, 60)
        await app.close()


async def ballot_in_group(
    running: RunningBot, chat_id: int, members: int, *, first_user: int, title: str = "大院群", secret: bool = False
) -> tuple[list[FakeUser], dict, tuple[str, str, str]]:
    """A council in `chat_id` with `members` active members (inserted directly), a motion and an open ballot.

    The chair does not vote under the default rules, so the `members`-th vote completes the ballot and
    closes it early: the burst ends with the result announced (through the outbox) and the final tally.
    Returns the voters, the posted ballot message and its yes/no/abstain button data.
    """
    api = running.api
    api.set_chat(chat_id, "supergroup", title)
    api.set_chat_member(chat_id, CHAIR, "creator")
    await running.run(api.make_command(chat_id, CHAIR, "/setup"))
    voters = [FakeUser(id=first_user + i, first_name=f"居民{i}") for i in range(members)]
    async with running.app.dispatcher.uow() as uow:
        council = await uow.councils.by_chat(f"telegram:{chat_id}")
        await uow.session.execute(
            insert(MemberRow),
            [
                {
                    "council_id": council.id,
                    "user_key": f"telegram:{v.id}",
                    "name": v.first_name,
                    "username": None,
                    "unit": f"{i // 100 + 1}-{i % 100 + 101}",
                    "status": "active",
                    "roles": "",
                }
                for i, v in enumerate(voters)
            ],
        )
        await uow.commit()
    await running.run(api.make_command(chat_id, voters[0], "/motion 小区东门加装遮雨棚"))
    await running.run(api.make_command(chat_id, voters[1], "/second 1"))
    since = len(api.calls())
    await running.run(api.make_command(chat_id, CHAIR, "/vote 1 secret" if secret else "/vote 1"))
    posted = [c.result for c in api.calls("sendMessage", since=since) if c.ok and c.params.get("chat_id") == chat_id]
    ballot = next(
        m
        for m in posted
        if any(
            b.get("callback_data", "").startswith("v:")
            for row in (m.get("reply_markup") or {}).get("inline_keyboard", [])
            for b in row
        )
    )
    data = [
        b["callback_data"]
        for row in ballot["reply_markup"]["inline_keyboard"]
        for b in row
        if b.get("callback_data", "").startswith("v:")
    ]
    return voters, ballot, (data[0], data[1], data[2])


async def tally(running: RunningBot, chat_id: int) -> tuple[int, dict]:
    async with running.app.dispatcher.uow() as uow:
        council = await uow.councils.by_chat(f"telegram:{chat_id}")
        motion = await uow.motions.by_number(council.id, 1)
        ballot = (await uow.ballots.for_motion(motion.id))[0]
        return await uow.votes.count(ballot.id), {k.value: v for k, v in (await uow.votes.counts(ballot.id)).items()}


# ---- bare baselines ------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def bare_ptb(api: FakeBotApi, *, concurrent: bool = True, aiohttp: bool = False):
    """A bare python-telegram-bot application that only answers callback queries (no database)."""

    async def answer(update: Update, context) -> None:
        await update.callback_query.answer()

    builder = (
        ApplicationBuilder().token(api.token).base_url(f"{api.base_url}/bot").base_file_url(f"{api.base_url}/file/bot")
    )
    if aiohttp:
        from bot.telegram.request import AiohttpRequest

        builder = builder.request(AiohttpRequest(64)).get_updates_request(AiohttpRequest(1))
    else:
        builder = builder.connection_pool_size(64)
    if concurrent:
        builder = builder.concurrent_updates(True)
    application: Application = builder.build()
    application.add_handler(CallbackQueryHandler(answer))
    since = len(api.calls())
    async with application:
        await application.start()
        await application.updater.start_polling(timeout=10)
        await api.wait_for_polling(since=since, timeout=30)
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()


@contextlib.asynccontextmanager
async def bare_aiogram(api: FakeBotApi):
    """The same bare answering bot written with aiogram 3 (None when aiogram is not installed)."""
    try:
        from aiogram import Bot, Dispatcher
        from aiogram.client.session.aiohttp import AiohttpSession
        from aiogram.client.telegram import TelegramAPIServer
    except ImportError:
        yield None
        return
    session = AiohttpSession(api=TelegramAPIServer.from_base(api.base_url))
    bot = Bot(api.token, session=session)
    dp = Dispatcher()

    @dp.callback_query()
    async def answer(query) -> None:
        await query.answer()

    since = len(api.calls())
    task = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=10))
    try:
        await api.wait_for_polling(since=since, timeout=30)
        yield dp
    finally:
        await dp.stop_polling()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 15)
        await session.close()


async def bare_burst(api: TimedFakeBotApi, chat_id: int, n: int, first_user: int) -> Timing:
    """`n` clicks on a bot message in `chat_id`, pushed at once; the running bare bot answers them."""
    api.set_chat(chat_id, "supergroup", "基线群")
    message_id = _bot_message(api, chat_id)
    users = [FakeUser(id=first_user + i, first_name=f"u{i}") for i in range(n)]
    since = len(api.calls())
    updates = api.push_batch([api.make_callback(chat_id, u, message_id, "v:1:y") for u in users])
    await wait_answered(api, updates, since)
    return timing(api, updates, since)


def _bot_message(api: FakeBotApi, chat_id: int) -> int:
    """Store a message "sent by the bot" in the fake so that callbacks can point at it."""
    mid = api._next_mid(chat_id)
    api._messages[(chat_id, mid)] = {
        "message_id": mid,
        "from": api.bot_user,
        "chat": api._chat(chat_id),
        "date": int(time.time()),
        "text": "ballot",
    }
    return mid


def env_flag(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0", "false")
