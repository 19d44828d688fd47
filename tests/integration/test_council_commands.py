"""Council commands a newcomer needs (issue 11): /rules names the council number, /reject, /help lists all."""

from __future__ import annotations

import pytest

from bot.console import ConsoleChat
from bot.desk.commands import COMMAND_NAMES
from bot.main import console_chat
from deliberation import usecases
from deliberation.roster import RosterUnit
from tests.unit.test_help import named

pytestmark = pytest.mark.asyncio


async def _chat(app) -> ConsoleChat:
    lines: list[str] = []
    chat = console_chat(app, out=lines.append)
    chat.lines = lines  # type: ignore[attr-defined]
    return chat


async def _council_id(app) -> int:
    async with app.dispatcher.uow() as uow:
        council = await uow.councils.by_chat("console:main")
    assert council is not None
    return council.id


async def test_rules_name_the_council_number_that_roster_import_needs(app):
    chat = await _chat(app)
    await chat.say("@chair /setup civil278")
    response = await chat.say("@chair /rules")
    assert response is not None and not response.refused
    number = await _council_id(app)
    shown = "\n".join(reply.text for reply in response.replies)
    assert f"议事会编号：{number}" in shown
    assert f"yishi roster import 文件 --council {number}" in shown


async def _civil278_with_register(app, clock, chat: ConsoleChat) -> None:
    await chat.say("@chair /setup civil278")
    async with app.dispatcher.uow() as uow:
        council = await uow.councils.by_chat("console:main")
        register = [RosterUnit("2-101", "陈", 1_000_000), RosterUnit("2-102", "张", 800_000)]
        await usecases.import_roster(uow, clock, council, register)
        await uow.commit()


async def _member(app, username: str):
    async with app.dispatcher.uow() as uow:
        council = await uow.councils.by_chat("console:main")
        return await uow.members.find(council.id, username)


async def test_the_join_request_names_the_registered_owner(app, clock):
    chat = await _chat(app)
    await _civil278_with_register(app, clock, chat)
    response = await chat.say("@li /join 2-101")
    assert response is not None and not response.refused
    asked = response.replies[0].text
    assert "2-101 的业主是 陈" in asked, asked
    assert "/reject @li" in asked


async def test_reject_refuses_a_pending_join_tells_the_member_and_is_recorded(app, clock):
    chat = await _chat(app)
    await _civil278_with_register(app, clock, chat)
    await chat.say("@li /join 2-101")
    refused = await chat.say("@bob /reject @li")
    assert refused is not None and refused.refused, "only a chair rejects"
    response = await chat.say("@chair /reject @li")
    assert response is not None and not response.refused
    told = response.replies[0]
    assert not told.private and "@li" in told.text and "没有批准" in told.text
    assert not (await _member(app, "li")).active
    async with app.dispatcher.uow() as uow:
        events = await uow.events.all(await _council_id(app))
    rejected = [e for e in events if e.type == "member.rejected"]
    assert len(rejected) == 1 and rejected[0].payload["unit"] == "2-101"
    again = await chat.say("@chair /reject @li")
    assert again is not None and again.refused, "nothing is pending any more"
    assert "没有待批准的登记申请" in again.replies[0].text
    rejoined = await chat.say("@li /join 2-102")
    assert rejoined is not None and not rejoined.refused, "a refused person may ask again"
    assert (await _member(app, "li")).unit == "2-102"


async def test_reject_does_not_touch_an_active_member(app, clock):
    chat = await _chat(app)
    await _civil278_with_register(app, clock, chat)
    await chat.say("@chen /join 2-101")
    await chat.say("@chair /approve @chen")
    response = await chat.say("@chair /reject @chen")
    assert response is not None and response.refused
    assert (await _member(app, "chen")).active


async def test_help_in_the_group_lists_every_command(app):
    chat = await _chat(app)
    await chat.say("@chair /setup nantang")
    response = await chat.say("@alice /help")
    assert response is not None and not response.refused
    assert COMMAND_NAMES - named(response.replies[0].text) == set()
