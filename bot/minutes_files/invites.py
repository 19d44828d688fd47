"""Printable hall invitations: one A5-sized block per unit with its one-time code and a QR code to scan."""

from __future__ import annotations

import io
import string
from collections.abc import Sequence

import qrcode
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from ..i18n import Translator, texts_under
from .pdf import pdf_font


def qr_png(url: str) -> bytes:
    """A QR code of `url` as PNG (big modules: an old phone camera reads it from a notice board)."""
    image = qrcode.make(url, box_size=10, border=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def invite_sheets(t: Translator, council_title: str, invites: Sequence[tuple[str, str, str]]) -> bytes:
    """A PDF, two units to an A4 page: (unit, code, url) each, to cut in half and put on the doors."""
    printed = [texts_under(t.locale, "hall.invites."), council_title, string.printable]
    printed += [f"{unit}{code}" for unit, code, _ in invites]
    font = pdf_font("".join(printed))
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    width, height = A4
    for n, (unit, code, url) in enumerate(invites):
        top = height - (n % 2) * height / 2
        pdf.setFont(font, 20)
        pdf.drawCentredString(width / 2, top - 25 * mm, t("hall.invites.sheet_title", council=council_title))
        pdf.setFont(font, 26)
        pdf.drawString(20 * mm, top - 45 * mm, t("hall.invites.sheet_unit", unit=unit))
        pdf.drawString(20 * mm, top - 60 * mm, t("hall.invites.sheet_code", code=code))
        pdf.drawImage(ImageReader(io.BytesIO(qr_png(url))), width - 90 * mm, top - 105 * mm, 70 * mm, 70 * mm)
        pdf.setFont(font, 15)
        help_text = t("hall.invites.sheet_help")
        per_line = 30 if t.locale != "en" else 80  # what fits in 170 mm at 15 pt
        for i in range(0, len(help_text), per_line):
            pdf.drawString(20 * mm, top - (116 + i // per_line * 8) * mm, help_text[i : i + per_line])
        if n % 2 == 1 or n == len(invites) - 1:
            pdf.showPage()
        else:
            pdf.setDash(4, 4)
            pdf.line(10 * mm, height / 2, width - 10 * mm, height / 2)
            pdf.setDash()
    pdf.save()
    return out.getvalue()
