"""The ledger as a PDF on A4 (landscape: the tables are wide), with the CJK font of the minutes and the charts."""

from __future__ import annotations

import io
import string
from collections import Counter
from datetime import datetime
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, KeepTogether, LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from deliberation.ledger import Ledger

from ..i18n import texts_under
from ..minutes_files.pdf import _Measure, pdf_font
from . import charts
from .xlsx import Words, summary_rows, table_rows, words

_PAGE = landscape(A4)
_WIDTH = _PAGE[0] - 30 * mm
_GREY = colors.HexColor("#F2F2F2")
_TABLE = {
    "participation": "ledger.sheet.ballots",
    "outcomes": "ledger.sheet.summary",
    "delivery": "ledger.sheet.delivery",
    "satisfaction": "ledger.sheet.summary",
}


def ledger_charts(ledger: Ledger, w: Words) -> list[charts.Chart]:
    """The four charts, drawn from the ledger's own rows."""
    points = [
        (b.opened_at, f"{b.council} #{b.motion}", b.voted, b.eligible) for c in ledger.councils for b in c.ballots
    ]
    by_month: dict[str, dict[str, int]] = {ledger.month.text: dict(ledger.totals().outcomes)}
    states: Counter[str] = Counter()
    for c in ledger.councils:
        states.update(c.delivery_states())
    return [
        charts.participation(points, w),
        charts.outcomes(by_month, w),
        charts.delivery(dict(states), w),
        charts.satisfaction({c.council: c.satisfaction() for c in ledger.councils}, w),
    ]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):  # the ledger's title names the year and month
        return value.strftime("%m-%d %H:%M")
    if isinstance(value, float):
        return f"{value * 100:.1f}%"
    return str(value)


def _table(head: list[str], rows: list[list[Any]], style: ParagraphStyle, widths: list[float]) -> LongTable:
    """Cells as plain strings wrapped once by measure (the minutes' wrapping rules), not as paragraphs:
    a ledger of a few hundred councils renders in about a second."""
    measure = _Measure(style.fontName, style.fontSize)
    room = [w - 4 for w in widths]
    cells = [["\n".join(measure.wrap(_text(v), room[i])) for i, v in enumerate(row)] for row in [list(head)] + rows]
    table = LongTable(cells, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), style.fontName, style.fontSize, style.leading),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), _GREY),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _widths(head: list[str], wide: dict[int, float]) -> list[float]:
    """Given widths (points) for some columns; the rest share what is left."""
    rest = (_WIDTH - sum(wide.values())) / max(1, len(head) - len(wide))
    return [wide.get(i, rest) for i in range(len(head))]


def _fraction(*parts: Any) -> str:
    return "" if all(p is None for p in parts) else "/".join("—" if p is None else str(p) for p in parts)


def _motions_on_paper(head: list[str], rows: list[list[Any]]) -> tuple[list[str], list[list[Any]]]:
    """The motions table with the counts in two columns ("2/1/0", "3/5"): narrower, and quicker to print."""
    counts, turnout = "/".join(head[9:12]), "/".join(head[12:14])
    return (
        head[:9] + [counts, turnout, head[14]],
        [row[:9] + [_fraction(*row[9:12]), _fraction(*row[12:14]), row[14]] for row in rows],
    )


def to_pdf(ledger: Ledger, locale: str | None = None) -> bytes:
    w = words(locale)
    tables = table_rows(ledger, w)
    summary = summary_rows(ledger, w)
    # The PDF embeds only the glyphs it is told about: every text it may print.
    printed = [texts_under(locale, prefix) for prefix in ("ledger.", "desk.", "chart.")]
    printed += [ledger.community, ledger.month.text, string.printable, "—／·："]
    for head, rows in [summary, *tables.values()]:
        printed += [*map(str, head), *(_text(v) for row in rows for v in row)]
    font = pdf_font("".join(printed))
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, alignment=1, spaceAfter=4 * mm)
    heading = ParagraphStyle("heading", fontName=font, fontSize=12, leading=16, spaceBefore=5 * mm, spaceAfter=2 * mm)
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12)
    cell = ParagraphStyle("cell", fontName=font, fontSize=7, leading=9, wordWrap="CJK")
    story: list[Any] = [
        Paragraph(w("ledger.title", community=ledger.community, month=ledger.month.text), title),
        Paragraph(w("ledger.generated", at=ledger.generated_at.strftime("%Y-%m-%d %H:%M UTC")), body),
        Paragraph(w("ledger.secret_note"), body),
        Paragraph(w("ledger.sheet.summary"), heading),
    ]
    head, rows = summary
    story.append(_table(head, rows, cell, _widths(head, {0: 40 * mm})))
    story.append(Paragraph(w("desk.charts"), heading))
    images = []
    for chart in ledger_charts(ledger, w):
        png = chart.render("png", width=6.2, height=charts.height_for(chart), dpi=110)
        image = Image(io.BytesIO(png), width=125 * mm, height=125 * mm * charts.height_for(chart) / 6.2)
        # the numbers as text; a long series points to its table (the participation sheet) instead
        numbers = chart.description() if len(chart.rows) <= 12 else w("ledger.see_table", table=w(_TABLE[chart.key]))
        caption = Paragraph(f"{chart.title}：{numbers}", cell)
        images.append(KeepTogether([Paragraph(chart.title, body), image, caption, Spacer(1, 3 * mm)]))
    story += images
    wide = {
        "ledger.sheet.motions": {3: 80 * mm, 11: 50 * mm},
        "ledger.sheet.delivery": {2: 70 * mm},
        "ledger.sheet.minutes": {1: 60 * mm, 6: 95 * mm},
        "ledger.sheet.meetings": {2: 60 * mm},
    }
    for key, (head, rows) in tables.items():
        if key == "ledger.sheet.motions":
            head, rows = _motions_on_paper(head, rows)
        story.append(Paragraph(w(key), heading))
        widths = _widths(head, wide.get(key, {0: 40 * mm}))
        story.append(_table(head, rows, cell, widths) if rows else Paragraph("—", body))

    def number(canvas: Any, doc: Any) -> None:
        canvas.setFont(font, 8)
        canvas.drawRightString(_PAGE[0] - 15 * mm, 8 * mm, f"{ledger.community} {ledger.month.text} · {doc.page}")

    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=_PAGE,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=12 * mm,
        bottomMargin=14 * mm,
        title=w("ledger.title", community=ledger.community, month=ledger.month.text),
        author="Yishi",
    )
    document.build(story, onFirstPage=number, onLaterPages=number)
    return out.getvalue()
