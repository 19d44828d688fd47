"""Benchmark 5 — scale-out: two webhook workers on one PostgreSQL database against one, same load.

    .venv/bin/python bench/bench_scale_out.py [--groups 50] [--presses 2000] [--in-flight 40]

Each configuration gets a fresh database with `--groups` councils, each with an open ballot. The
presses (round-robin over the groups) are POSTed to the webhook(s) as Telegram does, at most
`--in-flight` at a time (Telegram's max_connections is 40 here); with two workers they alternate, as
behind a plain load balancer. A POST is answered once its update is handled, so presses/s is the
workers' throughput. Reported: presses/s, p50/p99 of the POSTs, the CPU each worker and the bench
process (the fake server and the load) spent per press, and the ratio two workers / one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from common import TimedFakeBotApi, commit_latency_ms, database
from fleet import SECRET, seed_groups, start_yishi

FIRST_CHAT = -400_000


async def run(workers: int, groups: int, presses: int, in_flight: int) -> dict:
    per_group = presses // groups
    async with TimedFakeBotApi() as api, database("postgres") as url:
        seeded = await seed_groups(api, url, [FIRST_CHAT - g for g in range(groups)], per_group + 1, 5_000_000)
        commit_ms = await commit_latency_ms(url)
        clicks = [
            api.make_callback(g.chat_id, g.voters[j], g.message_id, g.data[j % 3])
            for j in range(per_group)
            for g in seeded
        ]
        with tempfile.TemporaryDirectory(prefix="yishi-scale-out-") as home:
            bots = [await start_yishi(api, url, Path(home), f"worker-{n}", webhook=True) for n in range(workers)]
            try:
                gate = asyncio.Semaphore(in_flight)
                took: list[float] = []
                failed = 0

                async def post(i: int, update: dict) -> None:
                    nonlocal failed
                    async with gate:
                        started = time.monotonic()
                        status = await api.deliver_webhook(bots[i % workers].hook, update, SECRET, timeout=120)
                        took.append((time.monotonic() - started) * 1000)
                        failed += status != 200

                cpu = [b.cpu_seconds() for b in bots]
                bench_cpu = time.process_time()
                started = time.monotonic()
                await asyncio.gather(*(post(i, u) for i, u in enumerate(clicks)))
                seconds = time.monotonic() - started
                bench_cpu = time.process_time() - bench_cpu
                worker_cpu = [b.cpu_seconds() - c for b, c in zip(bots, cpu, strict=True)]
                answered = {a["callback_query_id"] for a in api.callback_answers()}
            finally:
                for bot in bots:
                    await bot.stop()
        ordered = sorted(took)
        return {
            "workers": workers,
            "presses": len(clicks),
            "failed": failed,
            "answered": sum(1 for c in clicks if c["callback_query"]["id"] in answered),
            "rate": len(clicks) / seconds,
            "p50_ms": statistics.median(ordered),
            "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
            "worker_cpu_ms_per_press": [c * 1000 / len(clicks) for c in worker_cpu],
            "worker_cpu_share": [c / seconds for c in worker_cpu],
            "bench_cpu_ms_per_press": bench_cpu * 1000 / len(clicks),
            "bench_cpu_share": bench_cpu / seconds,
            "commit_ms": commit_ms,
        }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--groups", type=int, default=50)
    parser.add_argument("--presses", type=int, default=2000)
    parser.add_argument("--in-flight", type=int, default=40)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    runs = [await run(n, args.groups, args.presses, args.in_flight) for n in (1, 2)]
    if args.json:
        print(json.dumps(runs))
    print(f"\nScale-out: {runs[0]['presses']} presses over {args.groups} groups, webhook, {args.in_flight} in flight")
    print(f"(this machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end)")
    print(
        f"{'workers':<9}{'presses/s':>10}{'p50 ms':>8}{'p99 ms':>8}{'answered':>9}{'worker CPU ms/press':>21}"
        f"{'worker cores':>14}{'bench cores':>12}{'ratio':>7}"
    )
    for r in runs:
        print(
            f"{r['workers']:<9}{r['rate']:>10.0f}{r['p50_ms']:>8.0f}{r['p99_ms']:>8.0f}{r['answered']:>9}"
            f"{' + '.join(f'{c:.2f}' for c in r['worker_cpu_ms_per_press']):>21}"
            f"{' + '.join(f'{c:.2f}' for c in r['worker_cpu_share']):>14}{r['bench_cpu_share']:>12.2f}"
            f"{r['commit_ms']:>10.1f}"
            f"{r['rate'] / runs[0]['rate']:>7.2f}"
        )
    ok = all(r["answered"] == r["presses"] and r["failed"] == 0 for r in runs)
    print("every press answered, none failed ->", "MET" if ok else "NOT MET")


if __name__ == "__main__":
    asyncio.run(main())
