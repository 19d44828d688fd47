"""The button data codec: the only place that builds or reads the data a button press carries.

Button data is a wire format: Telegram sends back whatever bytes a client chooses, and posted
keyboards keep their data for as long as the message lives. So `decode` is also validation: it
accepts exactly the strings `encode` makes ("s:7", "v:4:y", "ap:3", "r:5:s") and raises `BadButton`
for anything else, before any id reaches a use case.
"""

from __future__ import annotations

from dataclasses import dataclass

from deliberation.counting import Choice
from deliberation.delivery import Rating

MAX_BYTES = 64  # Telegram's limit on callback data
MAX_ID = 2**31 - 1  # a database id: what an INTEGER primary key can hold

CHOICE_CODES = {Choice.YES: "y", Choice.NO: "n", Choice.ABSTAIN: "a"}
CODE_CHOICES = {code: choice for choice, code in CHOICE_CODES.items()}
RATING_CODES = {rating.value: rating for rating in Rating}


class BadButton(ValueError):
    """Button data that no button of ours carries (forged, truncated or from an older keyboard)."""


@dataclass(frozen=True)
class Second:
    """Second this motion: "s:<motion id>"."""

    motion_id: int


@dataclass(frozen=True)
class Vote:
    """Vote on this ballot: "v:<ballot id>:y|n|a"."""

    ballot_id: int
    choice: Choice


@dataclass(frozen=True)
class Approve:
    """Approve this pending member: "ap:<member id>"."""

    member_id: int


@dataclass(frozen=True)
class Rate:
    """Rate how this assignment was carried out: "r:<assignment id>:s|b|u"."""

    assignment_id: int
    rating: Rating


Press = Second | Vote | Approve | Rate


def encode(press: Press) -> str:
    """The data a button for `press` carries: Vote(4, Choice.YES) -> "v:4:y"."""
    match press:
        case Second(motion_id):
            return f"s:{_id(motion_id)}"
        case Vote(ballot_id, choice):
            return f"v:{_id(ballot_id)}:{CHOICE_CODES[choice]}"
        case Approve(member_id):
            return f"ap:{_id(member_id)}"
        case Rate(assignment_id, rating):
            return f"r:{_id(assignment_id)}:{Rating(rating).value}"
    raise TypeError(f"not a button press: {press!r}")


def decode(data: str) -> Press:
    """The press that `data` stands for; BadButton for anything `encode` never makes."""
    if len(data.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise BadButton(data[:MAX_BYTES])
    match data.split(":"):
        case ["s", motion_id]:
            return Second(_parse_id(motion_id))
        case ["v", ballot_id, code] if code in CODE_CHOICES:
            return Vote(_parse_id(ballot_id), CODE_CHOICES[code])
        case ["ap", member_id]:
            return Approve(_parse_id(member_id))
        case ["r", assignment_id, code] if code in RATING_CODES:
            return Rate(_parse_id(assignment_id), RATING_CODES[code])
    raise BadButton(data)


def try_decode(data: str | None) -> Press | None:
    """`decode` for code that only looks (batching, hints): None instead of BadButton."""
    try:
        return decode(data or "")
    except BadButton:
        return None


def _id(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise ValueError(f"not a database id: {value!r}")
    return value


def _parse_id(text: str) -> int:
    # ASCII digits only ("４" and "²" are digits to str.isdigit), and no leading zero: each id has one spelling.
    if not (text.isascii() and text.isdigit()) or text.startswith("0") or not 0 < int(text) <= MAX_ID:
        raise BadButton(text)
    return int(text)
