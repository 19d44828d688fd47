"""How a reader sees a moment: in the council's time zone, spelled as that language's documents spell it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from . import translate


def _in(moment: datetime, zone: str | None) -> datetime:
    return moment if zone is None else moment.astimezone(ZoneInfo(zone))


def spell(locale: str | None, moment: datetime | None, zone: str | None = None) -> str:
    """ "2026年12月16日 19:30" (zh) or "2026-12-16 19:30" (en); "—" for none. `zone` converts first."""
    if moment is None:
        return "—"
    local = _in(moment, zone)
    return translate(
        locale,
        "minutes.datetime",
        year=local.year,
        month=local.month,
        day=local.day,
        mm=f"{local.month:02d}",
        dd=f"{local.day:02d}",
        hour=f"{local.hour:02d}",
        minute=f"{local.minute:02d}",
    )


def spell_day(locale: str | None, moment: datetime, zone: str | None = None) -> str:
    """ "2026年12月16日" (zh) or "2026-12-16" (en)."""
    local = _in(moment, zone)
    return translate(
        locale,
        "minutes.date",
        year=local.year,
        month=local.month,
        day=local.day,
        mm=f"{local.month:02d}",
        dd=f"{local.day:02d}",
    )


def clock(moment: datetime, zone: str | None = None) -> str:
    """ "19:30": the time of day alone, for a span within one day."""
    return f"{_in(moment, zone):%H:%M}"
