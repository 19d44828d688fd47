"""The minutes as tables for spreadsheets and archives: typed cells shared by the CSV and the XLSX, and the JSON.

A cell is a number (int or Decimal), a local time (datetime, or date for a day), a `Share` (a percentage) or
text. A counted share such as 6/8 is two number columns and a percentage, never the text "6/8", which a
spreadsheet reads as the 6th of August. Codes (states, kinds, rules) are written in the reader's language.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from deliberation.counting import percent
from deliberation.minutes import ROW_FIELDS, Minutes, minutes_rows, minutes_to_dict

from .words import Words

SCHEMA_ID = "yishi.minutes/1"
RATIOS = ("participation_heads", "participation_area", "approval_heads", "approval_area")
_TIMES = ("raised_at", "decided_at", "opened_at", "closed_at", "due")
_AREAS = ("yes_area_m2", "no_area_m2", "abstain_area_m2", "total_area_m2")
_CODES = {"kind": "minutes.kind", "state": "minutes.state", "threshold": "minutes.threshold", "rule": "minutes.rule"}


@dataclass(frozen=True)
class Share:
    """A percentage: "75.00%" in a CSV, 0.75 shown as a percentage in a workbook."""

    value: Fraction

    def __str__(self) -> str:
        return percent(self.value)


Cell = int | Decimal | datetime | date | Share | str | None


def local_time(value: object, zone: str) -> datetime | date | str | None:
    """An ISO time from the record as the council's wall-clock time (naive, as spreadsheets keep times);
    a bare day stays a day; anything else stays as written."""
    if not value:
        return None
    text = str(value)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if len(text) <= 10:
        return moment.date()
    if moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo(zone))
    return moment.replace(tzinfo=None)


def ratio_cells(value: object, area: bool) -> tuple[Cell, Cell, Cell]:
    """("6/8") -> (6, 8, 75.00%); a sealed ballot's "50.00%" -> (None, None, 50.00%)."""
    if not value:
        return None, None, None
    text = str(value)
    if text.endswith("%"):
        return None, None, Share(Fraction(Decimal(text[:-1])) / 100)
    part, _, whole = text.partition("/")
    number = Decimal if area else int
    a, b = number(part), number(whole)
    return a, b, Share(Fraction(Decimal(part)) / Fraction(Decimal(whole))) if Decimal(whole) else None


def header(w: Words) -> list[str]:
    """The column titles of the motions-and-ballots table, each share as three columns."""
    titles: list[str] = []
    for name in ROW_FIELDS:
        if name in RATIOS:
            titles += [w(f"files.col.{name}.part"), w(f"files.col.{name}.whole"), w(f"minutes.csv.{name}")]
        else:
            titles.append(w(f"minutes.csv.{name}"))
    return titles


def typed_rows(minutes: Minutes, w: Words) -> list[list[Cell]]:
    """One row per motion and per ballot on it, cells typed (see the module's note)."""
    return [_typed(w, row, minutes.timezone) for row in minutes_rows(minutes)]


def _typed(w: Words, row: dict[str, Any], zone: str) -> list[Cell]:
    cells: list[Cell] = []
    for name in ROW_FIELDS:
        value = row[name]
        if name in RATIOS:
            cells += ratio_cells(value, area=name.endswith("area"))
        elif value is None or value == "":
            cells.append(None)
        elif isinstance(value, bool):
            cells.append(w("minutes.csv.true" if value else "minutes.csv.false"))
        elif name in _TIMES:
            cells.append(local_time(value, zone))
        elif name in _AREAS:
            cells.append(Decimal(str(value)))
        elif name == "record":
            cells.append(w(f"minutes.csv.record.{value}"))
        elif name in _CODES:
            cells.append(w(f"{_CODES[name]}.{value}"))
        elif name == "amendments":
            cells.append(_amendments(w, str(value)))
        elif name == "roll_call":
            cells.append(_roll_call(w, str(value)))
        else:
            cells.append(value if isinstance(value, int) else str(value))
    return cells


def _amendments(w: Words, value: str) -> str:
    """ "#2 adopted; #5 rejected" in the reader's words."""
    parts = []
    for part in value.split("; "):
        number, _, state = part.partition(" ")
        parts.append(w("files.amendment", number=number.lstrip("#"), state=w(f"minutes.state.{state}")))
    return w.sep.join(parts)


def _roll_call(w: Words, value: str) -> str:
    return "; ".join(
        f"{who}:{w(f'minutes.choice.{choice}')}"
        for who, _, choice in (part.rpartition(":") for part in value.split("; "))
    )


# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(...) phones home).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Whole cells a spreadsheet would turn into a date or a fraction: 6/8, 1-12, 3.4, 2026/1/2, 12-Mar.
_LOOKS_LIKE_A_DATE = re.compile(r"^\s*(\d{1,4}\s*[-/.]\s*\d{1,2}(\s*[-/.]\s*\d{1,4})?|\d{1,2}[-/ ][A-Za-z]{3,9})\s*$")


def inert(cell: str) -> str:
    """Text that a spreadsheet takes as written: a leading single quote (as OWASP advises) before a formula
    or before something it would read as a date."""
    if cell.startswith(_FORMULA_STARTS) or _LOOKS_LIKE_A_DATE.match(cell):
        return "'" + cell
    return cell


def csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, Decimal, Share)):
        return str(value)
    return inert(value)


def to_csv(minutes: Minutes, locale: str | None = None) -> bytes:
    """One row per motion and per ballot outcome; UTF-8 with a BOM so Excel reads the Chinese; times in the
    council's zone; nothing Excel would run as a formula or read as a date."""
    w = Words(locale)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([inert(title) for title in header(w)])
    for row in typed_rows(minutes, w):
        writer.writerow([csv_cell(cell) for cell in row])
    return out.getvalue().encode("utf-8-sig")


def to_json(minutes: Minutes) -> bytes:
    """The whole model plus the same rows as the CSV, with stable English keys and codes, times with their
    offset (docs/minutes-schema.json describes it)."""
    document = {"schema": SCHEMA_ID, "minutes": minutes_to_dict(minutes), "rows": minutes_rows(minutes)}
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
