"""Engines for SQLite (WAL, foreign keys, BEGIN IMMEDIATE) and PostgreSQL (asyncpg) from one URL."""

from __future__ import annotations

import logging
import os
from typing import Any

from sqlalchemy import event, make_url
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from deliberation.ports import StorageBusy

DEFAULT_URL = "sqlite+aiosqlite:///yishi.db"

log = logging.getLogger(__name__)

# Tables whose dead row versions may hold what a closed secret ballot destroyed (PostgreSQL vacuums them).
SECRET_TABLES = ("ballot_keys", "votes")


# SQLSTATEs after which a fresh transaction may well succeed: serialization failure, deadlock, the server
# shutting down or restarting, and the connection failing.
TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "57P01", "57P02", "57P03", "08000", "08003", "08006"})


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


# A secret ballot's choices pass through SQL parameters and result rows until the ballot closes: keep them
# out of logs and error messages, whatever level an operator sets (spec §10: no log reveals who chose what).
# SQLAlchemy hides parameters itself (hide_parameters=True). Its engine logger also logs every statement at
# INFO and every result row at DEBUG whenever the root logger is that verbose (as `yishi run` sets it), so
# unless someone configured the "sqlalchemy" loggers on purpose it stays at WARNING. aiosqlite logs every
# call with its parameters at DEBUG: it stops at INFO unless configured on purpose.
class _NoRows(logging.Filter):
    """Drops DEBUG records: SQLAlchemy's result rows and aiosqlite's calls with their parameters (a key)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


def _quiet_statement_logs() -> None:
    # Even when configured on purpose: the DEBUG lines would carry a secret ballot's key and sealed choices.
    for name in ("sqlalchemy.engine.Engine", "aiosqlite"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _NoRows) for f in logger.filters):
            logger.addFilter(_NoRows())
    if all(
        logging.getLogger(name).level == logging.NOTSET
        for name in ("sqlalchemy", "sqlalchemy.engine", "sqlalchemy.engine.Engine")
    ):
        logging.getLogger("sqlalchemy.engine.Engine").setLevel(logging.WARNING)
    if logging.getLogger("aiosqlite").level == logging.NOTSET:
        logging.getLogger("aiosqlite").setLevel(logging.INFO)


def _private_files(url: str) -> None:
    """Create the SQLite file readable by its owner only; its WAL and shared-memory files take its mode."""
    path = make_url(url).database
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    for name in (path, f"{path}-wal", f"{path}-shm", f"{path}-journal"):
        if os.path.exists(name):
            os.chmod(name, 0o600)


def make_engine(url: str = DEFAULT_URL, *, pool_size: int = 10) -> AsyncEngine:
    _quiet_statement_logs()
    if not is_sqlite(url):
        return create_async_engine(
            url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True, hide_parameters=True
        )
    _private_files(url)
    engine = create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, decide when transactions begin (see "begin" below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # secure_delete: deleted content (a closed secret ballot's key and sealed choices) is overwritten with
        # zeros in the page, not left in free space.
        pragmas = (
            "journal_mode=WAL",
            "foreign_keys=ON",
            "busy_timeout=30000",
            "synchronous=NORMAL",
            "secure_delete=ON",
        )
        for pragma in pragmas:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection):
        # Take the write lock up front: read-then-write transactions never meet "database is locked".
        if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


async def erase_traces(engine: AsyncEngine) -> None:
    """After a commit that destroyed a secret ballot's choices: leave no old copy of them in the files.

    SQLite keeps old page versions in its WAL until a checkpoint: copy the WAL into the database (whose
    deleted content secure_delete zeroed) and truncate it to nothing. PostgreSQL keeps dead row versions
    until a vacuum; the small key table is rewritten whole (VACUUM FULL), so no page of it keeps a key.
    Each runs outside a transaction. A failure is logged: the keys are gone, so what remains cannot be opened.
    """
    try:
        async with engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            if engine.dialect.name == "sqlite":
                checkpoint = (await autocommit.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")).one()
                if checkpoint[0]:  # (busy, frames in the log, frames checkpointed)
                    log.warning("the WAL was not truncated after a secret ballot closed (readers were busy)")
            elif engine.dialect.name == "postgresql":
                await autocommit.exec_driver_sql(f"VACUUM (FULL) {SECRET_TABLES[0]}")
                await autocommit.exec_driver_sql(f"VACUUM {', '.join(SECRET_TABLES[1:])}")
    except Exception:  # noqa: BLE001 - the commit stands; the next close or checkpoint tries again
        log.exception("traces of a closed secret ballot were not erased")


def make_sessions(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def dialect_insert(session: AsyncSession, table: Any) -> Any:
    """An INSERT that knows ON CONFLICT in the session's dialect (PostgreSQL or SQLite)."""
    bind = session.bind
    return (postgresql.insert if bind is not None and bind.dialect.name == "postgresql" else sqlite.insert)(table)


def is_transient(failure: BaseException) -> bool:
    """A database failure that a fresh transaction may not meet again (busy, dropped, serialization)."""
    if not isinstance(failure, DBAPIError):
        return False
    if failure.connection_invalidated:
        return True
    orig = failure.orig
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if code in TRANSIENT_SQLSTATES:
        return True
    text = str(orig).lower()
    return "database is locked" in text or "database is busy" in text or "connection is closed" in text


class StorageBusyError(StorageBusy, DBAPIError):
    """StorageBusy as raised here: still the DBAPIError it was (same `orig`), for code that asks about that."""

    def __init__(self, failure: DBAPIError) -> None:
        DBAPIError.__init__(
            self,
            failure.statement,
            failure.params,
            failure.orig,  # type: ignore[arg-type]
            hide_parameters=failure.hide_parameters,
            connection_invalidated=failure.connection_invalidated,
        )


def busy_or_same(failure: BaseException) -> BaseException:
    """The StorageBusy to raise (`raise busy_or_same(exc) from exc`) for a transient failure, else `failure`."""
    if isinstance(failure, StorageBusy) or not isinstance(failure, DBAPIError) or not is_transient(failure):
        return failure
    return StorageBusyError(failure)
