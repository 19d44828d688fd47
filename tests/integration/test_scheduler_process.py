"""A reminder survives the scheduler process being killed (SIGKILL) and restarted, and still rings once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from .scheduler_helpers import MovableClock, SchedulerProcess, announcements, open_group, sqlite_url, wait_until


def real() -> datetime:
    return datetime.now(UTC)


def subjects(log) -> list[str]:
    return [a["subject"] for a in announcements(log) if a["subject"].startswith("remind:")]


def test_a_reminder_survives_a_killed_process_and_rings_once(tmp_path):
    url = sqlite_url(tmp_path / "yishi.db")
    log = tmp_path / "sent.jsonl"

    # Far enough ahead that the first process is up, armed and killed before the first moment even on a
    # loaded machine (it reports how long it took, and the test refuses to judge a run where it was too slow).
    first_due = real() + timedelta(seconds=10)
    second_due = first_due + timedelta(seconds=4)

    async def prepare():
        clock = MovableClock(first_due - timedelta(hours=12))
        group = await open_group(url, clock)  # also brings the schema up to date
        await group.say("alice", "/motion 楼道装灯")  # half-time at first_due: rings while the bot is down
        clock.now = second_due - timedelta(hours=12)
        await group.say("alice", "/motion 单元门换锁")  # half-time at second_due
        await group.app.close()

    asyncio.run(prepare())

    first = SchedulerProcess(url, log)
    try:
        first.wait_for("leading")
        wait_until(lambda: False, timeout=0.3)  # it has planned and armed both alarms
    finally:
        first.kill()
    killed_at = real()
    assert killed_at < first_due, f"the first process took until {killed_at} to lead (due {first_due})"
    assert subjects(log) == []

    # the first reminder's moment passes while nothing runs
    wait_until(lambda: real() > first_due + timedelta(seconds=0.5), timeout=15)
    second = SchedulerProcess(url, log)
    try:
        second.wait_for("leading")
        assert wait_until(lambda: len(subjects(log)) >= 2, timeout=20), second.lines
    finally:
        second.kill()
    assert subjects(log) == ["remind:motion.second_reminder:1", "remind:motion.second_reminder:2"]

    third = SchedulerProcess(url, log)  # a further restart finds nothing left to do
    try:
        third.wait_for("leading")
        wait_until(lambda: False, timeout=0.8)
    finally:
        third.stop()
    assert subjects(log) == ["remind:motion.second_reminder:1", "remind:motion.second_reminder:2"]
