"""Engines for SQLite (WAL, foreign keys, BEGIN IMMEDIATE) and PostgreSQL (asyncpg) from one URL."""
from __future__ import annotations

import logging

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

DEFAULT_URL = "sqlite+aiosqlite:///yishi.db"


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


# A secret ballot's choices pass through SQL parameters and result rows until the ballot closes: keep them
# out of logs and error messages, whatever level an operator sets (spec §10: no log reveals who chose what).
# SQLAlchemy hides parameters itself (hide_parameters=True). Its engine logger also logs every statement at
# INFO and every result row at DEBUG whenever the root logger is that verbose (as `yishi run` sets it), so
# unless someone configured the "sqlalchemy" loggers on purpose it stays at WARNING. aiosqlite logs every
# call with its parameters at DEBUG: it stops at INFO unless configured on purpose.
def _quiet_statement_logs() -> None:
    if all(logging.getLogger(name).level == logging.NOTSET
           for name in ("sqlalchemy", "sqlalchemy.engine", "sqlalchemy.engine.Engine")):
        logging.getLogger("sqlalchemy.engine.Engine").setLevel(logging.WARNING)
    if logging.getLogger("aiosqlite").level == logging.NOTSET:
        logging.getLogger("aiosqlite").setLevel(logging.INFO)


def make_engine(url: str = DEFAULT_URL, *, pool_size: int = 10) -> AsyncEngine:
    _quiet_statement_logs()
    if not is_sqlite(url):
        return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True,
                                   hide_parameters=True)
    engine = create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, decide when transactions begin (see "begin" below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=30000", "synchronous=NORMAL"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection):
        # Take the write lock up front: read-then-write transactions never meet "database is locked".
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def make_sessions(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
