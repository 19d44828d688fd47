"""The council's event chain: appended and sealed here, read back for the minutes and for verification."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from deliberation.chain import Event, canonical_json, seal

from ..mapping import event_from_row
from ..models import CouncilRow, EventRow


class EventRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def append(self, council_id: int, type: str, at: datetime, payload: dict[str, Any]) -> Event:
        seq, head = (
            await self.session.execute(
                select(CouncilRow.chain_seq, CouncilRow.chain_head).where(CouncilRow.id == council_id)
            )
        ).one()
        payload = json.loads(canonical_json(payload))
        event = seal(Event(council_id, seq + 1, type, at.isoformat(timespec="seconds"), payload, head))
        self.session.add(
            EventRow(
                council_id=council_id,
                seq=event.seq,
                type=type,
                at=event.at,
                payload=canonical_json(payload),
                prev_hash=event.prev_hash,
                hash=event.hash,
            )
        )
        await self.session.execute(
            update(CouncilRow).where(CouncilRow.id == council_id).values(chain_seq=event.seq, chain_head=event.hash)
        )
        return event

    async def append_many(self, council_id: int, events: Sequence[tuple[str, datetime, dict[str, Any]]]) -> None:
        if not events:
            return
        seq, head = (
            await self.session.execute(
                select(CouncilRow.chain_seq, CouncilRow.chain_head).where(CouncilRow.id == council_id)
            )
        ).one()
        rows = []
        for type, at, payload in events:
            payload = json.loads(canonical_json(payload))
            event = seal(Event(council_id, seq + 1, type, at.isoformat(timespec="seconds"), payload, head))
            rows.append(
                {
                    "council_id": council_id,
                    "seq": event.seq,
                    "type": type,
                    "at": event.at,
                    "payload": canonical_json(payload),
                    "prev_hash": event.prev_hash,
                    "hash": event.hash,
                }
            )
            seq, head = event.seq, event.hash
        table = CouncilRow.__table__  # Core statements: no ORM bulk machinery per call
        await self.session.execute(insert(EventRow.__table__), rows)
        await self.session.execute(update(table).where(table.c.id == council_id).values(chain_seq=seq, chain_head=head))

    async def all(self, council_id: int) -> Sequence[Event]:
        rows = await self.session.execute(
            select(EventRow).where(EventRow.council_id == council_id).order_by(EventRow.seq)
        )
        return [event_from_row(r) for r in rows.scalars()]

    async def head(self, council_id: int) -> tuple[int, str]:
        seq, head = (
            await self.session.execute(
                select(CouncilRow.chain_seq, CouncilRow.chain_head).where(CouncilRow.id == council_id)
            )
        ).one()
        return seq, head

    async def readable(self, council_id: int) -> list[Event]:
        """`read_chain` in this unit of work."""
        return await read_chain(self.session, council_id)


async def read_chain(session: AsyncSession, council_id: int) -> list[Event]:
    """The council's stored events exactly as kept, for verification.

    Unlike EventRepository.all this never fails on a damaged row: a payload that is no longer
    JSON is carried as text, so its hash fails and verification names that event.
    """
    rows = await session.execute(select(EventRow).where(EventRow.council_id == council_id).order_by(EventRow.seq))
    events = []
    for row in rows.scalars():
        try:
            payload = json.loads(row.payload)
        except (TypeError, ValueError):
            payload = {"unreadable": str(row.payload)}
        events.append(Event(row.council_id, row.seq, row.type, row.at, payload, row.prev_hash, row.hash))
    return events
