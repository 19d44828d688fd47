"""`yishi serve`: every configured platform in one process, on one alarm clock and one outbox (issue 10).

A WeCom-only deployment (no Telegram token) gets deadlines and reminders: the ballot reminder and the
result at the deadline reach the group through the robot of the fake WeCom server.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.desk.messages import Reply
from bot.main import build_core, run_serve
from bot.outbox import TemporaryFailure
from bot.routing import PlatformRouter
from deliberation.lifecycle import MotionState
from tests.e2e.reliability import wait_until_listening
from tests.e2e.wecom_fakes import FakeWeCom, Rig, wecom_environment
from tests.fakes.fake_bot_api import free_port

YISHI = str(Path(sys.executable).with_name("yishi"))
PLATFORM_VARIABLES = ("TELEGRAM_", "WEBHOOK_", "WECOM_", "YISHI_LINK_", "PUBLIC_BASE_URL", "DATABASE_URL")


class ShiftedClock:
    """Real time, shifted by `offset` (the alarm rings in real time; a test opens a ballot "in the past")."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return real() + self.offset


def real() -> datetime:
    return datetime.now(UTC)


async def until(condition, timeout: float = 20.0, what: str = "") -> None:
    """Wait for a condition the server brings about (polled, never a fixed sleep)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


@pytest.mark.timeout(90)
async def test_a_wecom_only_serve_reminds_before_the_deadline_and_closes_the_ballot_at_it(tmp_path, monkeypatch):
    fake = FakeWeCom()
    await fake.server.start_server()
    port = free_port()
    for name in [k for k in os.environ if k.startswith(PLATFORM_VARIABLES)]:
        monkeypatch.delenv(name)
    for name, value in wecom_environment(fake, f"127.0.0.1:{port}").items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)  # no .env file of the developer's
    url = f"sqlite+aiosqlite:///{tmp_path / 'yishi.db'}"
    clock, stop = ShiftedClock(), asyncio.Event()
    serving = asyncio.create_task(run_serve(url, clock=clock, stop=stop, scan_interval=0.2))
    try:
        await wait_until_listening(port, timeout=20.0)
        async with aiohttp.ClientSession(base_url=f"http://127.0.0.1:{port}") as http:
            rig = Rig(None, fake, http, None, clock)
            amy, ben, cat, dan = (rig.member(u) for u in ("amy", "ben", "cat", "dan"))
            assert "3号楼议事会" in await amy.say("开通")
            for member, unit in ((ben, "3-502"), (cat, "3-601"), (dan, "3-702")):
                await member.say(f"加入 {unit}")
            await ben.say("提议 在3号楼每层安装感应灯")
            await cat.say("附议 1")
            # A 10-minute question opened 10 minutes minus 20 s ago: it closes 20 s from now (room for a busy
            # machine), and its reminder (half-way) is due already. dan stays away, so only the deadline can close it.
            clock.offset = timedelta(seconds=20) - timedelta(minutes=10)
            await amy.say("表决 1 10m")
            clock.offset = timedelta(0)
            await ben.say("赞成 1")
            await cat.say("反对 1")
            posts = lambda: [p["markdown"]["content"] for p in fake.robot_posts]  # noqa: E731
            await until(lambda: any("提醒：#1 的表决" in p for p in posts()), what="the ballot reminder")
            await until(lambda: any("结果：" in p for p in posts()), 60.0, what="the result at the deadline")
    finally:
        stop.set()
        code = await asyncio.wait_for(serving, 30)
        await fake.server.close()
    assert code == 0
    reminder = next(n for n, p in enumerate(posts()) if "提醒：#1 的表决" in p)
    result = next(n for n, p in enumerate(posts()) if "结果：" in p)
    assert "3-702" in posts()[reminder]  # dan's unit had not voted
    assert reminder < result
    assert "赞成 1，反对 1，弃权 0" in posts()[result] and "结果：未通过" in posts()[result]  # a tie fails (南塘)

    core = await build_core(url)
    try:
        async with core.dispatcher.uow() as uow:
            council = await uow.councils.by_chat("wecom:b3")
            motion = await uow.motions.by_number(council.id, 1)
            [ballot] = await uow.ballots.for_motion(motion.id)
        assert motion.state is MotionState.REJECTED
        assert ballot.closed_at is not None and ballot.closed_at >= ballot.closes_at  # by the clock, not a vote
    finally:
        await core.close()


def test_serve_with_nothing_configured_says_what_to_set_and_fails(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(PLATFORM_VARIABLES)}
    result = subprocess.run([YISHI, "serve"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    for variable in ("TELEGRAM_BOT_TOKEN", "WECOM_CORP_ID", "WECOM_AES_KEY", "YISHI_LINK_SECRET"):
        assert variable in result.stderr
    assert not list(tmp_path.glob("*.db"))  # it stopped before opening a database


async def test_the_router_sends_each_chat_key_to_its_platform_and_keeps_the_others_queued():
    class Recorder:
        def __init__(self) -> None:
            self.sent: list[tuple[str, str]] = []

        async def send(self, chat_key: str, reply: Reply) -> str | None:
            self.sent.append((chat_key, reply.text))
            return None

    telegram, wecom = Recorder(), Recorder()
    router = PlatformRouter()
    router.add("telegram", telegram)
    router.add("wecom", wecom)
    await router.send("telegram:-1001", Reply("a"))
    await router.send("wecom:b3", Reply("b"))
    await router.edit("wecom:b3", Reply("c", subject="ballot:1"))  # no edit there: posted anew
    assert await router.drop_buttons("wecom:b3", "remind:ballot:1") is None
    assert telegram.sent == [("telegram:-1001", "a")] and wecom.sent == [("wecom:b3", "b"), ("wecom:b3", "c")]
    with pytest.raises(TemporaryFailure):
        await router.send("console:main", Reply("d"))
