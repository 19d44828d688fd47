"""Benchmark: minutes of a long council history (1,000 motions, 20,000 speeches, 50,000 votes).

Events are generated and sealed directly (deliberation.chain.seal) rather than through the use
cases, so set-up takes seconds. Prints the time to build the minutes and to write each format
(target: under 3 s per format), then peak memory of each step under tracemalloc.

    .venv/bin/python bench/bench_minutes.py [--motions 1000] [--speeches 20] [--voters 50]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.minutes_files import to_csv, to_docx, to_json, to_markdown, to_pdf  # noqa: E402
from deliberation.chain import Event, seal, verify  # noqa: E402
from deliberation.minutes import build_minutes  # noqa: E402

START = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
AREA_CM2 = 900_000  # 90 m² per unit


def history(motions: int, speeches_per_motion: int, voters: int) -> list[Event]:
    """A civil278 council: `voters` owners, one ballot per motion, every fifth ballot secret,
    every tenth motion an amendment to the one before it (adopted, so the main text changes)."""
    events: list[Event] = []
    prev = "0" * 64
    moment = START

    def add(event_type: str, /, **payload) -> None:
        nonlocal prev, moment
        moment += timedelta(seconds=20)
        event = seal(Event(1, len(events) + 1, event_type, moment.isoformat(timespec="seconds"), payload, prev))
        events.append(event)
        prev = event.hash

    add("council.setup", title="幸福里小区业主大会", preset="civil278", chair="刘主任")
    names = [f"业主{i:02d}" for i in range(1, voters + 11)]
    for i, name in enumerate(names, start=1):
        add("member.joined", member=i, name=name, unit=f"{i // 10 + 1}-{i % 10 + 1}01", status="active")
    add("role.assigned", member=1, name=names[0], role="secretary", by="刘主任")
    total_area = AREA_CM2 * len(names)
    for number in range(1, motions + 1):
        amendment = number % 10 == 0
        text = (
            f"第{number}项：关于{'修改' if amendment else ''}小区公共区域维修和绿化改造的提议，"
            "资金从公共收益中列支，由物业公司实施"
        )
        add(
            "motion.raised",
            number=number,
            kind="amendment" if amendment else "main",
            text=text,
            mover=number % voters + 1,
            mover_name=names[number % voters],
            parent=number - 1 if amendment else None,
            second_deadline=None,
            postponed_until=None,
            referred_to=None,
        )
        add(
            "motion.seconded",
            number=number,
            seconder=(number + 1) % voters + 1,
            seconder_name=names[(number + 1) % voters],
        )
        for s in range(speeches_per_motion):
            add(
                "speech.recorded",
                number=number,
                member=s + 1,
                name=names[s % len(names)],
                side="for" if s % 3 else "against",
                text=f"我{'赞成' if s % 3 else '反对'}这个提议，因为小区的公共设施已经使用多年，"
                f"需要认真讨论维修方案和费用分摊，第{s}次发言",
            )
        secret = number % 5 == 0
        ballot = number
        add(
            "ballot.opened",
            number=number,
            ballot=ballot,
            secret=secret,
            threshold="ordinary",
            closes_at=(moment + timedelta(days=7)).isoformat(timespec="seconds"),
            eligible=len(names),
            members=len(names),
            total_area_cm2=total_area,
            total_owners=len(names),
            present=None,
            by="刘主任",
        )
        yes = no = abstain = 0
        for v in range(voters):
            choice = ("yes", "yes", "no", "abstain")[v % 4]
            yes, no, abstain = yes + (choice == "yes"), no + (choice == "no"), abstain + (choice == "abstain")
            payload = {"number": number, "ballot": ballot, "name": names[v]}
            if not secret:
                payload.update(choice=choice, voter=f"o:{names[v]}", area_cm2=AREA_CM2)
            add("vote.cast", **payload)
        area = voters * AREA_CM2
        add(
            "ballot.closed",
            number=number,
            ballot=ballot,
            state="adopted",
            early=False,
            secret=secret,
            passed=True,
            quorum_met=True,
            rule="civil278.ordinary",
            preset="civil278",
            threshold="ordinary",
            yes=yes,
            no=no,
            abstain=abstain,
            yes_area_cm2=yes * AREA_CM2,
            no_area_cm2=no * AREA_CM2,
            abstain_area_cm2=abstain * AREA_CM2,
            approval_heads=f"{yes}/{voters}",
            approval_area=f"{yes}/{voters}",
            participation_heads=f"{voters}/{len(names)}",
            participation_area=f"{area}/{total_area}",
        )
        if amendment:
            add("motion.amended", number=number - 1, amendment=number, text=text)
    return events


def timed(label: str, action, *, results: dict) -> object:
    started, cpu = time.perf_counter(), time.process_time()
    value = action()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    size = f"{len(value) / 1024:8.0f} KiB" if isinstance(value, (bytes, str)) else " " * 12
    flag = "" if elapsed < 3 else "  (over the 3 s target)"
    print(f"  {label:<16} {elapsed:6.2f} s wall {cpu:6.2f} s cpu {size}{flag}")
    results[label] = elapsed
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--motions", type=int, default=1000)
    parser.add_argument("--speeches", type=int, default=20, help="speeches per motion")
    parser.add_argument("--voters", type=int, default=50, help="votes per ballot")
    parser.add_argument("--locale", default="zh_Hans")
    args = parser.parse_args()

    started = time.perf_counter()
    events = history(args.motions, args.speeches, args.voters)
    speeches = sum(1 for e in events if e.type == "speech.recorded")
    votes = sum(1 for e in events if e.type == "vote.cast")
    print(
        f"history: {len(events):,} events ({args.motions:,} motions, {speeches:,} speeches, {votes:,} votes) "
        f"generated and sealed in {time.perf_counter() - started:.2f} s"
    )
    head = events[-1].hash

    def build():
        return build_minutes(
            events,
            council_name="幸福里小区业主大会",
            place="线上群聊「幸福里小区业主群」",
            chain_head=head,
            chain_seq=len(events),
            generated_at=datetime.now(UTC),
        )

    steps = [("verify chain", lambda: verify(events)), ("build minutes", build)]
    results: dict[str, float] = {}
    print("time:")
    minutes = None
    for label, action in steps:
        value = timed(label, action, results=results)
        if label == "build minutes":
            minutes = value
    formats = [
        ("markdown", lambda: to_markdown(minutes, args.locale)),
        ("docx", lambda: to_docx(minutes, args.locale)),
        ("pdf", lambda: to_pdf(minutes, args.locale)),
        ("csv", lambda: to_csv(minutes, args.locale)),
        ("json", lambda: to_json(minutes)),
    ]
    for label, action in formats:
        timed(label, action, results=results)

    print("peak memory (tracemalloc, allocations made by the step itself):")
    for label, action in steps[1:] + formats:
        tracemalloc.start()
        action()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"  {label:<16} {peak / 2**20:7.1f} MiB")
    print(f"load average while running: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process max RSS: {rss:.0f} MiB (includes the {len(events):,} events held in memory)")
    slow = [label for label, seconds in results.items() if seconds >= 3]
    print("all formats under 3 s" if not slow else f"over 3 s: {', '.join(slow)}")


if __name__ == "__main__":
    main()
