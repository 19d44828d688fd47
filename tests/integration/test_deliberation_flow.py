"""The whole procedure through the command desk, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from bot.console import CHAT_ID, ConsoleChat
from bot.desk.messages import Incoming
from deliberation import usecases
from deliberation.chain import verify
from deliberation.lifecycle import MotionState
from deliberation.roster import RosterUnit

pytestmark = pytest.mark.asyncio


async def _chat(app) -> ConsoleChat:
    lines: list[str] = []
    chat = ConsoleChat(app.dispatcher, out=lines.append)
    chat.lines = lines  # type: ignore[attr-defined]
    return chat


async def _council(app):
    async with app.dispatcher.uow() as uow:
        return await uow.councils.by_chat("console:main")


async def _motion(app, number):
    council = await _council(app)
    async with app.dispatcher.uow() as uow:
        return await uow.motions.by_number(council.id, number)


async def _snapshot(app):
    """Everything a refused action must leave untouched: the chain head and every motion's state."""
    council = await _council(app)
    if council is None:
        return None
    async with app.dispatcher.uow() as uow:
        head = await uow.events.head(council.id)
        motions = [(m.number, m.state, m.text) for m in await uow.motions.all(council.id)]
        members = [(m.id, m.status, m.roles, m.unit) for m in await uow.members.all(council.id)]
    return head, motions, members


async def _setup_nantang(chat):
    for line in (
        "@chair /setup nantang",
        "@alice /join 1-101",
        "@bob /join 1-102",
        "@carol /join 1-201",
        "@dave /join 1-202",
        # the flow below puts questions right after speeches, abstains, and keeps several motions open:
        # 南塘 11, 12 and 一事一议 are tested in test_nantang_chat
        "@chair /set quiet 0",
        "@chair /set abstain on",
        "@chair /set one_matter off",
    ):
        response = await chat.say(line)
        assert not response.refused, line


async def test_full_flow_with_refused_third_speech_amendment_and_changed_vote(app):
    chat = await _chat(app)
    await _setup_nantang(chat)
    raised = await chat.say("@alice /motion 在1号楼安装感应灯")
    assert raised.replies[0].subject.startswith("motion:")
    assert raised.replies[0].buttons[0][0].data.startswith("s:")
    assert (await chat.say("@bob /second 1")).refused is False
    assert (await _motion(app, 1)).state is MotionState.SECONDED
    assert not (await chat.say("@bob /for 1 楼道太黑")).refused
    assert (await _motion(app, 1)).state is MotionState.DEBATING
    too_soon = await chat.say("@bob /for 1 再说一句")
    assert too_soon.refused  # a second speech only after someone else has spoken
    assert not (await chat.say("@carol /against 1 先算费用")).refused
    assert not (await chat.say("@bob /for 1 费用不高")).refused
    before = await _snapshot(app)
    third = await chat.say("@bob /for 1 第三次")
    assert third.refused and "0" in third.replies[0].text
    assert await _snapshot(app) == before

    assert not (await chat.say("@dave /amend 1 在1号楼安装感应灯，费用不超过3000元")).refused
    assert not (await chat.say("@alice /second 2")).refused
    blocked = await chat.say("@chair /vote 1 10m")
    assert blocked.refused  # a seconded amendment is settled first (an unseconded one lapses at /vote)
    ballot = await chat.say("@chair /vote 2 10m")
    assert ballot.replies[0].subject.startswith("ballot:")
    for voter in ("alice", "bob", "carol"):
        assert not (await chat.say(f"@{voter} /yes 2")).refused
    closing = await chat.say("@dave /no 2")
    assert any(r.subject and r.subject.startswith("result:") for r in closing.replies)
    main = await _motion(app, 1)
    assert main.text == "在1号楼安装感应灯，费用不超过3000元"
    assert main.original_text == "在1号楼安装感应灯"
    assert (await _motion(app, 2)).state is MotionState.ADOPTED

    await chat.say("@chair /vote 1 10m")
    await chat.say("@alice /no 1")
    changed = await chat.say("@alice /yes 1")
    assert changed.popup and not changed.refused
    await chat.say("@bob /no 1")
    await chat.say("@carol /abstain 1")
    # the chair does not vote under nantang; dave has not voted: the chair closes
    assert (await chat.say("@chair /vote 1")).refused
    closed = await chat.say("@chair /close 1")
    result = next(r for r in closed.replies if r.subject and r.subject.startswith("result:"))
    assert "1" in result.text
    motion = await _motion(app, 1)
    assert motion.state is MotionState.REJECTED  # alice yes, bob no: a tie fails under nantang
    council = await _council(app)
    async with app.dispatcher.uow() as uow:
        ballots = await uow.ballots.for_motion(motion.id)
        events = await uow.events.all(council.id)
    assert verify(events).ok
    assert ballots[-1].result.yes == 1 and ballots[-1].result.no == 1


async def test_refusals_change_nothing(app):
    chat = await _chat(app)
    await _setup_nantang(chat)
    await chat.say("@alice /motion 修理单元门禁")
    cases = [
        "@alice /nosuchcommand",
        "@alice /motion",
        "@alice /motion    ",
        "@alice /motion " + "长" * 501,
        "@alice /second 1",  # own motion
        "@stranger /second 1",  # not a member
        "@stranger /yes 1",
        "@alice /vote 1",  # not the chair
        "@bob /second 99",
        "@bob /for 1 不能在附议前讨论",
        "@chair /for 1 主持人不辩论",
        "@bob /lang klingon",
        "@chair /setup nosuchpreset",
        "@bob /close 1",
        "@bob /withdraw 1",
    ]
    for line in cases:
        before = await _snapshot(app)
        response = await chat.say(line)
        assert response.refused, line
        assert response.replies and response.replies[0].text.strip(), line
        assert await _snapshot(app) == before, line


async def test_vote_on_a_closed_motion_is_refused(app):
    chat = await _chat(app)
    await _setup_nantang(chat)
    await chat.say("@alice /motion 更换垃圾桶")
    await chat.say("@bob /second 1")
    await chat.say("@chair /vote 1 10m")
    for voter in ("alice", "bob", "carol", "dave"):
        await chat.say(f"@{voter} /yes 1")
    assert (await _motion(app, 1)).state is MotionState.ADOPTED
    before = await _snapshot(app)
    late = await chat.say("@alice /no 1")
    assert late.refused
    assert await _snapshot(app) == before


async def test_withdraw_postpone_refer_and_close_debate(app, clock):
    chat = await _chat(app)
    await _setup_nantang(chat)
    await chat.say("@alice /motion 议题一")
    assert not (await chat.say("@alice /withdraw 1")).refused
    assert (await _motion(app, 1)).state is MotionState.WITHDRAWN

    await chat.say("@alice /motion 议题二")
    await chat.say("@bob /second 2")
    await chat.say("@carol /enddebate 2")
    await chat.say("@dave /second 3")
    await chat.say("@chair /vote 3 10m")
    for voter in ("alice", "bob", "carol"):
        await chat.say(f"@{voter} /yes 3")
    await chat.say("@dave /no 3")  # 3 of 4 >= 2/3: carried
    assert (await _motion(app, 2)).debate_closed
    assert (await chat.say("@bob /for 2 还想说")).refused

    await chat.say("@alice /motion 议题五")
    await chat.say("@bob /second 4")
    await chat.say("@carol /postpone 4 3d")
    await chat.say("@dave /second 5")
    await chat.say("@chair /vote 5 10m")
    for voter in ("alice", "bob", "carol", "dave"):
        await chat.say(f"@{voter} /yes 5")
    postponed = await _motion(app, 4)
    assert postponed.state is MotionState.POSTPONED and postponed.postponed_until is not None

    await chat.say("@alice /motion 议题七")
    await chat.say("@bob /second 6")
    await chat.say("@carol /refer 6 小区业委会")
    await chat.say("@dave /second 7")
    await chat.say("@chair /vote 7 10m")
    for voter in ("alice", "bob", "carol", "dave"):
        await chat.say(f"@{voter} /yes 7")
    referred = await _motion(app, 6)
    assert referred.state is MotionState.REFERRED and referred.referred_to == "小区业委会"


async def test_lapse_at_the_second_deadline(app, clock):
    from deliberation import usecases

    chat = await _chat(app)
    await _setup_nantang(chat)
    await chat.say("@alice /motion 没人附议的议题")
    council = await _council(app)
    motion = await _motion(app, 1)
    async with app.dispatcher.uow() as uow:
        assert await usecases.lapse(uow, clock, council, motion.id) is None  # not yet due
    clock.advance(hours=24, seconds=1)
    async with app.dispatcher.uow() as uow:
        lapsed = await usecases.lapse(uow, clock, council, motion.id)
        await uow.commit()
    assert lapsed is not None and lapsed.state is MotionState.LAPSED
    assert (await chat.say("@bob /second 1")).refused


async def test_civil278_counts_owners_once_and_weights_area(app, clock):
    chat = await _chat(app)
    await chat.say("@chair /setup civil278")
    council = await _council(app)
    register = [
        RosterUnit("2-101", "陈", 1_000_000),
        RosterUnit("2-102", "张", 800_000),
        RosterUnit("2-201", "李", 600_000),
    ]
    async with app.dispatcher.uow() as uow:
        await usecases.import_roster(uow, clock, council, register)
        await uow.commit()
    await chat.say("@chair /join 2-101")
    assert not (await chat.say("@zhang /join 2-102")).refused
    pending = await chat.say("@li /join 2-201")
    assert pending.replies[0].buttons  # an approve button for the chair
    assert (await chat.say("@li /motion 加装电梯")).refused  # pending members cannot act
    assert not (await chat.say("@chair /approve @zhang")).refused
    assert not (await chat.say("@chair /approve @li")).refused
    await chat.say("@zhang /motion 加装电梯")
    await chat.say("@li /second 1")
    ballot = await chat.say("@chair /vote 1 7d major")
    assert not ballot.refused
    await chat.say("@chair /yes 1")
    await chat.say("@zhang /yes 1")
    closed = await chat.say("@li /no 1")
    result = next(r for r in closed.replies if r.subject and r.subject.startswith("result:"))
    # area yes 180 of 240 participating = 3/4 exactly; owners 2 of 3 < 3/4 -> fails
    assert "180/240 ㎡（75.00%）" in result.text and "2/3 人（66.67%）" in result.text  # as counted, not reduced
    assert (await _motion(app, 1)).state is MotionState.REJECTED


async def test_secret_ballot_forgets_choices(app):
    chat = await _chat(app)
    await _setup_nantang(chat)
    await chat.say("@alice /motion 选择新的保洁公司")
    await chat.say("@bob /second 1")
    opened = await chat.say("@chair /vote 1 10m secret")
    assert not opened.refused
    typed = await chat.say("@alice /yes 1")  # typed in the group, a secret vote is refused and withdrawn
    assert typed is not None and typed.refusal == "error.secret_vote_typed" and typed.withdraw
    ballot_id = int(next(r.subject for r in opened.replies if r.subject).split(":")[1])
    changed = None
    for voter, choice in (("alice", "y"), ("bob", "n"), ("carol", "y")):
        changed = await app.dispatcher.handle(
            Incoming("console", CHAT_ID, voter, voter, data=f"v:{ballot_id}:{choice}", username=voter)
        )
        assert not changed.refused, changed
        for edit in changed.edits:
            assert "赞成 " not in edit.text  # only turnout while secret
    closed = await chat.say("@chair /close 1")
    assert any(r.subject and r.subject.startswith("result:") for r in closed.replies)
    council = await _council(app)
    motion = await _motion(app, 1)
    async with app.dispatcher.uow() as uow:
        ballot = (await uow.ballots.for_motion(motion.id))[0]
        assert await uow.votes.all(ballot.id) == []  # choices destroyed
        assert await uow.votes.count(ballot.id) == 3  # turnout kept
        events = await uow.events.all(council.id)
    # no single vote of a secret ballot in the chain (no name, no time): the close carries the counts
    assert [e for e in events if e.type == "vote.cast"] == []
    [closing] = [e for e in events if e.type == "ballot.closed"]
    assert (closing.payload["yes"], closing.payload["no"], closing.payload["abstain"]) == (2, 1, 0)
