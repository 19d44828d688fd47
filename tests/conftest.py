"""Shared fixtures: a movable clock, and databases (SQLite always; PostgreSQL when reachable, always in CI)."""

from __future__ import annotations

import asyncio
import os
import uuid
from datetime import UTC, datetime, timedelta

import pytest

PG_HOST = os.environ.get("YISHI_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("YISHI_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("YISHI_TEST_PG_USER", "postgres")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


class FakeClock:
    """A clock tests move by hand: `clock.advance(hours=1)`."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 22, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


async def _pg_admin():
    import asyncpg

    return await asyncpg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, database="postgres", timeout=5)


_pg_checked: dict[str, bool] = {}


async def postgres_available() -> bool:
    if "ok" not in _pg_checked:
        try:
            conn = await _pg_admin()
            await conn.close()
            _pg_checked["ok"] = True
        except Exception:
            _pg_checked["ok"] = False
    return _pg_checked["ok"]


async def create_pg_database() -> str:
    """A fresh, empty PostgreSQL database for one test; returns its SQLAlchemy URL."""
    if not await postgres_available():
        if IN_CI:
            pytest.fail("PostgreSQL is not reachable at 127.0.0.1:5432, and CI requires the PostgreSQL tests")
        pytest.skip("PostgreSQL not reachable (outside CI)")
    name = f"yishi_t_{uuid.uuid4().hex[:12]}"
    conn = await _pg_admin()
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


async def drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    conn = await _pg_admin()
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request, tmp_path):
    """Each test that takes this runs twice: on a SQLite file and on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'yishi.db'}"
        return
    url = await create_pg_database()
    try:
        yield url
    finally:
        await drop_pg_database(url)


@pytest.fixture
async def app(database_url, clock):
    from bot.main import build_core

    built = await build_core(database_url, clock=clock)
    try:
        yield built
    finally:
        await built.close()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'yishi.db'}"


__all__ = ["FakeClock", "create_pg_database", "drop_pg_database", "postgres_available", "asyncio"]
