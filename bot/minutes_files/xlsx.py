"""The minutes as an Excel workbook: motions, ballots, named votes (open ballots only), attendance, delivery.

Numbers are numbers, times are the council's wall-clock times as dates, shares are percentages; every text is
stored as text, so a motion worded "=HYPERLINK(...)" is never run as a formula.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from deliberation.minutes import ROW_FIELDS, Minutes, area_m2

from .tables import RATIOS, Cell, Share, header, local_time, typed_rows
from .words import Words

_BALLOT_ONLY = {"ballot", "secret", "sealed", "threshold", "rule", "opened_at", "closed_at", "eligible", "members"}
_BALLOT_ONLY |= {"present", "yes", "no", "abstain", "yes_area_m2", "no_area_m2", "abstain_area_m2", "total_area_m2"}
_BALLOT_ONLY |= {"total_owners", *RATIOS, "quorum_met", "passed", "roll_call"}
_MOTION_ONLY = {"kind", "parent", "original_text", "mover", "raised_at", "decided_at", "amendments"}
_MOTION_ONLY |= {"speeches_for", "speeches_against", "assignee", "due", "done"}


def _columns(keep: set[str]) -> list[int]:
    """Indexes into the typed rows of the fields in `keep` (a share's three columns together)."""
    indexes: list[int] = []
    i = 0
    for name in ROW_FIELDS:
        width = 3 if name in RATIOS else 1
        if name in keep:
            indexes += range(i, i + width)
        i += width
    return indexes


def _sheet(book: Workbook, title: str, titles: Sequence[str], rows: Sequence[Sequence[Cell]]) -> None:
    sheet = book.create_sheet(title[:31])
    sheet.append(list(titles))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2F2F2")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            if isinstance(value, Share):
                cell.value, cell.number_format = float(value.value), "0.00%"
            elif isinstance(value, datetime):
                cell.value, cell.number_format = value, "yyyy-mm-dd hh:mm"
            elif isinstance(value, date):
                cell.value, cell.number_format = value, "yyyy-mm-dd"
            elif isinstance(value, Decimal):
                cell.value = float(value) if value != value.to_integral_value() else int(value)
                cell.number_format = "0.00" if value != value.to_integral_value() else "0"
            elif isinstance(value, str):
                cell.value = value
                cell.data_type = "s"  # text stays text, even "=1+1"
            else:
                cell.value = value
    sheet.freeze_panes = "A2"
    for c, title in enumerate(titles, start=1):
        widest = max([len(str(title))] + [len(str(row[c - 1] or "")) for row in rows[:200]])
        sheet.column_dimensions[get_column_letter(c)].width = min(max(8, widest * 1.6), 60)


def _attendance(w: Words, minutes: Minutes) -> tuple[list[str], list[list[Cell]]]:
    """Who attended, with unit and sign-in time (the council's wall clock, as an Excel date), who was absent
    with unit, and 列席 people as such; without a meeting's roll, the names the record has."""
    zone = minutes.timezone
    rows: list[list[Cell]] = []
    if minutes.sign_ins:
        for a in minutes.sign_ins:
            rows.append([a.name, a.unit, w("files.attended"), local_time(a.at and a.at.isoformat(), zone)])
    else:
        rows += [[name, None, w("files.attended"), None] for name in minutes.attendees]
    if minutes.absent:
        rows += [[a.name, a.unit, w("files.absent"), None] for a in minutes.absent]
    else:
        rows += [[name, None, w("files.absent"), None] for name in minutes.absentees]
    for a in minutes.observers:
        rows.append([a.name, a.unit, w("files.observer"), local_time(a.at and a.at.isoformat(), zone)])
    titles = [w("files.col.name"), w("files.col.unit"), w("files.col.attendance"), w("files.col.signed_in_at")]
    return titles, rows


def to_xlsx(minutes: Minutes, locale: str | None = None) -> bytes:
    w = Words(locale)
    book = Workbook()
    book.remove(book.active)
    titles = header(w)
    rows = typed_rows(minutes, w)
    motion_label, ballot_label = w("minutes.csv.record.motion"), w("minutes.csv.record.ballot")
    motions = [row for row in rows if row[0] == motion_label]
    ballots = [row for row in rows if row[0] == ballot_label]
    keep = _columns(set(ROW_FIELDS) - _BALLOT_ONLY - {"record"})
    _sheet(book, w("files.sheet.motions"), [titles[i] for i in keep], [[r[i] for i in keep] for r in motions])
    keep = _columns(set(ROW_FIELDS) - _MOTION_ONLY - {"record", "roll_call"})
    _sheet(book, w("files.sheet.ballots"), [titles[i] for i in keep], [[r[i] for i in keep] for r in ballots])

    votes: list[list[Cell]] = []
    for vote in minutes.votes:
        if vote.secret:  # a secret ballot has no names, by construction and by rule
            continue
        for rc in vote.roll_call:
            area = Decimal(area_m2(rc.area_cm2)) if vote.weighted else None
            votes.append([vote.number, vote.ballot, rc.name, rc.unit, w(f"minutes.choice.{rc.choice}"), area])
    _sheet(
        book,
        w("files.sheet.votes"),
        [w("minutes.csv.number"), w("minutes.csv.ballot"), w("files.col.voter"), w("files.col.unit")]
        + [w("files.col.choice")]
        + [w("files.col.voter_area")],
        votes,
    )

    _sheet(book, w("files.sheet.attendance"), *_attendance(w, minutes))

    delivery: list[list[Cell]] = []
    for item in minutes.assignments:
        last = item.reports[-1].text if item.reports else None
        rating = item.rating
        delivery.append(
            [
                item.number,
                item.motion_text,
                item.assignee,
                local_time(item.due, minutes.timezone),
                local_time(item.assigned_at.isoformat() if item.assigned_at else None, minutes.timezone),
                w("minutes.csv.true" if item.done else "minutes.csv.false"),
                len(item.reports),
                last,
                rating.satisfied if rating else None,
                rating.basic if rating else None,
                rating.unsatisfied if rating else None,
            ]
        )
    _sheet(
        book,
        w("files.sheet.delivery"),
        [
            w("minutes.csv.number"),
            w("minutes.csv.text"),
            w("minutes.csv.assignee"),
            w("minutes.csv.due"),
            w("files.col.assigned_at"),
            w("minutes.csv.done"),
            w("files.col.reports"),
            w("files.col.last_report"),
            w("files.col.satisfied"),
            w("files.col.basic"),
            w("files.col.unsatisfied"),
        ],
        delivery,
    )
    book.properties.title = w("minutes.title", council=minutes.council_name)
    book.properties.creator = minutes.council_name
    made = minutes.generated_at.astimezone(UTC).replace(tzinfo=None)  # openpyxl writes the clock as UTC
    book.properties.created = book.properties.modified = made
    book.properties.language = "zh-CN"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
