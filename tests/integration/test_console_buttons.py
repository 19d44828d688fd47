"""The console has buttons: `[label]` under a message, pressed by typing `@name [label]` (issue 11)."""

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


async def _open_secret_ballot(chat: ConsoleChat) -> None:
    for line in (
        "@chair /setup robert",
        "@alice /join 1-101",
        "@bob /join 1-102",
        "@carol /join 1-201",
        "@alice /motion 在3号楼安装感应灯",
        "@bob /second 1",
        "@chair /vote 1 secret",
    ):
        response = await chat.say(line)
        assert response is not None and not response.refused, line


async def test_a_secret_ballot_is_voted_with_the_console_buttons(app):
    chat = await _chat(app)
    await _open_secret_ballot(chat)
    lines: list[str] = chat.lines  # type: ignore[attr-defined]
    assert any("[赞成]  [反对]  [弃权]" in line for line in lines)
    assert any("@alice [赞成]" in line for line in lines), "the ballot says how to vote in the console"
    typed = await chat.say("@alice /yes 1")
    assert typed is not None and typed.refused, "a secret ballot is not voted by a typed command in the group"
    for line in ("@alice [赞成]", "@bob 赞成", "@carol [ 反对 ]", "@chair [弃权]"):
        pressed = await chat.say(line)
        assert pressed is not None and not pressed.refused, line
    await app.drainer.drain_once()  # everyone has voted: the ballot closed and its result is announced
    tail = "\n".join(lines[-12:])
    assert "参与表决 4 人" in tail and "赞成比例：66.67%" in tail, tail  # counts sealed: under 3 on some option
    assert "结果：通过 ✅" in tail, tail


async def test_an_unknown_button_is_not_pressed(app):
    chat = await _chat(app)
    await _open_secret_ballot(chat)
    assert await chat.say("@alice [同意]") is None
    assert "没有“同意”这个按钮" in chat.lines[-1]  # type: ignore[attr-defined]
    assert await chat.say("@alice 随便聊聊") is None, "ordinary chat is not a button press"
