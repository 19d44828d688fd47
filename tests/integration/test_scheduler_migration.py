"""Migration 0002 (reminders, meetings, delivery): up, down, up again, and it matches the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from storage.database import make_engine
from storage.migrate import downgrade, upgrade
from storage.models import Base

MINE = {"meetings", "attendance", "assignments", "reports", "ratings", "reminders"}


async def _tables(engine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_0002_goes_up_down_and_up_again(tmp_path):
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'stairs.db'}")
    try:
        await upgrade(engine, "0002")
        assert MINE <= await _tables(engine)
        await downgrade(engine, "0001")
        assert not MINE & await _tables(engine)
        await upgrade(engine, "head")
        assert MINE <= await _tables(engine)
    finally:
        await engine.dispose()


async def test_0002_matches_the_models(tmp_path):
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'compare.db'}")
    try:
        await upgrade(engine, "0002")
        async with engine.connect() as conn:

            def diff(sync_conn):
                context = MigrationContext.configure(sync_conn, opts={"compare_type": True})
                return compare_metadata(context, Base.metadata)

            changes = await conn.run_sync(diff)
    finally:
        await engine.dispose()

    def touches_mine(change) -> bool:
        for item in change if isinstance(change, list) else [change]:
            for part in item[1:]:
                table = getattr(part, "table", None)
                name = getattr(table, "name", None) or getattr(part, "name", None)
                if name in MINE or (isinstance(part, str) and part in MINE):
                    return True
        return False

    assert [c for c in changes if touches_mine(c)] == []
