"""Reading durations (`3d`, `2小时`) and meeting times (`2026-12-01 19:30`) typed in chat."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Shanghai"
MAX_DURATION = timedelta(days=366)

# Longest spellings first, so `45min` is not read as `45m` + `in`.
_UNIT_MINUTES: dict[str, int] = {}
for _minutes, _names in (
    (7 * 24 * 60, ("weeks", "week", "wk", "w", "个星期", "星期", "个礼拜", "礼拜", "周")),
    (24 * 60, ("days", "day", "d", "天", "日")),
    (60, ("hours", "hour", "hrs", "hr", "h", "个小时", "小时", "个钟头", "钟头")),
    (1, ("minutes", "minute", "mins", "min", "m", "分钟", "分")),
):
    for _name in _names:
        _UNIT_MINUTES[_name] = _minutes

_UNIT = "|".join(sorted(map(re.escape, _UNIT_MINUTES), key=len, reverse=True))
# Digits are bounded so a pasted wall of digits cannot become a giant integer.
_PART = re.compile(rf"([0-9]{{1,9}})({_UNIT})")

_DATE = r"([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})"
_DATE_ONLY = re.compile(_DATE)
_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_DATE_TIME = re.compile(_DATE + r"(?:\s+|t)" + _TIME.pattern)


class BadDuration(ValueError):
    """The text is not a duration we read (reason: malformed, zero or too_long)."""

    example = "30m, 24h, 3d, 3天, 2小时"

    def __init__(self, text: str, reason: str = "malformed") -> None:
        self.text = text
        self.reason = reason
        super().__init__(f"not a duration ({reason}): {text!r}; try {self.example}")


class BadDate(ValueError):
    """The text is not a time we read (reason: malformed, date_without_time,
    no_such_date or no_such_local_time)."""

    example = "2026-12-01 19:30"

    def __init__(self, text: str, reason: str = "malformed") -> None:
        self.text = text
        self.reason = reason
        super().__init__(f"not a date and time ({reason}): {text!r}; try {self.example}")


class DateInPast(ValueError):
    """The time named is not after now."""

    example = BadDate.example

    def __init__(self, text: str, when: datetime) -> None:
        self.text = text
        self.when = when
        super().__init__(f"{text!r} is not in the future ({when.isoformat()})")


def _normal(text: str) -> str:
    # NFKC turns full-width digits, letters, colons and spaces into their ASCII forms.
    return unicodedata.normalize("NFKC", text).strip().casefold()


def parse_duration(text: str) -> timedelta:
    """`30m`, `45min`, `24h`, `3d`, `2w`, `1h30m`, `30分钟`, `2小时`, `3天`, `1周`, `３天`.

    Units may be combined largest first, each at most once; the total must be
    more than zero and at most 366 days.
    """
    norm = _normal(text)
    sizes: list[tuple[int, int]] = []
    pos = 0
    while pos < len(norm) or not sizes:
        part = _PART.match(norm, pos)
        if part is None:
            raise BadDuration(text)
        sizes.append((int(part[1]), _UNIT_MINUTES[part[2]]))
        pos = part.end()
    unit_sizes = [size for _, size in sizes]
    # `30m1h` or `1h1h` is more likely a typo than a wish.
    if unit_sizes != sorted(set(unit_sizes), reverse=True):
        raise BadDuration(text)
    minutes = sum(number * size for number, size in sizes)
    if minutes <= 0:
        raise BadDuration(text, "zero")
    if minutes > MAX_DURATION // timedelta(minutes=1):
        raise BadDuration(text, "too_long")
    return timedelta(minutes=minutes)


def _aware_utc(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)


def _local_to_utc(text: str, fields: tuple[str, ...], tz: str) -> datetime:
    zone = ZoneInfo(tz)
    year, month, day, hour, minute = map(int, fields)
    try:
        local = datetime(year, month, day, hour, minute, tzinfo=zone)
        when = local.astimezone(UTC)
    except (ValueError, OverflowError):
        raise BadDate(text, "no_such_date") from None
    # A wall time inside a spring-forward gap never shows on the clock; refuse it rather
    # than guess. An autumn time shown twice takes its first occurrence (fold=0).
    if when.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise BadDate(text, "no_such_local_time")
    return when


def _parse_when_normal(text: str, norm: str, now_utc: datetime, tz: str) -> datetime:
    match = _DATE_TIME.fullmatch(norm)
    if match:
        when = _local_to_utc(text, match.groups(), tz)
    elif _DATE_ONLY.fullmatch(norm):
        raise BadDate(text, "date_without_time")
    else:
        try:
            when = now_utc + parse_duration(norm)
        except BadDuration:
            raise BadDate(text) from None
    if when <= now_utc:
        raise DateInPast(text, when)
    return when


def parse_when(text: str, *, now: datetime, tz: str = DEFAULT_TZ) -> datetime:
    """`2026-12-01 19:30` (also `/` or `T`) in the council's zone, or a duration from now.

    Returns an aware datetime in UTC. Raises BadDate for text we cannot read
    (a date without a time included) and DateInPast for times not after `now`.
    """
    now_utc = _aware_utc(now)
    return _parse_when_normal(text, " ".join(_normal(text).split()), now_utc, tz)


def split_when_and_rest(text: str, *, now: datetime, tz: str = DEFAULT_TZ) -> tuple[datetime, str]:
    """Take the time from the front of `text` (`2026-12-01 19:30 title` or `3d title`).

    The time is either a date and a time (two tokens, or one joined by `T`) or one
    duration token; returns it in UTC with the rest of the text, stripped and unchanged.
    """
    now_utc = _aware_utc(now)
    tokens = text.split(maxsplit=2)
    if not tokens:
        raise BadDate(text)
    if len(tokens) >= 2:
        pair = f"{_normal(tokens[0])} {_normal(tokens[1])}"
        if _DATE_TIME.fullmatch(pair):
            rest = tokens[2] if len(tokens) == 3 else ""
            return _parse_when_normal(f"{tokens[0]} {tokens[1]}", pair, now_utc, tz), rest.strip()
    first = tokens[0]
    rest = text.strip()[len(first) :].strip()
    return _parse_when_normal(first, _normal(first), now_utc, tz), rest


def format_local(dt: datetime, tz: str = DEFAULT_TZ) -> str:
    """An aware datetime as the council reads it: `2026-12-01 19:30`."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("dt must be timezone-aware")
    return dt.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")
