"""A message that can never be delivered does not hold its chat back forever: it becomes a dead letter, the
chat's later rows go on in order, and the council's chairs are told once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.desk.messages import Reply
from bot.outbox import OutboxDrainer, PermanentFailure, TemporaryFailure, enqueue
from bot.routing import PlatformRouter
from storage.models import OutboxRow
from tests.integration.desk_helpers import CHAT_KEY, Person, council_of, say

pytestmark = pytest.mark.asyncio


class PoisonSender:
    """Refuses every text that starts with "poison" (temporarily, or for good); accepts and records the rest."""

    def __init__(self, failure: type[Exception] = TemporaryFailure) -> None:
        self.failure = failure
        self.sent: list[tuple[str, str]] = []
        self.tries = 0

    async def send(self, chat_key: str, reply: Reply) -> str | None:
        if reply.text.startswith("poison"):
            self.tries += 1
            raise self.failure("the platform refuses this one")
        self.sent.append((chat_key, reply.text))
        return str(len(self.sent))


async def _council_with_queue(app, sender: PoisonSender) -> tuple[OutboxDrainer, int]:
    await say(app.dispatcher, Person("amy", admin=True), "/setup")
    council = await council_of(app.dispatcher)
    drainer = OutboxDrainer(app.new_uow, sender, app.dispatcher.clock)
    await drainer.drain_once()  # whatever /setup announced
    sender.sent.clear()
    async with app.new_uow() as uow:
        for text in ("poison: 议题 #3 表决结果", "after 1", "after 2"):
            await enqueue(uow, chat_key=CHAT_KEY, reply=Reply(text), at=app.dispatcher.clock(), council_id=council.id)
        await enqueue(uow, chat_key="console:other", reply=Reply("elsewhere"), at=app.dispatcher.clock())
        await uow.commit()
    return drainer, council.id


async def _rows(app) -> list[OutboxRow]:
    async with app.new_uow() as uow:
        rows = list((await uow.session.execute(select(OutboxRow).order_by(OutboxRow.id))).scalars())
        uow.session.expunge_all()  # read after the unit of work ends
        return rows


def _notices(sender: PoisonSender) -> list[str]:
    return [text for chat, text in sender.sent if chat == CHAT_KEY and "致主持人" in text]


async def test_a_row_that_always_fails_temporarily_is_given_up_and_its_chat_goes_on(app, clock):
    sender = PoisonSender(TemporaryFailure)
    drainer, _ = await _council_with_queue(app, sender)

    await drainer.drain_once()
    assert sender.sent == [("console:other", "elsewhere")]  # the poison holds its own chat only, for now
    for _ in range(60):  # the retries, two minutes apart, until the cap gives the row up
        if any(text == "after 2" for _, text in sender.sent):
            break
        clock.advance(minutes=2)
        await drainer.drain_once()
    mine = [text for chat, text in sender.sent if chat == CHAT_KEY]
    assert mine[:2] == ["after 1", "after 2"]  # in order, once the poison was given up
    poison = next(r for r in await _rows(app) if r.payload["text"].startswith("poison"))
    assert poison.dead_at is not None and poison.sent_at is None
    assert poison.attempts >= drainer.max_attempts == 8
    assert poison.dead_at - poison.created_at >= drainer.min_age  # a short outage would not have lost it
    assert sender.tries == poison.attempts  # and it was never tried after

    for _ in range(5):  # the chairs are told once, in the council's chat, by name, with what was lost
        clock.advance(hours=1)
        await drainer.drain_once()
    notices = _notices(sender)
    assert len(notices) == 1, notices
    assert "amy" in notices[0] and "poison: 议题 #3 表决结果" in notices[0] and "放弃" in notices[0]
    assert sender.tries == poison.attempts


async def test_a_permanent_failure_is_a_dead_letter_at_once(app, clock):
    sender = PoisonSender(PermanentFailure)
    drainer, _ = await _council_with_queue(app, sender)

    await drainer.drain_once()
    await drainer.drain_once()  # the notice, queued when the row was given up
    assert [text for chat, text in sender.sent if chat == CHAT_KEY][:2] == ["after 1", "after 2"]
    poison = next(r for r in await _rows(app) if r.payload["text"].startswith("poison"))
    assert poison.dead_at is not None and poison.sent_at is None and poison.attempts == 1
    assert poison.last_error.startswith("permanent:")
    assert len(_notices(sender)) == 1 and sender.tries == 1


async def test_a_row_is_not_given_up_in_an_outage_shorter_than_the_minimum_age(app, clock):
    sender = PoisonSender(TemporaryFailure)
    drainer, _ = await _council_with_queue(app, sender)
    for _ in range(12):  # twelve failures in ten minutes: more than the attempts cap, less than its age
        await drainer.drain_once()
        clock.advance(seconds=61)
    assert sender.tries >= drainer.max_attempts
    assert [text for chat, text in sender.sent if chat == CHAT_KEY] == []  # still in order behind it
    assert all(r.dead_at is None for r in await _rows(app))


async def test_a_row_for_a_platform_not_served_here_is_never_given_up(app, clock):
    async with app.new_uow() as uow:
        await enqueue(uow, chat_key="wecom:b3", reply=Reply("for the WeCom process"), at=clock())
        await uow.commit()
    drainer = OutboxDrainer(app.new_uow, PlatformRouter(), clock)  # no sender for wecom in this process
    for _ in range(30):
        await drainer.drain_once()
        clock.advance(hours=1)
    row = (await _rows(app))[-1]
    assert row.dead_at is None and row.sent_at is None and row.attempts == 0


async def test_backoff_grows_is_capped_and_jittered(clock):
    drainer = OutboxDrainer(lambda: None, PoisonSender(), clock)  # type: ignore[arg-type,return-value]
    delays = [drainer.backoff(3, None) for _ in range(50)]
    assert all(4.0 <= d <= 8.0 for d in delays) and len(set(delays)) > 1
    assert all(30.0 <= drainer.backoff(20, None) <= 60.0 for _ in range(20))
    assert all(30.0 <= drainer.backoff(0, 30.0) <= 30.5 for _ in range(20))  # the platform's word, jittered up
    assert timedelta(hours=24) == drainer.max_age
