"""Council commands a newcomer needs (issue 11): /rules names the council number, /reject, /help lists all."""

from __future__ import annotations

import pytest

from bot.console import ConsoleChat
from bot.main import console_chat

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
