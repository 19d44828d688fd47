"""Two `yishi serve` workers on one PostgreSQL: a session made on one works on the other, and a vote cast
through one reaches the live page (server-sent events) served by the other."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from bot.hall import passes
from bot.main import build_core
from tests.conftest import create_pg_database, drop_pg_database

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(90)]

YISHI = str(Path(sys.executable).with_name("yishi"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(url: str, port: int, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "YISHI_WEB_LISTEN": f"127.0.0.1:{port}",
        "TELEGRAM_BOT_TOKEN": "",
        "WECOM_CORP_ID": "",
    }
    return subprocess.Popen([YISHI, "serve"], env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


async def _up(port: int, worker: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert worker.poll() is None, "the worker stopped"
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


async def _say(desk, who: str, text: str):
    from bot.desk.messages import Incoming

    response = await desk.handle(Incoming("console", "main", who, who, text=text, chat_title="议事会", username=who))
    assert not response.refused, (who, text, response)
    return response


async def test_a_vote_on_one_worker_reaches_the_live_page_of_the_other(tmp_path):
    url = await create_pg_database()
    core = await build_core(url)
    workers = []
    try:
        desk = core.dispatcher
        await _say(desk, "chair", "/setup")
        for who, unit in (("alice", "1-1"), ("bob", "1-2")):
            await _say(desk, who, f"/join {unit}")
        await _say(desk, "alice", "/motion 修车棚")
        await _say(desk, "bob", "/second 1")
        await _say(desk, "chair", "/vote 1")
        async with desk.uow() as uow:
            council = await uow.councils.by_chat("console:main")
            alice = await uow.members.by_user(council.id, "console:alice")
            link = await passes.personal_link(uow, "", council.id, alice.id, desk.clock())
            seq, _ = await uow.events.head(council.id)
            await uow.commit()
        ports = [_free_port(), _free_port()]
        workers = [_serve(url, port, tmp_path / f"worker{n}.log") for n, port in enumerate(ports)]
        for port, worker in zip(ports, workers, strict=True):
            await _up(port, worker)
        one, other = (f"http://127.0.0.1:{port}" for port in ports)
        hall = link.split("/in/")[0]
        async with aiohttp.ClientSession() as http:
            # alice signs in on the second worker and votes through the first with that session
            async with http.post(other + link, allow_redirects=False) as r:
                assert r.status == 303
                cookie = r.cookies["yishi_hall"].value
            jar = {"Cookie": f"yishi_hall={cookie}"}
            async with http.get(f"{one}{hall}/m/1", headers=jar) as r:
                page = await r.text()
                csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
                ballot = re.search(r'name="act" value="vote"><input type="hidden" name="n" value="(\d+)"', page)
            # a neighbour's phone follows the ballot live on the second worker
            async with http.get(f"{other}{hall}/events?after={seq}", timeout=aiohttp.ClientTimeout(total=30)) as feed:
                assert feed.headers["Content-Type"].startswith("text/event-stream")
                async with http.post(
                    f"{one}{hall}/do",
                    headers=jar,
                    data={"csrf": csrf, "act": "vote", "n": ballot.group(1), "choice": "y", "back": f"{hall}/m/1"},
                    allow_redirects=False,
                ) as r:
                    assert r.status == 303
                started = time.monotonic()
                while True:
                    line = (await asyncio.wait_for(feed.content.readline(), 10)).decode()
                    if line.startswith("id: ") and int(line[4:]) > seq:
                        break
                heard_after = time.monotonic() - started
            async with http.get(f"{other}{hall}/m/1") as r:
                assert "已投票 1 人" in await r.text()
        assert heard_after < 5, heard_after
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(10)
            except subprocess.TimeoutExpired:
                worker.kill()
        await core.close()
        await drop_pg_database(url)
