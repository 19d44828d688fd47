"""Benchmark 4 — open-loop latency: presses arrive at a steady rate, spread over many groups.

    .venv/bin/python bench/bench_open_loop.py [--rate 300] [--seconds 30] [--groups 100]
                                              [--databases sqlite,postgres] [--json]

Every group is a council with an open ballot (one member more than the presses it gets, so no ballot
closes during the run). Presses are queued in the fake Bot API server at `--rate` a second, round-robin
over the groups, whatever the bot is doing (open loop: a slow bot sees a growing queue, not a slower
load), and fetched by the bot's own long polling. Reported per run: p50/p99 from delivery (the update
leaving in a getUpdates answer) to the answerCallbackQuery, the same from arrival (queued in the fake
server), the presses answered and the CPU milliseconds the bot's process spent per press. The bot runs
in its own process (`yishi run`, polling), as in production; the fake server stays in the bench's.
Goal: p99 ≤ 250 ms. Bare python-telegram-bot (its defaults, bench/bare_bot.py) answers the same load in
the same run, for comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

from common import FakeUser, TimedFakeBotApi, _bot_message, commit_latency_ms, database, wait_answered
from fleet import Process, seed_groups, start_bare_ptb, start_yishi

FIRST_CHAT = -300_000
GOAL_P99_MS = 250.0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


async def drive(api: TimedFakeBotApi, clicks: list[dict], rate: float) -> tuple[list[dict], dict[int, float], float]:
    """Queue `clicks` at `rate` a second (each tick queues what is due); returns the updates, their arrival
    times and the CPU seconds the bench process (the fake server) used from the first arrival to the last answer."""
    arrived: dict[int, float] = {}
    updates: list[dict] = []
    since = len(api.calls())
    cpu = time.process_time()
    start = time.monotonic()
    sent = 0
    while sent < len(clicks):
        due = min(len(clicks), int((time.monotonic() - start) * rate) + 1)
        if due > sent:
            now = time.monotonic()
            batch = api.push_batch(clicks[sent:due])
            for update in batch:
                arrived[update["update_id"]] = now
            updates += batch
            sent = due
        await asyncio.sleep(max(0.0, start + sent / rate - time.monotonic()))
    await wait_answered(api, updates, since, timeout=600)
    return updates, arrived, time.process_time() - cpu


def latencies(api: TimedFakeBotApi, updates: list[dict], arrived: dict[int, float], since: int) -> dict:
    by_query = {u["callback_query"]["id"]: u["update_id"] for u in updates}
    first: dict[str, float] = {}
    for call in api.calls("answerCallbackQuery", since=since):
        query = call.params.get("callback_query_id")
        if query in by_query and call.ok:
            first.setdefault(query, call.time)
    from_delivery = [(first[q] - api.delivered_at[u]) * 1000 for q, u in by_query.items() if q in first]
    from_arrival = [(first[q] - arrived[u]) * 1000 for q, u in by_query.items() if q in first]
    return {
        "answered": len(first),
        "p50_ms": statistics.median(from_delivery) if from_delivery else float("nan"),
        "p99_ms": percentile(from_delivery, 0.99),
        "arrival_p50_ms": statistics.median(from_arrival) if from_arrival else float("nan"),
        "arrival_p99_ms": percentile(from_arrival, 0.99),
        "max_ms": max(from_arrival, default=float("nan")),
    }


async def ours(kind: str, rate: float, seconds: float, groups: int) -> dict:
    """`yishi run` (polling) in its own process."""
    per_group = int(rate * seconds) // groups
    async with TimedFakeBotApi() as api, database(kind) as url:
        chats = [FIRST_CHAT - g for g in range(groups)]
        seeded = await seed_groups(api, url, chats, per_group + 1, first_user=3_000_000)
        commit_ms = await commit_latency_ms(url)
        with tempfile.TemporaryDirectory(prefix="yishi-open-loop-") as home:
            bot = await start_yishi(api, url, Path(home), "yishi")
            try:
                clicks = [
                    api.make_callback(g.chat_id, g.voters[j], g.message_id, g.data[j % 3])
                    for j in range(per_group)
                    for g in seeded
                ]
                return {**await measure(api, bot, clicks, rate, f"yishi ({kind})"), "commit_ms": commit_ms}
            finally:
                await bot.stop()


async def bare(rate: float, seconds: float, groups: int) -> dict:
    """Bare python-telegram-bot (its defaults) in its own process, on the same load."""
    per_group = int(rate * seconds) // groups
    async with TimedFakeBotApi() as api:
        chats = [FIRST_CHAT - g for g in range(groups)]
        messages = {}
        for chat in chats:
            api.set_chat(chat, "supergroup", "基线")
            messages[chat] = _bot_message(api, chat)
        clicks = [
            api.make_callback(chat, FakeUser(id=3_000_000 + j, first_name="u"), messages[chat], "v:1:y")
            for j in range(per_group)
            for chat in chats
        ]
        with tempfile.TemporaryDirectory(prefix="yishi-open-loop-") as home:
            bot = await start_bare_ptb(api, Path(home))
            try:
                return await measure(api, bot, clicks, rate, "bare ptb")
            finally:
                await bot.stop()


async def measure(api: TimedFakeBotApi, bot: Process, clicks: list[dict], rate: float, name: str) -> dict:
    since = len(api.calls())
    cpu = bot.cpu_seconds()
    spy = await bot.sample(len(clicks) / rate)
    updates, arrived, bench_cpu = await drive(api, clicks, rate)
    if spy is not None:
        await spy.wait()
    figures = latencies(api, updates, arrived, since)
    return {
        "bot": name,
        "presses": len(clicks),
        "cpu_ms_per_press": (bot.cpu_seconds() - cpu) * 1000 / len(clicks),
        "bench_cpu_ms_per_press": bench_cpu * 1000 / len(clicks),
        **figures,
    }


def table(runs: list[dict], rate: float, seconds: float, groups: int) -> bool:
    print(f"\nOpen loop: {rate:.0f} presses/s over {groups} groups for {seconds:.0f} s")
    print(
        f"{'bot':<22}{'presses':>8}{'answered':>9}{'p50 ms':>8}{'p99 ms':>8}"
        f"{'arr p50':>9}{'arr p99':>9}{'max ms':>8}{'bot CPU ms/press':>17}"
    )
    ok = True
    for r in runs:
        print(
            f"{r['bot']:<22}{r['presses']:>8}{r['answered']:>9}{r['p50_ms']:>8.0f}{r['p99_ms']:>8.0f}"
            f"{r['arrival_p50_ms']:>9.0f}{r['arrival_p99_ms']:>9.0f}{r['max_ms']:>8.0f}{r['cpu_ms_per_press']:>17.2f}"
        )
        if r["bot"].startswith("yishi"):
            ok &= r["answered"] == r["presses"] and r["p99_ms"] <= GOAL_P99_MS
    print(
        f"target: every press answered, p99 (delivery -> answer) <= {GOAL_P99_MS:.0f} ms ->", "MET" if ok else "NOT MET"
    )
    return ok


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=300)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    runs = [] if args.no_baseline else [await bare(args.rate, args.seconds, args.groups)]
    for kind in args.databases.split(","):
        if kind:
            runs.append(await ours(kind, args.rate, args.seconds, args.groups))
    if args.json:
        print(json.dumps(runs))
    table(runs, args.rate, args.seconds, args.groups)


if __name__ == "__main__":
    asyncio.run(main())
