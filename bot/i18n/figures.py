"""How a reader sees a count: as counted, "6/8 人（75.00%）" and "809.75/885.95 ㎡（91.40%）", never reduced."""

from __future__ import annotations

from fractions import Fraction

from deliberation.counting import percent as exact_percent
from deliberation.disclosure import Count
from deliberation.minutes import area_m2

from . import translate


def share(value: str | Fraction | None) -> str:
    """A stored exact share ("3/4") as a percentage alone ("75.00%"); "—" for none."""
    return "—" if value is None else exact_percent(Fraction(value))


def _percent(count: Count) -> str:
    value = count.share
    return "—" if value is None else exact_percent(value)


def heads(locale: str | None, count: Count) -> str:
    """ "6/8 人（75.00%）": people as counted."""
    return translate(locale, "count.heads", part=count.part, whole=count.whole, percent=_percent(count))


def area(locale: str | None, count: Count) -> str:
    """ "809.75/885.95 ㎡（91.40%）": square centimetres as counted, written in square metres."""
    return translate(
        locale, "count.area", part=area_m2(count.part), whole=area_m2(count.whole), percent=_percent(count)
    )
