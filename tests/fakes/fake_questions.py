"""The called questions (南塘 11) of the in-memory unit of work, kept in its state so a rollback undoes them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from deliberation.nantang import CalledQuestion, CallState


class FakeCalledQuestions:
    def __init__(self, uow: Any) -> None:
        self._uow = uow

    @property
    def _rows(self) -> dict[int, CalledQuestion]:
        return self._uow.state.questions

    async def add(self, called: CalledQuestion) -> CalledQuestion:
        called = replace(called, id=self._uow.state.new_id())
        self._rows[called.id] = called
        return called

    async def get(self, called_id: int) -> CalledQuestion | None:
        return self._rows.get(called_id)

    async def waiting_for(self, motion_id: int) -> CalledQuestion | None:
        return next((q for q in self._rows.values() if q.motion_id == motion_id and q.state is CallState.WAITING), None)

    async def update(self, called: CalledQuestion) -> None:
        self._rows[called.id] = called

    async def waiting(self, limit: int) -> Sequence[CalledQuestion]:
        found = [q for q in self._rows.values() if q.state is CallState.WAITING]
        return sorted(found, key=lambda q: (q.opens_at, q.id))[:limit]
