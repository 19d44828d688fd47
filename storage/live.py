"""Changes as they commit, for the hall's live pages: PostgreSQL LISTEN on the channel migration 0012's trigger
notifies whenever a council's chain moves on. Any worker's change reaches every worker's listeners."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

CHANNEL = "yishi_chain"


def can_listen(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "postgresql"


async def listen_for_changes(engine: AsyncEngine, on_change: Callable[[int], None], stop: asyncio.Event) -> None:
    """Call `on_change(council_id)` for each committed chain move until `stop`; reconnects when the link drops."""
    while not stop.is_set():
        lost = asyncio.Event()
        try:
            async with engine.connect() as conn:
                raw = await conn.get_raw_connection()
                driver = raw.driver_connection

                def heard(_conn: object, _pid: int, _channel: str, payload: str) -> None:
                    if payload.isascii() and payload.isdigit():
                        on_change(int(payload))

                driver.add_termination_listener(lambda _conn, lost=lost: lost.set())  # type: ignore[union-attr]
                await driver.add_listener(CHANNEL, heard)  # type: ignore[union-attr]
                waiters = [asyncio.create_task(stop.wait()), asyncio.create_task(lost.wait())]
                try:
                    await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    for waiter in waiters:
                        waiter.cancel()
                    if not lost.is_set():
                        await driver.remove_listener(CHANNEL, heard)  # type: ignore[union-attr]
        except Exception as failure:  # noqa: BLE001 - the pages fall back to reading the head now and then
            log.warning("listening for changes failed (%s); trying again", type(failure).__name__)
        if not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), 2.0)
            except TimeoutError:
                pass
