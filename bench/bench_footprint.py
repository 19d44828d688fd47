"""Benchmark 3 — footprint: resident memory and start-up time of `yishi run` with 10,000 councils × 20 members.

    .venv/bin/python bench/bench_footprint.py [--councils 10000] [--members 20] [--databases sqlite,postgres]

The database is filled directly (councils, members, one open ballot in every tenth council so
the alarm has deadlines to plan), then `yishi run` is started as its own process against the fake
Bot API server. Start-up time: from the spawn to its first getUpdates (polling). Memory: the
process's resident set (RSS) once polling, 5 s later (after the alarm's first scan), and its peak
(VmHWM). Target: RSS < 300 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import database
from sqlalchemy import insert

from deliberation.chain import GENESIS
from deliberation.model import Rules
from storage.database import make_engine
from storage.migrate import upgrade
from storage.models import BallotRow, CouncilRow, MemberRow, MotionRow
from tests.fakes.fake_bot_api import FakeBotApi, free_port

YISHI = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "yishi"
MB = 1024 * 1024


def _rss(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) in bytes."""
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) * 1024
    return values["VmRSS"], values["VmHWM"]


async def seed(url: str, councils: int, members: int) -> float:
    started = time.monotonic()
    engine = make_engine(url)
    await upgrade(engine)
    now = datetime.now(UTC)
    rules = Rules().to_json()
    step = 1000
    async with engine.begin() as conn:
        for first in range(0, councils, step):
            ids = range(first + 1, min(councils, first + step) + 1)
            await conn.execute(
                insert(CouncilRow),
                [
                    {
                        "id": c,
                        "chat_key": f"telegram:-100{c:09d}",
                        "title": f"楼栋 {c}",
                        "preset": "nantang",
                        "rules": rules,
                        "locale": "zh_Hans",
                        "timezone": "Asia/Shanghai",
                        "has_roster": False,
                        "chain_seq": 0,
                        "chain_head": GENESIS,
                        "active": True,
                        "created_at": now,
                    }
                    for c in ids
                ],
            )
            await conn.execute(
                insert(MemberRow),
                [
                    {
                        "council_id": c,
                        "user_key": f"telegram:{c * 100 + m}",
                        "name": f"居民{m}",
                        "username": None,
                        "unit": f"{m // 10 + 1}-{m % 10 + 101}",
                        "status": "active",
                        "roles": "chair" if m == 0 else "",
                    }
                    for c in ids
                    for m in range(members)
                ],
            )
        # an open ballot in every tenth council: deadlines for the alarm to plan at start-up
        voting = list(range(1, councils + 1, 10))
        await conn.execute(
            insert(MotionRow),
            [
                {
                    "id": c,
                    "council_id": c,
                    "number": 1,
                    "kind": "main",
                    "text": "加装电梯",
                    "mover_id": (c - 1) * members + 1,
                    "state": "voting",
                    "created_at": now,
                }
                for c in voting
            ],
        )
        await conn.execute(
            insert(BallotRow),
            [
                {
                    "council_id": c,
                    "motion_id": c,
                    "opened_at": now,
                    "closes_at": now + timedelta(days=2),
                    "secret": False,
                    "threshold": "1/2",
                    "members": members,
                    "eligible_voters": members - 1,
                    "total_area_cm2": 0,
                    "total_owners": 0,
                }
                for c in voting
            ],
        )
    await engine.dispose()
    return time.monotonic() - started


async def measure(kind: str, councils: int, members: int) -> dict:
    async with database(kind) as url:
        seeded = await seed(url, councils, members)
        port = free_port()
        with tempfile.TemporaryDirectory(prefix="yishi-footprint-") as home:
            async with FakeBotApi(port=port) as api:
                env = {
                    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                    "HOME": home,
                    "LANG": "C.UTF-8",
                    "TELEGRAM_BOT_TOKEN": api.token,
                    "TELEGRAM_API_BASE": f"http://127.0.0.1:{port}",
                    "DATABASE_URL": url,
                }
                started = time.monotonic()
                process = await asyncio.create_subprocess_exec(
                    str(YISHI),
                    "run",
                    cwd=home,
                    env=env,
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.DEVNULL,
                )
                try:
                    await api.wait_for(method="getUpdates", timeout=120)
                    startup = time.monotonic() - started
                    rss_start, _ = _rss(process.pid)
                    await asyncio.sleep(5)
                    rss_later, peak = _rss(process.pid)
                finally:
                    process.send_signal(signal.SIGTERM)
                    try:
                        await asyncio.wait_for(process.wait(), 30)
                    except TimeoutError:
                        process.kill()
                        await process.wait()
    return {
        "db": kind,
        "seed_s": seeded,
        "startup_s": startup,
        "rss_mb": rss_start / MB,
        "rss_5s_mb": rss_later / MB,
        "peak_mb": peak / MB,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--councils", type=int, default=10_000)
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--databases", default="sqlite,postgres")
    args = parser.parse_args()
    rows = [await measure(kind, args.councils, args.members) for kind in args.databases.split(",") if kind]
    print(
        f"\nFootprint: `yishi run` with {args.councils} councils x {args.members} members "
        f"({args.councils // 10} open ballots)"
    )
    print(f"{'database':<12}{'start-up s':>11}{'RSS MB':>9}{'RSS +5s MB':>12}{'peak MB':>9}{'(seeding s)':>13}")
    ok = True
    for r in rows:
        print(
            f"{r['db']:<12}{r['startup_s']:>11.2f}{r['rss_mb']:>9.0f}{r['rss_5s_mb']:>12.0f}{r['peak_mb']:>9.0f}"
            f"{r['seed_s']:>13.1f}"
        )
        ok &= max(r["rss_mb"], r["rss_5s_mb"], r["peak_mb"]) < 300
    print("target: RSS < 300 MB ->", "MET" if ok else "NOT MET")


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
