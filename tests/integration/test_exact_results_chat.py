"""Issue 11, wrong results, through the console chat: numbers, the roll, the register, frozen rules."""

from __future__ import annotations

import pytest

from bot.console import ConsoleChat
from deliberation.lifecycle import MotionState

pytestmark = pytest.mark.asyncio


async def _chat(app) -> ConsoleChat:
    return ConsoleChat(app.dispatcher, out=lambda _line: None)


async def _motion(app, number: int):
    async with app.dispatcher.uow() as uow:
        council = await uow.councils.by_chat("console:main")
        return await uow.motions.by_number(council.id, number)


async def _say_all(chat: ConsoleChat, *lines: str) -> None:
    for line in lines:
        response = await chat.say(line)
        assert not response.refused, (line, [r.text for r in response.replies])


async def test_an_unreadable_number_never_acts_on_the_only_open_motion(app):
    chat = await _chat(app)
    await _say_all(chat, "@chair /setup nantang", "@alice /join 1-101", "@bob /join 1-102")
    await _say_all(chat, "@alice ／ｍｏｔｉｏｎ 在1号楼安装感应灯")
    unreadable = await chat.say("@bob /second 第十二号")
    assert unreadable.refusal == "error.bad_number"
    missing = await chat.say("@bob /second 第12号")  # read as #12, which does not exist
    assert missing.refusal == "error.motion_not_found"
    assert (await _motion(app, 1)).state is MotionState.PROPOSED
    await _say_all(chat, "@bob /second 第１号")
    spoken = await chat.say("@bob /for 3号楼楼道太黑")  # digits glued to words: a speech on the only motion
    assert not spoken.refused
    async with app.dispatcher.uow() as uow:
        speeches = await uow.speeches.for_motion((await _motion(app, 1)).id)
    assert [s.text for s in speeches] == ["3号楼楼道太黑"]
