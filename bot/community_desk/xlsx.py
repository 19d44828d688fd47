"""The ledger as an XLSX workbook: a summary sheet and one sheet per table; numbers as numbers, dates as dates
(in each council's time zone), members' text never a formula."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from deliberation.ledger import OUTCOMES, CouncilLedger, Ledger

from ..i18n import translate

DATE_FORMAT = "yyyy-mm-dd hh:mm"
PERCENT = "0.0%"
_HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")

Words = Callable[..., str]


def words(locale: str | None) -> Words:
    return lambda key, **params: translate(locale, key, **params)


def local(moment: datetime | None, timezone: str) -> datetime | None:
    """A spreadsheet date: the moment in the council's zone, without the zone (Excel keeps none)."""
    return None if moment is None else moment.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)


def named(names: tuple[tuple[str, tuple[str, ...]], ...], w: Words) -> str | None:
    """An open ballot's named votes: "赞成：甲、乙；反对：丙"."""
    return "；".join(f"{w('col.' + choice)}：{'、'.join(who)}" for choice, who in names) or None


def summary_rows(ledger: Ledger, w: Words) -> tuple[list[str], list[list[Any]]]:
    """The summary table: one row per council and the community's totals (the PDF prints the same)."""
    head = [w("col.council"), w("col.members"), w("col.meetings"), w("col.motions")]
    head += [w(f"outcome.{o}") for o in OUTCOMES]
    head += [w("col.ballots"), w("col.voted"), w("col.eligible"), w("col.participation")]
    head += [w(f"delivery.{s}") for s in ("on_time", "late", "overdue", "in_progress")]
    head += [w(f"rating.{r}") for r in ("satisfied", "basic", "unsatisfied")] + [w("col.minutes")]
    rows: list[list[Any]] = []
    for c in ledger.councils:
        outcomes, states = c.outcomes(), c.delivery_states()
        voted, eligible = c.participation()
        rows.append(
            [c.council, c.members, len(c.meetings), sum(outcomes.values())]
            + [outcomes.get(o, 0) for o in OUTCOMES]
            + [len(c.ballots), voted, eligible, voted / eligible if eligible else None]
            + [states.get(s, 0) for s in ("on_time", "late", "overdue", "in_progress")]
            + list(c.satisfaction())
            + [len(c.minutes)]
        )
    t = ledger.totals()
    rows.append(
        [w("ledger.total"), sum(c.members for c in ledger.councils), t.meetings, t.motions]
        + [t.outcomes[o] for o in OUTCOMES]
        + [t.ballots, t.voted, t.eligible, t.voted / t.eligible if t.eligible else None]
        + [t.delivery[s] for s in ("on_time", "late", "overdue", "in_progress")]
        + list(t.satisfaction)
        + [t.minutes]
    )
    return head, rows


def table_rows(ledger: Ledger, w: Words) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """Every detail table of the ledger, keyed by its sheet name's catalogue key."""

    def each(pick: Callable[[CouncilLedger], Sequence[Any]], row: Callable[[Any, str], list[Any]]) -> list[list[Any]]:
        return [row(item, c.timezone) for c in ledger.councils for item in pick(c)]

    return {
        "ledger.sheet.meetings": (
            [w("col.council"), w("col.number"), w("col.title"), w("col.opened"), w("col.adjourned")]
            + [w("col.attendance")],
            each(
                lambda c: c.meetings,
                lambda m, tz: (
                    [m.council, m.number, m.title, local(m.opened_at, tz), local(m.adjourned_at, tz)] + [m.attendance]
                ),
            ),
        ),
        "ledger.sheet.motions": (
            [w("col.council"), w("col.number"), w("col.kind"), w("col.text"), w("col.mover"), w("col.outcome")]
            + [w("col.raised"), w("col.decided"), w("col.ballot_kind"), w("col.yes"), w("col.no"), w("col.abstain")]
            + [w("col.voted"), w("col.eligible"), w("col.names")],
            each(
                lambda c: c.motions,
                lambda m, tz: (
                    [m.council, m.number, w(f"kind.{m.kind}"), m.text, m.mover, w(f"outcome.{m.outcome}")]
                    + [local(m.raised_at, tz), local(m.decided_at, tz)]
                    + [(w("ledger.secret") if m.secret else w("ledger.open_ballot")) if m.eligible else None]
                    + [m.yes, m.no, m.abstain, m.voted if m.eligible else None, m.eligible or None, named(m.names, w)]
                ),
            ),
        ),
        "ledger.sheet.ballots": (
            [w("col.council"), w("col.motion"), w("col.ballot"), w("col.opened"), w("col.ballot_kind")]
            + [w("col.voted"), w("col.eligible"), w("col.participation")],
            each(
                lambda c: c.ballots,
                lambda b, tz: (
                    [b.council, b.motion, b.ballot, local(b.opened_at, tz)]
                    + [w("ledger.secret") if b.secret else w("ledger.open_ballot"), b.voted, b.eligible, b.share]
                ),
            ),
        ),
        "ledger.sheet.delivery": (
            [w("col.council"), w("col.motion"), w("col.text"), w("col.assignee"), w("col.due"), w("col.done")]
            + [w("col.state"), w("rating.satisfied"), w("rating.basic"), w("rating.unsatisfied")],
            each(
                lambda c: c.delivery,
                lambda d, tz: (
                    [d.council, d.motion, d.text, d.assignee, local(d.due_at, tz), local(d.done_at, tz)]
                    + [w(f"delivery.{d.state}"), d.satisfied, d.basic, d.unsatisfied]
                ),
            ),
        ),
        "ledger.sheet.minutes": (
            [w("col.council"), w("col.scope"), w("col.version"), w("col.published"), w("col.ends")]
            + [w("col.chain_seq"), w("col.chain_head")],
            each(
                lambda c: c.minutes,
                lambda m, tz: (
                    [m.council, m.scope, m.version, local(m.published_at, tz)]
                    + [local(m.publication_ends_at, tz), m.chain_seq, m.chain_head]
                ),
            ),
        ),
    }


def _fill(sheet: Any, head: list[str], rows: list[list[Any]], percent_columns: set[int]) -> None:
    """Write one sheet row by row (a write-only workbook: a few hundred councils stay quick)."""
    for column, title in enumerate(head, start=1):
        longest = max([len(str(title))] + [len(str(r[column - 1] or "")) for r in rows[:200]])
        sheet.column_dimensions[get_column_letter(column)].width = min(60, max(8, longest * 1.6 + 2))
    sheet.freeze_panes = "B2"
    titles = []
    for title in head:
        cell = WriteOnlyCell(sheet, title)
        cell.font, cell.fill = Font(bold=True), _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        titles.append(cell)
    sheet.append(titles)
    for values in rows:
        cells = []
        for column, value in enumerate(values, start=1):
            cell = WriteOnlyCell(sheet, value)
            if isinstance(value, str):
                cell.data_type = "s"  # a leading "=" stays text: members' words never run as a formula
            elif isinstance(value, datetime):
                cell.number_format = DATE_FORMAT
            elif column in percent_columns and value is not None:
                cell.number_format = PERCENT
            cells.append(cell)
        sheet.append(cells)


def to_xlsx(ledger: Ledger, locale: str | None = None) -> bytes:
    w = words(locale)
    book = Workbook(write_only=True)
    summary = book.create_sheet(w("ledger.sheet.summary"))
    head, rows = summary_rows(ledger, w)
    _fill(summary, head, rows, {head.index(w("col.participation")) + 1})
    for key, (head, rows) in table_rows(ledger, w).items():
        sheet = book.create_sheet(w(key))
        percent = {head.index(w("col.participation")) + 1} if w("col.participation") in head else set()
        _fill(sheet, head, rows, percent)
    book.properties.title = w("ledger.title", community=ledger.community, month=ledger.month.text)
    book.properties.creator = "Yishi"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
