"""Issue 11, amendments and subsidiary motions, through the console chat."""

from __future__ import annotations

import pytest

from bot.console import ConsoleChat
from deliberation.lifecycle import MotionState

pytestmark = pytest.mark.asyncio


async def _motion(app, number: int):
    async with app.dispatcher.uow() as uow:
        council = await uow.councils.by_chat("console:main")
        return await uow.motions.by_number(council.id, number)


async def _say_all(chat: ConsoleChat, *lines: str) -> None:
    for line in lines:
        response = await chat.say(line)
        assert not response.refused, (line, [r.text for r in response.replies])


async def _debating(app) -> ConsoleChat:
    chat = ConsoleChat(app.dispatcher, out=lambda _line: None)
    await _say_all(chat, "@chair /setup robert", "@alice /join 1-101", "@bob /join 1-102", "@carol /join 1-103")
    await _say_all(chat, "@alice /motion 在1号楼安装感应灯", "@bob /second 1")
    return chat


async def test_a_second_amendment_is_refused_and_an_unseconded_one_does_not_block_the_vote(app):
    chat = await _debating(app)
    await _say_all(chat, "@carol /amend 1 在1号楼安装声控灯")
    refused = await chat.say("@bob /amend 1 在1号楼安装太阳能灯")
    assert refused.refusal == "error.amendment_already_pending"
    assert "#2" in refused.replies[0].text
    await _say_all(chat, "@chair /vote 1")  # #2 was never seconded: it lapses, the question is put
    assert (await _motion(app, 2)).state is MotionState.LAPSED
    assert (await _motion(app, 1)).state is MotionState.VOTING


async def test_a_secondary_amendment_and_a_withdrawn_motion_taking_its_amendments(app):
    chat = await _debating(app)
    await _say_all(chat, "@carol /amend 1 在1号楼安装声控灯", "@alice /second 2")
    await _say_all(chat, "@bob /amend 2 在1号楼安装两盏声控灯", "@alice /second 3")
    assert (await chat.say("@carol /amend 3 三盏")).refusal == "error.amendment_too_deep"
    await _say_all(chat, "@alice /withdraw 1")
    assert [(await _motion(app, n)).state for n in (1, 2, 3)] == [MotionState.WITHDRAWN] * 3
    assert (await _motion(app, 1)).text == "在1号楼安装感应灯"


async def test_closing_debate_is_undebatable_and_ends_amendments(app):
    chat = await _debating(app)
    await _say_all(chat, "@carol /enddebate 1", "@alice /second 2")
    refused = await chat.say("@bob /against 2 我还有话说")
    assert refused.refusal == "error.undebatable"
    await _say_all(chat, "@chair /vote 2", "@alice /yes 2", "@bob /yes 2", "@carol /yes 2", "@chair /close 2")
    assert (await chat.say("@carol /amend 1 在1号楼安装声控灯")).refusal == "error.amend_after_close"


async def test_a_postponement_ending_before_its_ballot_closes_is_refused(app):
    chat = await _debating(app)
    await _say_all(chat, "@carol /postpone 1 1h", "@alice /second 2")
    refused = await chat.say("@chair /vote 2 2h")
    assert refused.refusal == "error.postpone_too_soon"
    assert (await _motion(app, 2)).state is MotionState.SECONDED


async def test_a_postponement_card_shows_its_time_once_in_the_councils_zone(app):
    """Point 10: the card says when, once, in local time (Asia/Shanghai: 19:30 is 11:30 UTC)."""
    chat = await _debating(app)
    card = await chat.say("@carol /postpone 1 2026-12-16 19:30")
    assert not card.refused, [r.text for r in card.replies]
    text = "\n".join(r.text for r in card.replies)
    assert text.count("19:30") == 1 and "11:30" not in text and "UTC" not in text, text
