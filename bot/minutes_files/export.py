"""`/export` and `yishi export`: the minutes chosen by the domain, rendered as a named file."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from deliberation import notice_board, publication
from deliberation.minutes import BadFormat, Minutes, Scope, publishing
from deliberation.model import Actor, Council
from deliberation.ports import UnitOfWork

from ..i18n import translate
from .formats import FORMATS, render
from .notice import notice_url, to_notice

NOTICE = "notice"  # the 公示 notice: one A4 page (PDF) for the notice board, beside the FORMATS


def place(locale: str | None) -> Callable[[Council], str]:
    """The minutes' place line for a council held in its group chat, in `locale` (else the council's)."""
    return lambda council: translate(locale or council.locale, "minutes.place.chat", title=council.title)


def normal_format(fmt: str | None) -> str:
    """The format name as FORMATS spells it; BadFormat for anything else."""
    name = (fmt or "").strip().lower().lstrip(".")
    name = "md" if name == "markdown" else name
    name = NOTICE if name in ("公示", "gongshi") else name
    if name not in FORMATS and name != NOTICE:
        raise BadFormat(format=name, formats=", ".join((*FORMATS, NOTICE)))
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
    """议事记录_<council>_<scope>_v<version>.<fmt> (the first word in the reader's language); the notice is
    公示_<council>_<scope>_v<version>.pdf."""
    first = translate(locale, "files.notice.filename" if fmt == NOTICE else "minutes.filename")
    suffix = "pdf" if fmt == NOTICE else fmt
    return f"{first}_{_slug(minutes.council_name or council.title)}_{_scope_slug(minutes)}_v{minutes.version}.{suffix}"


async def notice_file(
    uow: Any,
    council: Council,
    minutes: Minutes,
    locale: str,
    *,
    starts: datetime,
    ends: datetime,
    public_base_url: str = "",
) -> tuple[str, bytes]:
    """(file name, PDF) of the 公示 notice; its QR code leads to the notice board when the council shows one."""
    board = await notice_board.board_of(uow, council) if public_base_url and hasattr(uow, "notice_boards") else None
    url = notice_url(public_base_url, board.path if board is not None and board.published else None, minutes.chain_head)
    content = to_notice(minutes, locale, starts=starts, ends=ends, url=url)
    return file_name(council, minutes, NOTICE, locale), content


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
    public_base_url: str = "",
    docx_template: bytes | None = None,
) -> tuple[str, bytes]:
    """(file name, file bytes): built from the log as it stands, unless `version` names a stored version
    of that scope, which is then rendered exactly as it was published. The notice's period starts now."""
    publication.require_recorder(actor)  # before the format: a resident learns no more than "not yours"
    name = normal_format(fmt)
    found, minutes = await publishing.for_export(
        uow, council, period, now=now, actor=actor, place=place(locale), version=version
    )
    language = locale or found.locale
    if name == NOTICE:
        ends = publication.publication_end(found.rules, now)
        return await notice_file(uow, found, minutes, language, starts=now, ends=ends, public_base_url=public_base_url)
    return file_name(found, minutes, name, language), render(minutes, name, language, docx_template=docx_template)
