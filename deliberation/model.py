"""The records of deliberation: councils and their rules, members, units, motions, speeches, ballots."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from fractions import Fraction

from .lifecycle import MotionState


class Role(StrEnum):
    CHAIR = "chair"
    SECRETARY = "secretary"


class MemberStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"


class MotionKind(StrEnum):
    MAIN = "main"
    AMENDMENT = "amendment"
    CLOSE_DEBATE = "close_debate"
    POSTPONE = "postpone"
    REFER = "refer"


class Side(StrEnum):
    FOR = "for"
    AGAINST = "against"


PRESETS = ("nantang", "robert", "resident_meeting", "civil278")


@dataclass(frozen=True)
class Rules:
    """A council's procedure settings; `for_preset` gives each preset's defaults."""

    preset: str = "nantang"
    speeches_per_member: int = 2
    speech_max_chars: int = 300
    motion_max_chars: int = 500
    warnings_limit: int = 2
    second_deadline: timedelta = timedelta(hours=24)
    ballot_duration: timedelta = timedelta(hours=48)
    meeting_ballot_duration: timedelta = timedelta(minutes=10)
    ballot_reminder_before: timedelta = timedelta(hours=1)
    approval_required: bool = False
    chair_votes: bool = False
    quorum: Fraction | None = None
    publication_days: int = 7

    @classmethod
    def for_preset(cls, preset: str) -> Rules:
        if preset == "robert":
            return cls(preset=preset, chair_votes=True)
        if preset == "resident_meeting":
            return cls(preset=preset, chair_votes=True)
        if preset == "civil278":
            return cls(preset=preset, chair_votes=True, approval_required=True,
                       ballot_duration=timedelta(days=7))
        return cls(preset="nantang")

    @property
    def weighted(self) -> bool:
        return self.preset == "civil278"

    def to_json(self) -> dict:
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, timedelta):
                data[key] = int(value.total_seconds())
        data["quorum"] = None if self.quorum is None else str(self.quorum)
        return data

    @classmethod
    def from_json(cls, data: dict) -> Rules:
        base = cls.for_preset(data.get("preset", "nantang"))
        values = {}
        for key, value in data.items():
            if not hasattr(base, key):
                continue
            current = getattr(base, key)
            if isinstance(current, timedelta):
                value = timedelta(seconds=int(value))
            elif key == "quorum":
                value = None if value is None else Fraction(value)
            values[key] = value
        return replace(base, **values)


@dataclass(frozen=True)
class Council:
    id: int
    chat_key: str
    title: str
    rules: Rules
    locale: str = "zh_Hans"
    timezone: str = "Asia/Shanghai"
    has_roster: bool = False


@dataclass(frozen=True)
class Unit:
    code: str
    owner: str
    area_cm2: int


@dataclass(frozen=True)
class Member:
    id: int
    council_id: int
    user_key: str
    name: str
    username: str | None = None
    unit: str | None = None
    status: MemberStatus = MemberStatus.PENDING
    roles: frozenset[Role] = frozenset()

    @property
    def active(self) -> bool:
        return self.status is MemberStatus.ACTIVE

    def has(self, role: Role) -> bool:
        return role in self.roles


@dataclass(frozen=True)
class Actor:
    """Who is acting: the platform identity, their membership if any, and platform admin rights."""

    user_key: str
    name: str
    username: str | None = None
    platform_admin: bool = False
    member: Member | None = None

    @property
    def is_chair(self) -> bool:
        return self.platform_admin or (self.member is not None and self.member.has(Role.CHAIR))

    @property
    def is_secretary(self) -> bool:
        return self.member is not None and self.member.has(Role.SECRETARY)


@dataclass(frozen=True)
class Motion:
    id: int
    council_id: int
    number: int
    kind: MotionKind
    text: str
    mover_id: int
    state: MotionState
    created_at: datetime
    second_deadline: datetime | None = None
    parent_id: int | None = None
    seconder_id: int | None = None
    original_text: str | None = None
    debate_closed: bool = False
    postponed_until: datetime | None = None
    referred_to: str | None = None
    major: bool = False


@dataclass(frozen=True)
class Speech:
    motion_id: int
    member_id: int
    side: Side
    text: str
    at: datetime
    id: int = 0


@dataclass(frozen=True)
class Ballot:
    id: int
    council_id: int
    motion_id: int
    opened_at: datetime
    closes_at: datetime
    threshold: str
    secret: bool = False
    eligible_voters: int = 0
    members: int = 0
    total_area_cm2: int = 0
    total_owners: int = 0
    present: int | None = None
    closed_at: datetime | None = None
    result: dict = field(default_factory=dict)

    @property
    def open(self) -> bool:
        return self.closed_at is None
