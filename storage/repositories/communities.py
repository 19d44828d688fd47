"""Communities: their councils, secretaries, join requests and desk passes; the desk's reads in bulk."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, inspect, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from deliberation.chain import Event
from deliberation.community import Community, JoinRequest
from deliberation.minutes import MinutesVersion
from deliberation.model import Council

from ..database import dialect_insert
from ..mapping import council_from_row, event_from_row, minutes_version_from_row
from ..models import (
    AssignmentRow,
    BallotRow,
    CommunityCouncilRow,
    CommunityRequestRow,
    CommunityRow,
    CommunitySecretaryRow,
    CouncilRow,
    DeskPassRow,
    EventRow,
    MinutesVersionRow,
    MotionRow,
    RatingRow,
    VoteRow,
)

OPEN_STATES = ("proposed", "seconded", "debating", "voting", "postponed")


def _community(row: CommunityRow) -> Community:
    return Community(row.id, row.name, row.slug, row.code, row.created_at)


def _request(row: CommunityRequestRow) -> JoinRequest:
    return JoinRequest(row.id, row.community_id, row.council_id, row.requested_by, row.requested_at, row.state)


@dataclass(frozen=True)
class OpenItem:
    council_id: int
    number: int
    text: str
    state: str
    ballot_id: int | None = None
    closes_at: datetime | None = None
    secret: bool = False
    voted: int = 0
    eligible: int = 0


@dataclass(frozen=True)
class DueItem:
    council_id: int
    number: int
    assignee: str
    due_at: datetime
    state: str
    done_at: datetime | None


@dataclass(frozen=True)
class ClosedBallot:
    council_id: int
    number: int
    closed_at: datetime
    voted: int
    eligible: int


class CommunityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # ---- the community and its members --------------------------------------------------------------

    async def add(self, name: str, slug: str, code: str, at: datetime) -> Community:
        row = CommunityRow(name=name, slug=slug, code=code, created_at=at)
        self.session.add(row)
        await self.session.flush()
        return _community(row)

    async def find(self, ref: str | int) -> Community | None:
        if isinstance(ref, int) or str(ref).isdigit():
            row = await self.session.get(CommunityRow, int(ref))
            if row is not None:
                return _community(row)
        found = (
            await self.session.execute(
                select(CommunityRow).where(or_(CommunityRow.slug == str(ref), CommunityRow.code == str(ref)))
            )
        ).scalar()
        return None if found is None else _community(found)

    async def all(self) -> Sequence[Community]:
        rows = await self.session.execute(select(CommunityRow).order_by(CommunityRow.id))
        return [_community(r) for r in rows.scalars()]

    async def community_of(self, council_id: int) -> Community | None:
        row = (
            await self.session.execute(
                select(CommunityRow)
                .join(CommunityCouncilRow, CommunityCouncilRow.community_id == CommunityRow.id)
                .where(CommunityCouncilRow.council_id == council_id)
            )
        ).scalar()
        return None if row is None else _community(row)

    async def add_council(self, community_id: int, council_id: int, at: datetime) -> bool:
        statement = (
            dialect_insert(self.session, CommunityCouncilRow.__table__)
            .values(council_id=council_id, community_id=community_id, added_at=at)
            .on_conflict_do_nothing()
        )
        return bool(getattr(await self.session.execute(statement), "rowcount", 0))

    async def councils(self, community_id: int) -> Sequence[Council]:
        rows = await self.session.execute(
            select(CouncilRow)
            .join(CommunityCouncilRow, CommunityCouncilRow.council_id == CouncilRow.id)
            .where(CommunityCouncilRow.community_id == community_id)
            .order_by(CouncilRow.title, CouncilRow.id)
        )
        return [council_from_row(r) for r in rows.scalars()]

    async def add_secretary(self, community_id: int, user_key: str, name: str) -> bool:
        statement = (
            dialect_insert(self.session, CommunitySecretaryRow.__table__)
            .values(community_id=community_id, user_key=user_key, name=name)
            .on_conflict_do_nothing()
        )
        return bool(getattr(await self.session.execute(statement), "rowcount", 0))

    async def is_secretary(self, community_id: int, user_key: str) -> bool:
        found = await self.session.execute(
            select(CommunitySecretaryRow.id).where(
                CommunitySecretaryRow.community_id == community_id, CommunitySecretaryRow.user_key == user_key
            )
        )
        return found.first() is not None

    async def secretary_name(self, community_id: int, user_key: str) -> str | None:
        return (
            await self.session.execute(
                select(CommunitySecretaryRow.name).where(
                    CommunitySecretaryRow.community_id == community_id, CommunitySecretaryRow.user_key == user_key
                )
            )
        ).scalar()

    # ---- join requests ---------------------------------------------------------------------------------

    async def request(self, community_id: int, council_id: int, by: str, at: datetime) -> JoinRequest:
        row = CommunityRequestRow(
            community_id=community_id, council_id=council_id, requested_by=by, requested_at=at, state="pending"
        )
        self.session.add(row)
        await self.session.flush()
        return _request(row)

    async def pending(self, community_id: int, council_id: int | None = None) -> Sequence[JoinRequest]:
        query = select(CommunityRequestRow).where(
            CommunityRequestRow.community_id == community_id, CommunityRequestRow.state == "pending"
        )
        if council_id is not None:
            query = query.where(CommunityRequestRow.council_id == council_id)
        rows = await self.session.execute(query.order_by(CommunityRequestRow.id))
        return [_request(r) for r in rows.scalars()]

    async def decide(self, request_id: int, state: str, by: str, at: datetime) -> None:
        await self.session.execute(
            update(CommunityRequestRow)
            .where(CommunityRequestRow.id == request_id)
            .values(state=state, decided_by=by, decided_at=at)
        )

    # ---- desk passes (personal links) -------------------------------------------------------------------

    async def add_pass(self, token_hash: str, community_id: int, user_key: str, at: datetime) -> None:
        row = DeskPassRow(token_hash=token_hash, community_id=community_id, user_key=user_key, created_at=at)
        self.session.add(row)
        await self.session.flush()

    async def pass_holder(self, token_hash: str) -> tuple[int, str] | None:
        row = await self.session.get(DeskPassRow, token_hash)
        if row is None or row.revoked_at is not None:
            return None
        return row.community_id, row.user_key

    async def revoke_passes(self, community_id: int, user_key: str, at: datetime) -> int:
        result = await self.session.execute(
            update(DeskPassRow)
            .where(
                DeskPassRow.community_id == community_id,
                DeskPassRow.user_key == user_key,
                DeskPassRow.revoked_at.is_(None),
            )
            .values(revoked_at=at)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    # ---- the record, for many councils at once ---------------------------------------------------------

    async def events_of(self, council_ids: Sequence[int]) -> dict[int, list[Event]]:
        found: dict[int, list[Event]] = {c: [] for c in council_ids}
        if not council_ids:
            return found
        rows = await self.session.execute(
            select(EventRow).where(EventRow.council_id.in_(council_ids)).order_by(EventRow.council_id, EventRow.seq)
        )
        for row in rows.scalars():
            found[row.council_id].append(event_from_row(row))
        return found

    async def versions_of(self, council_ids: Sequence[int]) -> dict[int, list[MinutesVersion]]:
        found: dict[int, list[MinutesVersion]] = {c: [] for c in council_ids}
        if not council_ids:
            return found
        rows = await self.session.execute(
            select(MinutesVersionRow)
            .where(MinutesVersionRow.council_id.in_(council_ids), MinutesVersionRow.published_at.is_not(None))
            .order_by(MinutesVersionRow.council_id, MinutesVersionRow.published_at, MinutesVersionRow.id)
        )
        for row in rows.scalars():
            found[row.council_id].append(minutes_version_from_row(row))
        return found

    async def open_items(self, council_ids: Sequence[int]) -> list[OpenItem]:
        """Open motions of these councils, with their open ballot (turnout only) when one is open."""
        if not council_ids:
            return []
        turnout = select(VoteRow.ballot_id, func.count().label("voted")).group_by(VoteRow.ballot_id).subquery("turnout")
        rows = await self.session.execute(
            select(
                MotionRow.council_id,
                MotionRow.number,
                MotionRow.text,
                MotionRow.state,
                BallotRow.id,
                BallotRow.closes_at,
                BallotRow.secret,
                func.coalesce(turnout.c.voted, 0),
                BallotRow.eligible_voters,
            )
            .outerjoin(BallotRow, and_(BallotRow.motion_id == MotionRow.id, BallotRow.closed_at.is_(None)))
            .outerjoin(turnout, turnout.c.ballot_id == BallotRow.id)
            .where(MotionRow.council_id.in_(council_ids), MotionRow.state.in_(OPEN_STATES))
        )
        return [OpenItem(*row) for row in rows.all()]

    async def assignments_of(self, council_ids: Sequence[int]) -> list[DueItem]:
        if not council_ids:
            return []
        rows = await self.session.execute(
            select(
                AssignmentRow.council_id,
                AssignmentRow.number,
                AssignmentRow.assignee_name,
                AssignmentRow.due_at,
                AssignmentRow.state,
                AssignmentRow.done_at,
            ).where(AssignmentRow.council_id.in_(council_ids))
        )
        return [DueItem(*row) for row in rows.all()]

    async def closed_ballots(self, council_ids: Sequence[int], since: datetime) -> list[ClosedBallot]:
        if not council_ids:
            return []
        turnout = select(VoteRow.ballot_id, func.count().label("voted")).group_by(VoteRow.ballot_id).subquery("turnout")
        rows = await self.session.execute(
            select(
                BallotRow.council_id,
                MotionRow.number,
                BallotRow.closed_at,
                func.coalesce(turnout.c.voted, 0),
                BallotRow.eligible_voters,
            )
            .join(MotionRow, MotionRow.id == BallotRow.motion_id)
            .outerjoin(turnout, turnout.c.ballot_id == BallotRow.id)
            .where(BallotRow.council_id.in_(council_ids), BallotRow.closed_at >= since)
            .order_by(BallotRow.closed_at)
        )
        return [ClosedBallot(*row) for row in rows.all()]

    async def outcomes_by_month(self, council_ids: Sequence[int], since: datetime) -> list[tuple[datetime, str]]:
        """(raised at, state) of the main motions raised since `since`."""
        if not council_ids:
            return []
        rows = await self.session.execute(
            select(MotionRow.created_at, MotionRow.state).where(
                MotionRow.council_id.in_(council_ids), MotionRow.kind == "main", MotionRow.created_at >= since
            )
        )
        return [(at, state) for at, state in rows.all()]

    async def ratings_of(self, council_ids: Sequence[int]) -> dict[int, dict[str, int]]:
        found: dict[int, dict[str, int]] = {}
        if not council_ids:
            return found
        rows = await self.session.execute(
            select(AssignmentRow.council_id, RatingRow.choice, func.count())
            .join(AssignmentRow, AssignmentRow.id == RatingRow.assignment_id)
            .where(AssignmentRow.council_id.in_(council_ids))
            .group_by(AssignmentRow.council_id, RatingRow.choice)
        )
        for council_id, choice, count in rows.all():
            found.setdefault(council_id, {})[choice] = count
        return found

    async def last_published(self, council_ids: Sequence[int]) -> dict[int, tuple[datetime, datetime | None, str]]:
        """Per council: when its latest minutes were published, when their 公示 ends, and their scope."""
        if not council_ids:
            return {}
        latest = (
            select(MinutesVersionRow.council_id, func.max(MinutesVersionRow.published_at).label("at"))
            .where(MinutesVersionRow.council_id.in_(council_ids), MinutesVersionRow.published_at.is_not(None))
            .group_by(MinutesVersionRow.council_id)
            .subquery("latest")
        )
        rows = await self.session.execute(
            select(
                MinutesVersionRow.council_id,
                MinutesVersionRow.published_at,
                MinutesVersionRow.publication_ends_at,
                MinutesVersionRow.scope,
            ).join(
                latest,
                and_(
                    latest.c.council_id == MinutesVersionRow.council_id, latest.c.at == MinutesVersionRow.published_at
                ),
            )
        )
        return {c: (at, ends, scope) for c, at, ends, scope in rows.all() if at is not None}

    async def hall_slugs(self, council_ids: Sequence[int]) -> dict[int, str]:
        """The councils' hall addresses (/h/<slug>) where the hall has made them; none where it has not."""
        if not council_ids:
            return {}

        def has_hall(session: Any) -> bool:
            return inspect(session.connection()).has_table("hall_councils")

        if not await self.session.run_sync(has_hall):
            return {}
        rows = await self.session.execute(text("SELECT council_id, slug FROM hall_councils"))
        wanted = set(council_ids)
        return {int(c): str(s) for c, s in rows.all() if int(c) in wanted}
