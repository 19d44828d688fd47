"""Helpers of the reliability tests: `yishi run` processes, a seeded council, reading the database."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from bot.desk.messages import Incoming
from bot.main import build_core
from storage.models import MemberRow
from tests.fakes.fake_bot_api import FakeBotApi, FakeUser

YISHI = Path(sys.executable).with_name("yishi")
CHAIR = FakeUser(id=9001, first_name="王主任", username="wang")


class ShiftedClock:
    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self.offset = offset

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


def yishi_env(api: FakeBotApi, database_url: str, home: Path, **extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE": api.base_url,
        "DATABASE_URL": database_url,
        "TELEGRAM_RATE_GROUP_PER_MINUTE": "1000000",
        "TELEGRAM_RATE_OVERALL_PER_SECOND": "100000",
        "TELEGRAM_EDIT_INTERVAL_SECONDS": "0.5",
        "YISHI_LOG_LEVEL": "WARNING",
        **extra,
    }


@dataclass
class Yishi:
    """One `yishi run` process; its output goes to a file (read it when a test fails)."""

    process: asyncio.subprocess.Process
    log: Path

    @classmethod
    async def start(cls, env: dict[str, str], cwd: Path, name: str) -> Yishi:
        log = cwd / f"{name}.log"
        handle = open(log, "ab")
        try:
            process = await asyncio.create_subprocess_exec(
                str(YISHI), "run", cwd=cwd, env=env, stdout=handle, stderr=asyncio.subprocess.STDOUT
            )
        finally:
            handle.close()
        return cls(process, log)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """kill -9: no clean-up of any kind."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)

    async def stop(self, timeout: float = 20) -> int:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            self.kill()
            return await self.process.wait()


async def until(predicate, timeout: float, what: str, every: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(every)


async def seed_council(
    database_url: str,
    chat_id: int,
    voters: int,
    *,
    first_user: int,
    title: str,
    ballot_closes_in: timedelta | None = None,
    ballot_minutes: int = 1,
) -> list[FakeUser]:
    """A council with `voters` active members (inserted directly) plus its chair, a seconded motion 1, and
    (with `ballot_closes_in`) an open ballot on it that closes that long from now. Returns the voters."""
    clock = ShiftedClock()
    app = await build_core(database_url, clock=clock)
    try:
        desk = app.dispatcher

        async def say(user: FakeUser, text: str, admin: bool = False) -> None:
            response = await desk.handle(
                Incoming(
                    "telegram",
                    str(chat_id),
                    str(user.id),
                    user.first_name,
                    text=text,
                    chat_title=title,
                    is_admin=admin,
                    username=user.username,
                )
            )
            assert not response.refused, (text, [r.text for r in response.replies])

        await say(CHAIR, "/setup", admin=True)
        await say(CHAIR, "/set abstain on", admin=True)  # the bursts press all three buttons
        await say(CHAIR, "/set one_matter off", admin=True)  # many motions raised at once, each open to a second
        people = [FakeUser(id=first_user + i, first_name=f"居民{i}") for i in range(voters)]
        async with desk.uow() as uow:
            council = await uow.councils.by_chat(f"telegram:{chat_id}")
            await uow.session.execute(
                insert(MemberRow),
                [
                    {
                        "council_id": council.id,
                        "user_key": f"telegram:{p.id}",
                        "name": p.first_name,
                        "username": None,
                        "unit": f"{i // 100 + 1}-{i % 100 + 101}",
                        "status": "active",
                        "roles": "",
                    }
                    for i, p in enumerate(people)
                ],
            )
            await uow.commit()
        await say(people[0], "/motion 小区东门加装遮雨棚")
        await say(people[1], "/second 1")
        if ballot_closes_in is not None:
            clock.offset = ballot_closes_in - timedelta(minutes=ballot_minutes)
            await say(CHAIR, f"/vote 1 {ballot_minutes}m")
        return people
    finally:
        await app.close()


async def ballot_state(database_url: str, chat_id: int, number: int = 1):
    """(ballot, {voter: choice}, vote count) of motion `number`'s first ballot."""
    app = await build_core(database_url)
    try:
        async with app.dispatcher.uow() as uow:
            council = await uow.councils.by_chat(f"telegram:{chat_id}")
            motion = await uow.motions.by_number(council.id, number)
            ballot = (await uow.ballots.for_motion(motion.id))[0]
            rows = await uow.votes.all(ballot.id)
            return ballot, rows, await uow.votes.count(ballot.id)
    finally:
        await app.close()


async def wait_until_listening(port: int, timeout: float = 30.0) -> None:
    """Wait until something accepts connections on 127.0.0.1:`port` (a started bot's webhook)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)
