"""The message subject codec: the only place that builds or reads the names of posted messages.

A subject ("motion:7", "ballot:4", "remind:ballot:4") names a message in a chat so that later edits
replace it; subjects are stored in outbox rows and in `posts`, so their spelling never changes.
Outbox dedupe keys for a closed ballot's announcements ("ballot:4:closed:0") are written here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from deliberation.delivery import ReminderKind

MAX_ID = 2**31 - 1  # a database id: what an INTEGER primary key can hold
REMINDER_KINDS = {kind.value: kind for kind in ReminderKind}


class BadSubject(ValueError):
    """Text that no message subject of ours is spelled as."""


@dataclass(frozen=True)
class MotionCard:
    """The motion's card, with its second button: "motion:<motion id>"."""

    motion_id: int


@dataclass(frozen=True)
class BallotMessage:
    """The ballot message with its live tally and vote buttons: "ballot:<ballot id>"."""

    ballot_id: int


@dataclass(frozen=True)
class BallotResult:
    """The result posted when the ballot closes: "result:<ballot id>"."""

    ballot_id: int


@dataclass(frozen=True)
class BallotReminder:
    """The reminder of who has not voted, with vote buttons: "remind:ballot:<ballot id>"."""

    ballot_id: int


@dataclass(frozen=True)
class Reminder:
    """Any other announcement the alarm clock posts: "remind:<reminder kind>:<subject id>"."""

    kind: ReminderKind
    subject_id: int


@dataclass(frozen=True)
class RatingPoll:
    """The rating message with its buttons: "rating:<assignment id>"."""

    assignment_id: int


@dataclass(frozen=True)
class RatingResult:
    """The rating's result: "rating_result:<assignment id>"."""

    assignment_id: int


@dataclass(frozen=True)
class MinutesPosted:
    """The message announcing a published minutes version: "minutes:<version id>"."""

    version_id: int


@dataclass(frozen=True)
class BallotClosed:
    """The outbox dedupe key of one announcement of a closed ballot: "ballot:<ballot id>:closed:<part>".

    `part` is "edit" (the ballot message loses its buttons), "reminder" (so does its reminder) or the
    index of a reply (the result, then the parent motion's notice).
    """

    ballot_id: int
    part: int | Literal["edit", "reminder"]


Subject = (
    MotionCard
    | BallotMessage
    | BallotResult
    | BallotReminder
    | Reminder
    | RatingPoll
    | RatingResult
    | MinutesPosted
    | BallotClosed
)


def encode(subject: Subject) -> str:
    """The stored spelling of `subject`: BallotReminder(4) -> "remind:ballot:4"."""
    match subject:
        case MotionCard(motion_id):
            return f"motion:{_id(motion_id)}"
        case BallotMessage(ballot_id):
            return f"ballot:{_id(ballot_id)}"
        case BallotResult(ballot_id):
            return f"result:{_id(ballot_id)}"
        case BallotReminder(ballot_id):
            return f"remind:ballot:{_id(ballot_id)}"
        case Reminder(kind, subject_id):
            return f"remind:{ReminderKind(kind).value}:{_id(subject_id)}"
        case RatingPoll(assignment_id):
            return f"rating:{_id(assignment_id)}"
        case RatingResult(assignment_id):
            return f"rating_result:{_id(assignment_id)}"
        case MinutesPosted(version_id):
            return f"minutes:{_id(version_id)}"
        case BallotClosed(ballot_id, part):
            return f"ballot:{_id(ballot_id)}:closed:{_part(part)}"
    raise TypeError(f"not a message subject: {subject!r}")


def decode(text: str) -> Subject:
    """The subject spelled `text`; BadSubject for anything `encode` never makes."""
    match text.split(":"):
        case ["motion", motion_id]:
            return MotionCard(_parse_id(motion_id))
        case ["ballot", ballot_id]:
            return BallotMessage(_parse_id(ballot_id))
        case ["result", ballot_id]:
            return BallotResult(_parse_id(ballot_id))
        case ["remind", "ballot", ballot_id]:
            return BallotReminder(_parse_id(ballot_id))
        case ["remind", kind, subject_id] if kind in REMINDER_KINDS:
            return Reminder(REMINDER_KINDS[kind], _parse_id(subject_id))
        case ["rating", assignment_id]:
            return RatingPoll(_parse_id(assignment_id))
        case ["rating_result", assignment_id]:
            return RatingResult(_parse_id(assignment_id))
        case ["minutes", version_id]:
            return MinutesPosted(_parse_id(version_id))
        case ["ballot", ballot_id, "closed", ("edit" | "reminder") as part]:
            return BallotClosed(_parse_id(ballot_id), part)
        case ["ballot", ballot_id, "closed", index]:
            return BallotClosed(_parse_id(ballot_id), _parse_index(index))
    raise BadSubject(text)


def recognise(text: str | None) -> Subject | None:
    """`decode` for code that only looks (which message is this?): None for text not ours."""
    try:
        return decode(text or "")
    except BadSubject:
        return None


def _id(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise ValueError(f"not a database id: {value!r}")
    return value


def _part(part: int | str) -> str:
    if part in ("edit", "reminder"):
        return str(part)
    if isinstance(part, bool) or not isinstance(part, int) or part < 0:
        raise ValueError(f"not a part of a closed ballot's announcements: {part!r}")
    return str(part)


def _parse_id(text: str) -> int:
    # ASCII digits without a leading zero: each id has one spelling, so decode(encode(s)) == s both ways.
    if not (text.isascii() and text.isdigit()) or text.startswith("0") or not 0 < int(text) <= MAX_ID:
        raise BadSubject(text)
    return int(text)


def _parse_index(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or (text.startswith("0") and text != "0") or len(text) > 9:
        raise BadSubject(text)
    return int(text)
