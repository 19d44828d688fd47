"""Issue 11, wrong results, through the console chat: numbers, the roll, the register, frozen rules."""

from __future__ import annotations

import pytest

from bot.console import ConsoleChat
from deliberation import usecases
from deliberation.lifecycle import MotionState
from deliberation.roster import RosterUnit

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


async def test_resident_meeting_voters_join_the_roll_at_close(app):
    chat = await _chat(app)
    await _say_all(chat, "@chair /setup resident_meeting")
    await _say_all(chat, *(f"@{n} /join 1-10{i}" for i, n in enumerate("abcde", start=1)))
    await _say_all(chat, "@chair /meeting 居民会议", "@a /present", "@a /motion 加装电梯", "@b /second 1")
    await _say_all(chat, "@chair /vote 1", "@a /yes 1", "@b /yes 1", "@c /yes 1", "@d /no 1")
    closed = await chat.say("@chair /close 1")
    # present: the chair and a on the roll, b c d voted: 5 of 6; 3 yes > 5/2 (the roll alone had no quorum)
    assert not closed.refused
    assert (await _motion(app, 1)).state is MotionState.ADOPTED


async def _civil278_with_register(app, clock, chat: ConsoleChat) -> None:
    await _say_all(chat, "@chair /setup civil278")
    async with app.dispatcher.uow() as uow:
        council = await uow.councils.by_chat("console:main")
        register = [RosterUnit("2-101", "陈", 1_000_000), RosterUnit("2-102", "张", 800_000)]
        register += [RosterUnit("2-103", "张", 800_000), RosterUnit("2-201", "李", 600_000)]
        await usecases.import_roster(uow, clock, council, register)
        await uow.commit()
    for name, unit in (("chen", "2-101"), ("zhang", "2-102"), ("wife", "2-103"), ("li", "2-201")):
        await _say_all(chat, f"@{name} /join {unit}", f"@chair /approve @{name}")


async def test_civil278_needs_the_register_and_one_owner_has_one_vote(app, clock):
    chat = await _chat(app)
    await _say_all(chat, "@chair /setup civil278", "@zhang /join 2-102 80", "@chair /approve @zhang")
    await _say_all(chat, "@li /join 2-201 60", "@chair /approve @li", "@zhang /motion 加装电梯", "@li /second 1")
    refused = await chat.say("@chair /vote 1 7d major")
    assert refused.refusal == "error.register_required"
    async with app.dispatcher.uow() as uow:
        council = await uow.councils.by_chat("console:main")
    assert "yishi roster import" in refused.replies[0].text and f"--council {council.id}" in refused.replies[0].text


async def test_civil278_a_second_person_of_the_owner_is_refused(app, clock):
    chat = await _chat(app)
    await _civil278_with_register(app, clock, chat)
    await _say_all(chat, "@zhang /motion 加装电梯", "@li /second 1", "@chair /vote 1 7d major", "@zhang /yes 1")
    refused = await chat.say("@wife /no 1")  # 2-103 is also 张's: his vote is cast
    assert refused.refusal == "error.owner_already_voted"
    assert "已改为" not in refused.replies[0].text


async def test_setup_never_changes_the_rules_of_an_open_ballot(app, clock):
    chat = await _chat(app)
    await _civil278_with_register(app, clock, chat)
    await _say_all(chat, "@zhang /motion 加装电梯", "@li /second 1", "@chair /vote 1 7d major", "@zhang /yes 1")
    shown = await chat.say("@chair /setup")  # shows the rules, changes nothing
    assert not shown.refused
    assert (await chat.say("@chair /setup nantang")).refusal == "error.setup_confirm"
    assert (await chat.say("@chair /setup nantang confirm")).refusal == "error.rules_ballot_open"
    async with app.dispatcher.uow() as uow:
        assert (await uow.councils.by_chat("console:main")).rules.preset.value == "civil278"
    closed = await chat.say("@chair /close 1")
    result = next(r for r in closed.replies if r.subject and r.subject.startswith("result:"))
    assert "业主共同决定（民法典第278条）（表决开启时锁定）" in result.text
