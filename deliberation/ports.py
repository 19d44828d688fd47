"""What the use cases need from storage: repositories behind one unit of work."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from .chain import Event
from .community import Communities
from .counting import Choice
from .model import Ballot, Council, Member, Motion, Speech, Unit

if TYPE_CHECKING:  # annotations only: these modules are being reshaped, the ports must not pin them at run time
    from .delivery import Assignment, Meeting, MeetingState, Planned, Rating, Report
    from .minutes import MinutesVersion

Clock = Callable[[], datetime]


class StorageBusy(Exception):
    """The storage could not do the work now (busy, connection lost, serialization): a fresh try may succeed.

    Nothing of the unit of work was kept; the caller may run the whole update again.
    """


class Councils(Protocol):
    async def by_chat(self, chat_key: str) -> Council | None: ...
    async def get(self, council_id: int) -> Council: ...
    async def get_optional(self, council_id: int) -> Council | None: ...
    async def add(self, council: Council) -> Council: ...
    async def update(self, council: Council) -> None: ...
    async def lock(self, council_id: int) -> None:
        """Serialize this council's changes until commit (a row lock where the database has one)."""


class Members(Protocol):
    async def by_user(self, council_id: int, user_key: str) -> Member | None: ...
    async def get(self, member_id: int) -> Member | None: ...
    async def find(self, council_id: int, handle: str) -> Member | None:
        """A member by @username, display name or member id text."""

    async def all(self, council_id: int) -> Sequence[Member]: ...
    async def add(self, member: Member) -> Member: ...
    async def update(self, member: Member) -> None: ...


class Units(Protocol):
    async def get(self, council_id: int, code: str) -> Unit | None: ...
    async def all(self, council_id: int) -> Sequence[Unit]: ...
    async def add(self, council_id: int, unit: Unit, *, from_roster: bool) -> None: ...
    async def replace_roster(self, council_id: int, units: Sequence[Unit]) -> None: ...


class Motions(Protocol):
    async def next_number(self, council_id: int) -> int: ...
    async def add(self, motion: Motion) -> Motion: ...
    async def update(self, motion: Motion) -> None: ...
    async def by_number(self, council_id: int, number: int) -> Motion | None: ...
    async def get(self, motion_id: int) -> Motion: ...
    async def find(self, motion_id: int) -> Motion | None: ...
    async def children(self, motion_id: int) -> Sequence[Motion]: ...
    async def all(self, council_id: int) -> Sequence[Motion]: ...


class Speeches(Protocol):
    async def add(self, speech: Speech) -> Speech: ...
    async def for_motion(self, motion_id: int) -> Sequence[Speech]: ...
    async def add_warning(self, motion_id: int, member_id: int, by_id: int, reason: str, at: datetime) -> int:
        """Record a warning; return the member's warnings on this motion."""

    async def warnings(self, motion_id: int, member_id: int) -> int: ...


class Ballots(Protocol):
    async def add(self, ballot: Ballot) -> Ballot: ...
    async def get(self, ballot_id: int) -> Ballot | None: ...
    async def open_for_motion(self, motion_id: int) -> Ballot | None: ...
    async def for_motion(self, motion_id: int) -> Sequence[Ballot]: ...
    async def update(self, ballot: Ballot) -> None: ...


class Votes(Protocol):
    async def upsert(
        self, ballot_id: int, voter: str, member_id: int, choice: Choice, area_cm2: int, at: datetime
    ) -> None:
        """Record or change the voter's choice: one row per (ballot, voter), whatever the races."""

    async def choice_of(self, ballot_id: int, voter: str) -> Choice | None: ...
    async def choices(self, ballot_id: int) -> dict[str, Choice]:
        """voter -> choice for every vote on an open ballot (one read for a batch of votes)."""

    async def upsert_many(self, rows: Sequence[tuple[int, str, int, Choice, int, datetime]]) -> None:
        """`upsert` for many (ballot id, voter, member id, choice, area, at); at most one row per (ballot, voter)."""

    async def all(self, ballot_id: int) -> Sequence[tuple[str, int, Choice, int]]:
        """(voter, member id, choice, area) for every vote on the ballot."""

    async def count(self, ballot_id: int) -> int: ...
    async def voters(self, ballot_id: int) -> Sequence[str]:
        """The voter keys that have voted on the ballot."""

    async def counts(self, ballot_id: int) -> dict[Choice, int]:
        """Votes per choice on an open ballot, counted by the database."""

    async def forget_choices(self, ballot_id: int) -> None:
        """Secret ballots: destroy the link between voter and choice once counted."""


class Events(Protocol):
    async def append(self, council_id: int, type: str, at: datetime, payload: dict[str, Any]) -> Event: ...
    async def append_many(self, council_id: int, events: Sequence[tuple[str, datetime, dict[str, Any]]]) -> None:
        """`append` for several events in order: the chain head is read and written once."""

    async def all(self, council_id: int) -> Sequence[Event]: ...
    async def head(self, council_id: int) -> tuple[int, str]:
        """(sequence number, hash) of the council's newest event, as the council's record keeps them."""

    async def readable(self, council_id: int) -> Sequence[Event]:
        """The stored events exactly as kept, for verification: a damaged payload is carried, not refused."""


class Meetings(Protocol):
    async def next_number(self, council_id: int) -> int: ...
    async def add(self, meeting: Meeting) -> Meeting: ...
    async def update(self, meeting: Meeting) -> None: ...
    async def get(self, meeting_id: int) -> Meeting | None: ...
    async def by_number(self, council_id: int, number: int) -> Meeting | None: ...
    async def in_state(self, council_id: int, *states: MeetingState) -> Sequence[Meeting]:
        """The council's meetings in these states, soonest first."""

    async def add_attendance(self, meeting_id: int, member_id: int, name: str, at: datetime) -> bool:
        """Record presence once; False when the member was already marked present."""

    async def attendance(self, meeting_id: int) -> Sequence[tuple[int, str]]:
        """(member id, name) of everyone marked present, in the order they came."""


class Assignments(Protocol):
    async def add(self, a: Assignment) -> Assignment: ...
    async def update(self, a: Assignment) -> None: ...
    async def get(self, assignment_id: int) -> Assignment | None: ...
    async def by_motion(self, motion_id: int) -> Assignment | None: ...
    async def all(self, council_id: int) -> Sequence[Assignment]: ...
    async def add_report(self, report: Report) -> None: ...
    async def reports(self, assignment_id: int) -> Sequence[Report]: ...
    async def upsert_rating(self, assignment_id: int, member_id: int, choice: Rating, at: datetime) -> Rating | None:
        """Record or change a member's rating; return the previous one."""

    async def ratings(self, assignment_id: int) -> Sequence[Rating]: ...


class Reminders(Protocol):
    async def add_plan(self, council_id: int, plan: Sequence[Planned], now: datetime) -> int:
        """Write a subject's reminder plan (idempotently); how many reminders were new."""

    async def claim(self, reminder_id: int, now: datetime, outcome: str) -> bool:
        """Mark it handled in this transaction; True only for the one transaction that did so."""

    async def set_outcome(self, reminder_id: int, outcome: str) -> None: ...


class MinutesVersions(Protocol):
    async def next_version(self, council_id: int, scope: str) -> int: ...
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
    ) -> MinutesVersion: ...
    async def get(self, version_id: int) -> MinutesVersion | None: ...
    async def find(self, council_id: int, scope: str, version: int) -> MinutesVersion | None: ...
    async def latest(self, council_id: int, scope: str | None = None) -> MinutesVersion | None: ...
    async def versions(self, council_id: int, scope: str | None = None) -> Sequence[MinutesVersion]:
        """Every version, oldest first."""

    async def set_pinned(self, version_id: int, message_ref: str) -> None: ...
    async def supersede(self, version_id: int, at: datetime) -> None:
        """A correction replaces this version: its 公示 ends now, with no announcement of its own."""

    async def mark_announced(self, version_id: int, at: datetime) -> bool:
        """Claim the end-of-公示 announcement; False if someone did already."""

    async def publication_ended(self, now: datetime) -> Sequence[MinutesVersion]:
        """Published versions whose 公示 period has ended by `now` and is not announced yet."""

    async def publications_pending(self) -> Sequence[MinutesVersion]:
        """Published versions whose end is still to be announced."""

    async def available(self) -> bool:
        """False on a database migrated to a revision before minutes were kept."""


class UnitOfWork(Protocol):
    # Read-only properties: a plain attribute would be invariant, and storage's repositories are their own classes.
    @property
    def councils(self) -> Councils: ...
    @property
    def members(self) -> Members: ...
    @property
    def units(self) -> Units: ...
    @property
    def motions(self) -> Motions: ...
    @property
    def speeches(self) -> Speeches: ...
    @property
    def ballots(self) -> Ballots: ...
    @property
    def votes(self) -> Votes: ...
    @property
    def events(self) -> Events: ...
    @property
    def meetings(self) -> Meetings: ...
    @property
    def assignments(self) -> Assignments: ...
    @property
    def reminders(self) -> Reminders: ...
    @property
    def minutes(self) -> MinutesVersions: ...
    @property
    def communities(self) -> Communities: ...

    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...
