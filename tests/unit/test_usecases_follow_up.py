"""Follow-up rules on their own: when an assignment is overdue, to the minute."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from deliberation.delivery import Assignment, AssignmentState, is_overdue

from .usecase_helpers import START

DUE = START + timedelta(days=7)
ASSIGNMENT = Assignment(1, 1, 1, 3, 2, "bob", DUE, START)


def test_an_assignment_is_overdue_from_its_due_time() -> None:
    assert not is_overdue(ASSIGNMENT, DUE - timedelta(minutes=1))
    assert is_overdue(ASSIGNMENT, DUE)
    assert is_overdue(ASSIGNMENT, DUE + timedelta(minutes=1))


def test_a_finished_assignment_is_never_overdue() -> None:
    for state in (AssignmentState.DONE, AssignmentState.RATING, AssignmentState.CLOSED):
        assert not is_overdue(replace(ASSIGNMENT, state=state), DUE + timedelta(minutes=1))
