"""Minutes as files (Markdown, DOCX, PDF, CSV, JSON) and as chat text, every format from one outline."""

# Every renderer walks the same outline (outline.py), so the formats say the same thing in the same
# order; only the typesetting differs. Labels come from the `minutes` catalogue. A secret ballot's
# voters never appear: the model carries counts only for them.
from __future__ import annotations

from .docx import to_docx
from .fonts import DocumentFonts, document_fonts
from .formats import FORMATS, MEDIA_TYPES, render
from .outline import Block, Fields, Heading, Para, Signatures, Table, Title, outline, vote_lines, xml_safe
from .pdf import pdf_font, to_pdf
from .tables import to_csv, to_json
from .text import md_escape, to_markdown, to_text
from .words import TABLE_TEXT_CHARS, Words
from .xlsx import to_xlsx

__all__ = [
    "FORMATS",
    "MEDIA_TYPES",
    "TABLE_TEXT_CHARS",
    "Block",
    "DocumentFonts",
    "Fields",
    "Heading",
    "Para",
    "Signatures",
    "Table",
    "Title",
    "Words",
    "document_fonts",
    "md_escape",
    "outline",
    "pdf_font",
    "render",
    "to_csv",
    "to_docx",
    "to_json",
    "to_markdown",
    "to_pdf",
    "to_text",
    "to_xlsx",
    "vote_lines",
    "xml_safe",
]
