"""Benchmark 7 — what one group commit costs when every council has one press in it (the many-groups case).

    .venv/bin/python bench/bench_vote_run_cost.py [--councils 40] [--rounds 5] [--databases sqlite,postgres]

`Desk.handle_vote_runs` records runs of several councils in one transaction. With hundreds of groups
each run holds one or two presses, so what each council costs (its lock, ballot, motion, vote row,
hash-chain head, event, answer) is paid per press. Reported: milliseconds per transaction and per council.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from common import TimedFakeBotApi, database
from fleet import seed_groups

from bot.desk.messages import Incoming
from bot.main import build_core


async def cost(kind: str, councils: int, rounds: int) -> list[float]:
    async with TimedFakeBotApi() as api, database(kind) as url:
        groups = await seed_groups(api, url, [-600_000 - i for i in range(councils)], rounds + 2, 6_000_000)
        core = await build_core(url)
        took = []
        try:
            for j in range(rounds):
                runs = [
                    [
                        Incoming(
                            "telegram",
                            str(g.chat_id),
                            str(g.voters[j].id),
                            g.voters[j].first_name,
                            data=g.data[j % 3],
                            chat_is_group=True,
                            update_key=f"tg:cost:{j}:{g.chat_id}",
                        )
                    ]
                    for g in groups
                ]
                started = time.monotonic()
                await core.dispatcher.handle_vote_runs(runs)
                took.append((time.monotonic() - started) * 1000)
        finally:
            await core.close()
        return took


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--councils", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--databases", default="sqlite,postgres")
    args = parser.parse_args()
    print(f"\nOne transaction of {args.councils} councils x 1 press ({args.rounds} rounds)")
    print(f"{'database':<12}{'median ms':>10}{'min ms':>8}{'ms per council':>16}")
    for kind in args.databases.split(","):
        took = await cost(kind, args.councils, args.rounds)
        median = statistics.median(took)
        print(f"{kind:<12}{median:>10.0f}{min(took):>8.0f}{median / args.councils:>16.1f}")


if __name__ == "__main__":
    asyncio.run(main())
