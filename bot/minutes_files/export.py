"""`/export` and `yishi export`: the minutes chosen by the domain, rendered as a named file."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from deliberation import publication
from deliberation.minutes import BadFormat, Minutes, Scope, publishing
from deliberation.model import Actor, Council
from deliberation.ports import UnitOfWork

from ..i18n import translate
from .formats import FORMATS, render


def place(locale: str | None) -> Callable[[Council], str]:
    """The minutes' place line for a council held in its group chat, in `locale` (else the council's)."""
    return lambda council: translate(locale or council.locale, "minutes.place.chat", title=council.title)


def normal_format(fmt: str | None) -> str:
    """The format name as FORMATS spells it; BadFormat for anything else."""
    name = (fmt or "").strip().lower().lstrip(".")
    name = "md" if name == "markdown" else name
    if name not in FORMATS:
        raise BadFormat(format=name, formats=", ".join(FORMATS))
    return name


def _slug(text: str, limit: int = 40) -> str:
    cleaned = re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("._")
    return cleaned[:limit] or "council"


def _scope_slug(minutes: Minutes) -> str:
    if minutes.scope == "period" and minutes.period_start is not None and minutes.period_end is not None:
        first = minutes.period_start.strftime("%Y%m%d")
        last = (minutes.period_end - timedelta(seconds=1)).strftime("%Y%m%d")
        return first if first == last else f"{first}-{last}"
    if minutes.scope == "meeting":
        return f"meeting{minutes.meeting}"
    if minutes.scope == "motions":
        return "motion" + "-".join(str(n) for n in minutes.motion_numbers)
    return minutes.generated_at.strftime("%Y%m%d")


def file_name(council: Council, minutes: Minutes, fmt: str, locale: str) -> str:
    """议事记录_<council>_<scope>_v<version>.<fmt> (the first word in the reader's language)."""
    return (
        f"{translate(locale, 'minutes.filename')}_{_slug(minutes.council_name or council.title)}_{_scope_slug(minutes)}"
        f"_v{minutes.version}.{fmt}"
    )


async def export_minutes(
    uow: UnitOfWork,
    council: publishing.CouncilRef,
    fmt: str,
    period: Scope | str | None = None,
    *,
    now: datetime,
    locale: str | None = None,
    version: int | None = None,
    actor: Actor | None = None,
) -> tuple[str, bytes]:
    """(file name, file bytes): built from the log as it stands, unless `version` names a stored version
    of that scope, which is then rendered exactly as it was published."""
    publication.require_recorder(actor)  # before the format: a resident learns no more than "not yours"
    name = normal_format(fmt)
    found, minutes = await publishing.for_export(
        uow, council, period, now=now, actor=actor, place=place(locale), version=version
    )
    language = locale or found.locale
    return file_name(found, minutes, name, language), render(minutes, name, language)
