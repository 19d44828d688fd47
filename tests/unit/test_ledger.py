"""The ledger's rules at their edges: a month's bounds in the council's zone, on time / late / overdue to the
minute, and a secret ballot's row that never names a voter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from deliberation.ledger import Month, delivery_line, motion_line
from deliberation.minutes import MinutesAssignment, MinutesMotion, MinutesReport, MinutesRollCall, MinutesVote

DUE = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


def _item(done_at: datetime | None) -> MinutesAssignment:
    reports = () if done_at is None else (MinutesReport(done_at, "完成", True, "Bob"),)
    return MinutesAssignment(1, "装灯", "Bob", DUE.isoformat(), DUE - timedelta(days=3), reports)


def test_a_month_runs_from_local_midnight_to_local_midnight() -> None:
    start, end = Month.parse("2026-11").bounds("Asia/Shanghai")
    assert start.astimezone(UTC) == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert Month.parse("2026-12").next_first_day().isoformat() == "2027-01-01"
    for bad in ("2026-13", "2026-00", "26-11", "2026/11", ""):
        with pytest.raises(ValueError):
            Month.parse(bad)


def test_done_on_the_minute_is_on_time_and_a_minute_later_is_late() -> None:
    end = DUE + timedelta(days=20)
    assert delivery_line("东苑", _item(DUE), end).state == "on_time"
    assert delivery_line("东苑", _item(DUE + timedelta(minutes=1)), end).state == "late"


def test_not_done_is_overdue_only_once_its_time_has_passed() -> None:
    assert delivery_line("东苑", _item(None), DUE).state == "in_progress"
    assert delivery_line("东苑", _item(None), DUE + timedelta(minutes=1)).state == "overdue"


def _motion(secret: bool, abstain: int = 3) -> MinutesMotion:
    vote = MinutesVote(
        number=1,
        ballot=1,
        secret=secret,
        weighted=False,
        threshold="ordinary",
        opened_at=DUE,
        closes_at=DUE + timedelta(hours=1),
        eligible=20,
        members=20,
        present=None,
        total_area_cm2=0,
        total_owners=0,
        voted=11 + abstain,
        closed=True,
        state="adopted",
        passed=True,
        yes=7,
        no=4,
        abstain=abstain,
        roll_call=() if secret else (MinutesRollCall("Alice", "yes"), MinutesRollCall("Bob", "no")),
    )
    return MinutesMotion(1, "main", "装灯", "Alice", "adopted", DUE, votes=(vote,))


def test_names_only_for_an_open_ballot_and_counts_for_a_secret_one() -> None:
    shown = motion_line("东苑", _motion(secret=False))
    assert shown.names == (("yes", ("Alice",)), ("no", ("Bob",))) and not shown.secret
    secret = motion_line("东苑", _motion(secret=True))
    assert secret.names == () and secret.secret
    assert (secret.yes, secret.no, secret.abstain, secret.voted, secret.eligible) == (7, 4, 3, 14, 20)
    # a secret ballot that could single out fewer than 3 voters per choice (deliberation.disclosure): turnout only
    sealed = motion_line("东苑", _motion(secret=True, abstain=2))
    assert (sealed.yes, sealed.no, sealed.abstain, sealed.voted, sealed.names) == (None, None, None, 13, ())
