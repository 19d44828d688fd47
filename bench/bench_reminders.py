"""Benchmark: 10,000 pending reminders across 1,000 councils — rebuild time at start-up, and due-to-ring spread.

    .venv/bin/python bench/bench_reminders.py [--database URL] [--councils 1000] [--per-council 10]
                                              [--window 60] [--lead 4]

Each council gets `per-council` meetings whose T-1h announcement falls due in the next `window`
seconds (after `lead` seconds of quiet for the start-up), five members to mention, and the
reminder rows a previous run of the scan would have written. Then an Alarm starts on the database
(SQLite file by default; pass a PostgreSQL URL to try that) and every announcement is rung, claimed
and queued in the outbox for real. Prints the rebuild time and the lateness of each ring:
"alarm" is from the due time to the job starting, "done" to its transaction committed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select  # noqa: E402

from bot.alarm import Alarm, Rung  # noqa: E402
from deliberation.chain import GENESIS  # noqa: E402
from deliberation.model import Rules  # noqa: E402
from storage.database import make_engine, make_sessions  # noqa: E402
from storage.leader import leadership_for  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import CouncilRow, MeetingRow, MemberRow, OutboxRow, ReminderRow  # noqa: E402
from storage.uow import uow_factory  # noqa: E402


async def seed(engine, councils: int, per_council: int, lead: float, window: float) -> datetime:
    now = datetime.now(UTC)
    total = councils * per_council
    rules = Rules().to_json()
    async with engine.begin() as conn:
        await conn.execute(
            insert(CouncilRow),
            [
                {
                    "id": c + 1,
                    "chat_key": f"bench:{c + 1}",
                    "title": f"楼栋 {c + 1}",
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
                for c in range(councils)
            ],
        )
        await conn.execute(
            insert(MemberRow),
            [
                {
                    "council_id": c + 1,
                    "user_key": f"bench:{c + 1}:{m}",
                    "name": f"居民{m}",
                    "username": f"r{c + 1}_{m}",
                    "unit": f"1-{101 + m}",
                    "status": "active",
                    "roles": "chair" if m == 0 else "",
                }
                for c in range(councils)
                for m in range(5)
            ],
        )
        meetings, reminders = [], []
        for i in range(total):
            council = i % councils + 1
            due = now + timedelta(seconds=lead + window * i / total)
            start = due + timedelta(hours=1)
            meetings.append(
                {
                    "id": i + 1,
                    "council_id": council,
                    "number": i // councils + 1,
                    "title": f"会议 {i + 1}",
                    "state": "scheduled",
                    "created_at": now - timedelta(minutes=1),
                    "starts_at": start,
                }
            )
            reminders.append(
                {
                    "council_id": council,
                    "kind": "meeting.remind_1h",
                    "subject_id": i + 1,
                    "due_at": due,
                    "expires_at": start,
                    "created_at": now,
                    "sent_at": None,
                    "outcome": None,
                }
            )
            # the start anchors, already rung, so the scan has nothing left to plan
            reminders.append(
                {
                    "council_id": council,
                    "kind": "meeting.start",
                    "subject_id": i + 1,
                    "due_at": start,
                    "expires_at": start + timedelta(hours=1),
                    "created_at": now,
                    "sent_at": now,
                    "outcome": "bench",
                }
            )
        await conn.execute(insert(MeetingRow), meetings)
        for chunk in range(0, len(reminders), 5000):
            await conn.execute(insert(ReminderRow), reminders[chunk : chunk + 5000])
    return now


def percentiles(values: list[float]) -> str:
    values = sorted(values)
    pick = lambda q: values[min(int(q * len(values)), len(values) - 1)]  # noqa: E731
    return (
        f"p50 {pick(0.50) * 1000:7.1f} ms   p95 {pick(0.95) * 1000:7.1f} ms   "
        f"p99 {pick(0.99) * 1000:7.1f} ms   max {values[-1] * 1000:7.1f} ms"
    )


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", help="default: a fresh SQLite file in a temporary folder")
    parser.add_argument("--councils", type=int, default=1000)
    parser.add_argument("--per-council", type=int, default=10)
    parser.add_argument("--window", type=float, default=120.0, help="seconds over which the reminders fall due")
    parser.add_argument("--lead", type=float, default=4.0, help="seconds before the first one is due")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.ERROR)

    folder = tempfile.mkdtemp(prefix="yishi-bench-")
    url = args.database or f"sqlite+aiosqlite:///{os.path.join(folder, 'bench.db')}"
    engine = make_engine(url)
    await upgrade(engine)
    total = args.councils * args.per_council
    t = time.perf_counter()
    await seed(engine, args.councils, args.per_council, args.lead, args.window)
    print(
        f"{engine.dialect.name}: seeded {total} pending reminders across {args.councils} councils "
        f"in {time.perf_counter() - t:.1f} s"
    )

    rungs: list[Rung] = []
    done = asyncio.Event()

    def on_rung(rung: Rung) -> None:
        rungs.append(rung)
        if len(rungs) >= total:
            done.set()

    sessions = make_sessions(engine)
    alarm = Alarm(
        uow_factory(sessions), leadership_for(engine), scan_interval=30, resync_interval=3600, on_rung=on_rung
    )
    t = time.perf_counter()
    await alarm.start()
    rebuild = time.perf_counter() - t
    jobs = len(alarm.scheduler.get_jobs())
    print(f"rebuild at start-up: {rebuild:.3f} s for {jobs} alarms (target < 2 s)")
    try:
        await asyncio.wait_for(done.wait(), timeout=args.lead + args.window + 120)
    except TimeoutError:
        print(f"only {len(rungs)} of {total} rang in time")
    await alarm.stop()

    outcomes: dict[str, int] = {}
    for r in rungs:
        outcomes[r.outcome] = outcomes.get(r.outcome, 0) + 1
    print(f"rung: {outcomes}")
    rang_late = [(r.rang - r.due_at).total_seconds() for r in rungs]
    done_late = [(r.finished - r.due_at).total_seconds() for r in rungs]
    handling = [(r.finished - r.started).total_seconds() for r in rungs]
    print(f"due → alarm rings  : {percentiles(rang_late)}   (target p99 < 1 s)")
    print(f"due → committed    : {percentiles(done_late)}   (claimed, acted, announcement queued)")
    print(
        f"load: {total / args.window:.0f} reminders/s falling due on average; handling one takes "
        f"{statistics.mean(handling) * 1000:.1f} ms on average, so about "
        f"{alarm.concurrency / statistics.mean(handling):.0f} per second at most ({alarm.concurrency} at a time)"
    )
    async with sessions() as session:
        queued = (await session.execute(select(func.count()).select_from(OutboxRow))).scalar_one()
        pending = (
            await session.execute(select(func.count()).select_from(ReminderRow).where(ReminderRow.sent_at.is_(None)))
        ).scalar_one()
    print(f"announcements queued: {queued}; reminders still pending: {pending}")
    await engine.dispose()
    shutil.rmtree(folder, ignore_errors=True)
    return 0 if queued == total and pending == 0 else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
