"""The outbox keeps one chat's announcements in order, even across retries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.desk.messages import Reply
from bot.outbox import OutboxDrainer, TemporaryFailure, enqueue
from storage.models import OutboxRow

pytestmark = pytest.mark.asyncio


class FlakySender:
    """Fails the first send of a text once, then accepts everything; records what it sent."""

    def __init__(self, fail_first: set[str]) -> None:
        self.fail_first = set(fail_first)
        self.sent: list[tuple[str, str]] = []

    async def send(self, chat_key: str, reply: Reply) -> str | None:
        if reply.text in self.fail_first:
            self.fail_first.discard(reply.text)
            raise TemporaryFailure("down", retry_after=30)
        self.sent.append((chat_key, reply.text))
        return str(len(self.sent))


async def test_a_later_row_waits_while_an_older_row_of_its_chat_waits_for_a_retry(app, clock):
    async with app.new_uow() as uow:
        for chat, text in (("c:a", "a1"), ("c:a", "a2"), ("c:b", "b1")):
            await enqueue(uow, chat_key=chat, reply=Reply(text), at=clock())
        await uow.commit()
    sender = FlakySender({"a1"})
    drainer = OutboxDrainer(app.new_uow, sender, clock)

    await drainer.drain_once()
    assert sender.sent == [("c:b", "b1")]  # a1 failed, so a2 waits although it is due

    clock.advance(seconds=5)
    await drainer.drain_once()
    assert sender.sent == [("c:b", "b1")]  # a1's retry is not due yet: a2 still waits

    clock.advance(seconds=30)
    await drainer.drain_once()
    assert sender.sent == [("c:b", "b1"), ("c:a", "a1"), ("c:a", "a2")]


async def test_a_row_leased_by_another_worker_holds_its_chat(app, clock):
    async with app.new_uow() as uow:
        for text in ("x1", "x2"):
            await enqueue(uow, chat_key="c:x", reply=Reply(text), at=clock())
        session = uow.session
        await session.execute(
            update(OutboxRow).where(OutboxRow.id == 1).values(next_attempt_at=clock() + timedelta(seconds=120))
        )  # another worker is sending x1
        await session.commit()
    sender = FlakySender(set())
    await OutboxDrainer(app.new_uow, sender, clock).drain_once()
    assert sender.sent == []
