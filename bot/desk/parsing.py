"""Command text -> arguments: command names, motion numbers, times and the words of /vote.

Text that does not parse raises a refusal (a `DeliberationError` with its catalogue key), answered
by the desk like any other.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from deliberation.timeparse import BadDate, BadDuration, DateInPast, parse_duration, parse_when, split_when_and_rest

from .refusals import refuse

DATE_EXAMPLE = "2026-12-01 19:30"

# A motion number as residents write it (after NFKC: "＃１２" is "#12"): 12, #12, 第12号, 12号, No.12.
_NUMBER = re.compile(r"(?:#|第|no\.?)?(\d{1,9})[号號]?", re.IGNORECASE)
# A first word that was meant as a number but cannot be read ("第十二号", "#12a", "#"): refused, never guessed.
# Digits glued to words ("3号楼楼道太黑") are text, not a number.
_MEANT_AS_NUMBER = re.compile(
    r"#.*|第.{0,8}[号號]|第[\d〇零一二三四五六七八九十百两]+|[〇零一二三四五六七八九十百两]+[号號]", re.IGNORECASE
)
_SLASHES = ("/", "／")
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
    """ "/motion@yishi_bot 装灯" -> ("motion", "装灯"); "／ｍｏｔｉｏｎ 装灯" too; not a command -> None."""
    text = text.strip()
    if not text.startswith(_SLASHES) or len(text) < 2:
        return None
    head, rest = _first_word(text[1:])
    name = unicodedata.normalize("NFKC", head).split("@", 1)[0].lower()
    return name, rest


def _first_word(text: str) -> tuple[str, str]:
    """The first word and the rest, split at any white space (a full-width space or a line break too)."""
    parts = text.strip().split(maxsplit=1)
    if not parts:
        return "", ""
    return parts[0], parts[1].strip() if len(parts) > 1 else ""


def split_number(args: str) -> tuple[int | None, str]:
    """ "3 some text" -> (3, "some text"); "#3", "＃３", "第3号", "3号" -> (3, ""); "text" -> (None, "text").

    A first word meant as a number that cannot be read ("第十二号", "#3a") is refused: it never falls back
    to the only open motion.
    """
    head, rest = _first_word(args)
    word = unicodedata.normalize("NFKC", head)
    match = _NUMBER.fullmatch(word)
    if match:
        return int(match.group(1)), rest
    if _MEANT_AS_NUMBER.fullmatch(word):
        raise refuse("error.bad_number", given=head[:20])
    return None, args.strip()


def number_only(args: str) -> int | None:
    """The motion number of a command that takes nothing else (/second, /yes, /close …); other words are refused."""
    number, rest = split_number(args)
    if number is None and rest:
        raise refuse("error.bad_number", given=_first_word(rest)[0][:20])
    return number


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
