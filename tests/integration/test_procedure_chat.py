"""Issue 11, procedure through the console chat: adjourning during a vote, /show's whole story, a vote that
names no motion while two ballots are open, one owner's household under civil278."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.console import ConsoleChat
from deliberation import usecases
from deliberation.delivery import MeetingState
from deliberation.lifecycle import MotionState
from deliberation.roster import RosterUnit
from storage.models import VoteRow

pytestmark = pytest.mark.asyncio


async def _say_all(chat: ConsoleChat, *lines: str) -> None:
    for line in lines:
        response = await chat.say(line)
        assert response is not None and not response.refused, (line, [r.text for r in response.replies])


async def _chat(app, preset: str = "nantang", *settings: str) -> ConsoleChat:
    chat = ConsoleChat(app.dispatcher, out=lambda _line: None)
    await _say_all(chat, f"@chair /setup {preset}", "@alice /join 1-101", "@bob /join 1-102", "@carol /join 1-103")
    await _say_all(chat, *(f"@chair /set {setting}" for setting in settings))
    return chat


# 南塘 settings these tests do not exercise: the question is put at once, and two matters may be open together.
CLASSIC = ("quiet 0", "one_matter off")


async def _council(app):
    async with app.dispatcher.uow() as uow:
        return await uow.councils.by_chat("console:main")


async def _motion(app, number: int):
    async with app.dispatcher.uow() as uow:
        return await uow.motions.by_number((await _council(app)).id, number)


async def _votes(app) -> int:
    async with app.dispatcher.uow() as uow:
        return (await uow.session.execute(select(func.count()).select_from(VoteRow))).scalar_one()


async def test_the_chair_may_not_adjourn_until_the_meetings_ballot_is_closed(app):
    chat = await _chat(app)
    await _say_all(chat, "@chair /meeting 月度议事会", "@alice /motion 在1号楼安装感应灯", "@bob /second 1")
    await _say_all(chat, "@chair /vote 1", "@alice /yes 1")
    refused = await chat.say("@chair /adjourn")
    assert refused.refusal == "error.adjourn_ballot_open"
    assert "#1" in refused.replies[0].text and "/close 1" in refused.replies[0].text
    async with app.dispatcher.uow() as uow:
        assert await uow.meetings.in_state((await _council(app)).id, MeetingState.OPEN)
    await _say_all(chat, "@chair /close 1", "@chair /adjourn")
    async with app.dispatcher.uow() as uow:
        assert not await uow.meetings.in_state((await _council(app)).id, MeetingState.OPEN)


async def test_show_tells_the_whole_story_from_the_text_to_the_rating(app):
    chat = await _chat(app, "nantang", *CLASSIC)
    await _say_all(chat, "@alice /motion 在1号楼安装感应灯", "@bob /second 1")
    await _say_all(chat, "@alice /for 1 晚上太黑", "@carol /against 1 太贵", "@bob /amend 1 在1号楼安装声控灯")
    await _say_all(chat, "@chair /vote 1 10m", "@alice /yes 1")
    while_open = (await chat.say("@chair /show 1")).replies[0].text
    assert "表决进行中：已投 1 / 3" in while_open and "截止时间：" in while_open
    await _say_all(chat, "@bob /yes 1", "@carol /no 1")
    adopted = (await chat.say("@chair /show 1")).replies[0].text
    assert "赞成 2，反对 1，弃权 0" in adopted and "结果：通过 ✅" in adopted
    assert "落实：还没有交办" in adopted and "/assign 1" in adopted
    await _say_all(chat, "@chair /assign 1 @bob 3d", "@bob /report 1 已联系物业", "@bob /report 1 done 灯已装好")
    await _say_all(chat, "@chair /rate 1", "@alice /rate 1 满意")
    rating = (await chat.say("@alice /show 1")).replies[0].text
    assert "评议中：已评 1 人" in rating
    await _say_all(chat, "@bob /rate 1 基本满意", "@chair /rate 1 close")
    shown = await chat.say("@carol /show 1")
    text = shown.replies[0].text
    for part in (
        "在1号楼安装感应灯",  # the text
        "提议人：alice",
        "附议人：bob",
        "#2 修正案（无人附议，已失效）：在1号楼安装声控灯",  # the amendment and what became of it
        "· alice（正方（赞成））：晚上太黑",  # the speeches
        "· carol（反方（反对））：太贵",
        "赞成 2，反对 1，弃权 0",  # the ballot and its result
        "适用规则：南塘规则：赞成多于反对",
        "结果：通过 ✅",
        "落实：负责人 bob",  # delivery: assignee, reports, rating
        "bob 反馈：已联系物业",
        "bob 报告已办结：灯已装好",
        "评议结果：满意 1，基本满意 1，不满意 0（2 人评议）",
    ):
        assert part in text, (part, text)
    lines = text.split("\n")
    assert lines.index("结果：通过 ✅") < next(i for i, line in enumerate(lines) if line.startswith("落实："))


async def test_with_two_ballots_open_a_vote_without_a_number_is_refused_and_records_nothing(app):
    chat = await _chat(app, "nantang", *CLASSIC)
    await _say_all(chat, "@alice /motion 在1号楼安装感应灯", "@bob /second 1", "@chair /vote 1 2h")
    await _say_all(chat, "@bob /motion 修理单元门禁", "@carol /second 2", "@chair /vote 2 2h")
    for word in ("/yes", "/no", "/abstain"):
        refused = await chat.say(f"@carol {word}")
        assert refused.refusal == "error.motion_number_required"
        assert "#1" in refused.replies[0].text and "#2" in refused.replies[0].text
    assert await _votes(app) == 0
    await _say_all(chat, "@carol /yes 2")  # with the number it counts
    assert await _votes(app) == 1


async def test_civil278_the_second_person_of_an_owner_neither_counts_nor_closes_the_ballot(app, clock):
    chat = ConsoleChat(app.dispatcher, out=lambda _line: None)
    await _say_all(chat, "@chair /setup civil278")
    async with app.dispatcher.uow() as uow:
        council = await uow.councils.by_chat("console:main")
        register = [RosterUnit("2-101", "陈", 1_000_000), RosterUnit("2-102", "张", 800_000)]
        await usecases.import_roster(uow, clock, council, register)
        await uow.commit()
    for name, unit in (("chen", "2-101"), ("zhang", "2-102"), ("wife", "2-102")):
        await _say_all(chat, f"@{name} /join {unit}", f"@chair /approve @{name}")
    await _say_all(chat, "@zhang /motion 加装电梯", "@chen /second 1", "@chair /vote 1 7d", "@zhang /yes 1")
    refused = await chat.say("@wife /yes 1")  # 张's vote is cast; two owners, one has voted
    assert refused.refusal == "error.owner_already_voted"
    assert (await _motion(app, 1)).state is MotionState.VOTING and await _votes(app) == 1
    closing = await chat.say("@chen /no 1")  # the second owner: the last vote closes it
    assert not closing.refused
    result = next(r for r in closing.replies if r.subject and r.subject.startswith("result:"))
    assert "赞成 1，反对 1，弃权 0" in result.text and "赞成 80㎡" in result.text, result.text


# ---- points 4, 6, 8, 9 of the issue, each once through the console -----------------------------------


async def test_a_vote_whose_number_cannot_be_read_never_lands_on_the_only_open_ballot(app):
    chat = await _chat(app)
    await _say_all(chat, "@alice /motion 在1号楼安装感应灯", "@bob /second 1", "@chair /vote 1 2h")
    assert (await chat.say("@carol /yes 第十二号")).refusal == "error.bad_number"
    assert (await chat.say("@carol /yes 第12号")).refusal == "error.motion_not_found"
    assert (await chat.say("@carol ／ｙｅｓ　＃１２")).refusal == "error.motion_not_found"
    assert await _votes(app) == 0
    await _say_all(chat, "@carol ／ｙｅｓ　第１号")
    assert await _votes(app) == 1


async def _robert_debating(app) -> ConsoleChat:
    chat = await _chat(app, "robert")  # the chair votes: four voters
    await _say_all(chat, "@alice /motion 在1号楼安装感应灯", "@bob /second 1")
    return chat


async def _adopt(chat: ConsoleChat, number: int) -> None:
    await _say_all(chat, f"@chair /vote {number}", *(f"@{n} /yes {number}" for n in ("chair", "alice", "bob", "carol")))


async def test_a_postponement_and_a_referral_may_each_be_amended(app):
    chat = await _robert_debating(app)
    await _say_all(chat, "@carol /postpone 1 2026-12-20 19:30", "@alice /second 2")
    await _say_all(chat, "@bob /amend 2 2026-12-27 19:30", "@alice /second 3")
    await _adopt(chat, 3)
    await _adopt(chat, 2)
    motion = await _motion(app, 1)
    assert motion.state is MotionState.POSTPONED
    assert motion.postponed_until is not None and motion.postponed_until.isoformat() == "2026-12-27T11:30:00+00:00"
    await _say_all(chat, "@alice /motion 修理单元门禁", "@bob /second 4", "@carol /refer 4 物业管理委员会")
    await _say_all(chat, "@alice /second 5", "@bob /amend 5 业主委员会", "@alice /second 6")
    await _adopt(chat, 6)
    await _adopt(chat, 5)
    referred = await _motion(app, 4)
    assert (referred.state, referred.referred_to) == (MotionState.REFERRED, "业主委员会")


@pytest.mark.parametrize("subsidiary", ["/postpone 1 2026-12-20 19:30", "/refer 1 物业管理委员会"])
async def test_a_postponed_or_referred_motion_takes_its_pending_amendment(app, subsidiary):
    chat = await _robert_debating(app)
    await _say_all(chat, "@carol /amend 1 在1号楼安装声控灯", f"@bob {subsidiary}", "@alice /second 3")
    await _adopt(chat, 3)
    assert (await _motion(app, 1)).state in (MotionState.POSTPONED, MotionState.REFERRED)
    assert (await _motion(app, 2)).state is MotionState.WITHDRAWN
    assert (await _motion(app, 1)).text == "在1号楼安装感应灯"


@pytest.mark.parametrize(("last", "state"), [("abstain", MotionState.REJECTED), ("yes", MotionState.ADOPTED)])
async def test_resident_meeting_closing_debate_needs_more_than_half_of_those_present(app, last, state):
    chat = ConsoleChat(app.dispatcher, out=lambda _line: None)
    await _say_all(chat, "@chair /setup resident_meeting")
    await _say_all(chat, *(f"@{n} /join 1-10{i}" for i, n in enumerate("abcde", start=1)))
    await _say_all(chat, "@a /motion 加装电梯", "@b /second 1", "@chair /meeting 居民会议")
    await _say_all(chat, "@a /enddebate 1", "@b /second 2", "@chair /vote 2")
    # present: the chair on the roll and five voters, 6; 3 yes is not more than half of 6, 4 yes is
    await _say_all(chat, "@a /yes 2", "@b /yes 2", "@c /yes 2", "@d /no 2", f"@e /{last} 2", "@chair /close 2")
    assert (await _motion(app, 2)).state is state
