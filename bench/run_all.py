"""Run every benchmark of bench/README.md in turn and print their tables.

    .venv/bin/python bench/run_all.py [--quick]

`--quick` runs smaller sizes (a smoke test, a minute or so); the figures in README.md are from the
full run. Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust) for the PostgreSQL rows; pass
`--databases sqlite` to leave it out.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--databases", default="sqlite,postgres")
    args = parser.parse_args()
    db = ["--databases", args.databases]
    runs = [
        ["bench_vote_burst.py", *db, *(["--votes", "300"] if args.quick else [])],
        ["bench_many_groups.py", *db, *(["--groups", "40", "--votes", "10"] if args.quick else [])],
        ["bench_footprint.py", *db, *(["--councils", "1000"] if args.quick else [])],
        ["bench_reminders.py", *(["--councils", "100"] if args.quick else [])],
        ["bench_minutes.py", *(["--motions", "100"] if args.quick else [])],
    ]
    failed = 0
    for script, *rest in runs:
        print(f"\n===== {script} {' '.join(rest)}", flush=True)
        failed |= subprocess.call([sys.executable, str(HERE / script), *rest], cwd=HERE) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
