"""The minutes as a Word (DOCX) file in the usual 议事记录 form: title, header table, body, 表决情况, signatures."""

from __future__ import annotations

import io
import re
from datetime import UTC
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import _Cell

from deliberation.minutes import Minutes

from .outline import Block, Fields, Heading, Para, Signatures, Table, Title, outline, xml_safe
from .template import fill_template
from .words import Words

_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_TEXT_WIDTH_CM = 16.0  # A4 less the margins
_FIELD_WIDTHS = (Cm(2.6), Cm(5.4), Cm(2.6), Cm(5.4))  # label, value, label, value


def to_docx(minutes: Minutes, locale: str | None = None, *, template: bytes | None = None) -> bytes:
    """The usual 议事记录 form: title, header table, body, 表决情况 table, signature lines; or, given a Word
    `template` with Jinja tags (a 街道's own form, template.py), that form filled in.

    Body paragraphs and table rows are written as WordprocessingML directly and carry named
    styles instead of direct formatting: python-docx's `add_paragraph` scans the whole body on
    every call, which made a thousand-motion record take seconds.
    """
    if template is not None:
        filled = fill_template(template, minutes, locale)
        _properties(filled.docx, minutes, Words(locale)("minutes.title", council=minutes.council_name))
        out = io.BytesIO()
        filled.save(out)
        return out.getvalue()
    document = _a4_document()
    blocks = outline(minutes, locale)
    _properties(document, minutes, next(b.text for b in blocks if isinstance(b, Title)))
    _page_footer(document, Words(locale)("files.page", page="{page}", pages="{pages}"))
    writer = _Writer(document)
    for block in blocks:
        writer.write(block)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _properties(document: DocxDocument, minutes: Minutes, title: str) -> None:
    """The file's own properties: what it is, whose it is and when it was made (not python-docx's defaults)."""
    props = document.core_properties
    props.title = title
    props.author = props.last_modified_by = minutes.council_name
    props.created = props.modified = minutes.generated_at.astimezone(UTC)  # python-docx writes the clock as UTC
    props.subject = minutes.chain_head
    props.language = "zh-CN"
    props.revision = minutes.version
    props.comments = props.keywords = props.category = ""


def _field(instruction: str) -> Any:
    """A simple field Word fills in when it lays out the pages (PAGE, NUMPAGES)."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" {instruction} ")
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "1"
    r.append(t)
    field.append(r)
    return field


def _page_footer(document: DocxDocument, pattern: str) -> None:
    """ "第 N 页 共 M 页" centred in the footer, N and M as fields; `pattern` holds {page} and {pages}."""
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for part in re.split(r"(\{page\}|\{pages\})", pattern):
        if part == "{page}":
            paragraph._p.append(_field("PAGE"))
        elif part == "{pages}":
            paragraph._p.append(_field("NUMPAGES"))
        elif part:
            paragraph.add_run(part).font.size = Pt(9)


def _a4_document() -> DocxDocument:
    """An empty A4 document whose Normal style is 五号 宋体 (Times New Roman for Latin text)."""
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2.2)
    normal: Any = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(10.5)  # 五号
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    defaults = document.styles.element.find(qn("w:docDefaults"))
    for rpr in [normal.element.rPr, *defaults.iter(qn("w:rPr"))]:  # proofing and line breaking in Chinese
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), "zh-CN")
        lang.set(qn("w:eastAsia"), "zh-CN")
    normal.paragraph_format.space_after = Pt(2)
    return document


def _add_style(
    document: DocxDocument,
    name: str,
    *,
    size: float | None = None,
    bold: bool = False,
    font: str | None = None,
    indent: float = 0,
    before: float = 0,
    align: Any = None,
    grey: bool = False,
) -> str:
    """A paragraph style based on Normal; returns its id for `w:pStyle`."""
    style: Any = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
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
    return str(style.style_id)


def _styles(document: DocxDocument) -> dict[str | int, str]:
    """The named styles the minutes use; the int keys are a paragraph's outline level."""
    return {
        "title": _add_style(
            document, "Minutes Title", size=16, bold=True, font="黑体", align=WD_ALIGN_PARAGRAPH.CENTER
        ),
        "subtitle": _add_style(document, "Minutes Subtitle", size=9, align=WD_ALIGN_PARAGRAPH.CENTER),
        "heading": _add_style(document, "Minutes Heading", size=12, bold=True, font="黑体", before=10),
        0: _add_style(document, "Minutes Item", bold=True, before=6),
        1: _add_style(document, "Minutes Detail", indent=0.74),
        2: _add_style(document, "Minutes Quote", size=9.5, indent=1.48),
        3: _add_style(document, "Minutes Quote 2", size=9.5, indent=2.22),
        "note": _add_style(document, "Minutes Note", size=8, grey=True),
        "right": _add_style(document, "Minutes Right", align=WD_ALIGN_PARAGRAPH.RIGHT),
        "cell": _add_style(document, "Minutes Cell", size=9),
        "cell_bold": _add_style(document, "Minutes Cell Head", size=9, bold=True),
    }


def _paragraph_xml(text: str, style_id: str) -> Any:
    """A `w:p` with one run of text in a named style (an empty paragraph has no run)."""
    p = OxmlElement("w:p")
    ppr = OxmlElement("w:pPr")
    pstyle = OxmlElement("w:pStyle")
    pstyle.set(qn("w:val"), style_id)
    ppr.append(pstyle)
    p.append(ppr)
    if text:
        r = OxmlElement("w:r")
        t = OxmlElement("w:t")
        t.text = xml_safe(text)
        t.set(_XML_SPACE, "preserve")
        r.append(t)
        p.append(r)
    return p


def _keep_next(p: Any) -> None:
    ppr = p.find(qn("w:pPr"))
    if ppr is None:
        ppr = OxmlElement("w:pPr")
        p.insert(0, ppr)
    if ppr.find(qn("w:keepNext")) is None:
        keep = OxmlElement("w:keepNext")
        style = ppr.find(qn("w:pStyle"))
        if style is not None:  # w:pStyle comes first in w:pPr
            style.addnext(keep)
        else:
            ppr.insert(0, keep)


class _Writer:
    """Appends the outline's blocks to the document body, before its section properties."""

    def __init__(self, document: DocxDocument) -> None:
        self.document = document
        self.styles = _styles(document)
        self.end = document.element.body.find(qn("w:sectPr"))

    def write(self, block: Block) -> None:
        if isinstance(block, Title):
            self.paragraph(block.text, self.styles["title"])
            self.paragraph(block.subtitle, self.styles["subtitle"])
        elif isinstance(block, Fields):
            self.fields(block)
        elif isinstance(block, Heading):
            self.paragraph(block.text, self.styles["heading"])
        elif isinstance(block, Para):
            self.paragraph(block.text, self.styles["note"] if block.note else self.styles[min(block.level, 3)])
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, Signatures):
            self.keep_last_with_next()
            self.paragraph("", self.styles[1], keep_next=True)
            if block.counter:
                self.paragraph(f"{block.counter}　　　　{block.scrutineer}", "Normal", keep_next=True)
            self.paragraph(
                f"{block.chair}＿＿＿＿＿＿＿＿　　　　{block.recorder}＿＿＿＿＿＿＿＿", "Normal", keep_next=True
            )
            self.paragraph(block.date, self.styles["right"])

    def paragraph(self, text: str, style_id: str, *, keep_next: bool = False) -> None:
        p = _paragraph_xml(text, style_id)
        if keep_next:
            _keep_next(p)
        self.end.addprevious(p)

    def keep_last_with_next(self) -> None:
        """The signature lines never stand alone on a page: the paragraph (or table row) before them keeps
        with them."""
        last = self.end.getprevious()
        if last is None:
            return
        if last.tag == qn("w:tbl"):
            for p in last.findall(qn("w:tr"))[-1].iter(qn("w:p")):
                _keep_next(p)
        elif last.tag == qn("w:p"):
            _keep_next(last)

    def fill(self, cell: _Cell, text: str, style_id: str) -> None:
        """Replace a cell's paragraphs with one styled paragraph."""
        tc = cell._tc
        for p in tc.findall(qn("w:p")):
            tc.remove(p)
        tc.append(_paragraph_xml(text, style_id))

    def fields(self, block: Fields) -> None:
        """The header: four columns; a row with one pair spans its value over the last three."""
        table = self.document.add_table(rows=len(block.rows), cols=4)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for row, pairs in zip(table.rows, block.rows, strict=True):
            cells = row.cells
            for cell, width in zip(cells, _FIELD_WIDTHS, strict=True):
                cell.width = width
            if len(pairs) == 1:
                self.fill(cells[0], pairs[0][0], self.styles["cell_bold"])
                self.fill(cells[1].merge(cells[3]), pairs[0][1], self.styles["cell"])
            else:
                for i, (label, value) in enumerate(pairs):
                    self.fill(cells[2 * i], label, self.styles["cell_bold"])
                    self.fill(cells[2 * i + 1], value, self.styles["cell"])

    def table(self, block: Table) -> None:
        """A grid with a header row that repeats on every page; body rows are written as XML."""
        table = self.document.add_table(rows=1, cols=len(block.header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        total = sum(block.widths)
        widths = [int(Cm(_TEXT_WIDTH_CM * x / total)) for x in block.widths]
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width
        for cell, text, width in zip(table.rows[0].cells, block.header, widths, strict=True):
            cell.width = width
            self.fill(cell, text, self.styles["cell_bold"])
        tbl = table._tbl
        header_props = OxmlElement("w:trPr")
        header_props.append(OxmlElement("w:tblHeader"))  # the header repeats on every page
        tbl.tr_lst[0].insert(0, header_props)
        for values in block.rows:
            tbl.append(self._row_xml(values, widths))

    def _row_xml(self, values: tuple[str, ...], widths: list[int]) -> Any:
        tr = OxmlElement("w:tr")
        for text, width in zip(values, widths, strict=True):
            tc = OxmlElement("w:tc")
            tcpr = OxmlElement("w:tcPr")
            tcw = OxmlElement("w:tcW")
            tcw.set(qn("w:w"), str(width // 635))  # EMU -> twentieths of a point
            tcw.set(qn("w:type"), "dxa")
            tcpr.append(tcw)
            tc.append(tcpr)
            tc.append(_paragraph_xml(text, self.styles["cell"]))
            tr.append(tc)
        return tr
