"""The benchmarks of bench/ as a smoke test: small sizes, marked slow (not in the default run).

.venv/bin/python -m pytest -m slow tests/bench -q
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
BENCH = Path(__file__).resolve().parents[2] / "bench"


def bench(script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(BENCH / script), *args], cwd=BENCH, capture_output=True, text=True, timeout=800
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_a_join_wave_does_not_hold_up_the_motion_card():
    out = bench("bench_join_wave.py", "--joins", "40")
    assert "target: card within 5 s -> MET" in out, out


def test_the_open_loop_benchmark_answers_every_press():
    out = bench("bench_open_loop.py", "--seconds", "3", "--groups", "10", "--rate", "50", "--databases", "sqlite")
    assert re.search(r"yishi \(sqlite\)\s+150\s+150\s", out), out


def test_run_all_prints_the_district_table():
    out = bench("run_all.py", "--quick", "--databases", "sqlite", "--only", "wave")
    assert "District scale (issue 16)" in out and "motion card after a wave of 40" in out, out
