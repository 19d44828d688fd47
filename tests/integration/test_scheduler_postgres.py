"""PostgreSQL: two scheduler processes on one database ring each reminder once; the follower takes over."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from bot.alarm import plan_subjects, ring

from .scheduler_helpers import (
    MovableClock,
    SchedulerProcess,
    announcements,
    open_group,
    require_postgres,
    scratch_postgres,
    wait_until,
)

pytestmark = pytest.mark.postgres


def real() -> datetime:
    return datetime.now(UTC)


@pytest.fixture(scope="module", autouse=True)
def _postgres():
    require_postgres()


async def raise_motions(group, count: int, first: int, due_in: float) -> None:
    """`count` unseconded motions whose half-time reminders come `due_in` seconds from now, a little apart."""
    for n in range(count):
        group.clock.now = real() - timedelta(hours=12) + timedelta(seconds=due_in + n * 0.05)
        response = await group.say("alice", f"/motion 议题{first + n}")
        assert not response.refused


def test_two_scheduler_processes_ring_each_reminder_once_and_the_follower_takes_over(tmp_path):
    logs = [tmp_path / "one.jsonl", tmp_path / "two.jsonl"]

    async def scenario():
        async with scratch_postgres() as url:
            group = await open_group(url, MovableClock(real()))
            processes = [SchedulerProcess(url, log) for log in logs]
            try:
                for p in processes:
                    p.wait_for("ready")
                assert wait_until(
                    lambda: sum(p.leading for p in processes) == 1 and sum(p.said("following") for p in processes) == 1,
                    timeout=5,
                ), [p.lines for p in processes]
                # Deadlines made while both run (as a webhook worker would): the leader's scan finds them.
                await raise_motions(group, 12, 1, due_in=1.5)
                # a ballot that closes in 3 s (its reminder is already due): two yes, carol stays away
                await group.say("alice", "/motion 加装电梯")
                await group.say("bob", "/second 13")
                group.clock.now = real() - timedelta(minutes=10) + timedelta(seconds=3)
                await group.say("chair", "/vote 13 10m")
                for who, choice in (("alice", "/yes 13"), ("bob", "/yes 13")):
                    await group.say(who, choice)
                group.clock.now = real()
                expected = 12 + 2  # twelve second reminders, the ballot's reminder and its result
                assert wait_until(lambda: len(announcements(*logs)) >= expected, timeout=10), [
                    p.lines for p in processes
                ]
                await asyncio.sleep(0.5)  # any double would show up now
                first_round = Counter(a["subject"] for a in announcements(*logs))
                assert all(n == 1 for n in first_round.values()), first_round
                assert sum(k.startswith("remind:motion.second_reminder:") for k in first_round) == 12
                assert "remind:ballot:1" in first_round and "result:1" in first_round
                result = next(a for a in announcements(*logs) if a["subject"] == "result:1")
                assert "赞成 2，反对 0" in result["text"] and "通过" in result["text"]

                # the leader dies without a word; the other process takes over and rings the next ones
                leader = next(p for p in processes if p.leading)
                follower = next(p for p in processes if p is not leader)
                leader.kill()
                await raise_motions(group, 5, 14, due_in=1.5)
                follower.wait_for("leading", timeout=10)
                assert wait_until(lambda: len(announcements(*logs)) >= len(first_round) + 5, timeout=10), follower.lines
                await asyncio.sleep(0.5)
                final = Counter(a["subject"] for a in announcements(*logs))
                assert all(n == 1 for n in final.values()), final
                assert sum(k.startswith("remind:motion.second_reminder:") for k in final) == 17
            finally:
                for p in processes:
                    p.stop()
                await group.app.close()

    asyncio.run(scenario())


async def test_two_ringers_racing_for_one_reminder_act_once():
    async with scratch_postgres() as url:
        clock = MovableClock(real())
        group = await open_group(url, clock)
        try:
            await group.say("alice", "/motion 楼道装灯")
            await plan_subjects(group.app.new_uow, clock)
            clock.move(timedelta(hours=24))  # the lapse is due
            lapse_id = 2
            outcomes = await asyncio.gather(*(ring(group.app.new_uow, lapse_id, clock) for _ in range(4)))
            assert Counter(o for o, _ in outcomes)["fired"] == 1, outcomes
            assert len([e for e in await group.events("motion.lapsed")]) == 1
            assert len([m for m in await group.outbox() if "失效" in m["text"]]) == 1
        finally:
            await group.app.close()
