"""The 扫楼名单: the units whose owners have not voted yet, floor by floor, for volunteers at the doors.

Only for an open (not secret) ballot: who has voted is participation, not choice, but a secret ballot's
messages name no units (spec §5), and the list would.
"""

from __future__ import annotations

import html
import io
import string
from datetime import datetime

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from deliberation.electorate import floor_of, unit_sort_key
from deliberation.minutes import area_m2 as _m2
from deliberation.progress import rounded_up
from deliberation.usecases import BallotProgress

from ..i18n import Translator, moments, texts_under
from ..minutes_files.outline import xml_safe
from ..minutes_files.pdf import pdf_font


def area_m2(cm2: int) -> str:
    """ "89.5㎡": square centimetres as counted, in square metres."""
    return _m2(cm2) + "㎡"


def _text(text: str) -> str:
    return html.escape(xml_safe(text))


def sweep_pdf(t: Translator, council_title: str, timezone: str, shown: BallotProgress, now: datetime) -> bytes:
    """A4 table: unit, floor, owner, area, and empty columns to tick a visit and note the answer."""
    progress = shown.progress
    printed = [texts_under(t.locale, "sweep."), council_title, moments.spell(t.locale, now, timezone), string.printable]
    printed += [
        f"{unit.code}{owner.name}{area_m2(unit.area_cm2)}" for owner in progress.not_voted for unit in owner.units
    ]
    font = pdf_font("".join(printed))
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=16, wordWrap="CJK")
    title = ParagraphStyle("title", parent=body, fontSize=17, leading=24)
    progress, motion = shown.progress, shown.found.motion
    rows = sorted(
        ((unit, owner) for owner in progress.not_voted for unit in owner.units),
        key=lambda pair: unit_sort_key(pair[0].code),
    )
    data = [[t("sweep.col_no"), t("sweep.col_unit"), t("sweep.col_floor"), t("sweep.col_owner"),
             t("sweep.col_area"), t("sweep.col_visited"), t("sweep.col_note")]]  # fmt: skip
    for i, (unit, owner) in enumerate(rows, start=1):
        data.append([str(i), unit.code, floor_of(unit.code), owner.name, area_m2(unit.area_cm2), "", ""])
    widths = [10 * mm, 24 * mm, 13 * mm, 34 * mm, 24 * mm, 20 * mm, 49 * mm]
    table = LongTable(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 10.5),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F2F2F2")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#FAFAFA")]),
                ("TOPPADDING", (0, 1), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 5),
            ]
        )
    )
    summary = t(
        "sweep.summary",
        voted=progress.voted_owners,
        owners=progress.total_owners,
        voted_area=area_m2(progress.voted_area_cm2),
        area=area_m2(progress.total_area_cm2),
        missing_owners=progress.missing_owners,
        missing_area=area_m2(rounded_up(progress.missing_area_cm2)),
    )
    story = [
        Paragraph(_text(t("sweep.title", title=council_title, number=motion.number)), title),
        Paragraph(_text(t("sweep.made_at", when=moments.spell(t.locale, now, timezone))), body),
        Paragraph(_text(summary), body),
        Paragraph(_text(t("sweep.hint")), body),
        Spacer(1, 4 * mm),
        table,
    ]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=13 * mm,
        rightMargin=13 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=t("sweep.title", title=council_title, number=motion.number),
    )

    def page_number(canvas, document) -> None:  # noqa: ANN001 - reportlab's callback
        canvas.setFont(font, 9)
        canvas.drawRightString(A4[0] - 13 * mm, 8 * mm, t("sweep.page", page=document.page))

    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return buffer.getvalue()
