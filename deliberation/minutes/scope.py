"""What a set of minutes covers, read from what users type after /minutes or /export."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .errors import BadScope
from .model import iso


@dataclass(frozen=True)
class Scope:
    """What a set of minutes covers: everything, a period, a meeting (None: the latest) or motions."""

    kind: str  # "all" | "period" | "meeting" | "motions"
    start: datetime | None = None
    end: datetime | None = None
    meeting: int | None = None
    motions: tuple[int, ...] = ()

    @property
    def text(self) -> str:
        """A stable spelling, stored with each published version."""
        if self.kind == "period":
            return f"period:{iso(self.start)}/{iso(self.end)}"
        if self.kind == "meeting":
            return f"meeting:{self.meeting if self.meeting is not None else 'latest'}"
        if self.kind == "motions":
            return "motions:" + ",".join(str(n) for n in self.motions)
        return "all"


_TODAY = {"today", "今天", "今日", "本日"}
_YESTERDAY = {"yesterday", "昨天", "昨日"}
_WEEK = {"week", "本周", "本週", "this-week"}
_MONTH = {"month", "本月", "this-month"}
_MEETING = {"meeting", "会议", "會議", "例会", "例會"}
_ALL = {"", "all", "全部", "所有"}


def parse_scope(text: str | None, *, now: datetime, tz: str = "Asia/Shanghai") -> Scope:
    """Read a scope as users type it: `12`, `#12`, `today`/`今天`, `yesterday`, `week`, `month`,
    `meeting`, `meeting 3`, `all`, `2026-11-22`, `2026-11` or `2026-11-01..2026-11-30`.

    Days are calendar days in the council's time zone; periods are [start, end).
    """
    raw = (text or "").strip()
    word = raw.lower().replace("：", ":").strip()
    zone = ZoneInfo(tz)
    scope = _named_scope(word, now.astimezone(zone).date(), zone) or _meeting_scope(word, raw) or _motions_scope(word)
    if scope is not None:
        return scope
    try:
        return _calendar_scope(word, raw, zone)
    except ValueError:
        raise BadScope(scope=raw) from None


def _days(first: date, last: date, zone: ZoneInfo) -> Scope:
    """The calendar days from `first` to `last`, both included."""
    return Scope("period", _midnight(first, zone), _midnight(last + timedelta(days=1), zone))


def _named_scope(word: str, today: date, zone: ZoneInfo) -> Scope | None:
    """`all`, `today`, `yesterday`, `week` (Monday to today) and `month` (the 1st to today)."""
    if word in _ALL:
        return Scope("all")
    if word in _TODAY:
        return _days(today, today, zone)
    if word in _YESTERDAY:
        return _days(today - timedelta(days=1), today - timedelta(days=1), zone)
    if word in _WEEK:
        return _days(today - timedelta(days=today.weekday()), today, zone)
    if word in _MONTH:
        return _days(today.replace(day=1), today, zone)
    return None


def _meeting_scope(word: str, raw: str) -> Scope | None:
    """`meeting` (the latest) or `meeting 3`; anything else after the word is refused."""
    parts = word.split()
    if not parts or parts[0] not in _MEETING:
        return None
    if len(parts) == 1:
        return Scope("meeting")
    number = parts[1].lstrip("#")
    if len(parts) == 2 and number.isdigit():
        return Scope("meeting", meeting=int(number))
    raise BadScope(scope=raw)


def _motions_scope(word: str) -> Scope | None:
    """Motion numbers such as `12`, `#12` or `3, 5、7`."""
    numbers = [p.lstrip("#") for p in re.split(r"[,\s，、]+", word) if p]
    if numbers and all(n.isdigit() for n in numbers):
        return Scope("motions", motions=tuple(sorted({int(n) for n in numbers})))
    return None


def _calendar_scope(word: str, raw: str, zone: ZoneInfo) -> Scope:
    """A day, a month or a span of days; ValueError when the text is none of these."""
    if ".." in word or "~" in word or "至" in word:
        first_text, last_text = re.split(r"\.\.|~|至", word, maxsplit=1)
        first, last = _read_day(first_text.strip(), first=True), _read_day(last_text.strip(), first=False)
        if last < first:
            raise BadScope(scope=raw)
        return _days(first, last, zone)
    if re.fullmatch(r"\d{4}-\d{1,2}", word):
        return _days(_read_day(word, first=True), _read_day(word, first=False), zone)
    day = _read_day(word, first=True)
    return _days(day, day, zone)


def _read_day(text: str, *, first: bool) -> date:
    """`2026-11-22` -> that day; `2026-11` -> its first (or last) day."""
    if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):
        y, m, d = (int(p) for p in text.split("-"))
        return date(y, m, d)
    if re.fullmatch(r"\d{4}-\d{1,2}", text):
        y, m = (int(p) for p in text.split("-"))
        start = date(y, m, 1)
        if first:
            return start
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    raise ValueError(text)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)
