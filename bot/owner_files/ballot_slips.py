"""One A4 表决票 per owner: units, area, the matter in its final wording, three boxes, the signature line,
a QR code carrying the slip code (deliberation.channels), and a stub below the cut line with the receipt line."""

from __future__ import annotations

import html
import io
import string
from collections.abc import Sequence

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from deliberation.minutes import area_m2 as _m2
from deliberation.usecases import OwnersBallot, Slip

from ..i18n import Translator, moments, texts_under
from ..minutes_files.outline import xml_safe
from ..minutes_files.pdf import pdf_font

WIDTH, HEIGHT = A4
MARGIN = 18 * mm
QR_SIZE = 34 * mm
STUB_TOP = 62 * mm  # the cut line, measured from the bottom of the page


def area_m2(cm2: int) -> str:
    """ "89.5㎡": square centimetres as counted, in square metres."""
    return _m2(cm2) + "㎡"


def qr_modules(text: str) -> list[list[bool]]:
    """The QR code of `text` as its dark and light modules, quiet zone included (medium error correction: a
    crease or a pen mark still scans)."""
    # One fixed mask (any of the eight is valid): choosing the "best" one per code costs most of the time of a
    # large print run, and scanners read the fixed one as well.
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2, mask_pattern=2)
    code.add_data(text)
    code.make(fit=True)
    return code.get_matrix()


def draw_qr(canvas: Canvas, text: str, x: float, y: float, size: float) -> None:
    """Drawn as vector squares: sharp at any printer resolution, and no image to encode per slip."""
    modules = qr_modules(text)
    step = size / len(modules)
    path = canvas.beginPath()
    for row, line in enumerate(modules):
        col = 0
        while col < len(line):  # one rectangle per run of dark modules in a row
            if not line[col]:
                col += 1
                continue
            start = col
            while col < len(line) and line[col]:
                col += 1
            path.rect(x + start * step, y + size - (row + 1) * step, (col - start) * step, step)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1)


def _height(text: str, style: ParagraphStyle, width: float) -> float:
    return Paragraph(html.escape(xml_safe(text)), style).wrap(width, HEIGHT)[1]


def _paragraph(canvas: Canvas, text: str, style: ParagraphStyle, x: float, top: float, width: float) -> float:
    """Draw wrapped text with its top at `top`; returns the y below it."""
    para = Paragraph(html.escape(xml_safe(text)).replace("\n", "<br/>"), style)
    _, height = para.wrap(width, HEIGHT)
    para.drawOn(canvas, x, top - height)
    return top - height


def slips_pdf(t: Translator, council_title: str, timezone: str, found: OwnersBallot, slips: Sequence[Slip]) -> bytes:
    """The whole print run: one page per owner, in register order."""
    ballot, motion = found.ballot, found.motion
    closes = moments.spell(t.locale, ballot.closes_at, timezone)
    printed = [texts_under(t.locale, "slip."), council_title, motion.text, closes, string.printable]
    printed += [
        f"{slip.code}{slip.receipt}{slip.owner.name}{slip.owner.unit_codes}{area_m2(slip.owner.area_cm2)}"
        for slip in slips
    ]
    font = pdf_font("".join(printed))
    # Big type for elderly owners (适老化): nothing on the slip is smaller than 10.5 pt.
    body = ParagraphStyle("body", fontName=font, fontSize=13, leading=19, wordWrap="CJK")
    matter = ParagraphStyle("matter", parent=body, fontSize=15, leading=23)
    small = ParagraphStyle("small", parent=body, fontSize=10.5, leading=15)
    title_style = ParagraphStyle("title", parent=body, fontSize=20, leading=26, alignment=TA_CENTER)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(t("slip.file_title", title=council_title, number=motion.number))
    text_width = WIDTH - 2 * MARGIN
    for slip in slips:
        owner = slip.owner
        y = HEIGHT - MARGIN
        y = _paragraph(canvas, t("slip.title", title=council_title), title_style, MARGIN, y, text_width) - 4 * mm
        draw_qr(canvas, slip.code, WIDTH - MARGIN - QR_SIZE, y - QR_SIZE, QR_SIZE)
        canvas.setFont(font, 9)
        canvas.drawCentredString(WIDTH - MARGIN - QR_SIZE / 2, y - QR_SIZE - 4 * mm, slip.code)
        info_width = text_width - QR_SIZE - 6 * mm
        facts = [
            t("slip.number", number=motion.number, closes=closes),
            t("slip.units", units=owner.unit_codes),
            t("slip.owner", owner=owner.name),
            t("slip.area", area=area_m2(owner.area_cm2)),
            t("slip.code", code=slip.code),
        ]
        for line in facts:
            y = _paragraph(canvas, line, body, MARGIN, y, info_width) - 1 * mm
        y = min(y, HEIGHT - MARGIN - 30 * mm - QR_SIZE) - 4 * mm
        y = _paragraph(canvas, t("slip.matter_label"), body, MARGIN, y, text_width) - 1 * mm
        # The boxes, the signature and the stub need about 75 mm below the matter: a long wording gets smaller type.
        room = y - STUB_TOP - 75 * mm
        style = next(
            (st for st in (matter, body, small) if _height(motion.text, st, text_width - 8 * mm) <= room), small
        )
        y = _paragraph(canvas, motion.text, style, MARGIN + 4 * mm, y, text_width - 8 * mm) - 6 * mm
        key = "slip.rule_major" if ballot.threshold == "major" else "slip.rule_ordinary"
        y = _paragraph(canvas, t(key), small, MARGIN, y, text_width) - 8 * mm
        box = 9 * mm
        labels = [t("slip.yes"), t("slip.no"), t("slip.abstain")]
        step = text_width / len(labels)
        canvas.setLineWidth(1.2)
        for i, label in enumerate(labels):
            x = MARGIN + i * step + 8 * mm
            canvas.rect(x, y - box, box, box)
            canvas.setFont(font, 16)
            canvas.drawString(x + box + 4 * mm, y - box + 2.5 * mm, label)
        y -= box + 5 * mm
        y = _paragraph(canvas, t("slip.how"), small, MARGIN, y, text_width) - 10 * mm
        canvas.setFont(font, 12)
        canvas.drawString(MARGIN, y, t("slip.signature"))
        canvas.line(MARGIN + 34 * mm, y - 1 * mm, MARGIN + 100 * mm, y - 1 * mm)
        canvas.drawString(MARGIN + 108 * mm, y, t("slip.date"))
        canvas.line(MARGIN + 124 * mm, y - 1 * mm, WIDTH - MARGIN, y - 1 * mm)
        _stub(canvas, t, font, slip, motion.number, council_title)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _stub(canvas: Canvas, t: Translator, font: str, slip: Slip, number: int, council_title: str) -> None:
    """The part below the cut line the owner keeps: who handed in which slip, and its receipt code."""
    canvas.setDash(4, 3)
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN - 8 * mm, STUB_TOP, WIDTH - MARGIN + 8 * mm, STUB_TOP)
    canvas.setDash()
    canvas.setFont(font, 8)
    canvas.drawCentredString(WIDTH / 2, STUB_TOP + 1.5 * mm, t("slip.cut_here"))
    y = STUB_TOP - 9 * mm
    canvas.setFont(font, 13)
    canvas.drawString(MARGIN, y, t("slip.stub_title", title=council_title, number=number))
    canvas.setFont(font, 11)
    rows = [t("slip.stub_owner", units=slip.owner.unit_codes, owner=slip.owner.name), t("slip.code", code=slip.code)]
    for row in rows:
        y -= 7 * mm
        canvas.drawString(MARGIN, y, row)
    y -= 10 * mm
    canvas.drawString(MARGIN, y, t("slip.receipt"))
    canvas.drawString(MARGIN + 24 * mm, y, slip.receipt)
    canvas.drawString(MARGIN + 90 * mm, y, t("slip.received_by"))
    canvas.line(MARGIN + 112 * mm, y - 1 * mm, WIDTH - MARGIN, y - 1 * mm)
    y -= 9 * mm
    canvas.drawString(MARGIN, y, t("slip.received_at"))
    canvas.line(MARGIN + 24 * mm, y - 1 * mm, MARGIN + 84 * mm, y - 1 * mm)
