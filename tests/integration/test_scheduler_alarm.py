"""The alarm in one process on SQLite, in real (short) time: auto-close, missed and irrelevant reminders, poke."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.alarm import Alarm, ring
from deliberation.lifecycle import MotionState
from storage.models import BallotRow, ReminderRow

from .scheduler_helpers import MovableClock, await_until, open_group, sqlite_url

M = timedelta(minutes=1)


def real() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
async def group(tmp_path):
    clock = MovableClock(real())
    group = await open_group(sqlite_url(tmp_path / "yishi.db"), clock)
    group.clock = clock
    yield group
    await group.app.close()


async def rows(group) -> list[ReminderRow]:
    async with group.app.sessions() as session:
        return list((await session.execute(select(ReminderRow).order_by(ReminderRow.id))).scalars())


def alarm_for(group, **kwargs) -> Alarm:
    rungs = []
    alarm = Alarm(group.app.new_uow, group.app.leadership(), on_rung=rungs.append, **kwargs)
    alarm.rungs = rungs
    return alarm


async def test_a_ballot_closes_itself_at_its_deadline_with_the_right_result(group):
    clock = group.clock
    await group.say("alice", "/motion 在3号楼每层安装感应灯")
    await group.say("bob", "/second 1")
    # Put a 10-minute question that was opened 10 minutes minus 1.5 s ago: it closes 1.5 s from now.
    clock.now = real() - 10 * M + timedelta(seconds=1.5)
    await group.say("chair", "/vote 1 10m")
    await group.say("alice", "/yes 1")
    await group.say("bob", "/no 1")
    clock.now = real()  # carol stays away: no early close

    alarm = alarm_for(group, scan_interval=0.2)
    await alarm.start()
    try:
        closed = await await_until(lambda: _closed(group), timeout=6)
    finally:
        await alarm.stop()
    assert closed is not None
    closes_at, closed_at = closed
    assert closes_at <= closed_at < closes_at + timedelta(seconds=1.5)  # at the deadline, not before

    outbox = await group.outbox()
    reminder = next(m for m in outbox if m["subject"].startswith("remind:ballot:"))
    assert "1-103" in reminder["text"] and "1-101" not in reminder["text"]  # carol's unit has not voted
    result = next(m for m in outbox if m["subject"].startswith("result:"))
    assert "赞成 1，反对 1" in result["text"] and "未通过" in result["text"]  # a tie fails under 南塘
    async with group.app.dispatcher.uow() as uow:
        motion = await uow.motions.by_number((await group.council()).id, 1)
    assert motion.state is MotionState.REJECTED
    assert {r.outcome for r in await rows(group)} == {"fired"}


async def _closed(group):
    async with group.app.sessions() as session:
        ballot = (await session.execute(select(BallotRow))).scalar_one()
        return (ballot.closes_at, ballot.closed_at) if ballot.closed_at else None


async def test_reminders_made_irrelevant_while_the_bot_was_down_are_not_sent(group):
    clock = group.clock
    soon = timedelta(seconds=1.5)
    clock.now = real() - 12 * 60 * M + soon  # half-time of a 24 h second deadline comes in 1.5 s
    await group.say("alice", "/motion 楼道堆物清理")  # #1: will be seconded while the bot is down
    await group.say("alice", "/motion 单元门换锁")  # #2: stays unseconded: its reminder is still due
    clock.now = real()
    await group.say("alice", "/motion 修缮屋顶")
    await group.say("bob", "/second 3")
    clock.now = real() - 5 * M + soon  # a 10-minute ballot on #3: its half-time reminder in 1.5 s
    await group.say("chair", "/vote 3 10m")
    clock.now = real()

    first = alarm_for(group, scan_interval=60)
    await first.start()  # plans everything, then the bot goes down before anything is due
    await first.stop()
    assert len(await rows(group)) == 6

    await group.say("carol", "/second 1")
    await group.say("chair", "/close 3")
    await asyncio.sleep(soon.total_seconds() + 0.2)  # the moments pass while nobody listens

    second = alarm_for(group, scan_interval=60)
    await second.start()
    try:
        await await_until(lambda: _settled(second, 3), timeout=5)
    finally:
        await second.stop()
    outcome = {(r.kind, r.subject_id): r.outcome for r in await rows(group) if r.sent_at}
    assert outcome == {
        ("motion.second_reminder", 1): "dropped",
        ("motion.second_reminder", 2): "fired",
        ("ballot.reminder", 1): "dropped",
    }
    # (closing the ballot queued taking the buttons off its reminder, an edit that posts nothing: not a reminder)
    reminders = [m for m in await group.outbox() if m["subject"].startswith("remind:") and "edit_subject" not in m]
    assert [m["subject"] for m in reminders] == ["remind:motion.second_reminder:2"]


async def _settled(alarm, count):
    return len(alarm.rungs) >= count


async def test_two_alarms_on_one_database_ring_each_reminder_once(group):
    clock = group.clock
    clock.now = real() - 12 * 60 * M + timedelta(seconds=0.8)
    for n in range(5):
        await group.say("alice", f"/motion 议题{n}")
    clock.now = real()
    one, two = alarm_for(group, scan_interval=0.2), alarm_for(group, scan_interval=0.2)
    await one.start()
    await two.start()
    try:
        await await_until(lambda: _settled_both(one, two, 10), timeout=6)
    finally:
        await one.stop()
        await two.stop()
    fired = [r for r in one.rungs + two.rungs if r.outcome == "fired"]
    assert sorted(r.reminder_id for r in fired) == [1, 3, 5, 7, 9]  # the half-time reminders, once each
    # (closing the ballot queued taking the buttons off its reminder, an edit that posts nothing: not a reminder)
    reminders = [m for m in await group.outbox() if m["subject"].startswith("remind:") and "edit_subject" not in m]
    assert len(reminders) == 5


async def _settled_both(one, two, count):
    return len(one.rungs) + len(two.rungs) >= count


async def test_poke_plans_a_new_deadline_at_once(group):
    clock = group.clock
    alarm = alarm_for(group, scan_interval=3600)
    await alarm.start()
    try:
        clock.now = real() - 12 * 60 * M + timedelta(seconds=0.5)
        await group.say("alice", "/motion 装监控")
        clock.now = real()
        alarm.poke()
        fired = await await_until(lambda: _fired(alarm), timeout=4)
    finally:
        await alarm.stop()
    assert fired


async def _fired(alarm):
    return [r for r in alarm.rungs if r.outcome == "fired"]


async def test_an_alarm_ringing_before_its_time_changes_nothing(group):
    clock = group.clock
    await group.say("alice", "/motion 装监控")
    from bot.alarm import plan_subjects

    await plan_subjects(group.app.new_uow, clock)
    half = (await rows(group))[0]
    assert await ring(group.app.new_uow, half.id, clock) == ("wait", half.due_at)
    assert (await rows(group))[0].sent_at is None
