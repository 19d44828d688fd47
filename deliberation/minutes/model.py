"""The minutes as records: motions, speeches, ballots, delivery and the header a secretary signs."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from ..disclosure import Civil278Counts, civil278_counts, disclosable
from .proceedings import MinutesApproval, MinutesAttendee, MinutesPoint, MinutesQuorum, MinutesTeller

DIGEST_PER_SIDE = 5  # speeches quoted per side per motion: a digest, not a transcript
EXCERPT_CHARS = 30


def iso(moment: datetime | None) -> str:
    """A moment to the second, or "" for none: the spelling rows and stored scopes use."""
    return "" if moment is None else moment.isoformat(timespec="seconds")


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The first words of a speech, on one line: a digest, not a transcript."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[:limit].rstrip() + "…"


@dataclass(frozen=True)
class MinutesSpeech:
    """One speech quoted in the digest: who, on which side, its first words."""

    number: int
    speaker: str
    side: str  # "for" | "against"
    excerpt: str  # the first words only
    at: datetime


@dataclass(frozen=True)
class MinutesRollCall:
    """One named vote of an open (roll-call) ballot. Never made for a secret ballot."""

    name: str
    choice: str  # "yes" | "no" | "abstain"
    area_cm2: int = 0
    unit: str | None = None  # the voter's unit (门牌), where the record knows it


@dataclass(frozen=True)
class MinutesReceipt:
    """A receipt code counted on a civil278 ballot (公示): unit and choice only for an open ballot."""

    receipt: str
    units: str | None = None
    choice: str | None = None  # "yes" | "no" | "abstain"


@dataclass(frozen=True)
class MinutesVote:
    """One ballot on a motion: how it was put, its turnout and, once closed, its counts and result."""

    number: int  # the motion put to the vote
    ballot: int
    secret: bool
    weighted: bool  # civil278: counted by owners and area
    threshold: str  # "ordinary" | "major" | "two_thirds"
    opened_at: datetime
    closes_at: datetime | None
    eligible: int
    members: int
    present: int | None
    total_area_cm2: int
    total_owners: int
    voted: int  # turnout so far (for a secret ballot: how many, never who)
    closed: bool = False
    closed_at: datetime | None = None
    state: str | None = None  # the motion state the ballot produced
    passed: bool | None = None
    quorum_met: bool | None = None
    rule: str | None = None
    yes: int = 0
    no: int = 0
    abstain: int = 0
    yes_area_cm2: int = 0
    no_area_cm2: int = 0
    abstain_area_cm2: int = 0
    approval_heads: str | None = None  # exact fractions "a/b"
    approval_area: str | None = None
    participation_heads: str | None = None
    participation_area: str | None = None
    roll_call: tuple[MinutesRollCall, ...] = ()
    # A small secret ballot (deliberation.disclosure): the per-choice heads and areas above are zero and
    # kept for the tellers only; the participation is `voted` and `voted_area_cm2`.
    sealed: bool = False
    voted_area_cm2: int = 0
    receipts: tuple[MinutesReceipt, ...] = ()  # civil278: the receipt codes counted (a secret ballot: codes alone)

    @property
    def cast(self) -> int:
        return self.voted if self.sealed else self.yes + self.no + self.abstain

    @property
    def participating_area_cm2(self) -> int:
        return self.voted_area_cm2 if self.sealed else self.yes_area_cm2 + self.no_area_cm2 + self.abstain_area_cm2

    def counted(self) -> Civil278Counts:
        """The civil278 figures as counted ("6/8"); a sealed vote's approval figures are not known here."""
        return civil278_counts(
            yes=self.yes,
            cast=self.cast,
            yes_area_cm2=self.yes_area_cm2,
            cast_area_cm2=self.participating_area_cm2,
            owners=self.total_owners or self.members,
            total_area_cm2=self.total_area_cm2,
        )

    def disclosed(self) -> MinutesVote:
        """The vote as the minutes may show it: sealed (per-choice figures dropped) when it is small and secret."""
        if not self.closed or self.sealed or disclosable(self, self.secret):
            return self
        return replace(
            self,
            sealed=True,
            voted=self.cast,
            voted_area_cm2=self.participating_area_cm2,
            yes=0,
            no=0,
            abstain=0,
            yes_area_cm2=0,
            no_area_cm2=0,
            abstain_area_cm2=0,
        )


@dataclass(frozen=True)
class MinutesWarning:
    """The chair's warning to a speaker on a motion, with the reason given."""

    name: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class MinutesAmendment:
    """An amendment to a motion and its fate (adopted amendments replaced the motion's wording)."""

    number: int
    text: str
    mover: str
    state: str

    @property
    def adopted(self) -> bool:
        return self.state == "adopted"


@dataclass(frozen=True)
class MinutesMotion:
    """A motion as the record ends: its final wording, mover, debate digest, ballots and fate."""

    number: int
    kind: str  # "main" | "amendment" | "close_debate" | "postpone" | "refer"
    text: str  # the final wording, after adopted amendments
    mover: str  # the mover, never the seconder
    state: str
    raised_at: datetime
    parent: int | None = None
    original_text: str | None = None  # the wording as raised, when an amendment changed it
    seconded: bool = False
    decided_at: datetime | None = None
    amendments: tuple[MinutesAmendment, ...] = ()
    speeches: tuple[MinutesSpeech, ...] = ()  # the digest
    speeches_for: int = 0
    speeches_against: int = 0
    warnings: int = 0
    warning_notes: tuple[MinutesWarning, ...] = ()  # who was warned, why
    votes: tuple[MinutesVote, ...] = ()
    withdrawn_by: str | None = None
    postponed_until: str | None = None
    referred_to: str | None = None
    debate_closed: bool = False

    @property
    def speeches_omitted(self) -> int:
        return self.speeches_for + self.speeches_against - len(self.speeches)

    @property
    def final_vote(self) -> MinutesVote | None:
        closed = [v for v in self.votes if v.closed]
        return closed[-1] if closed else (self.votes[-1] if self.votes else None)


@dataclass(frozen=True)
class MinutesReport:
    """A progress report on carrying out an adopted motion."""

    at: datetime
    text: str
    done: bool
    by: str | None = None


@dataclass(frozen=True)
class MinutesRating:
    """How residents rated the delivery of a motion (满意 / 基本满意 / 不满意)."""

    satisfied: int
    basic: int
    unsatisfied: int


@dataclass(frozen=True)
class MinutesAssignment:
    """Delivery (落实): who carries an adopted motion out, by when, what they reported, how it was rated."""

    number: int
    motion_text: str
    assignee: str
    due: str | None
    assigned_at: datetime | None
    reports: tuple[MinutesReport, ...] = ()
    rating: MinutesRating | None = None

    @property
    def done(self) -> bool:
        return any(r.done for r in self.reports)


@dataclass(frozen=True)
class MinutesRuleChange:
    """A rule the chair changed with /set: when, which rule (its /set name), the value as typed, by whom."""

    at: datetime
    rule: str
    value: str
    by: str


@dataclass(frozen=True)
class Minutes:
    """A whole set of minutes for one scope: the header fields, the items, delivery and the chain head."""

    council_name: str
    place: str
    scope: str  # "all" | "period" | "meeting" | "motions"
    timezone: str
    preset: str
    starts_at: datetime | None
    ends_at: datetime | None
    chairs: tuple[str, ...]
    recorders: tuple[str, ...]
    expected: int  # 应到: active members when the record ends
    present: int  # 实到: meeting attendance, otherwise members who spoke, moved or voted
    attendance_recorded: bool  # True when `present` comes from a meeting's roll
    attendees: tuple[str, ...]
    absentees: tuple[str, ...]  # only known when attendance was taken
    motions: tuple[MinutesMotion, ...]
    assignments: tuple[MinutesAssignment, ...]
    chain_head: str
    chain_seq: int
    version: int
    generated_at: datetime
    title: str | None = None  # the meeting's title
    meeting: int | None = None
    adjourned_at: datetime | None = None
    period_start: datetime | None = None
    period_end: datetime | None = None
    motion_numbers: tuple[int, ...] = ()
    events: int = 0  # events within the scope
    # The proceedings (deliberation.minutes.proceedings); versions stored before they existed read as empty.
    chat_title: str = ""  # the chat's title, when the council's formal name (/name) replaced it
    meeting_year: int | None = None
    meeting_ordinal: int | None = None  # 2026年第4次: the council's n-th meeting of that year
    meeting_kind: str | None = None  # "regular" | "special" | "owners"
    agenda: tuple[str, ...] = ()
    sign_ins: tuple[MinutesAttendee, ...] = ()  # members present, with unit and sign-in time
    absent: tuple[MinutesAttendee, ...] = ()  # members absent, with unit
    observers: tuple[MinutesAttendee, ...] = ()  # 列席: attended without a vote (a community secretary)
    expected_units: int = 0
    present_units: int = 0
    quorum: MinutesQuorum | None = None
    approval: MinutesApproval | None = None  # this meeting approved the previous minutes
    approved: MinutesApproval | None = None  # these minutes were approved by a later meeting
    points: tuple[MinutesPoint, ...] = ()  # points of order and the chair's rulings
    tellers: tuple[MinutesTeller, ...] = ()  # 计票人 / 监票人; none: blank signature lines
    rule_changes: tuple[MinutesRuleChange, ...] = ()  # /set within the scope, in order

    @property
    def weighted(self) -> bool:
        return self.preset == "civil278"

    @property
    def votes(self) -> tuple[MinutesVote, ...]:
        """Every ballot in the order it was put."""
        return tuple(sorted((v for m in self.motions for v in m.votes), key=lambda v: (v.opened_at, v.ballot)))

    def motion(self, number: int) -> MinutesMotion | None:
        return next((m for m in self.motions if m.number == number), None)

    def children(self, number: int) -> tuple[MinutesMotion, ...]:
        return tuple(m for m in self.motions if m.parent == number)

    def top_level(self) -> tuple[MinutesMotion, ...]:
        """Motions to render as items: main motions, and any motion whose parent is outside the record."""
        numbers = {m.number for m in self.motions}
        return tuple(m for m in self.motions if m.parent is None or m.parent not in numbers)
