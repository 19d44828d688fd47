"""The file formats the minutes are exported in, their media types, and rendering by format name."""

from __future__ import annotations

from deliberation.minutes import BadFormat, Minutes

from .docx import to_docx
from .pdf import to_pdf
from .tables import to_csv, to_json
from .text import to_markdown
from .xlsx import to_xlsx

FORMATS = ("md", "docx", "pdf", "xlsx", "csv", "json")
MEDIA_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


def render(minutes: Minutes, fmt: str, locale: str | None = None, *, docx_template: bytes | None = None) -> bytes:
    """The minutes in one of FORMATS; a DOCX in the given Word form when `docx_template` is set."""
    fmt = (fmt or "").strip().lower().lstrip(".")
    if fmt in ("md", "markdown"):
        return to_markdown(minutes, locale).encode("utf-8")
    if fmt == "docx":
        return to_docx(minutes, locale, template=docx_template)
    if fmt == "pdf":
        return to_pdf(minutes, locale)
    if fmt == "xlsx":
        return to_xlsx(minutes, locale)
    if fmt == "csv":
        return to_csv(minutes, locale)
    if fmt == "json":
        return to_json(minutes)
    raise BadFormat(format=fmt, formats=", ".join(FORMATS))
