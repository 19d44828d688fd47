"""The community benchmark (bench/bench_community.py), runnable as a slow test: the desk for 300 councils
with 30 days of activity under 300 ms, the ledger under 5 s (figures printed)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_the_desk_and_the_ledger_of_300_councils_are_fast(kind, capsys):
    sys.path.insert(0, str(Path(__file__).parents[2] / "bench"))
    from bench_community import run

    if kind == "postgres":
        from tests.conftest import postgres_available

        if not await postgres_available():
            pytest.skip("PostgreSQL not reachable")
    figures = await run(kind, 300)
    with capsys.disabled():
        print(f"\n{kind}: " + ", ".join(f"{k}={v:.2f}" for k, v in figures.items()))
    assert figures["desk_ms"] < 300
    assert figures["ledger_total_s"] < 5
