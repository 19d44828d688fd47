"""A movable clock for use-case tests on the in-memory unit of work."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

START = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def tick(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def with_rules(uow: Any, **fields: Any) -> None:
    """Change the fake council's rules as if a chair had set them (`/set`) before the test began."""
    council = replace(uow.council, rules=replace(uow.council.rules, **fields))
    uow.council = uow.state.councils[council.id] = council
    uow._committed = copy.deepcopy(uow.state)
