"""Benchmark 1 — vote burst: 1,000 members of one group press a vote button at once.

    .venv/bin/python bench/bench_vote_burst.py [--votes 1000] [--databases sqlite,postgres] [--repeat 1]

All 1,000 callback updates are queued in the fake Bot API server (127.0.0.1, in this process) and
fetched by the bot's own long polling, 100 per getUpdates, so the whole python-telegram-bot path is
measured. In the same run, the same burst is answered by bare bots that only answer callback queries
(python-telegram-bot with its defaults, the same with concurrent_updates(True), and aiogram 3
when installed); the ratio is
our updates/s ÷ bare python-telegram-bot updates/s.
"""

from __future__ import annotations

import argparse
import asyncio
import json

from common import (
    TimedFakeBotApi,
    ballot_in_group,
    bare_aiogram,
    bare_burst,
    bare_ptb,
    database,
    our_bot,
    tally,
    timing,
    wait_answered,
)

from bot.settings import TelegramSettings

CHAT = -100_500
DEFAULT_HTTP = TelegramSettings.model_fields["http_client"].default


async def ours(kind: str, votes: int, http_client: str = "httpx", *, secret: bool = False) -> dict:
    async with TimedFakeBotApi() as api, database(kind) as url, our_bot(api, url, http_client=http_client) as running:
        voters, ballot, (yes, no, abstain) = await ballot_in_group(
            running, CHAT, votes, first_user=100_000, secret=secret
        )
        choice = (yes, no, abstain)
        since = len(api.calls())
        updates = api.push_batch(
            [api.make_callback(CHAT, v, ballot["message_id"], choice[i % 3]) for i, v in enumerate(voters)]
        )
        await wait_answered(api, updates, since)
        result = timing(api, updates, since)
        await running.bot.edits.settle(timeout=30)
        edits = [
            c for c in api.calls("editMessageText", since=since) if c.params.get("message_id") == ballot["message_id"]
        ]
        counted, counts = await tally(running, CHAT)
        return {
            "db": kind,
            "http": http_client,
            "rate": result.rate,
            "seconds": result.seconds,
            "p50_ms": result.p50_ms,
            "p99_ms": result.p99_ms,
            "answered": result.answered,
            "answered_twice": result.answered_twice,
            "tally": counted,
            "counts": counts,
            "edits": len(edits),
        }


async def bare(kind: str, votes: int) -> dict:
    async with TimedFakeBotApi() as api:
        if kind == "ptb":  # python-telegram-bot's defaults: one update after the other
            async with bare_ptb(api, concurrent=False):
                result = await bare_burst(api, -100_600, votes, 200_000)
        elif kind == "ptb-aiohttp":  # the defaults, with bot/telegram/request.py's aiohttp backend
            async with bare_ptb(api, concurrent=False, aiohttp=True):
                result = await bare_burst(api, -100_600, votes, 200_000)
        elif kind == "ptb-concurrent":  # concurrent_updates(True): 1,000 answers at once through httpx
            async with bare_ptb(api, concurrent=True):
                result = await bare_burst(api, -100_600, votes, 200_000)
        else:
            async with bare_aiogram(api) as dp:
                if dp is None:
                    return {"bot": kind, "rate": None}
                result = await bare_burst(api, -100_600, votes, 200_000)
    return {
        "bot": kind,
        "rate": result.rate,
        "seconds": result.seconds,
        "p50_ms": result.p50_ms,
        "p99_ms": result.p99_ms,
        "answered": result.answered,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--votes", type=int, default=1000)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--http-clients", default="httpx,aiohttp", help="our bot's request backends to run")
    parser.add_argument("--secret", action="store_true", help="a secret ballot (sealed choices) for our bot")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    args = parser.parse_args()

    baselines = [await bare(kind, args.votes) for kind in ("ptb", "ptb-aiohttp", "ptb-concurrent", "aiogram")]
    runs = [
        await ours(kind, args.votes, http, secret=args.secret)
        for kind in args.databases.split(",")
        if kind
        for http in args.http_clients.split(",")
        if http
    ]
    baseline = baselines[0]["rate"]
    ok = True
    if args.json:
        print(json.dumps({"baselines": baselines, "ours": runs}, ensure_ascii=False))
    print(f"\nVote burst: {args.votes} clicks in one group, getUpdates batches of 100")
    print(f"{'bot':<28}{'updates/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'answered':>10}{'tally':>7}{'edits':>7}{'ratio':>7}")
    for b in baselines:
        if b["rate"] is None:
            print(f"{'bare ' + b['bot']:<28}{'(not installed)':>10}")
            continue
        print(
            f"{'bare ' + b['bot']:<28}{b['rate']:>10.0f}{b['p50_ms']:>9.1f}{b['p99_ms']:>9.1f}{b['answered']:>10}"
            f"{'-':>7}{'-':>7}{b['rate'] / baseline:>7.2f}"
        )
    for r in runs:
        ratio = r["rate"] / baseline
        label = f"yishi ({r['db']}, {r['http']})"
        print(
            f"{label:<28}{r['rate']:>10.0f}{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}"
            f"{r['answered']:>10}{r['tally']:>7}{r['edits']:>7}{ratio:>7.2f}"
        )
        ok &= r["tally"] == args.votes and r["answered"] == args.votes and r["answered_twice"] == 0
        ok &= r["edits"] <= 10 and (ratio >= 0.7 or r["http"] != DEFAULT_HTTP)
    print(
        f"targets: tally exact, every click answered once, edits <= 10, ratio >= 0.7 (with the default "
        f"http client, {DEFAULT_HTTP}) ->",
        "MET" if ok else "NOT MET",
    )


if __name__ == "__main__":
    asyncio.run(main())
