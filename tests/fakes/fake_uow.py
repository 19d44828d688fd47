"""An in-memory unit of work: every repository of deliberation.ports.UnitOfWork kept in dicts, commits counted.

Use-case tests run on it without a database. `commit()` keeps the state and counts; `rollback()` (and
leaving `async with` without a commit) puts back what was there at the last commit, as a database would.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import TracebackType
from typing import Any

from deliberation.chain import GENESIS, Event, canonical_json, seal
from deliberation.counting import Choice, Preset
from deliberation.delivery import Assignment, Meeting, MeetingState, Planned, Rating, Report
from deliberation.electorate import register_digest
from deliberation.minutes import MinutesVersion
from deliberation.model import Actor, Ballot, Council, Member, MemberStatus, Motion, Role, Rules, Speech, Unit

from .fake_channels import ChannelState, FakeBallotAttempts, FakePaperEntries, FakeProxies, FakeTellers
from .fake_questions import FakeCalledQuestions

VoteRow = tuple[str, int, Choice | None, int]  # voter, member id, choice (None once forgotten), area


@dataclass
class _State:
    """Everything the fake stores; copied whole at each commit so that a rollback can put it back."""

    councils: dict[int, Council] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    units: dict[int, dict[str, tuple[Unit, bool]]] = field(default_factory=dict)
    motions: dict[int, Motion] = field(default_factory=dict)
    speeches: list[Speech] = field(default_factory=list)
    warnings: list[tuple[int, int, int, str, datetime]] = field(default_factory=list)
    ballots: dict[int, Ballot] = field(default_factory=dict)
    votes: dict[int, dict[str, VoteRow]] = field(default_factory=dict)
    events: dict[int, list[Event]] = field(default_factory=dict)
    meetings: dict[int, Meeting] = field(default_factory=dict)
    attendance: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    assignments: dict[int, Assignment] = field(default_factory=dict)
    reports: list[Report] = field(default_factory=list)
    ratings: dict[int, dict[int, Rating]] = field(default_factory=dict)
    reminders: dict[tuple[str, int, datetime], dict[str, Any]] = field(default_factory=dict)
    minutes: dict[int, MinutesVersion] = field(default_factory=dict)
    registers: dict[int, tuple[Unit, ...]] = field(default_factory=dict)
    vote_times: dict[tuple[int, str], datetime | None] = field(default_factory=dict)
    questions: dict[int, Any] = field(default_factory=dict)  # 南塘 11: tests.fakes.fake_questions
    channels: ChannelState = field(default_factory=ChannelState)
    next_id: int = 0

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id


class _Repository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def state(self) -> _State:
        return self._uow.state


class FakeCouncils(_Repository):
    async def by_chat(self, chat_key: str) -> Council | None:
        return next((c for c in self.state.councils.values() if c.chat_key == chat_key), None)

    async def get(self, council_id: int) -> Council:
        return self.state.councils[council_id]

    async def add(self, council: Council) -> Council:
        council = replace(council, id=self.state.new_id())
        self.state.councils[council.id] = council
        return council

    async def update(self, council: Council) -> None:
        self.state.councils[council.id] = council

    async def lock(self, council_id: int) -> None:
        self._uow.locked.append(council_id)


class FakeMembers(_Repository):
    async def by_user(self, council_id: int, user_key: str) -> Member | None:
        return next(
            (m for m in self.state.members.values() if m.council_id == council_id and m.user_key == user_key), None
        )

    async def get(self, member_id: int) -> Member | None:
        return self.state.members.get(member_id)

    async def find(self, council_id: int, handle: str) -> Member | None:
        members = [m for m in self.state.members.values() if m.council_id == council_id]
        folded = handle.casefold()
        for match in (
            lambda m: (m.username or "").casefold() == folded,
            lambda m: m.name.casefold() == folded,
            lambda m: m.user_key == handle or m.user_key.endswith(":" + handle),
        ):
            found = [m for m in members if match(m)]
            if len(found) == 1:
                return found[0]
        return None

    async def all(self, council_id: int) -> Sequence[Member]:
        return [m for m in self.state.members.values() if m.council_id == council_id]

    async def add(self, member: Member) -> Member:
        member = replace(member, id=self.state.new_id())
        self.state.members[member.id] = member
        return member

    async def update(self, member: Member) -> None:
        self.state.members[member.id] = member


class FakeUnits(_Repository):
    async def get(self, council_id: int, code: str) -> Unit | None:
        found = self.state.units.get(council_id, {}).get(code)
        return None if found is None else found[0]

    async def all(self, council_id: int) -> Sequence[Unit]:
        return [unit for unit, _ in self.state.units.get(council_id, {}).values()]

    async def add(self, council_id: int, unit: Unit, *, from_roster: bool) -> None:
        self.state.units.setdefault(council_id, {})[unit.code] = (unit, from_roster)

    async def replace_roster(self, council_id: int, units: Sequence[Unit]) -> None:
        self.state.units[council_id] = {u.code: (u, True) for u in units}


class FakeMotions(_Repository):
    async def next_number(self, council_id: int) -> int:
        return 1 + max((m.number for m in self.state.motions.values() if m.council_id == council_id), default=0)

    async def add(self, motion: Motion) -> Motion:
        motion = replace(motion, id=self.state.new_id())
        self.state.motions[motion.id] = motion
        return motion

    async def update(self, motion: Motion) -> None:
        self.state.motions[motion.id] = motion

    async def by_number(self, council_id: int, number: int) -> Motion | None:
        return next((m for m in self.state.motions.values() if m.council_id == council_id and m.number == number), None)

    async def get(self, motion_id: int) -> Motion:
        return self.state.motions[motion_id]

    async def find(self, motion_id: int) -> Motion | None:
        return self.state.motions.get(motion_id)

    async def children(self, motion_id: int) -> Sequence[Motion]:
        return [m for m in self.state.motions.values() if m.parent_id == motion_id]

    async def all(self, council_id: int) -> Sequence[Motion]:
        return sorted((m for m in self.state.motions.values() if m.council_id == council_id), key=lambda m: m.number)


class FakeSpeeches(_Repository):
    async def add(self, speech: Speech) -> Speech:
        speech = replace(speech, id=self.state.new_id())
        self.state.speeches.append(speech)
        return speech

    async def for_motion(self, motion_id: int) -> Sequence[Speech]:
        return [s for s in self.state.speeches if s.motion_id == motion_id]

    async def add_warning(self, motion_id: int, member_id: int, by_id: int, reason: str, at: datetime) -> int:
        self.state.warnings.append((motion_id, member_id, by_id, reason, at))
        return await self.warnings(motion_id, member_id)

    async def warnings(self, motion_id: int, member_id: int) -> int:
        return sum(1 for w in self.state.warnings if w[:2] == (motion_id, member_id))


class FakeBallots(_Repository):
    async def add(self, ballot: Ballot) -> Ballot:
        ballot = replace(ballot, id=self.state.new_id())
        self.state.ballots[ballot.id] = ballot
        return ballot

    async def get(self, ballot_id: int) -> Ballot | None:
        return self.state.ballots.get(ballot_id)

    async def open_for_motion(self, motion_id: int) -> Ballot | None:
        return next((b for b in self.state.ballots.values() if b.motion_id == motion_id and b.open), None)

    async def for_motion(self, motion_id: int) -> Sequence[Ballot]:
        return [b for b in self.state.ballots.values() if b.motion_id == motion_id]

    async def update(self, ballot: Ballot) -> None:
        self.state.ballots[ballot.id] = ballot

    async def freeze_register(self, ballot_id: int, units: Sequence[Unit]) -> str:
        self.state.registers[ballot_id] = tuple(units)
        return register_digest(units)

    async def register(self, ballot_id: int) -> Sequence[Unit] | None:
        return self.state.registers.get(ballot_id)


class FakeVotes(_Repository):
    def _of(self, ballot_id: int) -> dict[str, VoteRow]:
        return self.state.votes.setdefault(ballot_id, {})

    async def upsert(
        self, ballot_id: int, voter: str, member_id: int, choice: Choice, area_cm2: int, at: datetime
    ) -> None:
        self._of(ballot_id)[voter] = (voter, member_id, choice, area_cm2)
        secret = self.state.ballots[ballot_id].secret if ballot_id in self.state.ballots else False
        self.state.vote_times[ballot_id, voter] = None if secret else at

    async def choice_of(self, ballot_id: int, voter: str) -> Choice | None:
        row = self._of(ballot_id).get(voter)
        return None if row is None else row[2]

    async def choices(self, ballot_id: int) -> dict[str, Choice]:
        return {voter: row[2] for voter, row in self._of(ballot_id).items() if row[2] is not None}

    async def upsert_many(self, rows: Sequence[tuple[int, str, int, Choice, int, datetime]]) -> None:
        for ballot_id, voter, member_id, choice, area, at in rows:
            await self.upsert(ballot_id, voter, member_id, choice, area, at)

    async def all(self, ballot_id: int) -> Sequence[tuple[str, int, Choice, int]]:
        return [(v, m, c, a) for v, m, c, a in self._of(ballot_id).values() if c is not None]

    async def voters(self, ballot_id: int) -> Sequence[str]:
        return list(self._of(ballot_id))

    async def ledger(self, ballot_id: int) -> Sequence[tuple[str, int, datetime | None]]:
        return [(v, a, self.state.vote_times.get((ballot_id, v))) for v, _m, _c, a in self._of(ballot_id).values()]

    async def count(self, ballot_id: int) -> int:
        return len(self._of(ballot_id))

    async def counts(self, ballot_id: int) -> dict[Choice, int]:
        counts = dict.fromkeys(Choice, 0)
        for _, _, choice, _ in self._of(ballot_id).values():
            if choice is not None:
                counts[choice] += 1
        return counts

    async def forget_choices(self, ballot_id: int) -> None:
        votes = self._of(ballot_id)
        for voter, (_, member_id, _, area) in votes.items():
            votes[voter] = (voter, member_id, None, area)


class FakeEvents(_Repository):
    async def append(self, council_id: int, type: str, at: datetime, payload: dict[str, Any]) -> Event:
        chain = self.state.events.setdefault(council_id, [])
        head = chain[-1].hash if chain else GENESIS
        payload = json.loads(canonical_json(payload))  # what a stored payload reads back as
        event = seal(Event(council_id, len(chain) + 1, type, at.isoformat(timespec="seconds"), payload, head))
        chain.append(event)
        return event

    async def append_many(self, council_id: int, events: Sequence[tuple[str, datetime, dict[str, Any]]]) -> None:
        for type, at, payload in events:
            await self.append(council_id, type, at, payload)

    async def all(self, council_id: int) -> Sequence[Event]:
        return list(self.state.events.get(council_id, []))

    @property
    def recorded(self) -> list[Event]:
        """Every event of every council, in the order appended."""
        return [e for chain in self.state.events.values() for e in chain]


class FakeMeetings(_Repository):
    async def next_number(self, council_id: int) -> int:
        return 1 + max((m.number for m in self.state.meetings.values() if m.council_id == council_id), default=0)

    async def add(self, meeting: Meeting) -> Meeting:
        meeting = replace(meeting, id=self.state.new_id())
        self.state.meetings[meeting.id] = meeting
        return meeting

    async def update(self, meeting: Meeting) -> None:
        self.state.meetings[meeting.id] = meeting

    async def get(self, meeting_id: int) -> Meeting | None:
        return self.state.meetings.get(meeting_id)

    async def by_number(self, council_id: int, number: int) -> Meeting | None:
        return next(
            (m for m in self.state.meetings.values() if m.council_id == council_id and m.number == number), None
        )

    async def in_state(self, council_id: int, *states: MeetingState) -> Sequence[Meeting]:
        found = [m for m in self.state.meetings.values() if m.council_id == council_id and m.state in states]
        return sorted(found, key=lambda m: (m.starts_at or m.created_at, m.id))

    async def add_attendance(self, meeting_id: int, member_id: int, name: str, at: datetime) -> bool:
        present = self.state.attendance.setdefault(meeting_id, [])
        if any(m == member_id for m, _ in present):
            return False
        present.append((member_id, name))
        return True

    async def attendance(self, meeting_id: int) -> Sequence[tuple[int, str]]:
        return list(self.state.attendance.get(meeting_id, []))


class FakeAssignments(_Repository):
    async def add(self, a: Assignment) -> Assignment:
        a = replace(a, id=self.state.new_id())
        self.state.assignments[a.id] = a
        return a

    async def update(self, a: Assignment) -> None:
        self.state.assignments[a.id] = a

    async def get(self, assignment_id: int) -> Assignment | None:
        return self.state.assignments.get(assignment_id)

    async def by_motion(self, motion_id: int) -> Assignment | None:
        return next((a for a in self.state.assignments.values() if a.motion_id == motion_id), None)

    async def all(self, council_id: int) -> Sequence[Assignment]:
        return [a for a in self.state.assignments.values() if a.council_id == council_id]

    async def add_report(self, report: Report) -> None:
        self.state.reports.append(report)

    async def reports(self, assignment_id: int) -> Sequence[Report]:
        return [r for r in self.state.reports if r.assignment_id == assignment_id]

    async def upsert_rating(self, assignment_id: int, member_id: int, choice: Rating, at: datetime) -> Rating | None:
        ratings = self.state.ratings.setdefault(assignment_id, {})
        previous = ratings.get(member_id)
        ratings[member_id] = choice
        return previous

    async def ratings(self, assignment_id: int) -> Sequence[Rating]:
        return list(self.state.ratings.get(assignment_id, {}).values())


class FakeReminders(_Repository):
    async def add_plan(self, council_id: int, plan: Sequence[Planned], now: datetime) -> int:
        new = [p for p in plan if p.key not in self.state.reminders]
        for p in new:
            self.state.reminders[p.key] = {"id": self.state.new_id(), "council_id": council_id, "outcome": None}
        return len(new)

    def _by_id(self, reminder_id: int) -> dict[str, Any] | None:
        return next((r for r in self.state.reminders.values() if r["id"] == reminder_id), None)

    async def claim(self, reminder_id: int, now: datetime, outcome: str) -> bool:
        reminder = self._by_id(reminder_id)
        if reminder is None or reminder["outcome"] is not None:
            return False
        reminder["outcome"] = outcome
        return True

    async def set_outcome(self, reminder_id: int, outcome: str) -> None:
        reminder = self._by_id(reminder_id)
        if reminder is not None:
            reminder["outcome"] = outcome


class FakeMinutes(_Repository):
    def _of(self, council_id: int, scope: str | None) -> list[MinutesVersion]:
        return sorted(
            (
                v
                for v in self.state.minutes.values()
                if v.council_id == council_id and (scope is None or v.scope == scope)
            ),
            key=lambda v: v.id,
        )

    async def next_version(self, council_id: int, scope: str) -> int:
        return 1 + max((v.version for v in self._of(council_id, scope)), default=0)

    async def add(
        self,
        council_id: int,
        scope: str,
        version: int,
        body: dict[str, Any],
        markdown: str,
        *,
        chain_head: str,
        chain_seq: int,
        created_at: datetime,
        created_by: str | None = None,
        published_at: datetime | None = None,
        publication_ends_at: datetime | None = None,
    ) -> MinutesVersion:
        stored = MinutesVersion(
            self.state.new_id(),
            council_id,
            scope,
            version,
            body,
            markdown,
            chain_head,
            chain_seq,
            created_at,
            published_at,
            publication_ends_at,
            created_by=created_by,
        )
        self.state.minutes[stored.id] = stored
        return stored

    async def get(self, version_id: int) -> MinutesVersion | None:
        return self.state.minutes.get(version_id)

    async def find(self, council_id: int, scope: str, version: int) -> MinutesVersion | None:
        return next((v for v in self._of(council_id, scope) if v.version == version), None)

    async def latest(self, council_id: int, scope: str | None = None) -> MinutesVersion | None:
        versions = self._of(council_id, scope)
        return versions[-1] if versions else None

    async def versions(self, council_id: int, scope: str | None = None) -> Sequence[MinutesVersion]:
        return self._of(council_id, scope)

    async def set_pinned(self, version_id: int, message_ref: str) -> None:
        self.state.minutes[version_id] = replace(self.state.minutes[version_id], pinned_message_ref=message_ref)

    async def supersede(self, version_id: int, at: datetime) -> None:
        version = self.state.minutes[version_id]
        self.state.minutes[version_id] = replace(version, publication_ends_at=at, publication_announced_at=at)

    async def mark_announced(self, version_id: int, at: datetime) -> bool:
        version = self.state.minutes[version_id]
        if version.publication_announced_at is not None:
            return False
        self.state.minutes[version_id] = replace(version, publication_announced_at=at)
        return True


class FakeUnitOfWork:
    """deliberation.ports.UnitOfWork in memory; `commits` and `rollbacks` count the calls."""

    def __init__(self) -> None:
        self.state = _State()
        self._committed = copy.deepcopy(self.state)
        self.commits = 0
        self.rollbacks = 0
        self.locked: list[int] = []
        self.councils = FakeCouncils(self)
        self.members = FakeMembers(self)
        self.units = FakeUnits(self)
        self.motions = FakeMotions(self)
        self.speeches = FakeSpeeches(self)
        self.ballots = FakeBallots(self)
        self.votes = FakeVotes(self)
        self.events = FakeEvents(self)
        self.meetings = FakeMeetings(self)
        self.assignments = FakeAssignments(self)
        self.reminders = FakeReminders(self)
        self.minutes = FakeMinutes(self)
        self.questions = FakeCalledQuestions(self)
        self.ballot_attempts = FakeBallotAttempts(self)
        self.paper_entries = FakePaperEntries(self)
        self.tellers = FakeTellers(self)
        self.proxies = FakeProxies(self)
        self.council = Council(0, "", "", Rules())  # set by with_council

    async def commit(self) -> None:
        self.commits += 1
        self._committed = copy.deepcopy(self.state)

    async def rollback(self) -> None:
        self.rollbacks += 1
        self.state = copy.deepcopy(self._committed)

    async def __aenter__(self) -> FakeUnitOfWork:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.state != self._committed:  # nothing committed since the last change: a database rolls back
            await self.rollback()

    def snapshot(self) -> _State:
        """A copy of everything stored now, to compare after a refusal."""
        return copy.deepcopy(self.state)

    # ---- a council to play in ---------------------------------------------------------------------

    @classmethod
    def with_council(
        cls,
        members: Sequence[str] = (),
        *,
        chair: str = "chair",
        preset: Preset = Preset.NANTANG,
        chat_key: str = "test:1",
    ) -> FakeUnitOfWork:
        """A council with an active chair and active members, each member in a unit of their own.

        Member "alice" is user "u:alice" in unit "101" (owner "alice", 80 m²), "bob" in "102", and so on;
        the setup is stored as committed, so a test's `commits` count starts at 0.
        """
        uow = cls()
        state = uow.state
        # Under civil278 the units are the imported register (a civil278 ballot opens on nothing else).
        council = Council(
            state.new_id(), chat_key, "测试议事会", Rules.for_preset(preset), has_roster=preset is Preset.CIVIL278
        )
        state.councils[council.id] = council
        uow.council = council
        people: list[tuple[str, str | None, frozenset[Role]]] = [(chair, None, frozenset({Role.CHAIR}))]
        people += [(name, f"{101 + i}", frozenset[Role]()) for i, name in enumerate(members)]
        for name, unit, roles in people:
            member = Member(state.new_id(), council.id, f"u:{name}", name, name, unit, MemberStatus.ACTIVE, roles)
            state.members[member.id] = member
            if unit is not None:
                state.units.setdefault(council.id, {})[unit] = (Unit(unit, name, 80 * 10_000), True)
        uow._committed = copy.deepcopy(state)
        return uow

    def member(self, name: str) -> Member:
        return next(m for m in self.state.members.values() if m.name == name)

    def actor(self, name: str) -> Actor:
        """The named person as they act: with their membership when they have one."""
        member = next((m for m in self.state.members.values() if m.name == name), None)
        return Actor(f"u:{name}", name, name, member=member)
