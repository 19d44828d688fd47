"""A ballot's reminder names who has not voted under the rules the ballot opened with, whatever the council's
rules have become since (a later `/set` never reaches an open ballot), through the alarm and the outbox."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from deliberation.counting import Preset
from deliberation.model import Rules

from .scheduler_helpers import MovableClock, open_group, sqlite_url, utc
from .test_scheduler_delivery import ring_due

T0 = utc(2026, 6, 1, 2, 0)


@pytest.fixture
async def group(tmp_path):
    clock = MovableClock(T0)
    group = await open_group(sqlite_url(tmp_path / "yishi.db"), clock)
    group.clock = clock
    yield group
    await group.app.close()


async def test_the_ballot_reminder_reads_the_rules_the_ballot_opened_with(group):
    for who, line in [("alice", "/motion 在3号楼每层安装感应灯"), ("bob", "/second 1"), ("chair", "/vote 1 2h")]:
        assert not (await group.say(who, line)).refused, line
    assert not (await group.say("alice", "/yes 1")).refused
    # The council's rules change while the ballot is open: the chair would vote under robert, not under 南塘.
    async with group.app.dispatcher.uow() as uow:
        council = await uow.councils.by_chat("console:main")
        await uow.councils.update(replace(council, rules=Rules.for_preset(Preset.ROBERT)))
        await uow.commit()
    group.clock.move(timedelta(hours=1))  # the reminder is due an hour before the ballot closes
    assert "ballot.reminder:fired" in await ring_due(group, group.clock)
    reminder = next(m for m in await group.outbox() if m["subject"].startswith("remind:ballot:"))
    assert reminder["text"].endswith("还有 2 户没有投票：1-102、1-103"), reminder["text"]  # not the chair
