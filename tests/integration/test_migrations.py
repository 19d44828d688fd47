"""Alembic stairway: every revision upgrades, downgrades and upgrades again; the models match the migrations."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

import storage.models  # noqa: F401
from storage.database import make_engine
from storage.migrate import alembic_config, downgrade, upgrade
from storage.models import Base

pytestmark = pytest.mark.asyncio


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def _load_all_models() -> None:
    import importlib
    import pkgutil

    import storage
    for module in pkgutil.iter_modules(storage.__path__):
        if module.name.endswith("models"):
            importlib.import_module(f"storage.{module.name}")


async def test_stairway(database_url):
    engine = make_engine(database_url)
    try:
        revisions = _revisions()
        assert revisions[0] == "0001"
        previous = "base"
        for revision in revisions:
            await upgrade(engine, revision)
            await downgrade(engine, previous)
            await upgrade(engine, revision)
            previous = revision
    finally:
        await engine.dispose()


async def test_models_match_migrations(database_url):
    _load_all_models()
    engine = make_engine(database_url)
    try:
        await upgrade(engine)
        async with engine.connect() as connection:
            def diff(sync_connection):
                context = MigrationContext.configure(sync_connection, opts={"compare_type": False})
                return compare_metadata(context, Base.metadata)
            differences = await connection.run_sync(diff)
    finally:
        await engine.dispose()
    assert differences == []
