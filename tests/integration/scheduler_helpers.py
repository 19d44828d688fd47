"""Shared pieces of the scheduler tests: a console-style group, a movable clock, scratch PostgreSQL databases."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.desk.messages import Incoming, Response
from bot.main import build_core
from storage.models import OutboxRow

PG_ROOT = os.environ.get("YISHI_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
ROOT = Path(__file__).resolve().parents[2]
CHAT = "main"


class MovableClock:
    """Time that tests move instead of sleeping."""

    def __init__(self, at: datetime) -> None:
        self.now = at

    def __call__(self) -> datetime:
        return self.now

    def move(self, delta: timedelta) -> datetime:
        self.now += delta
        return self.now


@dataclass
class Group:
    """One console group chat on the app's dispatcher."""

    app: object
    clock: object = None

    async def say(self, who: str, line: str) -> Response:
        return await self.app.dispatcher.handle(
            Incoming("console", CHAT, who, who, text=line, chat_title="3号楼议事群", username=who)
        )

    async def press(self, who: str, data: str) -> Response:
        return await self.app.dispatcher.handle(
            Incoming("console", CHAT, who, who, data=data, chat_title="3号楼议事群", username=who)
        )

    async def council(self):
        async with self.app.dispatcher.uow() as uow:
            return await uow.councils.by_chat(f"console:{CHAT}")

    async def events(self, prefix: str = ""):
        council = await self.council()
        async with self.app.dispatcher.uow() as uow:
            return [e for e in await uow.events.all(council.id) if e.type.startswith(prefix)]

    async def outbox(self) -> list[dict]:
        async with self.app.sessions() as session:
            rows = (await session.execute(select(OutboxRow).order_by(OutboxRow.id))).scalars().all()
            return [dict(r.payload, dedupe_key=r.dedupe_key) for r in rows]


async def open_group(url: str, clock=None, members=("alice", "bob", "carol")) -> Group:
    """A council chaired by `chair` with the named members joined (units 1-101, 1-102, ...)."""
    kwargs = {"clock": clock} if clock else {}
    app = await build_core(url, **kwargs)
    group = Group(app, clock)
    await group.say("chair", "/setup")
    await group.say("chair", "/set one_matter off")  # the alarms of several motions at once (一事一议 waits them)
    for index, name in enumerate(members):
        response = await group.say(name, f"/join 1-{101 + index}")
        assert not response.refused, response
    return group


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


# ---- PostgreSQL scratch databases -----------------------------------------------------------------


def require_postgres() -> None:
    """Skip when PostgreSQL is not there, except under CI, where the test must run."""

    async def probe() -> None:
        engine = create_async_engine(PG_ROOT)
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        finally:
            await engine.dispose()

    try:
        asyncio.run(probe())
    except Exception as error:  # noqa: BLE001
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"PostgreSQL not reachable: {error}")


@asynccontextmanager
async def scratch_postgres():
    """A fresh database of our own on the shared server, dropped afterwards."""
    name = f"yishi_sched_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(PG_ROOT, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ROOT.rsplit("/", 1)[0] + f"/{name}"
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


# ---- the stand-alone scheduler process -------------------------------------------------------------


class SchedulerProcess:
    """`python -m bot.alarm_process` against a database, announcing into a JSON-lines file."""

    def __init__(self, url: str, log: Path, *, scan_interval: float = 0.3, leader_retry: float = 0.3) -> None:
        self.log = log
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bot.alarm_process",
                "--database",
                url,
                "--sender-log",
                str(log),
                "--no-migrate",
                "--scan-interval",
                str(scan_interval),
                "--leader-retry",
                str(leader_retry),
                "--drain-interval",
                "0.1",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.strip())

    @property
    def leading(self) -> bool:
        said = [line for line in self.lines if line in ("leading", "following")]
        return bool(said) and said[-1] == "leading"

    def said(self, word: str) -> bool:
        return word in self.lines

    def wait_for(self, word: str, timeout: float = 20.0) -> None:
        if not wait_until(lambda: self.said(word) or self.proc.poll() is not None, timeout) or not self.said(word):
            raise AssertionError(f"no {word!r} from the scheduler: {self.lines}")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()  # SIGKILL: no goodbye, no clean-up
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def announcements(*logs: Path) -> list[dict]:
    lines = []
    for log in logs:
        if log.exists():
            lines += [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
    return lines


def wait_until(predicate, timeout: float, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


async def await_until(predicate, timeout: float, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await predicate()
        if value:
            return value
        await asyncio.sleep(interval)
    return await predicate()


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)
