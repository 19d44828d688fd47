"""The unit of work: one session, one transaction, committed once per use case."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .models import ProcessedUpdateRow
from .repositories import (
    BallotRepository, CouncilRepository, EventRepository, MemberRepository, MotionRepository,
    SpeechRepository, UnitRepository, VoteRepository,
)


class SqlUnitOfWork:
    """`async with SqlUnitOfWork(sessions) as uow:` — rolled back on leaving unless committed."""

    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions
        self.session: AsyncSession | None = None
        self.commit_started = False  # once True, the work may be in the database (the desk's retry needs to know)

    async def __aenter__(self) -> SqlUnitOfWork:
        self.session = session = self._sessions()
        self.councils = CouncilRepository(session)
        self.members = MemberRepository(session)
        self.units = UnitRepository(session)
        self.motions = MotionRepository(session)
        self.speeches = SpeechRepository(session)
        self.ballots = BallotRepository(session)
        self.votes = VoteRepository(session)
        self.events = EventRepository(session)
        return self

    async def __aexit__(self, *exc) -> None:
        try:
            await self.session.rollback()
        finally:
            await self.session.close()

    async def commit(self) -> None:
        self.commit_started = True
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()

    async def claim_update(self, key: str, at: datetime) -> bool:
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
        handled = set((await self.session.execute(
            select(ProcessedUpdateRow.key).where(ProcessedUpdateRow.key.in_(list(keys))))).scalars())
        return set(keys) - handled

    async def claim_updates(self, keys: Sequence[str], at: datetime) -> None:
        """Mark updates found `unclaimed` as handled in this transaction (a racing worker fails the commit)."""
        if keys:
            await self.session.execute(insert(ProcessedUpdateRow.__table__), [{"key": key, "at": at} for key in keys])
