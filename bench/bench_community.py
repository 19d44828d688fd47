"""Benchmark — the community desk and the monthly ledger for a community of 300 councils × 30 days.

    .venv/bin/python bench/bench_community.py [--councils 300] [--databases sqlite,postgres]

Every council's month is typed through the command desk (the same path as a chat): members join; over 30
days motions are raised, seconded and voted (one secret ballot in three), one is rejected, adopted ones are
assigned (some reported done in time, some left overdue) and rated; every third council publishes its
minutes; one ballot per council is left open. Then it prints:
- the desk page `/c/<slug>` (median of 5 requests through aiohttp; goal < 300 ms),
- the four charts as SVG (drawn once, then cached for a minute),
- the ledger: replaying every council's chain, the XLSX and the PDF (goal < 5 s for the ledger).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp import web  # noqa: E402
from aiohttp.test_utils import TestClient, TestServer  # noqa: E402

from bot.community_desk.ledger import build_ledger  # noqa: E402
from bot.community_desk.pdf import to_pdf  # noqa: E402
from bot.community_desk.web import add_desk_routes  # noqa: E402
from bot.community_desk.xlsx import to_xlsx  # noqa: E402
from bot.desk.messages import Incoming  # noqa: E402
from bot.main import build_core  # noqa: E402
from deliberation import community  # noqa: E402
from deliberation.ledger import Month  # noqa: E402

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
START = datetime(2026, 11, 1, 0, 30, tzinfo=UTC)
PEOPLE = ("alice", "bob", "carol", "dave", "erin", "frank")


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


async def _month(desk, clock: Clock, chat: str, index: int) -> None:
    """One council's 30 days, through the desk."""

    async def say(who: str, text: str = "", data: str | None = None):
        clock.now += timedelta(seconds=20)
        answer = await desk.handle(
            Incoming(
                "console",
                chat,
                who,
                who.title(),
                text=text,
                data=data,
                chat_title=f"{index}号楼议事会",
                username=who,
                is_admin=who == "chair",
            )
        )
        if answer.refused:
            raise RuntimeError((chat, who, text, answer.refusal))
        return answer

    clock.now = START + timedelta(minutes=index)
    await say("chair", "/setup robert")
    for n, who in enumerate(PEOPLE):
        await say(who, f"/join {index}-{n + 1:02d}")
    await say("chair", "/secretary @carol")
    for number in range(1, 5):
        clock.now = START + timedelta(days=7 * (number - 1) + 1, minutes=index)
        secret = number == 2 and index % 3 == 0
        await say(PEOPLE[number], f"/motion 第{number}件事：楼道照明和绿化的安排，第{index}号楼")
        await say(PEOPLE[number + 1], f"/second {number}")
        opened = await say("chair", f"/vote {number} 48h{' secret' if secret else ''}")
        if number == 4:
            break  # left open
        ballot = opened.replies[0].subject.split(":")[1]
        choices = "yyyny" if number != 3 else "nnnyy"
        for who, choice in zip(PEOPLE, choices, strict=False):
            await say(who, "", data=f"v:{ballot}:{choice}")
        await say("chair", f"/close {number}")
        if number in (1, 2):
            await say("chair", f"/assign {number} @{PEOPLE[number]} 3d")
    clock.now = START + timedelta(days=3, minutes=index)
    await say(PEOPLE[1], "/report 1 已办好 完成")
    await say("chair", "/rate 1")
    for who, choice in zip(PEOPLE, ("满意", "满意", "基本满意", "不满意"), strict=False):
        await say(who, f"/rate 1 {choice}")
    await say("chair", "/rate 1 close")
    if index % 3 == 0:
        await say("carol", "/publish all")


async def _database(kind: str) -> tuple[str, object]:
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="yishi-bench-")
        return f"sqlite+aiosqlite:///{folder}/bench.db", None
    import asyncpg

    name = f"yishi_bench_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(PG_ADMIN)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}", name


async def _drop(name: object) -> None:
    if name is None:
        return
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


async def run(kind: str, councils: int) -> dict[str, float]:
    url, scratch = await _database(kind)
    clock = Clock()
    core = await build_core(url, clock=clock)
    figures: dict[str, float] = {}
    try:
        started = time.perf_counter()
        for index in range(1, councils + 1):
            await _month(core.dispatcher, clock, f"b{index}", index)
        figures["seed_s"] = time.perf_counter() - started
        clock.now = START + timedelta(days=30)
        async with core.new_uow() as uow:
            made = await community.create(uow.communities, "基准社区", clock())
            for council in await uow.councils.all():
                await community.add_council(uow.communities, made, council, clock())
            await uow.communities.add_secretary(made.id, "console:sec", "书记")
            await uow.commit()

        async def secretary(request: web.Request, community_id: int) -> str:
            return "console:sec"

        app = web.Application()
        add_desk_routes(app, core.new_uow, clock, resolver=secretary)
        client = TestClient(TestServer(app, host="127.0.0.1"))
        await client.start_server()
        try:
            times = []
            for _ in range(6):
                began = time.perf_counter()
                answer = await client.get(f"/c/{made.slug}")
                body = await answer.text()
                times.append(time.perf_counter() - began)
                assert answer.status == 200 and body.count("class=card ") == councils, answer.status
            figures["desk_ms"] = statistics.median(times[1:]) * 1000
            figures["desk_kb"] = len(body.encode()) / 1024
            began = time.perf_counter()
            for name in ("participation", "outcomes", "delivery", "satisfaction"):
                assert (await client.get(f"/c/{made.slug}/chart/{name}.svg")).status == 200
            figures["charts_first_ms"] = (time.perf_counter() - began) * 1000
            began = time.perf_counter()
            for name in ("participation", "outcomes", "delivery", "satisfaction"):
                assert (await client.get(f"/c/{made.slug}/chart/{name}.svg")).status == 200
            figures["charts_cached_ms"] = (time.perf_counter() - began) * 1000
        finally:
            await client.close()
        began = time.perf_counter()
        async with core.new_uow() as uow:
            ledger = await build_ledger(uow, made, Month(2026, 11), clock())
        figures["ledger_replay_s"] = time.perf_counter() - began
        began = time.perf_counter()
        xlsx = to_xlsx(ledger)
        figures["ledger_xlsx_s"] = time.perf_counter() - began
        began = time.perf_counter()
        pdf = to_pdf(ledger)
        figures["ledger_pdf_s"] = time.perf_counter() - began
        figures["ledger_total_s"] = figures["ledger_replay_s"] + figures["ledger_xlsx_s"] + figures["ledger_pdf_s"]
        figures["xlsx_kb"], figures["pdf_kb"] = len(xlsx) / 1024, len(pdf) / 1024
        figures["motions"] = sum(len(c.motions) for c in ledger.councils)
    finally:
        await core.close()
        await _drop(scratch)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--councils", type=int, default=300)
    parser.add_argument("--databases", default="sqlite,postgres")
    args = parser.parse_args()
    for kind in args.databases.split(","):
        figures = asyncio.run(run(kind, args.councils))
        print(f"{kind}: {args.councils} councils, " + ", ".join(f"{k}={v:.1f}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
