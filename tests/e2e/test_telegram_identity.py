"""Issue 12 #5, #6, #11 against the real python-telegram-bot and the fake Bot API: who a message is from,
who may set up, members who left or were demoted (`chat_member`), and a non-member told once."""

from __future__ import annotations

import pytest

from bot.i18n import Translator
from deliberation.model import MemberStatus
from tests.e2e.conftest import ALICE, BOB, CAROL, CHAIR, DAVE, MALLORY, Harness, ballots_of, button_data, votes_of
from tests.fakes.fake_bot_api import FakeUser

pytestmark = pytest.mark.timeout(90)
t = Translator("zh_Hans")
GROUP = -7001
CHANNEL_BOT = FakeUser(id=136817688, first_name="Channel", username="Channel_Bot", is_bot=True)
ANONYMOUS_ADMIN = FakeUser(id=1087968824, first_name="Group", username="GroupAnonymousBot", is_bot=True)


async def council(h: Harness) -> dict:
    """A nantang council set up by 王主任 (the group's owner) with Alice, Bob and Carol; #1 on the ballot."""
    h.api.set_chat(GROUP, "supergroup", "梧桐小区")
    assert not (await h.cmd(GROUP, CHAIR, "/setup")).refusal
    for user, unit in ((ALICE, "1-101"), (BOB, "1-102"), (CAROL, "1-201")):
        await h.cmd(GROUP, user, f"/join {unit}")
    await h.cmd(GROUP, ALICE, "/motion 修好单元门禁")
    await h.cmd(GROUP, BOB, "/second 1")
    return (await h.cmd(GROUP, CHAIR, "/vote 1 2h")).posted_with_button("v:")


async def members(h: Harness) -> dict[str, object]:
    async with h.app.dispatcher.uow() as uow:
        found = await uow.councils.by_chat(f"telegram:{GROUP}")
        return {m.user_key: m for m in await uow.members.all(found.id)}


async def test_an_ordinary_member_cannot_set_up_a_new_group(harness):
    h = harness
    h.api.set_chat(-7002, "supergroup", "新群")
    step = await h.cmd(-7002, MALLORY, "/setup")
    assert step.refusal == t("error.admin_required")
    async with h.app.dispatcher.uow() as uow:
        assert await uow.councils.by_chat("telegram:-7002") is None
    assert not (await h.cmd(-7002, CHAIR, "/setup")).refusal  # the group's owner may


async def test_channels_and_anonymous_admins_are_refused_with_a_hint(harness):
    h = harness
    await council(h)
    before = await members(h)
    for channel_id, title in ((-1001, "业主频道"), (-1002, "另一个频道")):
        update = h.api.make_command(GROUP, CHANNEL_BOT, "/join 9-901")
        update["message"]["sender_chat"] = {"id": channel_id, "type": "channel", "title": title}
        step = await h.run(update)
        assert step.refusal == t("tg.error.as_channel")
    update = h.api.make_command(GROUP, ANONYMOUS_ADMIN, "/close 1")
    update["message"]["sender_chat"] = {"id": GROUP, "type": "supergroup", "title": "梧桐小区"}
    step = await h.run(update)
    assert step.refusal == t("tg.error.anonymous_admin")
    assert await members(h) == before  # no shared "channel" member, nothing closed
    assert (await ballots_of(h, GROUP, 1))[0].open


async def test_a_member_who_left_cannot_vote_with_the_buttons(harness):
    h = harness
    ballot = await council(h)
    yes = button_data(ballot)[0]
    await h.run(h.api.make_chat_member(GROUP, ALICE, "left"))
    await h.run(h.api.make_chat_member(GROUP, BOB, "kicked"))
    assert (await members(h))["telegram:1001"].status is MemberStatus.LEFT
    for user in (ALICE, BOB):
        step = await h.click(GROUP, user, ballot["message_id"], yes)
        assert step.alert and step.popup == t("error.member_left"), user
    assert not (await h.click(GROUP, CAROL, ballot["message_id"], yes)).alert
    _, counted = await votes_of(h, (await ballots_of(h, GROUP, 1))[0].id)
    assert counted == 1


async def test_a_demoted_admin_stops_chairing_at_once(harness):
    h = harness
    h.api.set_chat_member(GROUP, DAVE, "administrator")
    await council(h)
    assert not (await h.cmd(GROUP, DAVE, "/close 1")).refusal  # an admin chairs by default
    await h.cmd(GROUP, ALICE, "/motion 清理楼道")
    await h.cmd(GROUP, BOB, "/second 2")
    await h.cmd(GROUP, CHAIR, "/vote 2 2h")
    await h.run(h.api.make_chat_member(GROUP, DAVE, "member", old_status="administrator"))
    step = await h.cmd(GROUP, DAVE, "/close 2")  # well within the admin cache's minute
    assert step.refusal and "主持人" in step.refusal
    assert (await ballots_of(h, GROUP, 2))[0].open


async def test_a_non_member_is_answered_once_privately_where_telegram_allows(harness):
    h = harness
    await council(h)
    steps = [await h.cmd(GROUP, MALLORY, "/motion 装电梯") for _ in range(30)]
    assert steps[0].refusal == t("error.not_member")  # never started the bot: one reply in the group
    assert all(step.texts == [] for step in steps[1:])  # the rest: silence
    h.api.start_private(DAVE)
    step = await h.cmd(GROUP, DAVE, "/second 1")
    assert step.calls_to_chat(GROUP) == []  # nothing in the group
    assert [m["chat"]["id"] for m in step.messages] == [DAVE.id]
    assert step.texts == [t("error.not_member")]
    assert [s.texts for s in [await h.cmd(GROUP, DAVE, "/second 1")]] == [[]]
