"""One motion's events replayed through the lifecycle, and the motion record they leave for the minutes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .. import events
from ..lifecycle import TERMINAL, TRANSITIONS, Action, MotionState, allowed, next_state
from .model import (
    MinutesAmendment,
    MinutesMotion,
    MinutesReceipt,
    MinutesRollCall,
    MinutesSpeech,
    MinutesVote,
    MinutesWarning,
    excerpt,
)

Payload = dict[str, Any]

# Every action leads to one state whatever it starts from, so an event that states its outcome
# (withdrawn, lapsed, put to the vote, ...) names the state even when the log missed an earlier step.
_TARGET: dict[Action, MotionState] = {
    action: target for moves in TRANSITIONS.values() for action, target in moves.items()
}

# The motion state a closed ballot reports, as the lifecycle move that produced it.
_BALLOT_OUTCOME: dict[str, Action] = {
    MotionState.ADOPTED.value: Action.ADOPT,
    MotionState.REJECTED.value: Action.REJECT,
    MotionState.FAILED_QUORUM.value: Action.FAIL_QUORUM,
}


def when(text: str | None) -> datetime | None:
    """An ISO time from the log; a time without a zone is UTC, as the log has always been written."""
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass
class BallotTrack:
    """A ballot while the log is replayed: how it was opened, who voted, and how it closed."""

    opened: Payload
    opened_at: datetime
    weighted: bool
    in_scope: bool = False
    closed: Payload | None = None
    closed_at: datetime | None = None
    votes: dict[str, tuple[str, str, int]] = field(default_factory=dict)  # open ballots: voter -> (name, choice, area)
    voters: set[str] = field(default_factory=set)  # turnout, by name, for every ballot


@dataclass
class MotionTrack:
    """A motion while the log is replayed: its lifecycle state and what the minutes keep of it."""

    number: int
    kind: str
    text: str
    mover: str
    parent: int | None
    raised_at: datetime
    state: MotionState = MotionState.PROPOSED
    original: str | None = None
    seconded: bool = False
    decided_at: datetime | None = None
    speeches: dict[str, list[MinutesSpeech]] = field(default_factory=lambda: {"for": [], "against": []})
    for_count: int = 0
    against_count: int = 0
    warnings: int = 0
    warning_notes: list[MinutesWarning] = field(default_factory=list)
    ballots: list[int] = field(default_factory=list)
    withdrawn_by: str | None = None
    postponed_until: str | None = None
    referred_to: str | None = None
    debate_closed: bool = False
    in_scope: bool = False

    def step(self, action: Action) -> None:
        """Take a move the lifecycle allows from here, and ignore one it does not: the log is history,
        and a repeated or late event must not stop the minutes."""
        if allowed(self.state, action):
            self.state = next_state(self.state, action, number=self.number)

    def settle(self, action: Action) -> None:
        """An event that states its outcome: the lifecycle's move when it is legal from here, else
        the move's target all the same (a log that starts mid-way lacks the earlier steps)."""
        self.state = (
            next_state(self.state, action, number=self.number) if allowed(self.state, action) else _TARGET[action]
        )


@dataclass
class MotionReplay:
    """What a motion event may touch besides its motion: the ballots, the participants, the settings."""

    digest_per_side: int
    preset: str = "nantang"  # as the log has it so far: a council may change its preset
    ballots: dict[int, BallotTrack] = field(default_factory=dict)
    participants: dict[str, None] = field(default_factory=dict)  # names in order of first appearance

    @property
    def weighted(self) -> bool:
        """civil278 ballots count owners and area."""
        return self.preset == "civil278"


@dataclass(frozen=True)
class MotionEvent:
    """One event about a motion, with where it falls: `in_scope` when the minutes' scope covers it."""

    payload: Payload
    at: datetime
    in_scope: bool


# ---- one function per event type ------------------------------------------------------------------


def _seconded(motion: MotionTrack, event: MotionEvent, replay: MotionReplay) -> None:
    motion.seconded = True
    motion.step(Action.SECOND)


def _speech(motion: MotionTrack, event: MotionEvent, replay: MotionReplay) -> None:
    if motion.state is MotionState.PROPOSED:
        motion.step(Action.SECOND)  # a speech shows the motion was seconded, even if the log lacks it
    motion.step(Action.SPEAK)
    if not event.in_scope:
        return
    payload = event.payload
    side = "against" if payload.get("side") == "against" else "for"
    name = payload.get("name", "")
    replay.participants.setdefault(name)
    if side == "for":
        motion.for_count += 1
    else:
        motion.against_count += 1
    quoted = motion.speeches[side]
    if len(quoted) < replay.digest_per_side:
        quoted.append(MinutesSpeech(motion.number, name, side, excerpt(payload.get("text", "")), event.at))


def _warned(motion: MotionTrack, event: MotionEvent, replay: MotionReplay) -> None:
    if event.in_scope:
        motion.warnings += 1
        payload = event.payload
        motion.warning_notes.append(MinutesWarning(payload.get("name", ""), payload.get("reason") or "", event.at))


def _withdrawn(motion: MotionTrack, event: MotionEvent, replay: MotionReplay) -> None:
    motion.settle(Action.WITHDRAW)
    motion.decided_at, motion.withdrawn_by = event.at, event.payload.get("by")


def _lapsed(motion: MotionTrack, event: MotionEvent, replay: MotionReplay) -> None:
    motion.settle(Action.LAPSE)
    motion.decided_at = event.at


def _resumed(motion: MotionTrack, event: MotionEvent, replay: MotionReplay) -> None:
    motion.settle(Action.RESUME)
    motion.decided_at, motion.postponed_until, motion.debate_closed = None, None, False


def _amended(motion: MotionTrack, event: MotionEvent, replay: MotionReplay) -> None:
    if motion.original is None:
        motion.original = motion.text
    motion.text = event.payload.get("text", motion.text)


def _debate_closed(motion: MotionTrack, event: MotionEvent, replay: MotionReplay) -> None:
    motion.debate_closed = True


def _postponed(motion: MotionTrack, event: MotionEvent, replay: MotionReplay) -> None:
    motion.settle(Action.POSTPONE)  # not decided: it comes back when it is resumed
    motion.postponed_until = event.payload.get("until")


def _referred(motion: MotionTrack, event: MotionEvent, replay: MotionReplay) -> None:
    motion.settle(Action.REFER)
    motion.decided_at, motion.referred_to = event.at, event.payload.get("to")


def _ballot_opened(motion: MotionTrack, event: MotionEvent, replay: MotionReplay) -> None:
    motion.settle(Action.PUT_QUESTION)
    payload = event.payload
    ballot_id = payload["ballot"]
    replay.ballots[ballot_id] = BallotTrack(payload, event.at, replay.weighted, in_scope=event.in_scope)
    motion.ballots.append(ballot_id)
    if event.in_scope and payload.get("by"):
        replay.participants.setdefault(payload["by"])  # the chair who put the question


def _vote_cast(motion: MotionTrack, event: MotionEvent, replay: MotionReplay) -> None:
    payload = event.payload
    ballot = replay.ballots.get(int(payload.get("ballot") or 0))
    if ballot is None:
        return
    name = payload.get("name", "")
    ballot.voters.add(name)
    if event.in_scope:
        replay.participants.setdefault(name)
    # Choices are kept for an open ballot only: even a log that leaked a secret choice cannot name it.
    if not ballot.opened.get("secret") and "choice" in payload:
        ballot.votes[payload.get("voter") or name] = (name, payload["choice"], int(payload.get("area_cm2") or 0))


def _ballot_closed(motion: MotionTrack, event: MotionEvent, replay: MotionReplay) -> None:
    payload = event.payload
    ballot = replay.ballots.get(int(payload.get("ballot") or 0))
    if ballot is None:
        return
    ballot.closed, ballot.closed_at = payload, event.at
    ballot.in_scope = ballot.in_scope or event.in_scope
    if str(payload.get("rule", "")).startswith("civil278"):
        ballot.weighted = True
    outcome = _BALLOT_OUTCOME.get(str(payload.get("state")))
    if outcome is not None:
        motion.settle(outcome)
    motion.decided_at = event.at


MotionHandler = Callable[[MotionTrack, MotionEvent, MotionReplay], None]

# Event types a motion answers to; any other event that names a motion leaves it as it was.
MOTION_EVENTS: dict[str, MotionHandler] = {
    events.MOTION_SECONDED: _seconded,
    events.SPEECH_RECORDED: _speech,
    events.MEMBER_WARNED: _warned,
    events.MOTION_WITHDRAWN: _withdrawn,
    events.MOTION_LAPSED: _lapsed,
    events.MOTION_RESUMED: _resumed,
    events.MOTION_AMENDED: _amended,
    events.DEBATE_CLOSED: _debate_closed,
    events.MOTION_POSTPONED: _postponed,
    events.MOTION_REFERRED: _referred,
    events.BALLOT_OPENED: _ballot_opened,
    events.VOTE_CAST: _vote_cast,
    events.BALLOT_CLOSED: _ballot_closed,
}


def apply(kind: str, motion: MotionTrack, event: MotionEvent, replay: MotionReplay) -> None:
    """Apply one motion event of type `kind` (unknown types are ignored, so the log may grow)."""
    handler = MOTION_EVENTS.get(kind)
    if handler is not None:
        handler(motion, event, replay)


# ---- the records the minutes keep ---------------------------------------------------------------------


def finish(
    motion: MotionTrack,
    children: Iterable[MotionTrack],
    ballots: dict[int, BallotTrack],
    units: Callable[[str, str], str | None] | None = None,
) -> MinutesMotion:
    """The motion as the record ends; `children` are the motions raised on it, in number order. `units` gives
    an open ballot's voter's unit from the voter key and name, where the record knows it."""
    amendments = tuple(
        MinutesAmendment(child.number, child.text, child.mover, child.state.value)
        for child in children
        if child.kind == "amendment"
    )
    speeches = sorted(motion.speeches["for"] + motion.speeches["against"], key=lambda s: s.at)
    votes = tuple(
        vote_record(motion.number, ballot_id, ballots[ballot_id], units)
        for ballot_id in motion.ballots
        if ballots[ballot_id].in_scope
    )
    return MinutesMotion(
        number=motion.number,
        kind=motion.kind,
        text=motion.text,
        mover=motion.mover,
        state=motion.state.value,
        raised_at=motion.raised_at,
        parent=motion.parent,
        original_text=motion.original,
        seconded=motion.seconded,
        decided_at=motion.decided_at if motion.state in TERMINAL else None,
        amendments=amendments,
        speeches=tuple(speeches),
        speeches_for=motion.for_count,
        speeches_against=motion.against_count,
        warnings=motion.warnings,
        warning_notes=tuple(motion.warning_notes),
        votes=votes,
        withdrawn_by=motion.withdrawn_by,
        postponed_until=motion.postponed_until,
        referred_to=motion.referred_to,
        debate_closed=motion.debate_closed,
    )


def vote_record(
    number: int, ballot_id: int, ballot: BallotTrack, units: Callable[[str, str], str | None] | None = None
) -> MinutesVote:
    """A ballot as the minutes show it: still open (turnout only), or closed with its counts."""
    opened = ballot.opened
    secret = bool(opened.get("secret"))
    base: dict[str, Any] = dict(
        number=number,
        ballot=ballot_id,
        secret=secret,
        weighted=ballot.weighted,
        threshold=opened.get("threshold", "ordinary"),
        opened_at=ballot.opened_at,
        closes_at=when(opened.get("closes_at")),
        eligible=int(opened.get("eligible") or 0),
        members=int(opened.get("members") or 0),
        present=opened.get("present"),
        total_area_cm2=int(opened.get("total_area_cm2") or 0),
        total_owners=int(opened.get("total_owners") or 0),
        voted=len(ballot.voters),
    )
    result = ballot.closed
    if result is None:
        return MinutesVote(**base)
    # Names only for an open (roll-call) ballot; a secret ballot's minutes hold counts alone.
    unit_of = units or (lambda voter, name: None)
    roll_call = (
        ()
        if secret
        else tuple(
            MinutesRollCall(name, choice, area, unit_of(voter, name))
            for voter, (name, choice, area) in ballot.votes.items()
        )
    )
    cast = int(result.get("yes", 0)) + int(result.get("no", 0)) + int(result.get("abstain", 0))
    base["voted"] = max(base["voted"], cast)
    return MinutesVote(
        **base,
        closed=True,
        closed_at=ballot.closed_at,
        state=result.get("state"),
        passed=bool(result.get("passed")),
        quorum_met=bool(result.get("quorum_met")),
        rule=result.get("rule"),
        yes=int(result.get("yes", 0)),
        no=int(result.get("no", 0)),
        abstain=int(result.get("abstain", 0)),
        yes_area_cm2=int(result.get("yes_area_cm2") or 0),
        no_area_cm2=int(result.get("no_area_cm2") or 0),
        abstain_area_cm2=int(result.get("abstain_area_cm2") or 0),
        approval_heads=result.get("approval_heads"),
        approval_area=result.get("approval_area"),
        participation_heads=result.get("participation_heads"),
        participation_area=result.get("participation_area"),
        roll_call=roll_call,
        receipts=_receipts(result.get("receipts"), secret),
    ).disclosed()


def _receipts(recorded: Any, secret: bool) -> tuple[MinutesReceipt, ...]:
    """The receipts `ballot.closed` recorded (civil278); a secret ballot's as codes alone, sorted, whatever the log."""
    if not isinstance(recorded, list):
        return ()
    if secret:
        codes = (r.get("receipt") if isinstance(r, dict) else r for r in recorded)
        return tuple(MinutesReceipt(str(code)) for code in sorted(str(c) for c in codes if c))
    return tuple(
        MinutesReceipt(str(r.get("receipt")), r.get("units"), r.get("choice"))
        for r in recorded
        if isinstance(r, dict) and r.get("receipt")
    )
