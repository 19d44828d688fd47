"""The daily progress post of an open civil278 ballot, and progress with the reminder before it closes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.alarm import plan_subjects, ring
from bot.desk.messages import Attachment, Incoming
from bot.main import build_core
from storage.models import ReminderRow

from .scheduler_helpers import MovableClock, sqlite_url, utc

DAY = timedelta(days=1)
T0 = utc(2026, 6, 1, 2, 0)
REGISTER = "房号,业主,专有面积\n1-101,张三,80\n1-102,李四,80\n1-103,王五,80\n"


async def say(app, who: str, text: str, attachment: Attachment | None = None):
    response = await app.dispatcher.handle(
        Incoming("console", "main", who, who, text=text, username=who, attachment=attachment)
    )
    assert not response.refused, (text, [r.text for r in response.replies])
    return response


@pytest.fixture
async def app(tmp_path):
    clock = MovableClock(T0)
    app = await build_core(sqlite_url(tmp_path / "yishi.db"), clock=clock)
    app.clock = clock
    yield app
    await app.close()


async def pending(app, kind: str) -> list[ReminderRow]:
    async with app.sessions() as session:
        stmt = select(ReminderRow).where(ReminderRow.kind == kind).order_by(ReminderRow.due_at)
        return list((await session.execute(stmt)).scalars())


async def ring_due(app) -> list[str]:
    await plan_subjects(app.new_uow, app.clock)
    outcomes = []
    async with app.sessions() as session:
        rows = (await session.execute(select(ReminderRow).order_by(ReminderRow.due_at))).scalars().all()
    for row in rows:
        if row.sent_at is None and row.due_at <= app.clock():
            outcome, _ = await ring(app.new_uow, row.id, app.clock)
            outcomes.append(f"{row.kind}:{outcome}")
    return outcomes


async def outbox_texts(app) -> list[str]:
    from storage.models import OutboxRow

    async with app.sessions() as session:
        rows = (await session.execute(select(OutboxRow).order_by(OutboxRow.id))).scalars().all()
        return [r.payload.get("text", "") for r in rows]


async def test_an_open_civil278_ballot_posts_its_progress_once_a_day_and_with_the_reminder(app) -> None:
    await say(app, "wang", "/setup civil278")
    await say(app, "wang", "/roster", Attachment("台账.csv", REGISTER.encode("utf-8")))
    for name, unit in (("zhang", "1-101"), ("li", "1-102"), ("wu", "1-103")):
        await say(app, name, f"/join {unit}")
        await say(app, "wang", f"/approve @{name}")
    await say(app, "zhang", "/motion 加装电梯")
    await say(app, "li", "/second 1")
    await say(app, "wang", "/vote 1 3d")
    await say(app, "zhang", "/yes 1")

    await plan_subjects(app.new_uow, app.clock)
    daily = await pending(app, "ballot.progress")
    assert [r.due_at - T0 for r in daily] == [DAY, 2 * DAY]  # not at the close: the result says it then

    app.clock.move(DAY - timedelta(minutes=1))
    assert await ring_due(app) == []  # one minute early: nothing
    app.clock.move(timedelta(minutes=1))
    assert await ring_due(app) == ["ballot.progress:fired"]
    posted = (await outbox_texts(app))[-1]
    assert "已投票业主：1/3 户（33.33%），需要至少 2 户" in posted and "还差 1 户、80㎡" in posted

    await say(app, "li", "/yes 1")
    app.clock.move(2 * DAY - timedelta(hours=1))  # the reminder an hour before the close
    outcomes = await ring_due(app)
    assert "ballot.reminder:fired" in outcomes
    reminder = (await outbox_texts(app))[-1]
    assert "已投票业主：2/3 户（66.67%）" in reminder and "都已达到三分之二" in reminder


async def test_a_nantang_ballot_has_no_progress_post(app) -> None:
    await say(app, "wang", "/setup nantang")
    for name in ("zhang", "li"):
        await say(app, name, f"/join 1-10{len(name)}")
    await say(app, "zhang", "/motion 装感应灯")
    await say(app, "li", "/second 1")
    await say(app, "wang", "/vote 1 3d")
    await plan_subjects(app.new_uow, app.clock)
    assert await pending(app, "ballot.progress") == []
