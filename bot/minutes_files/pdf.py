"""The minutes as an A4 PDF in the same form as the DOCX, with its Chinese fonts embedded (fonts.py)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.lib.colors import black
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, LongTable, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable
from reportlab.platypus.flowables import Flowable

from deliberation.minutes import Minutes

from .fonts import DocumentFonts, document_fonts, face_font
from .outline import Block, Fields, Heading, Para, Signatures, Table, Title, outline, xml_safe
from .words import Words

_PAGE_WIDTH = A4[0]
_TEXT_WIDTH = _PAGE_WIDTH - 40 * mm  # A4 less the margins
_CELL_SIZE, _CELL_PADDING = 9, 6  # table text size; a cell's left + right padding
_GREY = colors.HexColor("#F2F2F2")  # header cells


def pdf_font(text: str) -> str:
    """The registered name of the embedded body font (Noto Serif SC) holding every character of `text`: pass
    every text the PDF will print (a character left out is drawn as an empty box)."""
    return face_font("body", text)


def block_text(blocks: list[Block]) -> str:
    """Every character the blocks print (every text a block holds, however deep), so that the document's fonts
    hold them all."""
    parts: list[str] = []

    def collect(value: object) -> None:
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, (tuple, list)):
            for item in value:
                collect(item)
        elif is_dataclass(value):
            for f in fields(value):
                collect(getattr(value, f.name))

    collect(blocks)
    return xml_safe("".join(parts))


_NO_LINE_START = set("，。、；：？！）》」』】〕…,.;:?!)]}%％")
_WORD_CHAR = re.compile(r"[A-Za-z0-9_@#'’.%/㎡²\-]")  # runs of these stay on one line: words, 80.77%, 21/26


class _Measure:
    """Text widths in one font and size, one lookup per distinct character."""

    def __init__(self, font: str, size: float) -> None:
        self.font, self.size = font, size
        self._cache: dict[str, float] = {}

    def char(self, ch: str) -> float:
        width = self._cache.get(ch)
        if width is None:
            width = self._cache[ch] = stringWidth(ch, self.font, self.size)
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


class Lines(Flowable):
    """Pre-wrapped lines drawn as plain strings: no markup parsing, no per-character wrapping inside
    reportlab, and it splits between lines at page breaks. With it a thousand-motion record renders
    in about a second instead of several."""

    def __init__(self, lines: list[str], style: ParagraphStyle, bold: bool = False) -> None:
        super().__init__()
        self.lines, self.style, self.bold = lines, style, bold
        self.spaceBefore, self.spaceAfter = style.spaceBefore, style.spaceAfter
        self.keepWithNext = getattr(style, "keepWithNext", 0)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        self.height = self.style.leading * len(self.lines)
        return available_width, self.height

    def split(self, available_width: float, available_height: float) -> list[Lines]:
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
                spare = (
                    self.width
                    - style.leftIndent
                    - style.rightIndent
                    - canvas.stringWidth(line, style.fontName, style.fontSize)
                )
                text.setTextOrigin(
                    style.leftIndent + (spare / 2 if style.alignment == 1 else spare), baseline - i * style.leading
                )
                text.textOut(line)
        else:
            text.setTextOrigin(style.leftIndent, baseline)
            for line in self.lines:
                text.textLine(line)
        canvas.drawText(text)


@dataclass(frozen=True)
class _Styles:
    """The paragraph styles of the minutes: 宋体-style body, 黑体-style title and headings; `detail` is indexed
    by outline level."""

    body: ParagraphStyle
    detail: tuple[ParagraphStyle, ...]
    heading: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    note: ParagraphStyle
    right: ParagraphStyle

    @classmethod
    def in_fonts(cls, fonts: DocumentFonts) -> _Styles:
        def style(name: str, size: float, font: str = fonts.body, **extra: Any) -> ParagraphStyle:
            return ParagraphStyle(name, fontName=font, fontSize=size, leading=size * 1.5, wordWrap="CJK", **extra)

        quote_grey = colors.HexColor("#333333")
        return cls(
            body=style("body", 10.5),
            detail=(
                style("item", 10.5, spaceBefore=5),
                style("detail", 10, leftIndent=7 * mm),
                style("quote", 9.5, leftIndent=14 * mm, textColor=quote_grey),
                style("quote2", 9.5, leftIndent=21 * mm, textColor=quote_grey),
            ),
            heading=style("heading", 13, fonts.heading, spaceBefore=10, spaceAfter=4, keepWithNext=1),
            title=style("title", 18, fonts.heading, alignment=TA_CENTER, spaceAfter=2),
            subtitle=style("subtitle", 9, alignment=TA_CENTER, spaceAfter=8),
            note=style("note", 7.5, textColor=colors.HexColor("#555555")),
            right=style("right", 10.5, alignment=TA_RIGHT),
        )


class _Story:
    """Turns the outline's blocks into reportlab flowables, wrapping every text itself."""

    def __init__(self, fonts: DocumentFonts) -> None:
        self.fonts = fonts
        self.styles = _Styles.in_fonts(fonts)
        self.measures: dict[tuple[str, float], _Measure] = {}
        self.grid = [
            ("FONT", (0, 0), (-1, -1), fonts.body, _CELL_SIZE, _CELL_SIZE * 1.3),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]

    def measure(self, size: float, font: str | None = None) -> _Measure:
        key = (font or self.fonts.body, size)
        if key not in self.measures:
            self.measures[key] = _Measure(*key)
        return self.measures[key]

    def para(self, text: str, style: ParagraphStyle, bold: bool = False) -> Lines:
        available = _TEXT_WIDTH - style.leftIndent - style.rightIndent
        return Lines(self.measure(style.fontSize, style.fontName).wrap(xml_safe(text), available), style, bold)

    def cell(self, text: str, column_width: float) -> str:
        """Table cells are plain strings, wrapped here: the table draws one line per '\\n'."""
        return "\n".join(self.measure(_CELL_SIZE).wrap(xml_safe(text), column_width - _CELL_PADDING))

    def flowables(self, block: Block) -> list[Flowable]:
        styles = self.styles
        if isinstance(block, Title):
            return [self.para(block.text, styles.title, bold=True), self.para(block.subtitle, styles.subtitle)]
        if isinstance(block, Fields):
            return [self.fields(block)]
        if isinstance(block, Heading):
            return [self.para(block.text, styles.heading, bold=True)]
        if isinstance(block, Para):
            if block.note:
                return [self.para(block.text, styles.note)]
            return [self.para(block.text, styles.detail[min(block.level, 3)], bold=block.level == 0)]
        if isinstance(block, Table):
            return [self.table(block)]
        return self.signatures(block)

    def signatures(self, block: Signatures) -> list[Flowable]:
        tellers = f"{block.counter}　　　　{block.scrutineer}"
        return [
            Spacer(1, 14 * mm),
            *([self.para(tellers, self.styles.body), Spacer(1, 4 * mm)] if block.counter else []),
            self.para(f"{block.chair}＿＿＿＿＿＿＿＿　　　　{block.recorder}＿＿＿＿＿＿＿＿", self.styles.body),
            Spacer(1, 6 * mm),
            self.para(block.date, self.styles.right),
            Spacer(1, 8 * mm),
        ]

    def fields(self, block: Fields) -> PdfTable:
        """The header: four columns; a row with one pair spans its value over the last three."""
        columns = [_TEXT_WIDTH * f for f in (0.15, 0.35, 0.15, 0.35)]
        data, spans = [], []
        for r, pairs in enumerate(block.rows):
            if len(pairs) == 1:
                data.append([self.cell(pairs[0][0], columns[0]), self.cell(pairs[0][1], sum(columns[1:])), "", ""])
                spans.append(("SPAN", (1, r), (3, r)))
            else:
                data.append([self.cell(x, columns[i]) for i, x in enumerate(x for pair in pairs for x in pair)])
        table = PdfTable(data, colWidths=columns)
        table.setStyle(TableStyle(self.grid + spans + [("BACKGROUND", (0, 0), (0, -1), _GREY)]))
        return table

    def table(self, block: Table) -> LongTable:
        """A grid whose header row repeats on every page."""
        total = sum(block.widths)
        columns = [_TEXT_WIDTH * x / total for x in block.widths]
        data = [[self.cell(h, c) for h, c in zip(block.header, columns, strict=True)]]
        data += [[self.cell(v, c) for v, c in zip(row, columns, strict=True)] for row in block.rows]
        table = LongTable(data, colWidths=columns, repeatRows=1)
        table.setStyle(TableStyle(self.grid + [("BACKGROUND", (0, 0), (-1, 0), _GREY)]))
        return table


def _story(story: _Story, blocks: list[Block]) -> list[Flowable]:
    """The flowables of the blocks; the signature lines are kept on one page with the text before them
    (the last lines of a paragraph, or the whole block before), so they never stand alone on a page."""
    flowables: list[Flowable] = []
    for block in blocks:
        made = story.flowables(block)
        if isinstance(block, Signatures) and flowables:
            before = flowables.pop()
            if isinstance(before, Lines) and len(before.lines) > _LINES_WITH_SIGNATURES:
                head = Lines(before.lines[:-_LINES_WITH_SIGNATURES], before.style, before.bold)
                before = Lines(before.lines[-_LINES_WITH_SIGNATURES:], before.style, before.bold)
                head.spaceAfter, before.spaceBefore = 0, 0
                flowables.append(head)
            made = [KeepTogether([before, *made])]
        flowables += made
    return flowables


_LINES_WITH_SIGNATURES = 2


class PagedCanvas(Canvas):
    """A canvas that holds its pages back until the end, so each can say "第 N 页 共 M 页"; it starts in the
    document's own font (reportlab's default Helvetica would be an unembedded font) and says it is zh-CN."""

    def __init__(self, *args: Any, footer: Any, font: str, **kwargs: Any) -> None:
        kwargs.update(initialFontName=font, lang="zh-CN")
        super().__init__(*args, **kwargs)
        self._footer, self._font, self._pages = footer, font, []  # type: ignore[var-annotated]

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.saveState()
            self.setFont(self._font, 8)
            self.drawCentredString(_PAGE_WIDTH / 2, 10 * mm, self._footer(number, total))
            self.restoreState()
            super().showPage()
        super().save()


def paged_canvas(footer: Any, font: str) -> Any:
    """The `canvasmaker` for a document template: pages numbered by `footer(page, pages)`."""
    return lambda *args, **kwargs: PagedCanvas(*args, footer=footer, font=font, **kwargs)


def to_pdf(minutes: Minutes, locale: str | None = None) -> bytes:
    """The same form as the DOCX, as an A4 PDF with its Chinese fonts embedded and "第 N 页 共 M 页" on
    every page."""
    w = Words(locale)
    blocks = outline(minutes, locale)
    footer = lambda page, pages: w("files.page", page=page, pages=pages)  # noqa: E731
    fonts = document_fonts(block_text(blocks) + footer(0, 0) + "0123456789")
    flowables = _story(_Story(fonts), blocks)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=next(b.text for b in blocks if isinstance(b, Title)),
        author=minutes.council_name,
        subject=minutes.chain_head,
        creator="Yishi",
        lang="zh-CN",
    )
    doc.build(flowables, canvasmaker=paged_canvas(footer, fonts.body))
    return buffer.getvalue()
