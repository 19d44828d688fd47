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
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction

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
        last = minutes.period_end - timedelta(seconds=1)  # periods end at a midnight, exclusive
        if last.date() == minutes.period_start.date():
            return w("minutes.scope.day", day=w.day(last))
        return w("minutes.scope.period", start=w.day(minutes.period_start), end=w.day(last))
    if minutes.scope == "motions":
        return w("minutes.scope.motions", numbers=w.sep.join(str(n) for n in minutes.motion_numbers))
    return w("minutes.scope.all")


def _time_label(w: _Words, minutes: Minutes) -> str:
    start, end = minutes.starts_at, minutes.ends_at
    if start is None and end is None:
        return "—"
    if start is not None and end is not None and w.when(start) != w.when(end):
        if start.date() == end.date():
            return w("minutes.time.same_day", day=w.day(start), start=f"{start:%H:%M}", end=f"{end:%H:%M}")
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
    yield Para(w("minutes.motion.mover", name=motion.mover or "—") + w("minutes.field_separator")
               + w("minutes.motion.raised_at", when=w.when(motion.raised_at)), level)
    if motion.original_text:
        yield Para(w("minutes.motion.original", text=motion.original_text), level)
    children = minutes.children(motion.number)
    shown = {child.number for child in children}
    for amendment in motion.amendments:  # amendments settled outside this record: their fate only
        if amendment.number not in shown:
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
    for child in children:  # amendments and subsidiary motions are settled before the motion itself
        yield from _motion_blocks(w, minutes, child, None)
    if motion.debate_closed:
        yield Para(w("minutes.motion.debate_closed"), level)
    for vote in motion.votes:
        first, *rest = vote_lines(w, vote)
        yield Para(first, level)
        for line in rest:
            yield Para(line, level + 1)
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
        widths = [0.8, 2.8, 1.2, 1.2, 1.2, 1.2, 2.6]
    header.append(w("minutes.table.result"))
    widths.append(1.0)
    rows = []
    for vote in votes:
        if vote.weighted:
            cells = [w("minutes.table.weighted_cell", count=count, area=area_m2(area)) if vote.closed else "—"
                     for count, area in ((vote.yes, vote.yes_area_cm2), (vote.no, vote.no_area_cm2),
                                         (vote.abstain, vote.abstain_area_cm2))]
        else:
            cells = [str(n) if vote.closed else "—" for n in (vote.yes, vote.no, vote.abstain)]
        motion = minutes.motion(vote.number)
        item = _clip(texts.get(vote.number, ""))
        if motion is not None and motion.kind != "main":
            item = w("minutes.table.child_item", kind=w(f"minutes.kind.{motion.kind}"), parent=motion.parent,
                     text=item)
        row = [f"#{vote.number}", item, w.method(vote), *cells]
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
        lines.append(w("minutes.roll_call.line", number=vote.number, when=w.when(vote.closed_at),
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
    """Plain text for a chat message (the adapter escapes it): the votes as lines, no signature lines,
    no chain head (that is in the files and in /verify). Long minutes may exceed one message: send
    the file then."""
    colon = "：" if Translator(locale).locale.startswith("zh") else ": "
    lines: list[str] = []
    for block in outline(minutes, locale):
        if isinstance(block, Title):
            lines += [block.text, block.subtitle, ""]
        elif isinstance(block, Fields):
            lines += [colon.join(pair) for row in block.rows for pair in row]
        elif isinstance(block, Heading):
            lines += ["", block.text]
        elif isinstance(block, Para):
            if not block.note:
                lines.append("  " * block.level + ("· " if block.level >= 2 else "") + block.text)
        elif isinstance(block, Table):
            lines += ["  " + "｜".join(" ".join(cell.split()) for cell in row) for row in (block.header, *block.rows)]
    return "\n".join(lines).strip()


_MD_SPECIALS = set("\\`*_[]<>|~")  # our text never starts a line, so #, +, - and 1. stay literal


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
            out += ["", f"## {md_escape(block.text)}", ""]
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
    text = "\n".join(out).strip()
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text + "\n"


# ---- Word ------------------------------------------------------------------------------------------

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    """Control characters cannot live in XML (DOCX) or reportlab markup: drop them."""
    return _XML_ILLEGAL.sub("", text)


def to_docx(minutes: Minutes, locale: str | None = None) -> bytes:
    """The usual 议事记录 form: title, header table, body, 表决情况 table, signature lines.

    Body paragraphs and table rows are written as WordprocessingML directly and carry named
    styles instead of direct formatting: python-docx's `add_paragraph` scans the whole body on
    every call, which made a thousand-motion record take seconds.
    """
    from docx import Document
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

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

    def add_style(name: str, *, size: float | None = None, bold: bool = False, font: str | None = None,
                  indent: float = 0, before: float = 0, align=None, grey: bool = False) -> str:
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        if size:
            style.font.size = Pt(size)
        style.font.bold = bold or None
        if font:
            style.font.name = font
            style.element.rPr.rFonts.set(qn("w:eastAsia"), font)
        if grey:
            style.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
        if indent:
            style.paragraph_format.left_indent = Cm(indent)
        if before:
            style.paragraph_format.space_before = Pt(before)
        if align is not None:
            style.paragraph_format.alignment = align
        return style.style_id

    styles = {
        "title": add_style("Minutes Title", size=16, bold=True, font="黑体", align=WD_ALIGN_PARAGRAPH.CENTER),
        "subtitle": add_style("Minutes Subtitle", size=9, align=WD_ALIGN_PARAGRAPH.CENTER),
        "heading": add_style("Minutes Heading", size=12, bold=True, font="黑体", before=10),
        0: add_style("Minutes Item", bold=True, before=6),
        1: add_style("Minutes Detail", indent=0.74),
        2: add_style("Minutes Quote", size=9.5, indent=1.48),
        3: add_style("Minutes Quote 2", size=9.5, indent=2.22),
        "note": add_style("Minutes Note", size=8, grey=True),
        "right": add_style("Minutes Right", align=WD_ALIGN_PARAGRAPH.RIGHT),
        "cell": add_style("Minutes Cell", size=9),
        "cell_bold": add_style("Minutes Cell Head", size=9, bold=True),
    }
    body = document.element.body
    end = body.find(qn("w:sectPr"))
    space = "{http://www.w3.org/XML/1998/namespace}space"

    def paragraph_xml(text: str, style_id: str):
        p = OxmlElement("w:p")
        ppr = OxmlElement("w:pPr")
        pstyle = OxmlElement("w:pStyle")
        pstyle.set(qn("w:val"), style_id)
        ppr.append(pstyle)
        p.append(ppr)
        if text:
            r = OxmlElement("w:r")
            t = OxmlElement("w:t")
            t.text = _xml_safe(text)
            t.set(space, "preserve")
            r.append(t)
            p.append(r)
        return p

    def paragraph(text: str, style_id: str) -> None:
        end.addprevious(paragraph_xml(text, style_id))

    def fill(cell, text: str, style_id: str) -> None:
        tc = cell._tc
        for p in tc.findall(qn("w:p")):
            tc.remove(p)
        tc.append(paragraph_xml(text, style_id))

    blocks = outline(minutes, locale)
    title_text = next(b.text for b in blocks if isinstance(b, Title))
    document.core_properties.title = title_text
    document.core_properties.author = ", ".join(minutes.recorders) or "Yishi"
    document.core_properties.subject = minutes.chain_head

    for block in blocks:
        if isinstance(block, Title):
            paragraph(block.text, styles["title"])
            paragraph(block.subtitle, styles["subtitle"])
        elif isinstance(block, Fields):
            table = document.add_table(rows=len(block.rows), cols=4)
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for row, pairs in zip(table.rows, block.rows):
                cells = row.cells
                for i, width in enumerate((Cm(2.6), Cm(5.4), Cm(2.6), Cm(5.4))):
                    cells[i].width = width
                if len(pairs) == 1:
                    fill(cells[0], pairs[0][0], styles["cell_bold"])
                    fill(cells[1].merge(cells[3]), pairs[0][1], styles["cell"])
                else:
                    for i, (label, value) in enumerate(pairs):
                        fill(cells[2 * i], label, styles["cell_bold"])
                        fill(cells[2 * i + 1], value, styles["cell"])
        elif isinstance(block, Heading):
            paragraph(block.text, styles["heading"])
        elif isinstance(block, Para):
            paragraph(block.text, styles["note"] if block.note else styles[min(block.level, 3)])
        elif isinstance(block, Table):
            table = document.add_table(rows=1, cols=len(block.header))
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            total = sum(block.widths)
            widths = [int(Cm(16.0 * x / total)) for x in block.widths]
            for column, width in zip(table.columns, widths):
                column.width = width
            for cell, text, width in zip(table.rows[0].cells, block.header, widths):
                cell.width = width
                fill(cell, text, styles["cell_bold"])
            tbl = table._tbl
            header_props = OxmlElement("w:trPr")
            header_props.append(OxmlElement("w:tblHeader"))  # the header repeats on every page
            tbl.tr_lst[0].insert(0, header_props)
            for values in block.rows:
                tr = OxmlElement("w:tr")
                for text, width in zip(values, widths):
                    tc = OxmlElement("w:tc")
                    tcpr = OxmlElement("w:tcPr")
                    tcw = OxmlElement("w:tcW")
                    tcw.set(qn("w:w"), str(width // 635))  # EMU -> twentieths of a point
                    tcw.set(qn("w:type"), "dxa")
                    tcpr.append(tcw)
                    tc.append(tcpr)
                    tc.append(paragraph_xml(text, styles["cell"]))
                    tr.append(tc)
                tbl.append(tr)
        elif isinstance(block, Signatures):
            paragraph("", styles[1])
            paragraph(f"{block.chair}＿＿＿＿＿＿＿＿　　　　{block.recorder}＿＿＿＿＿＿＿＿", "Normal")
            paragraph(block.date, styles["right"])
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


_NO_LINE_START = set("，。、；：？！）》」』】〕…,.;:?!)]}%％")
_WORD_CHAR = re.compile(r"[A-Za-z0-9_@#'’.%/㎡²\-]")  # runs of these stay on one line: words, 80.77%, 21/26


class _Measure:
    """Text widths in one font and size, one lookup per distinct character."""

    def __init__(self, font: str, size: float) -> None:
        from reportlab.pdfbase.pdfmetrics import stringWidth
        self._width = lambda ch: stringWidth(ch, font, size)
        self._cache: dict[str, float] = {}
        self.size = size

    def char(self, ch: str) -> float:
        width = self._cache.get(ch)
        if width is None:
            width = self._cache[ch] = self._width(ch)
        return width

    def wrap(self, text: str, available: float) -> list[str]:
        """Lines that fit `available` points: break anywhere in Chinese, between words in Latin text,
        and never start a line with closing punctuation (it stays at the end of the line before)."""
        if "\n" not in text and len(text) * self.size <= available:
            return [text]  # no CJK glyph is wider than 1 em, so a short text fits without measuring
        lines: list[str] = []
        for paragraph in text.split("\n"):
            line: list[str] = []
            used = 0.0
            for ch in paragraph:
                width = self.char(ch)
                if line and used + width > available and ch not in _NO_LINE_START:
                    carry: list[str] = []
                    if _WORD_CHAR.match(ch):  # do not cut a Latin word or a number in two
                        while line and _WORD_CHAR.match(line[-1]) and len(carry) < len(line) - 1:
                            carry.insert(0, line.pop())
                        if line and _WORD_CHAR.match(line[-1]):  # a word longer than the line: cut it
                            line += carry
                            carry = []
                    lines.append("".join(line).rstrip())
                    line = carry
                    used = sum(self.char(c) for c in line)
                    if ch == " " and not line:
                        continue
                line.append(ch)
                used += width
            lines.append("".join(line).rstrip())
        return lines or [""]


def _pdf_lines_class():
    """A flowable of pre-wrapped lines, drawn as plain strings: no markup parsing, no per-character
    wrapping inside reportlab, and it splits between lines at page breaks. With it a thousand-motion
    record renders in about a second instead of several."""
    from reportlab.lib.colors import black
    from reportlab.platypus.flowables import Flowable

    class Lines(Flowable):
        def __init__(self, lines: list[str], style, bold: bool = False) -> None:
            super().__init__()
            self.lines, self.style, self.bold = lines, style, bold
            self.spaceBefore, self.spaceAfter = style.spaceBefore, style.spaceAfter
            self.keepWithNext = getattr(style, "keepWithNext", 0)

        def wrap(self, available_width, available_height):
            self.width = available_width
            self.height = self.style.leading * len(self.lines)
            return available_width, self.height

        def split(self, available_width, available_height):
            fits = int(available_height // self.style.leading)
            if fits <= 0 or fits >= len(self.lines):
                return []
            head = Lines(self.lines[:fits], self.style, self.bold)
            tail = Lines(self.lines[fits:], self.style, self.bold)
            head.spaceAfter, tail.spaceBefore = 0, 0
            return [head, tail]

        def draw(self) -> None:
            style, canvas = self.style, self.canv
            if style.textColor != black:  # each flowable starts in black: skip the operator when we can
                canvas.setFillColor(style.textColor)
            if self.bold:  # the CJK font has no bold face: stroke the outlines a little
                canvas.setStrokeColor(style.textColor)
                canvas.setLineWidth(style.fontSize * 0.035)
            text = canvas.beginText()
            text.setFont(style.fontName, style.fontSize, style.leading)
            if self.bold:
                text.setTextRenderMode(2)
            # The first baseline where reportlab puts a paragraph's, so both look alike.
            baseline = self.height - style.fontSize
            if style.alignment in (1, 2):
                for i, line in enumerate(self.lines):
                    spare = self.width - style.leftIndent - style.rightIndent - canvas.stringWidth(
                        line, style.fontName, style.fontSize)
                    text.setTextOrigin(style.leftIndent + (spare / 2 if style.alignment == 1 else spare),
                                       baseline - i * style.leading)
                    text.textOut(line)
            else:
                text.setTextOrigin(style.leftIndent, baseline)
                for line in self.lines:
                    text.textLine(line)
            canvas.drawText(text)

    return Lines


def to_pdf(minutes: Minutes, locale: str | None = None, *, font_path: str | None = CJK_FONT_PATH) -> bytes:
    """The same form as the DOCX, as an A4 PDF with the CJK font embedded (or a CID font as fallback)."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import LongTable, SimpleDocTemplate, Spacer
    from reportlab.platypus import Table as PdfTable
    from reportlab.platypus import TableStyle

    font = pdf_font(font_path)
    Lines = _pdf_lines_class()
    w = _Words(locale)
    blocks = outline(minutes, locale)
    title_text = next(b.text for b in blocks if isinstance(b, Title))

    def style(name: str, size: float, **extra) -> ParagraphStyle:
        return ParagraphStyle(name, fontName=font, fontSize=size, leading=size * 1.5, wordWrap="CJK", **extra)

    body = style("body", 10.5)
    detail = [style("item", 10.5, spaceBefore=5), style("detail", 10, leftIndent=7 * mm),
              style("quote", 9.5, leftIndent=14 * mm, textColor=colors.HexColor("#333333")),
              style("quote2", 9.5, leftIndent=21 * mm, textColor=colors.HexColor("#333333"))]
    heading = style("heading", 13, spaceBefore=10, spaceAfter=4, keepWithNext=1)
    title = style("title", 18, alignment=TA_CENTER, spaceAfter=2)
    subtitle = style("subtitle", 9, alignment=TA_CENTER, spaceAfter=8)
    note = style("note", 7.5, textColor=colors.HexColor("#555555"))
    right = style("right", 10.5, alignment=TA_RIGHT)
    width = A4[0] - 40 * mm
    measures: dict[float, _Measure] = {}
    cell_size, padding = 9, 6  # table text size; a cell's left + right padding

    def measure(size: float) -> _Measure:
        if size not in measures:
            measures[size] = _Measure(font, size)
        return measures[size]

    def para(text: str, st: ParagraphStyle, bold: bool = False):
        available = width - st.leftIndent - st.rightIndent
        return Lines(measure(st.fontSize).wrap(_xml_safe(text), available), st, bold)

    def cell(text: str, column_width: float) -> str:
        """Table cells are plain strings, wrapped here: the table draws one line per '\\n'."""
        return "\n".join(measure(cell_size).wrap(_xml_safe(text), column_width - padding))

    grid = [("FONT", (0, 0), (-1, -1), font, cell_size, cell_size * 1.3),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]
    story = []
    for block in blocks:
        if isinstance(block, Title):
            story += [para(block.text, title, bold=True), para(block.subtitle, subtitle)]
        elif isinstance(block, Fields):
            columns = [width * f for f in (0.15, 0.35, 0.15, 0.35)]
            data, spans = [], []
            for r, pairs in enumerate(block.rows):
                if len(pairs) == 1:
                    data.append([cell(pairs[0][0], columns[0]), cell(pairs[0][1], sum(columns[1:])), "", ""])
                    spans.append(("SPAN", (1, r), (3, r)))
                else:
                    data.append([cell(x, columns[i]) for i, x in enumerate(x for pair in pairs for x in pair)])
            table = PdfTable(data, colWidths=columns)
            table.setStyle(TableStyle(grid + spans + [("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F2F2F2"))]))
            story.append(table)
        elif isinstance(block, Heading):
            story.append(para(block.text, heading, bold=True))
        elif isinstance(block, Para):
            if block.note:
                story.append(para(block.text, note))
            else:
                story.append(para(block.text, detail[min(block.level, 3)], bold=block.level == 0))
        elif isinstance(block, Table):
            total = sum(block.widths)
            columns = [width * x / total for x in block.widths]
            data = [[cell(h, c) for h, c in zip(block.header, columns)]]
            data += [[cell(v, c) for v, c in zip(row, columns)] for row in block.rows]
            table = LongTable(data, colWidths=columns, repeatRows=1)
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
