"""The monthly ledger (议事台账) of a community: every row replayed from each council's hash-chained record.

Nothing here is typed by anyone: meetings come from the meeting events, motions, ballots and delivery from
the minutes replay (deliberation.minutes), published minutes from the stored versions with their chain heads.
Secret ballots give counts only (and no counts at all when the disclosure rule seals them); names appear
only for open ballots.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from . import events as kinds
from .chain import Event, verify
from .errors import DeliberationError
from .minutes import Minutes, MinutesAssignment, MinutesMotion, MinutesVersion, build_minutes
from .minutes.motions import when

# What a motion's state counts as in the ledger's outcome columns.
OUTCOMES = ("adopted", "rejected", "failed_quorum", "postponed", "withdrawn", "lapsed", "referred", "open")
_OUTCOME = {
    "adopted": "adopted",
    "rejected": "rejected",
    "failed_quorum": "failed_quorum",
    "postponed": "postponed",
    "withdrawn": "withdrawn",
    "lapsed": "lapsed",
    "referred": "referred",
}
DELIVERY_STATES = ("on_time", "late", "overdue", "in_progress")
SATISFACTION = ("satisfied", "basic", "unsatisfied")


class LedgerChainBroken(DeliberationError):
    key = "ledger.error.chain"


@dataclass(frozen=True)
class Month:
    """A calendar month in a time zone: [start, end)."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        year, _, month = (text or "").strip().partition("-")
        if not (year.isdigit() and month.isdigit() and len(year) == 4 and 1 <= int(month) <= 12):
            raise ValueError(f"not a month (YYYY-MM): {text!r}")
        return cls(int(year), int(month))

    @property
    def text(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def next_first_day(self) -> date:
        return date(self.year + self.month // 12, self.month % 12 + 1, 1)

    def bounds(self, timezone: str) -> tuple[datetime, datetime]:
        zone = ZoneInfo(timezone)
        start = datetime.combine(self.first_day(), datetime.min.time(), zone)
        end = datetime.combine(self.next_first_day(), datetime.min.time(), zone)
        return start, end


@dataclass(frozen=True)
class MeetingLine:
    council: str
    number: int
    title: str
    opened_at: datetime
    adjourned_at: datetime | None
    attendance: int


@dataclass(frozen=True)
class MotionLine:
    council: str
    number: int
    kind: str
    text: str  # the final wording
    mover: str
    outcome: str  # one of OUTCOMES
    raised_at: datetime
    decided_at: datetime | None
    secret: bool
    yes: int | None  # None: a secret ballot too small to show its counts (deliberation.disclosure)
    no: int | None
    abstain: int | None
    voted: int
    eligible: int
    names: tuple[tuple[str, tuple[str, ...]], ...]  # open ballots only: (choice, who); () for secret ballots


@dataclass(frozen=True)
class BallotLine:
    """Participation in one ballot: how many of those entitled voted."""

    council: str
    motion: int
    ballot: int
    opened_at: datetime
    secret: bool
    voted: int
    eligible: int

    @property
    def share(self) -> float:
        return self.voted / self.eligible if self.eligible else 0.0


@dataclass(frozen=True)
class DeliveryLine:
    council: str
    motion: int
    text: str
    assignee: str
    due_at: datetime | None
    done_at: datetime | None
    state: str  # one of DELIVERY_STATES
    satisfied: int
    basic: int
    unsatisfied: int


@dataclass(frozen=True)
class MinutesLine:
    council: str
    scope: str
    version: int
    published_at: datetime
    publication_ends_at: datetime | None
    chain_seq: int
    chain_head: str


@dataclass
class CouncilLedger:
    council_id: int
    council: str
    timezone: str
    members: int
    meetings: list[MeetingLine] = field(default_factory=list)
    motions: list[MotionLine] = field(default_factory=list)
    ballots: list[BallotLine] = field(default_factory=list)
    delivery: list[DeliveryLine] = field(default_factory=list)
    minutes: list[MinutesLine] = field(default_factory=list)
    chain_head: str = ""
    chain_seq: int = 0

    def outcomes(self) -> Counter[str]:
        return Counter(m.outcome for m in self.motions if m.kind == "main")

    def delivery_states(self) -> Counter[str]:
        return Counter(d.state for d in self.delivery)

    def satisfaction(self) -> tuple[int, int, int]:
        return (
            sum(d.satisfied for d in self.delivery),
            sum(d.basic for d in self.delivery),
            sum(d.unsatisfied for d in self.delivery),
        )

    def participation(self) -> tuple[int, int]:
        """Votes cast and votes that could have been cast, over the month's ballots."""
        return sum(b.voted for b in self.ballots), sum(b.eligible for b in self.ballots)


@dataclass(frozen=True)
class Totals:
    councils: int
    meetings: int
    motions: int
    outcomes: dict[str, int]
    ballots: int
    voted: int
    eligible: int
    delivery: dict[str, int]
    satisfaction: tuple[int, int, int]
    minutes: int


@dataclass
class Ledger:
    community: str
    month: Month
    generated_at: datetime
    councils: list[CouncilLedger]

    def totals(self) -> Totals:
        outcomes: Counter[str] = Counter()
        delivery: Counter[str] = Counter()
        satisfied = basic = unsatisfied = voted = eligible = 0
        for c in self.councils:
            outcomes.update(c.outcomes())
            delivery.update(c.delivery_states())
            s, b, u = c.satisfaction()
            satisfied, basic, unsatisfied = satisfied + s, basic + b, unsatisfied + u
            v, e = c.participation()
            voted, eligible = voted + v, eligible + e
        return Totals(
            councils=len(self.councils),
            meetings=sum(len(c.meetings) for c in self.councils),
            motions=sum(1 for c in self.councils for m in c.motions if m.kind == "main"),
            outcomes={k: outcomes.get(k, 0) for k in OUTCOMES},
            ballots=sum(len(c.ballots) for c in self.councils),
            voted=voted,
            eligible=eligible,
            delivery={k: delivery.get(k, 0) for k in DELIVERY_STATES},
            satisfaction=(satisfied, basic, unsatisfied),
            minutes=sum(len(c.minutes) for c in self.councils),
        )


def outcome_of(state: str) -> str:
    return _OUTCOME.get(state, "open")


def meeting_lines(council: str, events: Iterable[Event], start: datetime, end: datetime) -> list[MeetingLine]:
    """The meetings opened within [start, end), with their attendance and adjournment, from the events."""
    opened: dict[int, tuple[str, datetime]] = {}
    adjourned: dict[int, datetime] = {}
    present: Counter[int] = Counter()
    for event in events:
        number = event.payload.get("meeting")
        if number is None:
            continue
        if event.type == kinds.MEETING_OPENED:
            at = when(event.at)
            if at is not None and start <= at < end:
                opened[int(number)] = (str(event.payload.get("title") or ""), at)
        elif event.type == kinds.MEETING_ADJOURNED:
            at = when(event.at)
            if at is not None:
                adjourned[int(number)] = at
        elif event.type == kinds.ATTENDANCE_RECORDED:
            present[int(number)] += 1
    return [
        MeetingLine(council, n, title, at, adjourned.get(n), present[n]) for n, (title, at) in sorted(opened.items())
    ]


def motion_line(council: str, motion: MinutesMotion) -> MotionLine:
    vote = motion.final_vote
    shown = vote.disclosed() if vote is not None and vote.closed else vote
    yes = no = abstain = None
    voted = eligible = 0
    names: tuple[tuple[str, tuple[str, ...]], ...] = ()
    if shown is not None:
        voted, eligible = shown.cast if shown.closed else shown.voted, shown.eligible
        if shown.closed and not shown.sealed:
            yes, no, abstain = shown.yes, shown.no, shown.abstain
        if not shown.secret and shown.roll_call:
            sides: dict[str, list[str]] = {}
            for entry in shown.roll_call:
                sides.setdefault(entry.choice, []).append(entry.name)
            names = tuple((choice, tuple(who)) for choice, who in sides.items())
    return MotionLine(
        council,
        motion.number,
        motion.kind,
        motion.text,
        motion.mover,
        outcome_of(motion.state),
        motion.raised_at,
        motion.decided_at,
        bool(shown and shown.secret),
        yes,
        no,
        abstain,
        voted,
        eligible,
        names,
    )


def delivery_line(council: str, item: MinutesAssignment, end: datetime) -> DeliveryLine:
    """On time: reported done by its due time; late: done after it; overdue: not done and due before the month
    ended (or before now, for the current month); otherwise in progress."""
    due = when(item.due) if item.due else None
    done_at = next((r.at for r in item.reports if r.done), None)
    if done_at is not None:
        state = "on_time" if due is None or done_at <= due else "late"
    elif due is not None and due < end:
        state = "overdue"
    else:
        state = "in_progress"
    rating = item.rating
    return DeliveryLine(
        council,
        item.number,
        item.motion_text,
        item.assignee,
        due,
        done_at,
        state,
        rating.satisfied if rating else 0,
        rating.basic if rating else 0,
        rating.unsatisfied if rating else 0,
    )


def council_ledger(
    *,
    council_id: int,
    council: str,
    timezone: str,
    events: Sequence[Event],
    versions: Iterable[MinutesVersion],
    month: Month,
    now: datetime,
) -> CouncilLedger:
    """One council's part of the ledger, replayed from its events once their chain is verified."""
    verdict = verify(events)
    if not verdict.ok:
        raise LedgerChainBroken(council=council, seq=verdict.broken_seq, reason=verdict.reason)
    chain = (verdict.count, verdict.head)
    start, end = month.bounds(timezone)
    minutes: Minutes = build_minutes(
        events,
        council_name=council,
        place="",
        period_start=start,
        period_end=end,
        chain_head=chain[1],
        chain_seq=chain[0],
        generated_at=now,
        timezone=timezone,
    )
    horizon = min(end, now)
    ledger = CouncilLedger(council_id, council, timezone, minutes.expected, chain_seq=chain[0], chain_head=chain[1])
    ledger.meetings = meeting_lines(council, events, start, end)
    ledger.motions = [motion_line(council, m) for m in minutes.motions]
    ledger.ballots = [
        BallotLine(council, v.number, v.ballot, v.opened_at, v.secret, v.cast if v.closed else v.voted, v.eligible)
        for v in minutes.votes
        if start <= v.opened_at < end
    ]
    ledger.delivery = [delivery_line(council, a, horizon) for a in minutes.assignments]
    ledger.minutes = [
        MinutesLine(council, v.scope, v.version, v.published_at, v.publication_ends_at, v.chain_seq, v.chain_head)
        for v in versions
        if v.published_at is not None and start <= v.published_at < end
    ]
    return ledger
