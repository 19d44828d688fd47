"""The 公示 notice: one printable A4 page for the building's notice board.

Big type for elderly readers: the title, the council, each decision with its count, the 公示 period, where to
object, and a QR code to the public record (the notice board page when it is published, else the chain head
itself) with the chain head printed beside it so anyone can check the record was not altered.
"""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from reportlab.graphics.barcode import qrencoder
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer
from reportlab.platypus import Table as PdfTable
from reportlab.platypus.flowables import Flowable

from deliberation.minutes import Minutes, MinutesMotion

from .fonts import document_fonts
from .outline import xml_safe
from .pdf import Lines, _Measure, paged_canvas
from .words import Words, clip

_MARGIN = 18 * mm
_WIDTH = A4[0] - 2 * _MARGIN
_HEIGHT = A4[1] - 2 * _MARGIN - 8 * mm  # less the footer line
_QR_SIZE = 50 * mm
_DECIDED = ("adopted", "rejected", "failed_quorum")


def notice_url(base: str, board_path: str | None, head: str) -> str:
    """What the QR code holds: the notice board page (with the chain head) when there is one, else the head."""
    if base and board_path:
        return f"{base.rstrip('/')}{board_path}#{head}"
    return f"yishi-chain:{head}"


def _decisions(w: Words, minutes: Minutes) -> list[str]:
    """Each main motion that was decided, in order: its wording, the result and the count as counted."""
    lines = []
    for motion in minutes.motions:
        if motion.kind != "main" or motion.state not in _DECIDED:
            continue
        lines.append(
            w("files.notice.decision", number=motion.number, text=clip(motion.text, 90), result=_result(w, motion))
        )
    return lines


def _result(w: Words, motion: MinutesMotion) -> str:
    vote = motion.final_vote
    state = w.state(motion)
    if vote is None or not vote.closed:
        return state
    if vote.sealed:
        return w("files.notice.sealed_result", state=state, voted=vote.cast)
    return w("files.notice.result", state=state, yes=vote.yes, no=vote.no, abstain=vote.abstain)


class QrCode(Flowable):
    """A QR code drawn as filled squares (no text, so no font), with its quiet zone."""

    def __init__(self, data: str, size: float = _QR_SIZE) -> None:
        super().__init__()
        self.code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
        self.code.addData(data)
        self.code.make()
        self.size = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        count = self.code.getModuleCount()
        cell = self.size / (count + 8)  # four modules of quiet zone on each side
        self.canv.setFillColor("black")
        for row in range(count):
            for col in range(count):
                if self.code.isDark(row, col):
                    self.canv.rect((col + 4) * cell, self.size - (row + 5) * cell, cell, cell, stroke=0, fill=1)


def _height(story: list[Flowable]) -> float:
    return sum(f.wrap(_WIDTH, _HEIGHT)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in story)


def to_notice(
    minutes: Minutes, locale: str | None = None, *, starts: datetime, ends: datetime, url: str, contact: str = ""
) -> bytes:
    """The 公示 notice of these minutes as a one-page A4 PDF; the period runs from `starts` to `ends`."""
    w = Words(locale)
    zone = ZoneInfo(minutes.timezone)
    starts, ends = starts.astimezone(zone), ends.astimezone(zone)  # the council's wall clock
    title = w("files.notice.title")
    council = w("files.notice.council", council=minutes.council_name)
    intro = w("files.notice.intro", council=minutes.council_name, version=w("minutes.version", version=minutes.version))
    decisions = _decisions(w, minutes) or [w("files.notice.no_decisions")]
    # civil278: the receipts counted are in the minutes; said beside the QR code, so the page keeps its size
    receipts = w("pack.notice.receipts") if any(v.closed and v.receipts for v in minutes.votes) else ""
    period = w("files.notice.period", start=w.day(starts), end=w.day(ends))
    objection = w("files.notice.objection", end=w.when(ends), contact=contact or w.names(minutes.recorders))
    scan = w("files.notice.scan" if url.startswith(("http://", "https://")) else "files.notice.scan_head")
    head = w("files.notice.head", head=minutes.chain_head)
    signed = [minutes.council_name, w.day(starts)]
    texts = [title, council, intro, *decisions, period, objection, scan, receipts, head, *signed]
    fonts = document_fonts(xml_safe("".join(texts)) + "0123456789")

    def build(size: float) -> list[Flowable]:
        def style(name: str, points: float, font: str = fonts.body, **extra: object) -> ParagraphStyle:
            return ParagraphStyle(name, fontName=font, fontSize=points, leading=points * 1.45, **extra)

        def lines(text: str, st: ParagraphStyle, width: float = _WIDTH, bold: bool = False) -> Lines:
            return Lines(_Measure(st.fontName, st.fontSize).wrap(xml_safe(text), width - st.leftIndent), st, bold)

        big = style("title", 40, fonts.heading, alignment=TA_CENTER, spaceAfter=6)
        sub = style("council", size + 2, fonts.heading, alignment=TA_CENTER, spaceAfter=14)
        body = style("body", size, spaceAfter=size * 0.5)
        item = style("item", size, leftIndent=size, spaceAfter=size * 0.4)
        small = style("small", 9, textColor="#333333")
        right = style("right", size, alignment=TA_RIGHT)
        qr_width = _QR_SIZE + 6 * mm
        side = [lines(scan, style("scan", 11), _WIDTH - qr_width), Spacer(1, 3 * mm)]
        if receipts:
            side += [lines(receipts, style("receipts", 13), _WIDTH - qr_width), Spacer(1, 3 * mm)]
        side.append(lines(head, small, _WIDTH - qr_width))
        code = PdfTable([[QrCode(url), side]], colWidths=[qr_width, _WIDTH - qr_width])
        code.setStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
        code.setStyle([("FONT", (0, 0), (-1, -1), fonts.body, 9)])  # not the unembedded default
        story: list[Flowable] = [lines(title, big, bold=True), lines(council, sub, bold=True), lines(intro, body)]
        story += [lines(text, item) for text in decisions]
        story += [Spacer(1, size * 0.5), lines(period, body, bold=True), lines(objection, body)]
        story += [Spacer(1, 6 * mm), code, Spacer(1, 6 * mm)]
        story += [lines(text, right) for text in signed]
        return story

    size = 22.0
    story = build(size)
    while size > 9 and _height(story) > _HEIGHT:
        size -= 1  # many decisions: smaller type rather than a second page
        story = build(size)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=_MARGIN,
        bottomMargin=_MARGIN,
        title=f"{title} {council}",
        author=minutes.council_name,
        subject=minutes.chain_head,
        creator="Yishi",
        lang="zh-CN",
    )
    doc.build(story, canvasmaker=paged_canvas(lambda page, pages: "", fonts.body))
    return buffer.getvalue()
