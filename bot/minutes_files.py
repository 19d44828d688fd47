"""Minutes as files: Markdown, Word (DOCX), PDF, CSV and JSON, and as plain text for the chat.

Every renderer walks the same document outline (`outline`), so the formats say the same thing
in the same order; only the typesetting differs. Labels come from the `minutes` catalogue.
A secret ballot's voters never appear: the model carries counts only for them.
"""
from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from xml.sax.saxutils import escape as xml_escape

from deliberation.counting import percent as exact_percent
from deliberation.minutes import (
    ROW_FIELDS, BadFormat, Minutes, MinutesMotion, MinutesVote, area_m2, minutes_rows, minutes_to_dict,
)

from .i18n import Translator

FORMATS = ("md", "docx", "pdf", "csv", "json")
MEDIA_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
CJK_FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
TABLE_TEXT_CHARS = 40  # the 表决情况 table names the item; the body has its full wording


# ---- the outline shared by every format ----------------------------------------------------------

@dataclass(frozen=True)
class Title:
    text: str
    subtitle: str


@dataclass(frozen=True)
class Fields:
    """The header table; each row holds one or two (label, value) pairs."""

    rows: tuple[tuple[tuple[str, str], ...], ...]


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Para:
    text: str
    level: int = 0  # 0: an item's heading line; 1: its details; 2: quoted digest lines
    note: bool = False  # small print (chain head, generation time)


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]  # relative column widths


@dataclass(frozen=True)
class Signatures:
    chair: str
    recorder: str
    date: str


Block = Title | Fields | Heading | Para | Table | Signatures

_CN_DIGITS = "零一二三四五六七八九"


def _cn_number(n: int) -> str:
    """1 -> 一, 12 -> 十二, 105 -> 一百零五: how items are numbered in Chinese minutes."""
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        tail = "" if rest == 0 else ("零" + _CN_DIGITS[rest] if rest < 10 else
                                     ("一" + _cn_number(rest) if rest < 20 else _cn_number(rest)))
        return _CN_DIGITS[n // 100] + "百" + tail
    return str(n)


class _Words:
    """The catalogue, with the formatting of times, areas and shares the minutes use."""

    def __init__(self, locale: str | None) -> None:
        self.t = Translator(locale)
        self.locale = self.t.locale
        self.sep = self.t("minutes.list_separator")

    def __call__(self, key: str, **params: object) -> str:
        return self.t(key, **params)

    def when(self, moment: datetime | None) -> str:
        if moment is None:
            return "—"
        return self.t("minutes.datetime", year=moment.year, month=moment.month, day=moment.day,
                      mm=f"{moment.month:02d}", dd=f"{moment.day:02d}", hour=f"{moment.hour:02d}",
                      minute=f"{moment.minute:02d}")

    def day(self, moment: datetime) -> str:
        return self.t("minutes.date", year=moment.year, month=moment.month, day=moment.day,
                      mm=f"{moment.month:02d}", dd=f"{moment.day:02d}")

    def when_text(self, text: str | None) -> str:
        """An ISO time from a payload (postponed until, due) in the minutes' own zone."""
        if not text:
            return "—"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return text
        if len(text) <= 10:
            return self.day(moment)
        return self.when(moment)

    def names(self, names: tuple[str, ...] | list[str]) -> str:
        return self.sep.join(n for n in names if n) or self("minutes.none")

    def ordinal(self, n: int) -> str:
        return _cn_number(n) if self.locale.startswith("zh") else str(n)

    def state(self, motion: MinutesMotion) -> str:
        if motion.state == "postponed" and motion.postponed_until:
            return self("minutes.disposition.postponed", until=self.when_text(motion.postponed_until))
        if motion.state == "referred" and motion.referred_to:
            return self("minutes.disposition.referred", to=motion.referred_to)
        return self(f"minutes.state.{motion.state}")

    def result(self, vote: MinutesVote) -> str:
        if not vote.closed:
            return self("minutes.result.open")
        if not vote.quorum_met:
            return self("minutes.result.failed_quorum")
        return self("minutes.result.passed" if vote.passed else "minutes.result.failed")

    def method(self, vote: MinutesVote) -> str:
        return self("minutes.method.secret" if vote.secret else "minutes.method.open")

    def rule(self, vote: MinutesVote) -> str:
        if vote.rule:
            return self(f"minutes.rule.{vote.rule}")
        return self(f"minutes.threshold.{vote.threshold}")


def _share(value: str | None) -> tuple[str, str]:
    """("66.67%", "2/3") from a stored exact fraction."""
    if not value:
        return "—", "—"
    return exact_percent(Fraction(value)), value


def _clip(text: str, limit: int = TABLE_TEXT_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"


def _period_label(w: _Words, minutes: Minutes) -> str:
    if minutes.scope == "meeting" and minutes.title:
        return minutes.title
    if minutes.scope == "period" and minutes.period_start and minutes.period_end:
        from datetime import timedelta
        last = minutes.period_end - timedelta(seconds=1)  # periods end at a midnight, exclusive
        return w("minutes.scope.period", start=w.day(minutes.period_start), end=w.day(last))
    if minutes.scope == "motions":
        return w("minutes.scope.motions", numbers=w.sep.join(str(n) for n in minutes.motion_numbers))
    return w("minutes.scope.all")


def _time_label(w: _Words, minutes: Minutes) -> str:
    start, end = minutes.starts_at, minutes.ends_at
    if start is None and end is None:
        return "—"
    if start is not None and end is not None and w.when(start) != w.when(end):
        return w("minutes.time.range", start=w.when(start), end=w.when(end))
    return w.when(start or end)


def vote_lines(w: _Words, vote: MinutesVote) -> list[str]:
    """The lines describing one ballot in the body of the minutes."""
    lines = [w("minutes.vote.heading", method=w.method(vote), rule=w.rule(vote))]
    if not vote.closed:
        lines.append(w("minutes.vote.pending", when=w.when(vote.closes_at), voted=vote.voted))
        return lines
    if vote.weighted:
        counts = w("minutes.vote.counts_weighted", yes=vote.yes, no=vote.no, abstain=vote.abstain,
                   yes_area=area_m2(vote.yes_area_cm2), no_area=area_m2(vote.no_area_cm2),
                   abstain_area=area_m2(vote.abstain_area_cm2))
    else:
        counts = w("minutes.vote.counts", yes=vote.yes, no=vote.no, abstain=vote.abstain)
    lines.append(f"{counts}；{w.result(vote)}" if w.locale.startswith("zh") else f"{counts}; {w.result(vote)}")
    if vote.weighted:
        pa, pa_f = _share(vote.participation_area)
        ph, ph_f = _share(vote.participation_heads)
        aa, aa_f = _share(vote.approval_area)
        ah, ah_f = _share(vote.approval_heads)
        lines.append(w("minutes.vote.participation", area=pa, area_fraction=pa_f, heads=ph, heads_fraction=ph_f))
        lines.append(w("minutes.vote.approval", area=aa, area_fraction=aa_f, heads=ah, heads_fraction=ah_f))
    else:
        lines.append(w("minutes.vote.turnout", eligible=vote.eligible, voted=vote.cast))
    if vote.secret:
        lines.append(w("minutes.vote.secret_note"))
    return lines


def _motion_blocks(w: _Words, minutes: Minutes, motion: MinutesMotion, index: int | None) -> Iterator[Block]:
    if index is not None:
        yield Para(w("minutes.item", index=w.ordinal(index), number=motion.number, text=motion.text), 0)
    else:
        yield Para(w("minutes.child", kind=w(f"minutes.kind.{motion.kind}"), number=motion.number,
                     text=motion.text), 1)
    level = 1 if index is not None else 2
    yield Para(w("minutes.motion.mover", name=motion.mover or "—") + "　"
               + w("minutes.motion.raised_at", when=w.when(motion.raised_at)), level)
    if motion.original_text:
        yield Para(w("minutes.motion.original", text=motion.original_text), level)
    for amendment in motion.amendments:
        yield Para(w("minutes.motion.amendment", number=amendment.number, mover=amendment.mover,
                     text=amendment.text, state=w(f"minutes.state.{amendment.state}")), level)
    if motion.speeches_for or motion.speeches_against:
        yield Para(w("minutes.motion.debate", for_count=motion.speeches_for,
                     against_count=motion.speeches_against), level)
        for speech in motion.speeches:
            yield Para(w("minutes.speech", side=w(f"minutes.side.{speech.side}"), speaker=speech.speaker,
                         excerpt=speech.excerpt), level + 1)
        if motion.speeches_omitted:
            yield Para(w("minutes.motion.omitted", count=motion.speeches_omitted), level + 1)
    elif motion.kind == "main":
        yield Para(w("minutes.motion.no_debate"), level)
    if motion.warnings:
        yield Para(w("minutes.motion.warnings", count=motion.warnings), level)
    for child in minutes.children(motion.number):
        if child.kind != "amendment":
            yield from _motion_blocks(w, minutes, child, None)
    if motion.debate_closed:
        yield Para(w("minutes.motion.debate_closed"), level)
    for vote in motion.votes:
        for line in vote_lines(w, vote):
            yield Para(line, level)
    yield Para(w("minutes.motion.disposition", state=w.state(motion)), level)


def _vote_table(w: _Words, minutes: Minutes) -> Table | None:
    votes = minutes.votes
    if not votes:
        return None
    texts = {m.number: m.text for m in minutes.motions}
    weighted = any(v.weighted for v in votes)
    header = [w("minutes.table.number"), w("minutes.table.item"), w("minutes.table.method"),
              w("minutes.table.yes"), w("minutes.table.no"), w("minutes.table.abstain")]
    widths = [0.8, 4.0, 1.3, 1.0, 1.0, 1.0]
    if weighted:
        header.append(w("minutes.table.shares"))
        widths = [0.7, 2.6, 1.0, 1.2, 1.2, 1.2, 2.4]
    header.append(w("minutes.table.result"))
    widths.append(1.2)
    rows = []
    for vote in votes:
        if vote.weighted:
            cells = [w("minutes.table.weighted_cell", count=count, area=area_m2(area)) if vote.closed else "—"
                     for count, area in ((vote.yes, vote.yes_area_cm2), (vote.no, vote.no_area_cm2),
                                         (vote.abstain, vote.abstain_area_cm2))]
        else:
            cells = [str(n) if vote.closed else "—" for n in (vote.yes, vote.no, vote.abstain)]
        row = [f"#{vote.number}", _clip(texts.get(vote.number, "")), w.method(vote), *cells]
        if weighted:
            if vote.weighted and vote.closed:
                participation = w("minutes.table.share_pair", area=_share(vote.participation_area)[0],
                                  heads=_share(vote.participation_heads)[0])
                approval = w("minutes.table.share_pair", area=_share(vote.approval_area)[0],
                             heads=_share(vote.approval_heads)[0])
                row.append(w("minutes.table.shares_cell", participation=participation, approval=approval))
            else:
                row.append("—")
        row.append(w.result(vote))
        rows.append(tuple(row))
    return Table(tuple(header), tuple(rows), tuple(widths))


def _roll_call_lines(w: _Words, minutes: Minutes) -> list[str]:
    lines = []
    for vote in minutes.votes:
        if vote.secret or not vote.roll_call:  # a secret ballot has no names, by construction and by rule
            continue
        groups = []
        for choice in ("yes", "no", "abstain"):
            names = [r.name for r in vote.roll_call if r.choice == choice]
            if names:
                groups.append(w("minutes.roll_call.choice", choice=w(f"minutes.choice.{choice}"),
                                names=w.names(names)))
        lines.append(w("minutes.roll_call.line", number=vote.number, ballot=vote.ballot,
                       choices=w("minutes.roll_call.join").join(groups)))
    return lines


def outline(minutes: Minutes, locale: str | None) -> list[Block]:
    """The minutes as an ordered list of blocks, in the reader's language."""
    w = _Words(locale)
    version = w("minutes.version", version=minutes.version)
    blocks: list[Block] = [Title(w("minutes.title", council=minutes.council_name), version)]
    present = (w("minutes.count.people", count=minutes.present) if minutes.attendance_recorded
               else w("minutes.present.participants", count=minutes.present))
    rows: list[tuple[tuple[str, str], ...]] = [
        ((w("minutes.field.meeting"), _period_label(w, minutes)),),
        ((w("minutes.field.time"), _time_label(w, minutes)),),
        ((w("minutes.field.place"), minutes.place),),
        ((w("minutes.field.chair"), w.names(minutes.chairs)), (w("minutes.field.recorder"), w.names(minutes.recorders))),
        ((w("minutes.field.expected"), w("minutes.count.people", count=minutes.expected)),
         (w("minutes.field.present"), present)),
        ((w("minutes.field.attendees" if minutes.attendance_recorded else "minutes.field.participants"),
          w.names(minutes.attendees)),),
    ]
    if minutes.attendance_recorded:
        rows.append(((w("minutes.field.absentees"), w.names(minutes.absentees)),))
    blocks.append(Fields(tuple(rows)))

    blocks.append(Heading(w("minutes.section.items")))
    items = minutes.top_level()
    if not items:
        blocks.append(Para(w("minutes.no_motions"), 1))
    for index, motion in enumerate(items, start=1):
        blocks.extend(_motion_blocks(w, minutes, motion, index))

    blocks.append(Heading(w("minutes.section.votes")))
    table = _vote_table(w, minutes)
    blocks.append(table if table is not None else Para(w("minutes.no_votes"), 1))
    roll_call = _roll_call_lines(w, minutes)
    if roll_call:
        blocks.append(Para(w("minutes.section.roll_call"), 0))
        blocks.extend(Para(line, 1) for line in roll_call)

    if minutes.assignments:
        blocks.append(Heading(w("minutes.section.delivery")))
        for item in minutes.assignments:
            status = w("minutes.delivery.done" if item.done else "minutes.delivery.ongoing")
            blocks.append(Para(w("minutes.delivery.assignment", number=item.number, text=_clip(item.motion_text),
                                 assignee=item.assignee or "—",
                                 due=w.when_text(item.due) if item.due else w("minutes.delivery.no_due"),
                                 status=status), 1))
            for report in item.reports:
                blocks.append(Para(w("minutes.delivery.report", when=w.when(report.at), text=report.text), 2))
            if item.rating is not None:
                blocks.append(Para(w("minutes.delivery.rating", satisfied=item.rating.satisfied,
                                     basic=item.rating.basic, unsatisfied=item.rating.unsatisfied), 2))

    if minutes.adjourned_at is not None:
        blocks.append(Para(w("minutes.adjourned", when=w.when(minutes.adjourned_at)), 0))
    blocks.append(Signatures(w("minutes.signature.chair"), w("minutes.signature.recorder"),
                             w("minutes.signature.date")))
    blocks.append(Para(w("minutes.chain", seq=minutes.chain_seq, head=minutes.chain_head), note=True))
    blocks.append(Para(w("minutes.generated", when=w.when(minutes.generated_at), version=version), note=True))
    return blocks


# ---- plain text (the chat) and Markdown -------------------------------------------------------------

def to_text(minutes: Minutes, locale: str | None = None) -> str:
    """Plain text for a chat message (the adapter escapes it): no tables, no signature lines."""
    lines: list[str] = []
    for block in outline(minutes, locale):
        if isinstance(block, Title):
            lines += [block.text, block.subtitle, ""]
        elif isinstance(block, Fields):
            lines += ["：".join(pair) if Translator(locale).locale.startswith("zh") else ": ".join(pair)
                      for row in block.rows for pair in row]
        elif isinstance(block, Heading):
            lines += ["", block.text]
        elif isinstance(block, Para):
            if not block.note:
                lines.append("  " * block.level + ("· " if block.level == 2 else "") + block.text)
        elif isinstance(block, Table):
            pass  # each vote is already told in its item
    return "\n".join(lines).strip()


_MD_SPECIALS = set("\\`*_{}[]<>()#+-.!|~")


def md_escape(text: str) -> str:
    """User text made inert in Markdown: specials escaped, newlines folded."""
    flat = " ".join(str(text).split())
    return "".join("\\" + ch if ch in _MD_SPECIALS else ch for ch in flat)


def to_markdown(minutes: Minutes, locale: str | None = None) -> str:
    out: list[str] = []
    for block in outline(minutes, locale):
        if isinstance(block, Title):
            out += [f"# {md_escape(block.text)}", "", f"*{md_escape(block.subtitle)}*", ""]
        elif isinstance(block, Fields):
            pairs = [pair for row in block.rows for pair in row]
            out += [f"| {md_escape(pairs[0][0])} | {md_escape(pairs[0][1])} |", "|---|---|"]
            out += [f"| {md_escape(label)} | {md_escape(value)} |" for label, value in pairs[1:]]
            out.append("")
        elif isinstance(block, Heading):
            out += [f"## {md_escape(block.text)}", ""]
        elif isinstance(block, Para):
            if block.note:
                out.append(f"<sub>{md_escape(block.text)}</sub>  ")
            elif block.level == 0:
                out += ["", f"### {md_escape(block.text)}", ""]
            else:
                out.append("  " * (block.level - 1) + f"- {md_escape(block.text)}")
        elif isinstance(block, Table):
            out += ["", "| " + " | ".join(md_escape(h) for h in block.header) + " |",
                    "|" + "---|" * len(block.header)]
            out += ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in block.rows]
            out.append("")
        elif isinstance(block, Signatures):
            out += ["", "---", "", f"{md_escape(block.chair)}＿＿＿＿＿＿　　{md_escape(block.recorder)}＿＿＿＿＿＿",
                    "", f"{md_escape(block.date)}", ""]
    return "\n".join(out).rstrip() + "\n"


# ---- Word ------------------------------------------------------------------------------------------

def to_docx(minutes: Minutes, locale: str | None = None) -> bytes:
    """The usual 议事记录 form: title, header table, body, 表决情况 table, signature lines."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    def east_asian(element, font: str) -> None:
        rpr = element.get_or_add_rPr()
        rfonts = rpr.find(qn("w:rFonts"))
        if rfonts is None:
            rfonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(rfonts)
        rfonts.set(qn("w:eastAsia"), font)

    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2.2)
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(10.5)  # 五号
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    normal.paragraph_format.space_after = Pt(2)
    blocks = outline(minutes, locale)
    title_text = next(b.text for b in blocks if isinstance(b, Title))
    document.core_properties.title = title_text
    document.core_properties.author = ", ".join(minutes.recorders) or "Yishi"
    document.core_properties.subject = minutes.chain_head

    def run(paragraph, text: str, *, bold: bool = False, size: float | None = None, font: str | None = None):
        r = paragraph.add_run(text)
        r.bold = bold or None
        if size:
            r.font.size = Pt(size)
        if font:
            r.font.name = font
            east_asian(r._element, font)
        return r

    for block in blocks:
        if isinstance(block, Title):
            p = document.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run(p, block.text, bold=True, size=16, font="黑体")
            p = document.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run(p, block.subtitle, size=9)
        elif isinstance(block, Fields):
            table = document.add_table(rows=0, cols=4)
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for pairs in block.rows:
                cells = table.add_row().cells
                if len(pairs) == 1:
                    cells[0].text = pairs[0][0]
                    merged = cells[1].merge(cells[3])
                    merged.text = pairs[0][1]
                else:
                    for i, (label, value) in enumerate(pairs):
                        cells[2 * i].text = label
                        cells[2 * i + 1].text = value
                for i, cell in enumerate(cells):
                    if i % 2 == 0 and cell.paragraphs and cell.paragraphs[0].runs:
                        cell.paragraphs[0].runs[0].bold = True
            for row in table.rows:
                for i, width in enumerate((Cm(2.6), Cm(5.4), Cm(2.6), Cm(5.4))):
                    row.cells[i].width = width
        elif isinstance(block, Heading):
            p = document.add_paragraph()
            p.paragraph_format.space_before = Pt(10)
            run(p, block.text, bold=True, size=12, font="黑体")
        elif isinstance(block, Para):
            p = document.add_paragraph()
            if block.note:
                run(p, block.text, size=8)
            elif block.level == 0:
                p.paragraph_format.space_before = Pt(6)
                run(p, block.text, bold=True)
            else:
                p.paragraph_format.left_indent = Cm(0.74 * block.level)
                run(p, block.text, size=9.5 if block.level >= 2 else None)
        elif isinstance(block, Table):
            table = document.add_table(rows=1, cols=len(block.header))
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for cell, text in zip(table.rows[0].cells, block.header):
                cell.text = text
                cell.paragraphs[0].runs[0].bold = True
            for values in block.rows:
                for cell, text in zip(table.add_row().cells, values):
                    cell.text = text
            total = sum(block.widths)
            for i, column in enumerate(table.columns):
                column.width = Cm(16.0 * block.widths[i] / total)
        elif isinstance(block, Signatures):
            document.add_paragraph()
            p = document.add_paragraph()
            run(p, f"{block.chair}＿＿＿＿＿＿＿＿　　　　{block.recorder}＿＿＿＿＿＿＿＿")
            p = document.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            run(p, block.date)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ---- PDF ---------------------------------------------------------------------------------------------

_PDF_FONT: dict[str, str] = {}


def pdf_font(path: str | None = CJK_FONT_PATH) -> str:
    """Register (once) and name the font: the embedded TrueType CJK font when installed, else a CID font."""
    from reportlab.pdfbase import pdfmetrics

    key = path or ""
    if key in _PDF_FONT:
        return _PDF_FONT[key]
    name = "STSong-Light"
    if path and os.path.exists(path):
        from reportlab.pdfbase.ttfonts import TTFont
        try:
            pdfmetrics.registerFont(TTFont("YishiCJK", path, subfontIndex=0))
            name = "YishiCJK"
        except Exception:  # an unreadable font file must not stop the minutes
            name = "STSong-Light"
    if name == "STSong-Light":
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    _PDF_FONT[key] = name
    return name


def to_pdf(minutes: Minutes, locale: str | None = None, *, font_path: str | None = CJK_FONT_PATH) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer
    from reportlab.platypus import Table as PdfTable
    from reportlab.platypus import TableStyle

    font = pdf_font(font_path)
    w = _Words(locale)
    blocks = outline(minutes, locale)
    title_text = next(b.text for b in blocks if isinstance(b, Title))

    def style(name: str, size: float, **extra) -> ParagraphStyle:
        return ParagraphStyle(name, fontName=font, fontSize=size, leading=size * 1.5, wordWrap="CJK", **extra)

    body = style("body", 10.5)
    detail = [style("item", 10.5, spaceBefore=5), style("detail", 10, leftIndent=7 * mm),
              style("quote", 9.5, leftIndent=14 * mm, textColor=colors.HexColor("#333333"))]
    heading = style("heading", 13, spaceBefore=10, spaceAfter=4)
    title = style("title", 18, alignment=TA_CENTER, spaceAfter=2)
    subtitle = style("subtitle", 9, alignment=TA_CENTER, spaceAfter=8)
    note = style("note", 7.5, textColor=colors.HexColor("#555555"))
    cell = style("cell", 9)
    right = style("right", 10.5, alignment=TA_RIGHT)
    width = A4[0] - 40 * mm

    def para(text: str, st: ParagraphStyle, bold: bool = False) -> Paragraph:
        escaped = xml_escape(text)
        return Paragraph(f"<b>{escaped}</b>" if bold else escaped, st)

    grid = [("FONT", (0, 0), (-1, -1), font, 9), ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]
    story = []
    for block in blocks:
        if isinstance(block, Title):
            story += [para(block.text, title), para(block.subtitle, subtitle)]
        elif isinstance(block, Fields):
            data, spans = [], []
            for r, pairs in enumerate(block.rows):
                if len(pairs) == 1:
                    data.append([para(pairs[0][0], cell), para(pairs[0][1], cell), "", ""])
                    spans.append(("SPAN", (1, r), (3, r)))
                else:
                    data.append([para(x, cell) for pair in pairs for x in pair])
            table = PdfTable(data, colWidths=[width * f for f in (0.15, 0.35, 0.15, 0.35)])
            table.setStyle(TableStyle(grid + spans + [("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F2F2F2"))]))
            story.append(table)
        elif isinstance(block, Heading):
            story.append(para(block.text, heading))
        elif isinstance(block, Para):
            if block.note:
                story.append(para(block.text, note))
            else:
                story.append(para(block.text, detail[min(block.level, 2)], bold=block.level == 0))
        elif isinstance(block, Table):
            total = sum(block.widths)
            data = [[para(h, cell, bold=True) for h in block.header]]
            data += [[para(c, cell) for c in row] for row in block.rows]
            table = LongTable(data, colWidths=[width * x / total for x in block.widths], repeatRows=1)
            table.setStyle(TableStyle(grid + [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F2F2F2"))]))
            story.append(table)
        elif isinstance(block, Signatures):
            story += [Spacer(1, 14 * mm),
                      para(f"{block.chair}＿＿＿＿＿＿＿＿　　　　{block.recorder}＿＿＿＿＿＿＿＿", body),
                      Spacer(1, 6 * mm), para(block.date, right), Spacer(1, 8 * mm)]

    def page_number(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, w("minutes.page", page=doc.page))
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=title_text, author=", ".join(minutes.recorders) or "Yishi",
                            subject=minutes.chain_head, creator="Yishi")
    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return buffer.getvalue()


# ---- CSV and JSON ------------------------------------------------------------------------------------

def to_csv(minutes: Minutes, locale: str | None = None) -> bytes:
    """One row per motion and per ballot outcome; UTF-8 with a BOM so Excel reads the Chinese."""
    w = _Words(locale)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([w(f"minutes.csv.{name}") for name in ROW_FIELDS])
    for row in minutes_rows(minutes):
        writer.writerow([_csv_value(w, name, row[name]) for name in ROW_FIELDS])
    return out.getvalue().encode("utf-8-sig")


def _csv_value(w: _Words, name: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return w("minutes.csv.true" if value else "minutes.csv.false")
    if name == "record":
        return w(f"minutes.csv.record.{value}")
    if name == "kind":
        return w(f"minutes.kind.{value}")
    if name == "state":
        return w(f"minutes.state.{value}")
    if name == "threshold":
        return w(f"minutes.threshold.{value}")
    if name == "rule":
        return w(f"minutes.rule.{value}")
    if name == "roll_call":
        return "; ".join(f"{who}:{w(f'minutes.choice.{choice}')}"
                         for who, _, choice in (part.rpartition(":") for part in str(value).split("; ")))
    return str(value)


def to_json(minutes: Minutes) -> bytes:
    """The whole model plus the same rows as the CSV, with stable English keys and codes, for archives."""
    document = {"schema": "yishi.minutes/1", "minutes": minutes_to_dict(minutes), "rows": minutes_rows(minutes)}
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def render(minutes: Minutes, fmt: str, locale: str | None = None) -> bytes:
    """The minutes in one of FORMATS."""
    fmt = (fmt or "").strip().lower().lstrip(".")
    if fmt in ("md", "markdown"):
        return to_markdown(minutes, locale).encode("utf-8")
    if fmt == "docx":
        return to_docx(minutes, locale)
    if fmt == "pdf":
        return to_pdf(minutes, locale)
    if fmt == "csv":
        return to_csv(minutes, locale)
    if fmt == "json":
        return to_json(minutes)
    raise BadFormat(format=fmt, formats=", ".join(FORMATS))
