"""Run every benchmark of bench/README.md in turn, print their tables, then the district-scale table.

    .venv/bin/python bench/run_all.py [--quick] [--databases sqlite,postgres] [--only open_loop,...]

`--quick` runs smaller sizes (a smoke test); the figures in README.md are from the full run. Needs
PostgreSQL on 127.0.0.1:5432 (user postgres, trust) for the PostgreSQL rows and the scale-out;
`--databases sqlite` leaves them out. Every ratio is measured within one run (ours and the bare
python-telegram-bot on the same machine, minutes apart).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def run(script: str, *args: str) -> tuple[int, Any]:
    """Run one benchmark (its tables go to our stdout); its --json object, if it printed one."""
    print(f"\n===== {script} {' '.join(args)}", flush=True)
    done = subprocess.run([sys.executable, str(HERE / script), *args], cwd=HERE, capture_output=True, text=True)
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr[-3000:] if done.returncode else "")
    found = None
    for line in done.stdout.splitlines():
        if line.startswith(("{", "[")):
            try:
                found = json.loads(line)
            except ValueError:
                continue
    return done.returncode, found


def fmt(value: float | None, spec: str = ".2f") -> str:
    return "n/a" if value is None or value != value else format(value, spec)


def table(figures: dict[str, Any], databases: list[str]) -> None:
    rows: list[tuple[str, str, str, str]] = []
    burst = figures.get("burst")
    if burst:
        base = {b["bot"]: b["rate"] for b in burst["baselines"] if b.get("rate")}
        ours = {r["db"]: r["rate"] for r in burst["ours"] if r["http"] == "aiohttp"}
        for db, name in (("sqlite", "SQLite"), ("postgres", "PostgreSQL")):
            if db in ours:
                ratio = ours[db] / base["ptb"]
                rows.append(
                    (
                        f"1,000 presses in one group, {name}, ratio to bare PTB (defaults)",
                        fmt(ratio),
                        "≥ 1.2",
                        "met" if ratio >= 1.2 else "NOT met",
                    )
                )
        if "sqlite" in ours and "ptb-aiohttp" in base:
            ratio = ours["sqlite"] / base["ptb-aiohttp"]
            rows.append(
                (
                    "same, SQLite, ratio to bare PTB on the same aiohttp backend",
                    fmt(ratio),
                    "≥ 0.7",
                    "met" if ratio >= 0.7 else "NOT met",
                )
            )
    many = figures.get("many")
    if many:
        for r in many["ours"]:
            if not r["slow"]:
                ratio = r["rate"] / many["baseline"]["rate"]
                rows.append(
                    (
                        f"200 groups × 50 presses, {r['db']}, ratio to bare PTB (defaults)",
                        fmt(ratio),
                        "≥ 0.8",
                        "met" if ratio >= 0.8 else "NOT met",
                    )
                )
    wave = figures.get("wave")
    if wave:
        rows.append(
            (
                f"motion card after a wave of {wave['joins']} /joins in one group",
                f"{wave['card_seconds']:.1f} s ({len(wave['notes'])} note, {wave['reactions']} 👍)",
                "≤ 5 s",
                "met" if wave["card_seconds"] <= 5 else "NOT met",
            )
        )
    loop = figures.get("open_loop")
    if loop:
        for r in loop:
            p99 = r["p99_ms"]
            rows.append(
                (
                    f"open loop 300/s over 100 groups, {r['bot']}: p50 / p99 delivery→answer",
                    f"{fmt(r['p50_ms'], '.0f')} / {fmt(p99, '.0f')} ms ({fmt(r['cpu_ms_per_press'])} ms CPU)",
                    "p99 ≤ 250 ms" if r["bot"].startswith("yishi") else "–",
                    ("met" if p99 <= 250 else "NOT met") if r["bot"].startswith("yishi") else "baseline",
                )
            )
    scale = figures.get("scale_out")
    if scale:
        one, two = scale[0], scale[1]
        rows.append(
            (
                "two webhook workers on one PostgreSQL vs one: presses/s ratio",
                f"{two['rate'] / one['rate']:.2f} ({one['rate']:.0f} → {two['rate']:.0f}/s, commit "
                f"{one['commit_ms']:.0f} ms)",
                "report",
                "reported",
            )
        )
    print(f"\n===== District scale (issue 16), {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    width = max((len(r[0]) for r in rows), default=10)
    print(f"| {'figure':<{width}} | now | goal | |")
    print(f"|{'-' * (width + 2)}|---:|---:|---|")
    for name, now, goal, verdict in rows:
        print(f"| {name:<{width}} | {now} | {goal} | {verdict} |")
    print("(databases run: " + ", ".join(databases) + "; reasons for goals not met: bench/README.md)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--only", default="", help="comma-separated: burst,many,wave,open_loop,scale_out,footprint,...")
    args = parser.parse_args()
    q = args.quick
    db = ["--databases", args.databases]
    databases = [d for d in args.databases.split(",") if d]
    runs: dict[str, list[str]] = {
        "burst": [
            "bench_vote_burst.py",
            *db,
            "--http-clients",
            "aiohttp",
            "--json",
            *(["--votes", "300"] if q else []),
        ],
        "many": ["bench_many_groups.py", *db, "--json", *(["--groups", "40", "--votes", "10"] if q else [])],
        "wave": ["bench_join_wave.py", "--json"],
        "open_loop": ["bench_open_loop.py", *db, "--json", *(["--seconds", "5", "--groups", "20"] if q else [])],
        "footprint": ["bench_footprint.py", *db, *(["--councils", "1000"] if q else [])],
        "reminders": ["bench_reminders.py", *(["--councils", "100"] if q else [])],
        "minutes": ["bench_minutes.py", *(["--motions", "100"] if q else [])],
    }
    if "postgres" in databases:
        runs["scale_out"] = ["bench_scale_out.py", "--json", *(["--groups", "20", "--presses", "1000"] if q else [])]
    only = {name for name in args.only.split(",") if name}
    failed = 0
    figures: dict[str, Any] = {}
    for name, (script, *rest) in runs.items():
        if only and name not in only:
            continue
        code, found = run(script, *rest)
        failed |= code != 0
        if found is not None:
            figures[name] = found
    table(figures, databases)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
