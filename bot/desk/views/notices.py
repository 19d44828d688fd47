"""Small pieces of text shared by every view: times, areas, percentages, clipped quotes, notices."""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction
from zoneinfo import ZoneInfo

from deliberation.counting import percent as exact_percent
from deliberation.model import Council, Motion

from ...i18n import Translator
from ..messages import Reply


def percent(value: str | Fraction | None) -> str:
    """An exact fraction ("2/3") as a percentage, rounded half up without floats."""
    return "—" if value is None else exact_percent(Fraction(value))


def area_m2(cm2: int) -> str:
    whole, rest = divmod(int(cm2), 10_000)
    return f"{whole}.{rest:04d}".rstrip("0").rstrip(".") + "㎡" if rest else f"{whole}㎡"


def local_time(council: Council, moment: datetime | None) -> str:
    """A moment as the council reads it, in its time zone ("—" when there is none)."""
    if moment is None:
        return "—"
    return moment.astimezone(ZoneInfo(council.timezone)).strftime("%Y-%m-%d %H:%M")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parent_notice(t: Translator, motion: Motion, parent: Motion) -> Reply:
    """What a decided subsidiary motion (amend, postpone, refer, close debate) did to its parent."""
    return Reply(t(f"parent.{motion.kind.value}", number=parent.number, text=parent.text))


def quorum_line(t: Translator, present: int, needed: int) -> str:
    if needed <= 0:
        return t("sched.quorum.none")
    if present >= needed:
        return t("sched.quorum.met", needed=needed)
    return t("sched.quorum.short", needed=needed, short=needed - present)
