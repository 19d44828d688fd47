"""Issue 11, 南塘十三条 as settings, through the console chat: what residents and the chair see, at each edge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.alarm import plan_subjects, ring
from bot.console import ConsoleChat
from bot.main import build_core
from deliberation import events
from deliberation.lifecycle import MotionState
from storage.models import OutboxRow, ReminderRow

pytestmark = pytest.mark.asyncio


def _chat(app) -> ConsoleChat:
    return ConsoleChat(app.dispatcher, out=lambda _line: None)


async def _say_all(chat: ConsoleChat, *lines: str) -> None:
    for line in lines:
        response = await chat.say(line)
        assert response is not None and not response.refused, (line, [r.text for r in response.replies])


async def _council(app):
    async with app.dispatcher.uow() as uow:
        return await uow.councils.by_chat("console:main")


async def _motion(app, number: int):
    async with app.dispatcher.uow() as uow:
        return await uow.motions.by_number((await _council(app)).id, number)


async def _group(app, *lines: str) -> ConsoleChat:
    chat = _chat(app)
    await _say_all(chat, "@chair /setup", "@alice /join 1-101", "@bob /join 1-102", "@carol /join 1-103", *lines)
    return chat


def _text(response) -> str:
    return "\n".join(r.text for r in response.replies)


async def test_rules_lists_every_rule_with_its_source_and_set_changes_one(app):
    chat = await _group(app)
    shown = _text(await chat.say("@alice /rules"))
    for name in ("quorum", "approval", "second_deadline", "speeches", "speech_length", "alternation", "quiet"):
        assert f"/set {name}" in shown
    for name in ("tally", "chair_votes", "one_matter", "ballot_duration"):
        assert f"/set {name}" in shown
    assert "南塘第8条" in shown and "南塘第11条" in shown and "罗伯特议事规则 §" in shown
    assert "表决前静候（还有人要发言吗？）：5 分钟（南塘第11条）" in shown

    refused = await chat.say("@alice /set quiet 3m")
    assert refused.refusal == "error.role_required"
    bad = await chat.say("@chair /set quiet soon")
    assert bad.refusal == "set.expect.duration_zero" and "什么也没改" in _text(bad)
    assert (await _council(app)).rules.quiet_before_vote == timedelta(minutes=5)

    changed = await chat.say("@chair /set quiet 3m")
    assert not changed.refused and not changed.replies[0].private  # said in the group
    assert "主持人 chair 修改了议事规则" in _text(changed) and "3 分钟" in _text(changed)
    assert (await _council(app)).rules.quiet_before_vote == timedelta(minutes=3)
    async with app.dispatcher.uow() as uow:
        chain = await uow.events.all((await _council(app)).id)
    assert chain[-1].type == events.COUNCIL_RULE_SET and chain[-1].payload["rule"] == "quiet"
    assert "3 分钟（南塘第11条）" in _text(await chat.say("@bob /rules"))
    exported = await chat.say("@chair /export md")
    minutes = exported.documents[0].content.decode()
    assert "议事规则变更" in minutes and "主持人 chair 修改规则：/set quiet 3m" in minutes


async def test_a_question_is_refused_with_an_example_of_a_motion(app):
    chat = await _group(app)
    refused = await chat.say("@alice /motion 为什么楼道这么黑？")
    assert refused.refusal == "nantang.error.question"
    assert "南塘规则第2条" in _text(refused) and "/motion " in _text(refused)
    await _say_all(chat, "@alice /motion 请物业一周内修好楼道灯")


async def test_a_third_speech_on_one_side_waits_for_the_other_side(app, clock):
    chat = await _group(app, "@alice /motion 在1号楼安装感应灯", "@bob /second 1")
    await _say_all(chat, "@alice /for 1 楼道太暗", "@bob /for 1 老人看不见")
    clock.advance(minutes=9, seconds=59)
    refused = await chat.say("@carol /for 1 我也赞成")
    assert refused.refusal == "nantang.error.alternate" and "请等反方发言" in _text(refused)
    clock.advance(seconds=1)
    await _say_all(chat, "@carol /for 1 我也赞成")


async def test_vote_after_a_speech_waits_in_the_database_through_a_restart(database_url, clock):
    app = await build_core(database_url, clock=clock)
    chat = await _group(app, "@alice /motion 在1号楼安装感应灯", "@bob /second 1", "@alice /for 1 楼道太暗")
    called = await chat.say("@chair /vote 1")
    assert "还有人要发言吗？" in _text(called) and (await _motion(app, 1)).state is MotionState.DEBATING
    await plan_subjects(app.new_uow, clock)
    clock.advance(minutes=2)
    restarted = await chat.say("@carol /against 1 太费电")  # restarts the five minutes, said in the group
    assert "#1 的表决顺延到" in _text(restarted) and not restarted.replies[-1].private
    assert "#1 将于" in _text(await chat.say("@bob /status"))
    await app.close()

    app = await build_core(database_url, clock=clock)  # the bot restarts: the call is in the database
    try:
        await plan_subjects(app.new_uow, clock)
        async with app.sessions() as session:
            alarms = list(await session.execute(select(ReminderRow).where(ReminderRow.kind == "question.open")))
        dues = sorted(r[0].due_at for r in alarms)
        assert [d - dues[0] for d in dues] == [timedelta(0), timedelta(minutes=2)]
        clock.advance(minutes=3)  # the first time: a speech came since, so it is dropped
        first = next(r[0] for r in alarms if r[0].due_at == dues[0])
        assert (await ring(app.new_uow, first.id, clock))[0] == "dropped"
        assert (await _motion(app, 1)).state is MotionState.DEBATING
        clock.advance(minutes=1, seconds=59)
        last = next(r[0] for r in alarms if r[0].due_at == dues[1])
        assert (await ring(app.new_uow, last.id, clock))[0] == "wait"  # a second early
        clock.advance(seconds=1)
        assert (await ring(app.new_uow, last.id, clock))[0] == "fired"
        assert (await _motion(app, 1)).state is MotionState.VOTING
        async with app.sessions() as session:
            queued = [r.payload for r in (await session.execute(select(OutboxRow).order_by(OutboxRow.id))).scalars()]
        ballot = next(p for p in queued if p.get("subject", "").startswith("ballot:"))
        assert [b["label"] for b in ballot["buttons"][0]] == ["赞成", "反对"] and "已投票：0 / 3" in ballot["text"]
    finally:
        await app.close()


async def test_the_ballot_offers_yes_and_no_and_shows_only_the_turnout(app):
    chat = await _group(app, "@alice /motion 在1号楼安装感应灯", "@bob /second 1")
    opened = await chat.say("@chair /vote 1")
    [ballot] = [r for r in opened.replies if r.buttons]
    assert [b.label for b in ballot.buttons[0]] == ["赞成", "反对"]
    refused = await chat.say("@alice /abstain 1")
    assert refused.refusal == "nantang.error.abstain" and "不投票就是弃权" in _text(refused)
    voted = await chat.say("@alice /yes 1")
    assert voted.edits and "赞成 1" not in voted.edits[0].text and "1/3" in voted.edits[0].text.replace(" ", "")
    await _say_all(chat, "@chair /set tally live")
    await _say_all(chat, "@bob /no 1")  # an open ballot keeps the rules it opened with: still turnout only
    await _say_all(chat, "@alice /motion 修好单元门")
    await _say_all(chat, "@carol /yes 1")  # #1 closes; #2 comes up
    await _say_all(chat, "@bob /second 2", "@chair /vote 2")
    live = await chat.say("@alice /yes 2")
    assert "赞成 1" in live.edits[0].text


async def test_the_chair_votes_last_when_the_chair_votes(app, clock):
    chat = await _group(app, "@chair /set chair_votes last", "@alice /motion 在1号楼安装感应灯", "@bob /second 1")
    await _say_all(chat, "@chair /vote 1 1h", "@alice /yes 1", "@bob /yes 1")
    refused = await chat.say("@chair /no 1")
    assert refused.refusal == "nantang.error.chair_last" and "还有 1 人没投" in _text(refused)
    clock.advance(minutes=50)  # the last ten minutes
    await _say_all(chat, "@chair /no 1")


async def test_one_matter_at_a_time_queues_the_next_motion_and_status_shows_it(app):
    chat = await _group(app, "@alice /motion 在1号楼安装感应灯")
    queued = await chat.say("@bob /motion 修好单元门")
    assert "待议" in _text(queued) and not queued.replies[0].buttons
    assert (await chat.say("@carol /second 2")).refusal == "nantang.error.queued"
    status = _text(await chat.say("@carol /status"))
    assert "#2 议题 · 待议" in status and "待议（按顺序）：#2" in status
    withdrawn = await chat.say("@alice /withdraw 1")
    assert "现在开始议 #2" in _text(withdrawn)
    await _say_all(chat, "@carol /second 2")
