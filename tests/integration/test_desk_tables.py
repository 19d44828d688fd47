"""A desk serves the command tables it is given, and nothing else: no import side effects, no global registry."""

from __future__ import annotations

import pytest

from bot.desk import Desk
from bot.desk.commands import council, motions
from storage.uow import uow_factory

from .desk_helpers import Person, incoming

pytestmark = pytest.mark.asyncio


async def test_a_desk_with_only_the_council_table_knows_only_council_commands(app):
    desk = Desk(uow_factory(app.sessions), app.dispatcher.clock, tables=[council.TABLE])
    assert set(desk.commands) == set(council.TABLE.commands)
    setup = await desk.handle(incoming(Person("chair"), "/setup nantang"))
    assert not setup.refused and setup.refusal is None
    joined = await desk.handle(incoming(Person("alice"), "/join 1-101"))
    assert not joined.refused
    motion = await desk.handle(incoming(Person("alice"), "/motion 装一盏灯"))
    assert motion.refused and motion.refusal == "error.unknown_command"
    pressed = await desk.handle(incoming(Person("alice"), data="s:1"))  # a second button: not this desk's
    assert pressed.refused and pressed.refusal == "error.bad_button"


async def test_a_second_table_adds_its_commands(app):
    desk = Desk(uow_factory(app.sessions), app.dispatcher.clock, tables=[council.TABLE, motions.TABLE])
    await desk.handle(incoming(Person("chair"), "/setup nantang"))
    await desk.handle(incoming(Person("alice"), "/join 1-101"))
    motion = await desk.handle(incoming(Person("alice"), "/motion 装一盏灯"))
    assert not motion.refused and motion.replies[0].subject == "motion:1"
    refused = await desk.handle(incoming(Person("alice"), "/close 1"))
    assert refused.refusal == "error.unknown_command"
