"""The unit of work: every repository on one session, one transaction, and the only commit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .database import busy_or_same, erase_traces
from .repositories import (
    AssignmentRepository,
    BallotAttemptRepository,
    BallotRepository,
    CommunityRepository,
    CouncilRepository,
    EventRepository,
    HallRepository,
    MeetingRepository,
    MemberRepository,
    MinutesRepository,
    MotionRepository,
    NoticeBoardRepository,
    OutboxRepository,
    PaperEntryRepository,
    PostRepository,
    ProxyRepository,
    ReminderRepository,
    SpeechRepository,
    TellerRepository,
    UnitRepository,
    UpdateClaims,
    VoteRepository,
)
from .repositories.ballots import SHREDDED
from .repositories.questions import CalledQuestionRepository


class SqlUnitOfWork:
    """`async with SqlUnitOfWork(sessions) as uow:` — rolled back on leaving unless committed.

    A transient database failure (busy, connection lost, serialization) leaves the block as
    `deliberation.ports.StorageBusy`, raised from the original `DBAPIError`.
    """

    session: AsyncSession
    councils: CouncilRepository
    members: MemberRepository
    units: UnitRepository
    motions: MotionRepository
    speeches: SpeechRepository
    ballots: BallotRepository
    votes: VoteRepository
    events: EventRepository
    meetings: MeetingRepository
    assignments: AssignmentRepository
    reminders: ReminderRepository
    minutes: MinutesRepository
    outbox: OutboxRepository
    posts: PostRepository
    updates: UpdateClaims
    notice_boards: NoticeBoardRepository
    questions: CalledQuestionRepository
    hall: HallRepository
    ballot_attempts: BallotAttemptRepository
    paper_entries: PaperEntryRepository
    tellers: TellerRepository
    proxies: ProxyRepository
    communities: CommunityRepository

    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions
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
        self.meetings = MeetingRepository(session)
        self.assignments = AssignmentRepository(session)
        self.reminders = ReminderRepository(session)
        self.minutes = MinutesRepository(session)
        self.outbox = OutboxRepository(session)
        self.posts = PostRepository(session)
        self.updates = UpdateClaims(session)
        self.notice_boards = NoticeBoardRepository(session)
        self.questions = CalledQuestionRepository(session)
        self.hall = HallRepository(session)
        self.ballot_attempts = BallotAttemptRepository(session)
        self.paper_entries = PaperEntryRepository(session)
        self.tellers = TellerRepository(session)
        self.proxies = ProxyRepository(session)
        self.communities = CommunityRepository(session)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            await self.session.rollback()
        finally:
            await self.session.close()
        if exc is not None:
            busy = busy_or_same(exc)
            if busy is not exc:
                raise busy from exc

    async def commit(self) -> None:
        self.commit_started = True
        try:
            await self.session.commit()
        except Exception as failure:
            busy = busy_or_same(failure)
            if busy is failure:
                raise
            raise busy from failure
        if self.session.info.pop(SHREDDED, False) and self.session.bind is not None:
            await erase_traces(self.session.bind)  # type: ignore[arg-type]

    async def rollback(self) -> None:
        self.session.info.pop(SHREDDED, None)
        await self.session.rollback()

    # The update claims, kept here too: the desk and its tests know them by these names.

    async def claim_update(self, key: str, at: datetime) -> bool:
        """Mark a platform update as handled in this transaction; False if it was handled before."""
        return await self.updates.claim(key, at)

    async def unclaimed(self, keys: Sequence[str]) -> set[str]:
        """Of these platform update keys, those not handled before (one query for a batch)."""
        return await self.updates.unclaimed(keys)

    async def claim_updates(self, keys: Sequence[str], at: datetime) -> None:
        """Mark updates found `unclaimed` as handled in this transaction (a racing worker fails the commit)."""
        await self.updates.claim_all(keys, at)


def uow_factory(sessions: async_sessionmaker) -> Callable[[], SqlUnitOfWork]:
    """What the desk, the alarm and the outbox drainer are given: a fresh unit of work per call."""
    return lambda: SqlUnitOfWork(sessions)
