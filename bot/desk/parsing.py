"""Command text -> arguments: command names, motion numbers, times and the words of /vote.

Text that does not parse raises a refusal (a `DeliberationError` with its catalogue key), answered
by the desk like any other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from deliberation.timeparse import BadDate, BadDuration, DateInPast, parse_duration, parse_when, split_when_and_rest

from .refusals import refuse

DATE_EXAMPLE = "2026-12-01 19:30"

_NUMBER = re.compile(r"^#?(\d{1,9})(?:\s+|$)")
_VOTE_WORDS = {
    "secret": "secret",
    "秘密": "secret",
    "无记名": "secret",
    "無記名": "secret",
    "不记名": "secret",
    "major": "major",
    "重大": "major",
    "重大事项": "major",
}


def parse_command(text: str) -> tuple[str, str] | None:
    """ "/motion@yishi_bot 装灯" -> ("motion", "装灯"); not a command -> None."""
    text = text.strip()
    if not text.startswith("/") or len(text) < 2:
        return None
    head, _, rest = text[1:].partition(" ")
    if "\n" in head:
        head, _, more = head.partition("\n")
        rest = more + (" " + rest if rest else "")
    name = head.split("@", 1)[0].lower()
    return name, rest.strip()


def split_number(args: str) -> tuple[int | None, str]:
    """ "3 some text" -> (3, "some text"); "#3" -> (3, ""); "text" -> (None, "text")."""
    match = _NUMBER.match(args.strip())
    if not match:
        return None, args.strip()
    return int(match.group(1)), args.strip()[match.end() :].strip()


def target_and_rest(args: str) -> tuple[str, str]:
    """ "@bob 3 reason" -> ("@bob", "3 reason")."""
    head, _, rest = args.strip().partition(" ")
    return head, rest.strip()


@dataclass(frozen=True)
class VoteOptions:
    """The words after /vote <number>: a duration, "secret", "major"."""

    duration: timedelta | None = None
    secret: bool = False
    major: bool = False


def vote_options(text: str) -> VoteOptions:
    duration, secret, major = None, False, False
    for token in text.split():
        word = _VOTE_WORDS.get(token.lower())
        if word == "secret":
            secret = True
        elif word == "major":
            major = True
        else:
            try:
                duration = parse_duration(token)
            except BadDuration as bad:
                raise refuse("error.bad_duration", given=token[:20], example=bad.example) from None
    return VoteOptions(duration, secret, major)


def when(text: str, *, now: datetime, tz: str) -> datetime:
    """A moment in the future, as residents write it ("2026-12-01 19:30", "3d", "2小时")."""
    try:
        return parse_when(text, now=now, tz=tz)
    except DateInPast:
        raise refuse("error.date_in_past", given=text[:40]) from None
    except (BadDate, BadDuration):
        raise refuse("error.bad_date", given=text[:40], example="2026-12-01 19:30, 3d, 2小时") from None


def when_and_rest(text: str, usage: str, *, now: datetime, tz: str) -> tuple[datetime, str]:
    """A moment at the start of `text` and what follows it; `usage` is the refusal for no text at all."""
    if not text.strip():
        raise refuse(usage)
    given = " ".join(text.split()[:2])[:40]
    try:
        return split_when_and_rest(text, now=now, tz=tz)
    except DateInPast:
        raise refuse("error.date_in_past", given=given) from None
    except (BadDate, BadDuration):
        raise refuse("error.bad_date", given=given, example=f"{DATE_EXAMPLE}, 3d, 2小时") from None


def duration(word: str, refusal: str) -> timedelta:
    """A duration word ("3d"); `refusal` is the catalogue key when it is none."""
    try:
        return parse_duration(word)
    except BadDuration:
        raise refuse(refusal, given=word[:20]) from None
