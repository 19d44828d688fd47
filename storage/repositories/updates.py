"""Platform updates already handled: a re-delivered update is recognised here and ignored."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import ProcessedUpdateRow


class UpdateClaims:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self, key: str, at: datetime) -> bool:
        """Mark a platform update as handled in this transaction; False if it was handled before."""
        if (await self.session.execute(select(ProcessedUpdateRow.key).where(ProcessedUpdateRow.key == key))).first():
            return False
        try:
            async with self.session.begin_nested():
                self.session.add(ProcessedUpdateRow(key=key, at=at))
        except IntegrityError:
            return False
        return True

    async def unclaimed(self, keys: Sequence[str]) -> set[str]:
        """Of these platform update keys, those not handled before (one query for a batch)."""
        handled = set(
            (
                await self.session.execute(select(ProcessedUpdateRow.key).where(ProcessedUpdateRow.key.in_(list(keys))))
            ).scalars()
        )
        return set(keys) - handled

    async def claim_all(self, keys: Sequence[str], at: datetime) -> None:
        """Mark updates found `unclaimed` as handled in this transaction (a racing worker fails the commit)."""
        if keys:
            await self.session.execute(insert(ProcessedUpdateRow.__table__), [{"key": key, "at": at} for key in keys])
