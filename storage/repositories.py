"""Repositories: domain records in, domain records out. They never commit."""
from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from deliberation.chain import GENESIS, Event, canonical_json, seal
from deliberation.counting import Choice
from deliberation.lifecycle import MotionState
from deliberation.model import (
    Ballot, Council, Member, MemberStatus, Motion, MotionKind, Role, Rules, Side, Speech, Unit,
)

from .models import (
    BallotRow, CouncilRow, EventRow, MemberRow, MotionRow, SpeechRow, UnitRow, VoteRow, WarningRow,
)


def _insert(session: AsyncSession, table):
    dialect = session.bind.dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def _council(row: CouncilRow) -> Council:
    return Council(row.id, row.chat_key, row.title, Rules.from_json(row.rules), row.locale, row.timezone,
                   row.has_roster)


class CouncilRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_chat(self, chat_key: str) -> Council | None:
        row = (await self.session.execute(
            select(CouncilRow).where(CouncilRow.chat_key == chat_key, CouncilRow.active.is_(True)))).scalar_one_or_none()
        return None if row is None else _council(row)

    async def by_chats(self, chat_keys: set[str]) -> Sequence[Council]:
        rows = await self.session.execute(select(CouncilRow).where(
            CouncilRow.chat_key.in_(list(chat_keys)), CouncilRow.active.is_(True)))
        return [_council(row) for row in rows.scalars()]

    async def get(self, council_id: int) -> Council:
        return _council(await self.session.get_one(CouncilRow, council_id))

    async def get_optional(self, council_id: int) -> Council | None:
        row = await self.session.get(CouncilRow, council_id)
        return None if row is None else _council(row)

    async def all(self) -> Sequence[Council]:
        rows = (await self.session.execute(select(CouncilRow).where(CouncilRow.active.is_(True)))).scalars()
        return [_council(r) for r in rows]

    async def add(self, council: Council) -> Council:
        row = CouncilRow(chat_key=council.chat_key, title=council.title, preset=council.rules.preset,
                         rules=council.rules.to_json(), locale=council.locale, timezone=council.timezone,
                         has_roster=council.has_roster, chain_seq=0, chain_head=GENESIS, active=True,
                         created_at=datetime.now().astimezone())
        self.session.add(row)
        await self.session.flush()
        return _council(row)

    async def update(self, council: Council) -> None:
        await self.session.execute(update(CouncilRow).where(CouncilRow.id == council.id).values(
            chat_key=council.chat_key, title=council.title, preset=council.rules.preset,
            rules=council.rules.to_json(), locale=council.locale, timezone=council.timezone,
            has_roster=council.has_roster))

    async def lock(self, council_id: int) -> None:
        # PostgreSQL: a row lock serializes one council's changes across workers.
        # SQLite: BEGIN IMMEDIATE already holds the database's write lock.
        if self.session.bind.dialect.name == "postgresql":
            await self.session.execute(select(CouncilRow.id).where(CouncilRow.id == council_id).with_for_update())

    async def deactivate(self, council_id: int) -> None:
        await self.session.execute(update(CouncilRow).where(CouncilRow.id == council_id).values(active=False))


def _member(row: MemberRow) -> Member:
    roles = frozenset(Role(r) for r in row.roles.split(",") if r)
    return Member(row.id, row.council_id, row.user_key, row.name, row.username, row.unit,
                  MemberStatus(row.status), roles)


class MemberRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_user(self, council_id: int, user_key: str) -> Member | None:
        row = (await self.session.execute(select(MemberRow).where(
            MemberRow.council_id == council_id, MemberRow.user_key == user_key))).scalar_one_or_none()
        return None if row is None else _member(row)

    async def of_users(self, council_ids: set[int], user_keys: set[str]) -> Sequence[Member]:
        """The members of these councils among these users (callers pick their pairs)."""
        rows = await self.session.execute(select(MemberRow).where(
            MemberRow.council_id.in_(list(council_ids)), MemberRow.user_key.in_(list(user_keys))))
        return [_member(row) for row in rows.scalars()]

    async def by_users(self, council_id: int, user_keys: set[str]) -> Sequence[Member]:
        rows = await self.session.execute(select(MemberRow).where(
            MemberRow.council_id == council_id, MemberRow.user_key.in_(list(user_keys))))
        return [_member(row) for row in rows.scalars()]

    async def get(self, member_id: int) -> Member | None:
        row = await self.session.get(MemberRow, member_id)
        return None if row is None else _member(row)

    async def find(self, council_id: int, handle: str) -> Member | None:
        rows = (await self.session.execute(select(MemberRow).where(MemberRow.council_id == council_id))).scalars().all()
        folded = handle.casefold()
        for match in (lambda r: (r.username or "").casefold() == folded,
                      lambda r: r.name.casefold() == folded,
                      lambda r: r.user_key == handle or r.user_key.endswith(":" + handle)):
            found = [r for r in rows if match(r)]
            if len(found) == 1:
                return _member(found[0])
        return None

    async def all(self, council_id: int) -> Sequence[Member]:
        rows = await self.session.execute(
            select(MemberRow).where(MemberRow.council_id == council_id).order_by(MemberRow.id))
        return [_member(r) for r in rows.scalars()]

    async def add(self, member: Member) -> Member:
        row = MemberRow(council_id=member.council_id, user_key=member.user_key, name=member.name,
                        username=member.username, unit=member.unit, status=member.status.value,
                        roles=",".join(sorted(member.roles)))
        self.session.add(row)
        await self.session.flush()
        return _member(row)

    async def update(self, member: Member) -> None:
        await self.session.execute(update(MemberRow).where(MemberRow.id == member.id).values(
            name=member.name, username=member.username, unit=member.unit, status=member.status.value,
            roles=",".join(sorted(member.roles))))


class UnitRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, council_id: int, code: str) -> Unit | None:
        row = (await self.session.execute(select(UnitRow).where(
            UnitRow.council_id == council_id, UnitRow.code == code))).scalar_one_or_none()
        return None if row is None else Unit(row.code, row.owner, row.area_cm2)

    async def all(self, council_id: int) -> Sequence[Unit]:
        rows = await self.session.execute(select(UnitRow).where(UnitRow.council_id == council_id).order_by(UnitRow.code))
        return [Unit(r.code, r.owner, r.area_cm2) for r in rows.scalars()]

    async def add(self, council_id: int, unit: Unit, *, from_roster: bool) -> None:
        self.session.add(UnitRow(council_id=council_id, code=unit.code, owner=unit.owner,
                                 area_cm2=unit.area_cm2, from_roster=from_roster))
        await self.session.flush()

    async def replace_roster(self, council_id: int, units: Sequence[Unit]) -> None:
        await self.session.execute(delete(UnitRow).where(UnitRow.council_id == council_id))
        self.session.add_all([UnitRow(council_id=council_id, code=u.code, owner=u.owner, area_cm2=u.area_cm2,
                                      from_roster=True) for u in units])
        await self.session.execute(update(CouncilRow).where(CouncilRow.id == council_id).values(has_roster=True))
        await self.session.flush()


def _motion(row: MotionRow) -> Motion:
    return Motion(row.id, row.council_id, row.number, MotionKind(row.kind), row.text, row.mover_id,
                  MotionState(row.state), row.created_at, row.second_deadline, row.parent_id, row.seconder_id,
                  row.original_text, row.debate_closed, row.postponed_until, row.referred_to, row.major)


class MotionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def next_number(self, council_id: int) -> int:
        top = (await self.session.execute(
            select(func.max(MotionRow.number)).where(MotionRow.council_id == council_id))).scalar()
        return (top or 0) + 1

    async def add(self, motion: Motion) -> Motion:
        row = MotionRow(council_id=motion.council_id, number=motion.number, kind=motion.kind.value,
                        text=motion.text, mover_id=motion.mover_id, state=motion.state.value,
                        created_at=motion.created_at, second_deadline=motion.second_deadline,
                        parent_id=motion.parent_id, seconder_id=motion.seconder_id,
                        original_text=motion.original_text, debate_closed=motion.debate_closed,
                        postponed_until=motion.postponed_until, referred_to=motion.referred_to, major=motion.major)
        self.session.add(row)
        await self.session.flush()
        return _motion(row)

    async def update(self, motion: Motion) -> None:
        await self.session.execute(update(MotionRow).where(MotionRow.id == motion.id).values(
            text=motion.text, state=motion.state.value, seconder_id=motion.seconder_id,
            original_text=motion.original_text, debate_closed=motion.debate_closed,
            postponed_until=motion.postponed_until, referred_to=motion.referred_to, major=motion.major))

    async def by_number(self, council_id: int, number: int) -> Motion | None:
        row = (await self.session.execute(select(MotionRow).where(
            MotionRow.council_id == council_id, MotionRow.number == number))).scalar_one_or_none()
        return None if row is None else _motion(row)

    async def get(self, motion_id: int) -> Motion:
        return _motion(await self.session.get_one(MotionRow, motion_id))

    async def find(self, motion_id: int) -> Motion | None:
        row = await self.session.get(MotionRow, motion_id)
        return None if row is None else _motion(row)

    async def children(self, motion_id: int) -> Sequence[Motion]:
        rows = await self.session.execute(select(MotionRow).where(MotionRow.parent_id == motion_id).order_by(MotionRow.number))
        return [_motion(r) for r in rows.scalars()]

    async def all(self, council_id: int) -> Sequence[Motion]:
        rows = await self.session.execute(
            select(MotionRow).where(MotionRow.council_id == council_id).order_by(MotionRow.number))
        return [_motion(r) for r in rows.scalars()]


class SpeechRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, speech: Speech) -> Speech:
        row = SpeechRow(motion_id=speech.motion_id, member_id=speech.member_id, side=speech.side.value,
                        text=speech.text, at=speech.at)
        self.session.add(row)
        await self.session.flush()
        return Speech(row.motion_id, row.member_id, Side(row.side), row.text, row.at, row.id)

    async def for_motion(self, motion_id: int) -> Sequence[Speech]:
        rows = await self.session.execute(select(SpeechRow).where(SpeechRow.motion_id == motion_id).order_by(SpeechRow.id))
        return [Speech(r.motion_id, r.member_id, Side(r.side), r.text, r.at, r.id) for r in rows.scalars()]

    async def add_warning(self, motion_id: int, member_id: int, by_id: int, reason: str, at: datetime) -> int:
        self.session.add(WarningRow(motion_id=motion_id, member_id=member_id, by_id=by_id, reason=reason, at=at))
        await self.session.flush()
        return await self.warnings(motion_id, member_id)

    async def warnings(self, motion_id: int, member_id: int) -> int:
        return (await self.session.execute(select(func.count()).select_from(WarningRow).where(
            WarningRow.motion_id == motion_id, WarningRow.member_id == member_id))).scalar_one()


def _ballot(row: BallotRow) -> Ballot:
    return Ballot(row.id, row.council_id, row.motion_id, row.opened_at, row.closes_at, row.threshold, row.secret,
                  row.eligible_voters, row.members, row.total_area_cm2, row.total_owners, row.present,
                  row.closed_at, dict(row.result or {}))


class BallotRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, ballot: Ballot) -> Ballot:
        row = BallotRow(council_id=ballot.council_id, motion_id=ballot.motion_id, opened_at=ballot.opened_at,
                        closes_at=ballot.closes_at, threshold=ballot.threshold, secret=ballot.secret,
                        eligible_voters=ballot.eligible_voters, members=ballot.members,
                        total_area_cm2=ballot.total_area_cm2, total_owners=ballot.total_owners,
                        present=ballot.present, closed_at=None, result={})
        self.session.add(row)
        await self.session.flush()
        return _ballot(row)

    async def prefetch(self, ballot_ids: set[int]) -> None:
        """Load these ballots and their motions into the session at once (`get` then needs no query)."""
        if ballot_ids:
            ballots = (await self.session.execute(select(BallotRow).where(BallotRow.id.in_(list(ballot_ids))))).scalars()
            motion_ids = [row.motion_id for row in ballots]
            if motion_ids:
                await self.session.execute(select(MotionRow).where(MotionRow.id.in_(motion_ids)))

    async def get(self, ballot_id: int) -> Ballot | None:
        row = await self.session.get(BallotRow, ballot_id)
        return None if row is None else _ballot(row)

    async def open_for_motion(self, motion_id: int) -> Ballot | None:
        row = (await self.session.execute(select(BallotRow).where(
            BallotRow.motion_id == motion_id, BallotRow.closed_at.is_(None)))).scalar_one_or_none()
        return None if row is None else _ballot(row)

    async def for_motion(self, motion_id: int) -> Sequence[Ballot]:
        rows = await self.session.execute(select(BallotRow).where(BallotRow.motion_id == motion_id).order_by(BallotRow.id))
        return [_ballot(r) for r in rows.scalars()]

    async def open_ballots(self) -> Sequence[Ballot]:
        rows = await self.session.execute(select(BallotRow).where(BallotRow.closed_at.is_(None)))
        return [_ballot(r) for r in rows.scalars()]

    async def update(self, ballot: Ballot) -> None:
        await self.session.execute(update(BallotRow).where(BallotRow.id == ballot.id).values(
            closes_at=ballot.closes_at, closed_at=ballot.closed_at, result=ballot.result))


class VoteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert(self, ballot_id: int, voter: str, member_id: int, choice: Choice, area_cm2: int,
                     at: datetime) -> None:
        stmt = _insert(self.session, VoteRow).values(ballot_id=ballot_id, voter=voter, member_id=member_id,
                                                       choice=choice.value, area_cm2=area_cm2, cast_at=at)
        stmt = stmt.on_conflict_do_update(index_elements=["ballot_id", "voter"], set_={
            "choice": stmt.excluded.choice, "member_id": stmt.excluded.member_id, "cast_at": stmt.excluded.cast_at})
        await self.session.execute(stmt)

    async def choice_of(self, ballot_id: int, voter: str) -> Choice | None:
        value = (await self.session.execute(select(VoteRow.choice).where(
            VoteRow.ballot_id == ballot_id, VoteRow.voter == voter))).scalar_one_or_none()
        return None if value is None else Choice(value)

    async def prefetch_choices(self, ballot_ids: set[int]) -> None:
        """Read the choices of several open ballots at once; each `choices(ballot_id)` then takes its share."""
        self._known = known = {ballot_id: {} for ballot_id in ballot_ids}
        if ballot_ids:
            rows = await self.session.execute(select(VoteRow.ballot_id, VoteRow.voter, VoteRow.choice).where(
                VoteRow.ballot_id.in_(list(ballot_ids)), VoteRow.choice.is_not(None)))
            for ballot_id, voter, choice in rows:
                known[ballot_id][voter] = Choice(choice)

    async def choices(self, ballot_id: int) -> dict[str, Choice]:
        known = getattr(self, "_known", None)
        if known is not None and ballot_id in known:
            return known.pop(ballot_id)  # read once: later calls see the database again
        rows = await self.session.execute(select(VoteRow.voter, VoteRow.choice).where(
            VoteRow.ballot_id == ballot_id, VoteRow.choice.is_not(None)))
        return {voter: Choice(choice) for voter, choice in rows}

    async def upsert_many(self, rows: Sequence[tuple[int, str, int, Choice, int, datetime]]) -> None:
        if not rows:
            return
        # Core on the table, one statement for every row count: compiled once and cached (executemany)
        stmt = _insert(self.session, VoteRow.__table__)
        stmt = stmt.on_conflict_do_update(index_elements=["ballot_id", "voter"], set_={
            "choice": stmt.excluded.choice, "member_id": stmt.excluded.member_id, "cast_at": stmt.excluded.cast_at})
        await self.session.execute(stmt, [
            {"ballot_id": b, "voter": v, "member_id": m, "choice": c.value, "area_cm2": a, "cast_at": at}
            for b, v, m, c, a, at in rows])

    async def all(self, ballot_id: int) -> Sequence[tuple[str, int, Choice, int]]:
        rows = await self.session.execute(select(VoteRow.voter, VoteRow.member_id, VoteRow.choice, VoteRow.area_cm2)
                                          .where(VoteRow.ballot_id == ballot_id, VoteRow.choice.is_not(None))
                                          .order_by(VoteRow.id))
        return [(v, m, Choice(c), a) for v, m, c, a in rows]

    async def voters(self, ballot_id: int) -> Sequence[str]:
        return list((await self.session.execute(
            select(VoteRow.voter).where(VoteRow.ballot_id == ballot_id))).scalars())

    async def count(self, ballot_id: int) -> int:
        return (await self.session.execute(
            select(func.count()).select_from(VoteRow).where(VoteRow.ballot_id == ballot_id))).scalar_one()

    async def counts(self, ballot_id: int) -> dict[Choice, int]:
        rows = await self.session.execute(select(VoteRow.choice, func.count()).where(
            VoteRow.ballot_id == ballot_id, VoteRow.choice.is_not(None)).group_by(VoteRow.choice))
        found = {Choice(choice): count for choice, count in rows}
        return {choice: found.get(choice, 0) for choice in Choice}

    async def forget_choices(self, ballot_id: int) -> None:
        # Keep who took part (turnout), destroy what each chose and when.
        await self.session.execute(update(VoteRow).where(VoteRow.ballot_id == ballot_id).values(
            choice=None, cast_at=None))


class EventRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def append(self, council_id: int, type: str, at: datetime, payload: dict[str, Any]) -> Event:
        seq, head = (await self.session.execute(
            select(CouncilRow.chain_seq, CouncilRow.chain_head).where(CouncilRow.id == council_id))).one()
        payload = json.loads(canonical_json(payload))
        event = seal(Event(council_id, seq + 1, type, at.isoformat(timespec="seconds"), payload, head))
        self.session.add(EventRow(council_id=council_id, seq=event.seq, type=type, at=event.at,
                                  payload=canonical_json(payload), prev_hash=event.prev_hash, hash=event.hash))
        await self.session.execute(update(CouncilRow).where(CouncilRow.id == council_id).values(
            chain_seq=event.seq, chain_head=event.hash))
        return event

    async def append_many(self, council_id: int, events: Sequence[tuple[str, datetime, dict[str, Any]]]) -> None:
        if not events:
            return
        seq, head = (await self.session.execute(
            select(CouncilRow.chain_seq, CouncilRow.chain_head).where(CouncilRow.id == council_id))).one()
        rows = []
        for type, at, payload in events:
            payload = json.loads(canonical_json(payload))
            event = seal(Event(council_id, seq + 1, type, at.isoformat(timespec="seconds"), payload, head))
            rows.append({"council_id": council_id, "seq": event.seq, "type": type, "at": event.at,
                         "payload": canonical_json(payload), "prev_hash": event.prev_hash, "hash": event.hash})
            seq, head = event.seq, event.hash
        table = CouncilRow.__table__  # Core statements: no ORM bulk machinery per call
        await self.session.execute(insert(EventRow.__table__), rows)
        await self.session.execute(update(table).where(table.c.id == council_id).values(chain_seq=seq, chain_head=head))

    async def all(self, council_id: int) -> Sequence[Event]:
        rows = await self.session.execute(select(EventRow).where(EventRow.council_id == council_id).order_by(EventRow.seq))
        return [Event(r.council_id, r.seq, r.type, r.at, json.loads(r.payload), r.prev_hash, r.hash)
                for r in rows.scalars()]

    async def head(self, council_id: int) -> tuple[int, str]:
        return tuple((await self.session.execute(
            select(CouncilRow.chain_seq, CouncilRow.chain_head).where(CouncilRow.id == council_id))).one())
