"""The storage seams: transient failures leave the unit of work as StorageBusy, council moves are stamped by
the injected clock, and the outbox repository keeps its one-row-per-dedupe-key promise."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from bot.telegram.chats import TelegramChats
from deliberation import council_moves, usecases
from deliberation.model import Actor
from deliberation.ports import StorageBusy
from storage.database import is_transient
from storage.uow import SqlUnitOfWork


def _locked() -> OperationalError:
    return OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))


def test_is_transient_knows_busy_dropped_and_serialization_failures_from_the_rest():
    serialization = type("SerializationError", (Exception,), {"sqlstate": "40001"})()
    assert is_transient(_locked())
    assert is_transient(DBAPIError("COMMIT", {}, serialization))
    assert is_transient(DBAPIError("SELECT 1", {}, Exception("gone"), connection_invalidated=True))
    assert not is_transient(IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed")))
    assert not is_transient(KeyError("a bug"))


@pytest.mark.asyncio
async def test_a_transient_failure_at_commit_is_storage_busy_and_keeps_its_cause(app, monkeypatch):
    async def locked_commit(session):
        raise _locked()

    async with app.new_uow() as uow:
        monkeypatch.setattr(uow.session, "commit", lambda: locked_commit(uow.session))
        with pytest.raises(StorageBusy) as raised:
            await uow.commit()
    assert isinstance(raised.value.__cause__, OperationalError)
    assert isinstance(raised.value, DBAPIError) and is_transient(raised.value)  # the desk's retry still sees it


@pytest.mark.asyncio
async def test_a_transient_failure_inside_the_unit_of_work_leaves_it_as_storage_busy(app):
    with pytest.raises(StorageBusy) as raised:
        async with app.new_uow():
            raise _locked()
    assert isinstance(raised.value.__cause__, OperationalError)
    with pytest.raises(KeyError):  # anything else leaves as it was
        async with app.new_uow():
            raise KeyError("a bug")


@pytest.mark.asyncio
async def test_a_council_moved_retired_and_restored_is_stamped_by_the_injected_clock(app, clock):
    async with SqlUnitOfWork(app.sessions) as uow:
        council = await usecases.setup_council(
            uow, clock, chat_key="telegram:-1", title="迁移", actor=Actor("telegram:1", "chair", platform_admin=True)
        )
        await uow.commit()
    clock.advance(days=400)  # far from the wall clock
    chats = TelegramChats(app.new_uow, clock)
    assert (await chats.migrate(-1, -1001)).chat_key == "telegram:-1001"
    assert await chats.migrate(-1, -1001) is None  # heard twice: moved once
    assert (await chats.retire(-1001, "kicked")).id == council.id
    assert (await chats.restore(-1001)).id == council.id
    async with app.new_uow() as uow:
        events = [e for e in await uow.events.all(council.id) if e.seq > 1]  # after council.setup
    assert [e.type for e in events] == [
        council_moves.COUNCIL_MOVED,
        council_moves.COUNCIL_RETIRED,
        council_moves.COUNCIL_RESTORED,
    ]
    assert {e.at for e in events} == {clock().isoformat(timespec="seconds")}


@pytest.mark.asyncio
async def test_the_outbox_takes_a_dedupe_key_once(app, clock):
    async with app.new_uow() as uow:
        first = await uow.outbox.add(chat_key="c:a", payload={"text": "a"}, at=clock(), dedupe_key="k")
        again = await uow.outbox.add(chat_key="c:a", payload={"text": "a"}, at=clock(), dedupe_key="k")
        await uow.commit()
    assert first is not None and again is None
    async with app.new_uow() as uow:
        assert [r.id for r in await uow.outbox.unsent(10)] == [first]
