"""The minutes as tables for spreadsheets and archives: CSV in the reader's language, JSON with stable keys."""

from __future__ import annotations

import csv
import io
import json

from deliberation.minutes import ROW_FIELDS, Minutes, minutes_rows, minutes_to_dict

from .words import Words


def to_csv(minutes: Minutes, locale: str | None = None) -> bytes:
    """One row per motion and per ballot outcome; UTF-8 with a BOM so Excel reads the Chinese."""
    w = Words(locale)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([w(f"minutes.csv.{name}") for name in ROW_FIELDS])
    for row in minutes_rows(minutes):
        writer.writerow([_inert(row[name], _csv_value(w, name, row[name])) for name in ROW_FIELDS])
    return out.getvalue().encode("utf-8-sig")


# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(...) phones home).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _inert(value: object, cell: str) -> str:
    """Members' text never becomes a formula: a leading single quote, as OWASP advises; numbers stay numbers."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return cell
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def _csv_value(w: Words, name: str, value: object) -> str:
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
        return "; ".join(
            f"{who}:{w(f'minutes.choice.{choice}')}"
            for who, _, choice in (part.rpartition(":") for part in str(value).split("; "))
        )
    return str(value)


def to_json(minutes: Minutes) -> bytes:
    """The whole model plus the same rows as the CSV, with stable English keys and codes, for archives."""
    document = {"schema": "yishi.minutes/1", "minutes": minutes_to_dict(minutes), "rows": minutes_rows(minutes)}
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
