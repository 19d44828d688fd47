"""Benchmark 2 — many groups: 200 groups × 50 votes, interleaved, pushed at once.

    .venv/bin/python bench/bench_many_groups.py [--groups 200] [--votes 50] [--databases sqlite,postgres]
                                                [--slow-seconds 0.1]

Every group is a council with 50 members and an open ballot (set up through the bot). The 10,000
clicks are queued round-robin (group 1 vote 1, group 2 vote 1, ...) and fetched by the bot's
polling, 100 per getUpdates. Reported: updates/s, p50/p99 delivery -> answer, exact tallies, and the
ratio to a bare python-telegram-bot bot answering the same 10,000 clicks. Then the same run with one
slow group (each of its updates takes `--slow-seconds` longer, as if its council were stuck): the
other groups' figures must stay where they were.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from common import (
    FakeUser,
    TimedFakeBotApi,
    _bot_message,
    ballot_in_group,
    bare_ptb,
    database,
    our_bot,
    tally,
    timing,
    wait_answered,
)

FIRST_CHAT = -200_000


async def ours(kind: str, groups: int, votes: int, slow: float, http_client: str, keep_open: bool = False) -> dict:
    async with TimedFakeBotApi() as api, database(kind) as url, our_bot(api, url, http_client=http_client) as running:
        chats = [FIRST_CHAT - g for g in range(groups)]
        ballots = {}
        for start in range(0, groups, 20):  # set up 20 groups at a time (they run concurrently)
            made = await asyncio.gather(
                *(
                    ballot_in_group(running, chat, votes + keep_open, first_user=1_000_000 + g * 1000, title=f"楼栋{g}")
                    for g, chat in enumerate(chats[start : start + 20], start)
                )
            )
            ballots.update(zip(chats[start : start + 20], made, strict=True))
        slow_chat = chats[0] if slow else None
        if slow:
            adapter = running.bot.adapter
            on_update, prepare = adapter.on_update, adapter.prepare

            async def slow_update(update, context=None):
                if update.effective_chat is not None and update.effective_chat.id == slow_chat:
                    await asyncio.sleep(slow)
                await on_update(update, context)

            async def slow_prepare(updates):
                if updates and updates[0].effective_chat.id == slow_chat:
                    await asyncio.sleep(slow * 5)
                await prepare(updates)

            adapter.prepare = slow_prepare
            # the handler holds the bound method: swap the callback it calls
            for handler in running.bot.application.handlers[0]:
                if getattr(handler, "callback", None) == on_update:
                    handler.callback = slow_update
        clicks = []
        for j in range(votes):
            for chat in chats:
                voters, message, data = ballots[chat]
                clicks.append(api.make_callback(chat, voters[j], message["message_id"], data[j % 3]))
        since = len(api.calls())
        updates = api.push_batch(clicks)
        await wait_answered(api, updates, since, timeout=600)
        result = timing(api, updates, since)
        others = [u for u in updates if u["callback_query"]["message"]["chat"]["id"] != slow_chat]
        other = timing(api, others, since)
        slow_done = None
        if slow_chat is not None:
            mine = [u for u in updates if u["callback_query"]["message"]["chat"]["id"] == slow_chat]
            slow_done = timing(api, mine, since)
        tallies = [(await tally(running, chat))[0] for chat in chats]
    return {
        "db": kind,
        "http": http_client,
        "slow": slow,
        "rate": result.rate,
        "p50_ms": result.p50_ms,
        "p99_ms": result.p99_ms,
        "answered": result.answered,
        "twice": result.answered_twice,
        "exact": sum(t == votes for t in tallies),
        "others_rate": other.rate,
        "others_p99_ms": other.p99_ms,
        "others_seconds": other.seconds,
        "slow_seconds": slow_done.seconds if slow_done else None,
    }


async def bare(groups: int, votes: int) -> dict:
    async with TimedFakeBotApi() as api, bare_ptb(api, concurrent=False):
        chats = [FIRST_CHAT - g for g in range(groups)]
        messages = {}
        for chat in chats:
            api.set_chat(chat, "supergroup", "基线")
            messages[chat] = _bot_message(api, chat)
        clicks = [
            api.make_callback(chat, FakeUser(id=1_000_000 + j, first_name="u"), messages[chat], "v:1:y")
            for j in range(votes)
            for chat in chats
        ]
        since = len(api.calls())
        updates = api.push_batch(clicks)
        await wait_answered(api, updates, since, timeout=600)
        result = timing(api, updates, since)
    return {"rate": result.rate, "p50_ms": result.p50_ms, "p99_ms": result.p99_ms, "answered": result.answered}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--groups", type=int, default=200)
    parser.add_argument("--votes", type=int, default=50)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--http-client", default="aiohttp")
    parser.add_argument("--slow-seconds", type=float, default=0.1, help="0: leave out the slow-group run")
    parser.add_argument(
        "--keep-open",
        action="store_true",
        help="one more member who never votes: no ballot closes (no 200 results to announce)",
    )
    parser.add_argument("--json", action="store_true", help="also print one JSON object")
    args = parser.parse_args()
    started = time.monotonic()
    baseline = await bare(args.groups, args.votes)
    runs = []
    for kind in args.databases.split(","):
        runs.append(await ours(kind, args.groups, args.votes, 0.0, args.http_client, args.keep_open))
        if args.slow_seconds:
            runs.append(await ours(kind, args.groups, args.votes, args.slow_seconds, args.http_client, args.keep_open))
    n = args.groups * args.votes
    if args.json:
        print(json.dumps({"baseline": baseline, "ours": runs}))
    print(
        f"\nMany groups: {args.groups} groups x {args.votes} votes = {n} clicks, interleaved "
        f"(http client {args.http_client}; {time.monotonic() - started:.0f} s in all)"
    )
    print(
        f"{'bot':<30}{'updates/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'answered':>10}{'exact':>7}{'ratio':>7}"
        f"{'others s':>10}{'slow grp s':>11}"
    )
    print(
        f"{'bare ptb':<30}{baseline['rate']:>10.0f}{baseline['p50_ms']:>9.0f}{baseline['p99_ms']:>9.0f}"
        f"{baseline['answered']:>10}{'-':>7}{1:>7.2f}"
    )
    ok = True
    for r in runs:
        name = f"yishi ({r['db']}{', one slow group' if r['slow'] else ''})"
        slow = f"{r['slow_seconds']:.1f}" if r["slow_seconds"] is not None else "-"
        print(
            f"{name:<30}{r['rate']:>10.0f}{r['p50_ms']:>9.0f}{r['p99_ms']:>9.0f}{r['answered']:>10}"
            f"{r['exact']:>7}{r['rate'] / baseline['rate']:>7.2f}{r['others_seconds']:>10.2f}{slow:>11}"
        )
        ok &= r["answered"] == n and r["twice"] == 0 and r["exact"] == args.groups
        if not r["slow"]:
            ok &= r["rate"] / baseline["rate"] >= 0.7
    fast = {r["db"]: r for r in runs if not r["slow"]}
    for r in runs:
        if r["slow"]:
            stalled = r["others_seconds"] > fast[r["db"]]["others_seconds"] * 1.5 + 0.5
            print(
                f"{r['db']}: the other {args.groups - 1} groups took {r['others_seconds']:.2f} s with one slow group "
                f"vs {fast[r['db']]['others_seconds']:.2f} s without -> {'STALLED' if stalled else 'not stalled'}"
            )
            ok &= not stalled
    print("targets: every click answered once, tallies exact, ratio >= 0.7, no stall ->", "MET" if ok else "NOT MET")


if __name__ == "__main__":
    asyncio.run(main())
