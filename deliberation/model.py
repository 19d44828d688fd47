"""The records of deliberation: councils and their rules, members, units, motions, speeches, ballots."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from fractions import Fraction
from typing import Any

from .counting import Outcome, Preset, Threshold
from .lifecycle import MotionState


class Role(StrEnum):
    CHAIR = "chair"
    SECRETARY = "secretary"


class MemberStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    LEFT = "left"  # left or was banned from the group (the platform said so): no longer takes part
    REMOVED = "removed"  # a chair took the membership back (/remove); /approve restores it
    OBSERVER = "observer"  # 列席: attends and may record (a community secretary), never votes, moves or speaks


class MotionKind(StrEnum):
    MAIN = "main"
    AMENDMENT = "amendment"
    CLOSE_DEBATE = "close_debate"
    POSTPONE = "postpone"
    REFER = "refer"


class Side(StrEnum):
    FOR = "for"
    AGAINST = "against"


@dataclass(frozen=True)
class Rules:
    """A council's procedure settings; `for_preset` gives each preset's defaults."""

    preset: Preset = Preset.NANTANG
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
    # 南塘十三条 as settings (deliberation/settings.py names them for /set and /rules)
    motion_must_act: bool = True  # 南塘 2: a question is not a motion
    alternation_wait: timedelta | None = timedelta(minutes=10)  # 南塘 8: None lets a side speak on and on
    quiet_before_vote: timedelta = timedelta(minutes=5)  # 南塘 11: silence before the question is put
    chair_votes_last: bool = True  # 南塘 11: where the chair votes, last
    abstain_choice: bool = False  # 南塘 12: 赞成/反对 only
    one_matter: bool = True  # 一事一议: a new main motion waits as 待议
    tally_live: bool = False  # the running count shown while a ballot is open
    proxy_cap: int = 3  # owners one proxy holder may represent (civil278, spec §4a)

    @classmethod
    def for_preset(cls, preset: Preset | str) -> Rules:
        """The preset's defaults; a name that is no preset gives 南塘's (stored rules never fail to load)."""
        if preset in (Preset.ROBERT, Preset.RESIDENT_MEETING):
            return cls(preset=Preset(preset), chair_votes=True, **_NOT_NANTANG)
        if preset == Preset.CIVIL278:
            return cls(
                preset=Preset.CIVIL278,
                chair_votes=True,
                approval_required=True,
                ballot_duration=timedelta(days=7),
                **_NOT_NANTANG,
            )
        return cls(preset=Preset.NANTANG)

    @property
    def weighted(self) -> bool:
        return self.preset is Preset.CIVIL278

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, timedelta):
                data[key] = int(value.total_seconds())
        data["preset"] = self.preset.value
        data["quorum"] = None if self.quorum is None else str(self.quorum)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], *, absent: dict[str, Any] | None = None) -> Rules:
        """Rules as stored; a field the data lacks takes `absent`'s value if given, else the preset's."""
        base = cls.for_preset(data.get("preset", "nantang"))
        values: dict[str, Any] = {k: v for k, v in (absent or {}).items() if k not in data}
        for key, value in data.items():
            if not hasattr(base, key):
                continue
            if key in _DURATIONS:
                value = None if value is None else timedelta(seconds=int(value))
            elif key == "preset":
                value = base.preset
            elif key == "quorum":
                value = None if value is None else Fraction(value)
            values[key] = value
        return replace(base, **values)


# What the presets other than 南塘 start from: the 南塘 settings off, the tally shown live.
_NOT_NANTANG: dict[str, Any] = {
    "alternation_wait": None,
    "quiet_before_vote": timedelta(0),
    "chair_votes_last": False,
    "abstain_choice": True,
    "one_matter": False,
    "tally_live": True,
}
# A ballot frozen before these settings existed kept its abstain button, live tally and chair's vote at any time.
BEFORE_SETTINGS: dict[str, Any] = {"abstain_choice": True, "tally_live": True, "chair_votes_last": False}
_DURATIONS = frozenset(name for name, kind in Rules.__annotations__.items() if "timedelta" in str(kind))


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
        return self.platform_admin or (self.member is not None and self.member.active and self.member.has(Role.CHAIR))

    @property
    def is_secretary(self) -> bool:
        """A secretary records whether a member or 列席 (a community secretary need not own a unit)."""
        return (
            self.member is not None
            and self.member.status in (MemberStatus.ACTIVE, MemberStatus.OBSERVER)
            and self.member.has(Role.SECRETARY)
        )


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
class BallotResult:
    """What a closed ballot decided, as counted when it closed: the figures every notice and the minutes quote.

    The area figures and the civil278 fractions (approval and participation, by heads and by area) are
    kept exactly; the area fractions are None outside civil278.
    """

    passed: bool
    quorum_met: bool
    rule: str  # the counting rule applied, e.g. "civil278.major": a catalogue key
    preset: Preset
    threshold: Threshold
    yes: int
    no: int
    abstain: int
    yes_area_cm2: int = 0
    no_area_cm2: int = 0
    abstain_area_cm2: int = 0
    approval_heads: Fraction | None = None
    approval_area: Fraction | None = None
    participation_heads: Fraction | None = None
    participation_area: Fraction | None = None

    @classmethod
    def of(cls, outcome: Outcome) -> BallotResult:
        t = outcome.tally
        return cls(
            outcome.passed,
            outcome.quorum_met,
            outcome.rule,
            Preset(outcome.preset),
            Threshold(outcome.threshold),
            t.yes,
            t.no,
            t.abstain,
            t.yes_area_cm2,
            t.no_area_cm2,
            t.abstain_area_cm2,
            outcome.approval_heads,
            outcome.approval_area,
            outcome.participation_heads,
            outcome.participation_area,
        )

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.abstain


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
    result: BallotResult | None = None  # set when the ballot closes
    rules: Rules | None = None  # the council's rules when the ballot opened (None: opened before they were kept)

    @property
    def open(self) -> bool:
        return self.closed_at is None

    def rules_under(self, current: Rules) -> Rules:
        """The rules this ballot is counted under: frozen when it opened; `current` only for older ballots."""
        return self.rules or current
