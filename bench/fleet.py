"""Bots in their own processes, for the open-loop and scale-out benchmarks: `yishi run` (polling or a
webhook worker) or a bare python-telegram-bot, against the fake Bot API server in the bench process.

In its own process a bot has a core to itself as it would in production (Telegram is not in the bot's
process), and the CPU it spends is read from /proc. Councils are seeded through the desk directly.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.desk.messages import Incoming
from bot.main import build_core
from bot.telegram.chats import TelegramChats
from storage.models import MemberRow
from tests.fakes.fake_bot_api import FakeBotApi, FakeUser, free_port

HERE = Path(__file__).resolve().parent
YISHI = Path(sys.executable).with_name("yishi")
CHAIR = FakeUser(id=9001, first_name="王主任", username="wang")
SECRET = "bench-webhook-secret-0123456789abcdef"
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Group:
    chat_id: int
    voters: list[FakeUser]
    message_id: int
    data: tuple[str, str, str]


async def seed_groups(api: FakeBotApi, url: str, chats: list[int], members: int, first_user: int) -> list[Group]:
    """A council with `members` members, a seconded motion and an open ballot in each chat; the ballot
    message is posted (as the bot) and remembered where the bot looks for it when it edits the tally."""
    core = await build_core(url)
    groups = []
    try:
        desk = core.dispatcher
        chats_db = TelegramChats(core.new_uow)
        async with Bot(**api.bot_kwargs()) as bot:
            for n, chat_id in enumerate(chats):
                api.set_chat(chat_id, "supergroup", f"楼栋{n}")
                api.set_chat_member(chat_id, CHAIR, "creator")

                async def say(user: FakeUser, text: str, admin: bool = False, chat_id: int = chat_id) -> None:
                    response = await desk.handle(
                        Incoming(
                            "telegram",
                            str(chat_id),
                            str(user.id),
                            user.first_name,
                            text=text,
                            chat_title=f"楼栋{chat_id}",
                            is_admin=admin,
                        )
                    )
                    assert not response.refused, (text, [r.text for r in response.replies])

                await say(CHAIR, "/setup", admin=True)
                people = [FakeUser(id=first_user + n * 1000 + i, first_name=f"居民{i}") for i in range(members)]
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
                await say(CHAIR, "/vote 1")
                async with desk.uow() as uow:
                    council = await uow.councils.by_chat(f"telegram:{chat_id}")
                    motion = await uow.motions.by_number(council.id, 1)
                    ballot = (await uow.ballots.for_motion(motion.id))[0]
                data = (f"v:{ballot.id}:y", f"v:{ballot.id}:n", f"v:{ballot.id}:a")
                keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d) for d in data]])
                posted = await bot.send_message(chat_id, "表决 #1", reply_markup=keyboard)
                await chats_db.record_post(chat_id, f"ballot:{ballot.id}", posted.message_id)
                groups.append(Group(chat_id, people, posted.message_id, data))
    finally:
        await core.close()
    return groups


@dataclass
class Process:
    name: str
    process: asyncio.subprocess.Process
    log: Path
    hook: str | None = None

    def cpu_seconds(self) -> float:
        """User + system CPU of the process so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS

    async def sample(self, seconds: float) -> asyncio.subprocess.Process | None:
        """With BENCH_PYSPY=<dir>: py-spy samples the bot for `seconds` (collapsed stacks, <name>.raw)."""
        where = os.environ.get("BENCH_PYSPY")
        if not where:
            return None
        spy = Path(sys.executable).with_name("py-spy")
        out = Path(where) / f"{self.name}.raw"
        command = [str(spy), "record", "--pid", str(self.process.pid), "--duration", str(int(seconds))]
        return await asyncio.create_subprocess_exec(
            *command,
            "--format",
            "raw",
            "--nonblocking",
            "-o",
            str(out),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )

    async def stop(self, timeout: float = 30) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


def bot_env(api: FakeBotApi, url: str, home: Path, **extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE": api.base_url,
        "DATABASE_URL": url,
        # the fake server has no flood limits; the tally edits still coalesce every 3 s (the default)
        "TELEGRAM_RATE_GROUP_PER_MINUTE": "100000000",
        "TELEGRAM_RATE_OVERALL_PER_SECOND": "1000000",
        "YISHI_LOG_LEVEL": "WARNING",
        **extra,
    }


async def start(command: list[str], env: dict[str, str], home: Path, name: str) -> Process:
    log = home / f"{name}.log"
    with open(log, "ab") as handle:  # noqa: ASYNC230 - a log file, opened once
        process = await asyncio.create_subprocess_exec(
            *command, cwd=home, env=env, stdout=handle, stderr=asyncio.subprocess.STDOUT
        )
    return Process(name, process, log)


async def start_yishi(api: FakeBotApi, url: str, home: Path, name: str, *, webhook: bool = False) -> Process:
    """`yishi run`: polling, or a webhook worker (its URL in `.hook`); returns once it listens/polls."""
    extra: dict[str, str] = {}
    hook = None
    if webhook:
        port = free_port()
        hook = f"http://127.0.0.1:{port}/hook-{name}"
        extra = {"WEBHOOK_URL": hook, "WEBHOOK_LISTEN": f"127.0.0.1:{port}", "WEBHOOK_SECRET": SECRET}
    since = len(api.calls())
    command = [str(YISHI), "run"]
    if profile := os.environ.get("BENCH_PROFILE"):  # a directory: cProfile of each bot, <name>.prof
        command = [sys.executable, "-m", "cProfile", "-o", str(Path(profile) / f"{name}.prof"), *command]
    process = await start(command, bot_env(api, url, home, **extra), home, name)
    process.hook = hook
    if webhook:
        await api.wait_for(method="setWebhook", since=since, timeout=60)
        await api.wait_for(method="setMyCommands", since=since, timeout=60)
        await asyncio.sleep(0.5)  # the server is started before setWebhook is called
    else:
        await api.wait_for_polling(since=since, timeout=60)
    return process


async def start_bare_ptb(api: FakeBotApi, home: Path) -> Process:
    """A bare python-telegram-bot (its defaults) that only answers button presses, in its own process."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "BASE": api.base_url, "TOKEN": api.token}
    since = len(api.calls())
    process = await start([sys.executable, str(HERE / "bare_bot.py")], env, home, "bare-ptb")
    await api.wait_for_polling(since=since, timeout=60)
    return process
