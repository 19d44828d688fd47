"""Who leads the alarm clock: with PostgreSQL the holder of a session advisory lock, with SQLite this process.

The lock lives on a dedicated connection, not in a transaction: it is held until released or until
that connection goes, and then another process takes over.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

LEADER_LOCK_KEY = 0x59495348  # "YISH": one scheduler leads per PostgreSQL database


class Leadership(Protocol):
    writers: int  # how many of the leader's transactions the database takes at once

    async def try_lead(self) -> bool: ...
    async def still_leading(self) -> bool: ...
    async def release(self) -> None: ...


class SoleLeader:
    """SQLite: one process owns the file, so it always leads. It has one writer at a time."""

    writers = 1

    async def try_lead(self) -> bool:
        return True

    async def still_leading(self) -> bool:
        return True

    async def release(self) -> None:
        return None


class AdvisoryLockLeader:
    """PostgreSQL: `pg_try_advisory_lock` on a connection kept open while leading."""

    writers = 8

    def __init__(self, engine: AsyncEngine, key: int = LEADER_LOCK_KEY) -> None:
        self.engine = engine
        self.key = key
        self._conn: AsyncConnection | None = None

    async def try_lead(self) -> bool:
        conn = None
        try:
            conn = await self.engine.connect()
            got = (await conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key})).scalar()
            await conn.commit()  # the lock belongs to the session, not the transaction
        except Exception:
            log.warning("scheduler: cannot reach the database to lead; retrying", exc_info=True)
            if conn is not None:
                with contextlib.suppress(Exception):
                    await conn.close()
            return False
        if got:
            self._conn = conn
            return True
        await conn.close()
        return False

    async def still_leading(self) -> bool:
        if self._conn is None:
            return False
        try:
            await self._conn.execute(text("SELECT 1"))
            await self._conn.commit()
            return True
        except Exception:
            log.warning("scheduler: lost the leader connection", exc_info=True)
            return False

    async def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
                await conn.commit()
            with contextlib.suppress(Exception):
                await conn.close()


def leadership_for(engine: AsyncEngine) -> Leadership:
    return AdvisoryLockLeader(engine) if engine.dialect.name == "postgresql" else SoleLeader()
