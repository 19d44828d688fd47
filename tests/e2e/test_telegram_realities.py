"""Telegram as it really behaves: re-deliveries, migrations, removal, 429s, old messages, HTML, privacy."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.desk.messages import Reply
from bot.i18n import Translator
from bot.outbox import enqueue_row
from storage.models import CouncilRow, OutboxRow, PostRow
from tests.e2e.conftest import (
    ALICE,
    BOB,
    CAROL,
    CHAIR,
    DAVE,
    Harness,
    ballots_of,
    button_data,
    council_of,
    events_of,
    motion_of,
    running_bot,
    votes_of,
)
from tests.fakes.fake_bot_api import NOT_MODIFIED, FakeUser

from .conftest import classic_rules

pytestmark = pytest.mark.timeout(60)
t = Translator("zh_Hans")
G = -7001


async def council_with_members(h: Harness, group: int = G, title: str = "7号楼") -> None:
    h.api.set_chat(group, "group", title)
    h.api.set_chat_member(group, CHAIR, "creator")
    await h.cmd(group, CHAIR, "/setup")
    await classic_rules(h, group, CHAIR)
    for user, unit in ((ALICE, "7-101"), (BOB, "7-102"), (CAROL, "7-201")):
        await h.cmd(group, user, f"/join {unit}")


async def sent_to(h: Harness, chat_id: int) -> list[str]:
    return [m["text"] for m in h.api.sent_messages(chat_id)]


async def queue_announcement(h: Harness, chat_id: int, text: str, *, at: datetime | None = None) -> int:
    async with h.app.new_uow() as uow:
        row_id = await enqueue_row(uow, chat_key=f"telegram:{chat_id}", reply=Reply(text), at=at or datetime.now(UTC))
        await uow.commit()
        return row_id


async def outbox_row(h: Harness, row_id: int) -> OutboxRow | None:
    async with h.app.sessions() as session:
        return await session.get(OutboxRow, row_id)


# ---- idempotency -------------------------------------------------------------------------------


async def test_a_redelivered_update_changes_nothing(harness):
    h = harness
    await council_with_members(h)
    first = await h.cmd(G, ALICE, "/motion 楼顶装太阳能灯")
    assert len(first.messages) == 1
    again = await h.run(first.update, times=2)  # the very same update (same update_id) again
    assert again.messages == [] and not again.reacted
    message_again = {"message": first.update["message"]}  # the same message under a new update_id
    step = await h.run(message_again)
    assert step.update["update_id"] != first.update["update_id"]
    assert step.messages == [] and not step.reacted
    async with h.app.dispatcher.uow() as uow:
        assert [m.number for m in await uow.motions.all((await council_of(h, G)).id)] == [1]

    await h.cmd(G, BOB, "/second 1")
    ballot = (await h.cmd(G, CHAIR, "/vote 1")).posted_with_button("v:")
    yes, no, _ = button_data(ballot)
    click_yes = await h.click(G, ALICE, ballot["message_id"], yes)
    await h.click(G, ALICE, ballot["message_id"], no)
    replay = await h.run(click_yes.update, times=2)  # the old "yes" press delivered again
    assert replay.messages == [] and not replay.popup
    votes, voted = await votes_of(h, (await ballots_of(h, G, 1))[0].id)
    assert voted == 1 and votes[0][2].value == "no"


# ---- group -> supergroup -------------------------------------------------------------------------


async def test_a_migrated_group_keeps_its_council(harness):
    h, api = harness, harness.api
    old, new = -7101, -1007101
    await council_with_members(h, old, "7号楼（老群）")
    await h.cmd(old, ALICE, "/motion 更换单元门锁")
    await h.cmd(old, BOB, "/second 1")
    old_ballot = (await h.cmd(old, CHAIR, "/vote 1")).posted_with_button("v:")
    await h.click(old, ALICE, old_ballot["message_id"], button_data(old_ballot)[0])
    await h.settle()
    queued = await queue_announcement(h, old, "明晚七点开会", at=datetime.now(UTC) + timedelta(hours=1))
    council_id = (await council_of(h, old)).id

    api.push_migration(old, new)  # also makes every later call to the old id fail with ChatMigrated
    await asyncio.wait_for(_until(lambda: len(api.sent_messages(new)) >= 1), 10)
    assert await council_of(h, old) is None
    assert (await council_of(h, new)).id == council_id
    assert (await sent_to(h, new)) == [t("tg.council.moved", title="7号楼（老群）")]
    assert (await outbox_row(h, queued)).chat_key == f"telegram:{new}"
    assert any(e.type == "council.moved" for e in await events_of(h, new))

    # the same council goes on in the supergroup; the ballot is posted afresh there on the next change
    step = await h.cmd(new, BOB, "/yes 1")
    assert step.reacted
    await h.settle()
    fresh = [m for m in api.sent_messages(new) if any(d.startswith("v:") for d in button_data(m))]
    assert len(fresh) == 1 and t("ballot.tally", yes=2, no=0, abstain=0, voted=2, eligible=3) in fresh[0]["text"]
    step = await h.click(new, CAROL, fresh[0]["message_id"], button_data(fresh[0])[1])
    assert step.popup == t("popup.vote_recorded", choice=t("choice.no"), number=1)
    assert (await votes_of(h, (await ballots_of(h, new, 1))[0].id))[1] == 3


async def test_a_reply_to_a_migrated_group_follows_it(harness):
    """The bot learns of the migration from ChatMigrated before the service message arrives."""
    h, api = harness, harness.api
    old, new = -7201, -1007201
    await council_with_members(h, old, "8号楼")
    api.fail_chat_migrated(old, new)
    step = await h.cmd(old, ALICE, "/motion 清理楼道杂物")
    assert [c.status for c in step.of("sendMessage")][0] == 400  # refused in the old chat ...
    texts = await sent_to(h, new)
    assert texts[0] == t("tg.council.moved", title="8号楼") and "清理楼道杂物" in texts[1]  # ... posted in the new
    assert (await motion_of(h, new, 1)).text == "清理楼道杂物"

    queued = await queue_announcement(h, old, "通知：周六大扫除")  # queued for the old id, sent to the new
    h.bot.drainer.wake.set()
    await api.wait_for(
        method="sendMessage", params={"chat_id": new}, predicate=lambda c: c.ok and "大扫除" in c.result["text"]
    )
    await asyncio.wait_for(_until_async(lambda: _sent(h, queued)), 10)


# ---- the bot removed from the group, and added back ----------------------------------------------


async def test_removed_bot_retires_the_council_and_drops_its_queue(harness):
    h, api = harness, harness.api
    await council_with_members(h)
    queued = await queue_announcement(h, G, "明天停水", at=datetime.now(UTC) + timedelta(hours=1))
    step = await h.run(api.make_my_chat_member(G, "kicked"))
    assert step.messages == []
    assert await council_of(h, G) is None
    assert await outbox_row(h, queued) is None
    async with h.app.sessions() as session:
        row = (await session.execute(select(CouncilRow).where(CouncilRow.chat_key == f"telegram:{G}"))).scalar_one()
        assert row.active is False

    api.push_my_chat_member(G, "member")  # added back: the council resumes where it was
    await api.wait_for(
        method="sendMessage", params={"chat_id": G}, predicate=lambda c: c.ok, since=len(api.calls()) - 1
    )
    assert (await council_of(h, G)).id == row.id
    assert (await sent_to(h, G))[-1] == t("tg.council.restored", title="7号楼")
    step = await h.cmd(G, ALICE, "/motion 恢复后继续议事")
    assert len(step.messages) == 1


async def test_forbidden_while_sending_retires_the_council(harness):
    h, api = harness, harness.api
    await council_with_members(h)
    queued = await queue_announcement(h, G, "周五开会", at=datetime.now(UTC) + timedelta(hours=1))
    api.fail_forbidden(G)  # removed while the bot was away: the next send gets 403
    step = await h.cmd(G, ALICE, "/status")
    assert [c.status for c in step.of("sendMessage")] == [403]
    assert await council_of(h, G) is None and await outbox_row(h, queued) is None


async def test_a_new_group_gets_one_welcome(harness):
    h, api = harness, harness.api
    step = await h.run(api.make_my_chat_member(-7301, "member", chat_type="group", chat_title="新群"))
    assert step.texts == [t("tg.group.added")]


# ---- flood control -----------------------------------------------------------------------------------


async def test_a_429_storm_delivers_each_message_once(harness):
    h, api = harness, harness.api
    await council_with_members(h)
    api.fail("sendMessage", times=3, error_code=429, retry_after=1)
    started = time.monotonic()
    step = await h.cmd(G, ALICE, "/motion 修缮自行车棚")
    assert [c.status for c in step.of("sendMessage")] == [429, 429, 429, 200]
    assert time.monotonic() - started >= 3  # it waited as told each time
    assert sum("修缮自行车棚" in text for text in await sent_to(h, G)) == 1


async def test_outbox_retries_after_the_rate_limiter_gives_up(tmp_path, api):
    async with running_bot(tmp_path, api, max_retries=1) as h:
        await council_with_members(h)
        api.fail("sendMessage", times=3, error_code=429, retry_after=1)
        queued = await queue_announcement(h, G, "公示：本月收支")
        h.bot.drainer.wake.set()
        await asyncio.wait_for(_until_async(lambda: _sent(h, queued)), 15)
        assert sum("本月收支" in text for text in await sent_to(h, G)) == 1
        row = await outbox_row(h, queued)
        assert row.attempts == 1 and row.message_ref


# ---- messages that cannot be edited, HTML, privacy --------------------------------------------------


async def test_a_message_too_old_to_edit_is_posted_again(harness):
    h, api = harness, harness.api
    await council_with_members(h)
    await h.cmd(G, ALICE, "/motion 安装快递柜")
    await h.cmd(G, BOB, "/second 1")
    ballot = (await h.cmd(G, CHAIR, "/vote 1")).posted_with_button("v:")
    api.mark_too_old(G, ballot["message_id"])
    await h.click(G, ALICE, ballot["message_id"], button_data(ballot)[0])
    await h.settle()
    again = [m for m in api.sent_messages(G) if button_data(m) == button_data(ballot)]
    assert len(again) == 2 and t("ballot.tally", yes=1, no=0, abstain=0, voted=1, eligible=3) in again[1]["text"]
    async with h.app.sessions() as session:
        ref = (
            await session.execute(
                select(PostRow.message_ref).where(PostRow.chat_key == f"telegram:{G}", PostRow.subject.like("ballot:%"))
            )
        ).scalar_one()
    assert int(ref) == again[1]["message_id"]
    await h.click(G, BOB, again[1]["message_id"], button_data(ballot)[1])  # later edits go to the new one
    await h.settle()
    assert (
        t("ballot.tally", yes=1, no=1, abstain=0, voted=2, eligible=3) in api.message(G, again[1]["message_id"])["text"]
    )

    api.fail("editMessageText", times=1, error_code=400, description=NOT_MODIFIED)
    await h.click(G, CAROL, again[1]["message_id"], button_data(ballot)[2])
    await h.settle()
    assert len([m for m in api.sent_messages(G) if button_data(m) == button_data(ballot)]) == 2  # no re-post


async def test_html_specials_render_literally(harness):
    h, api = harness, harness.api
    sly = FakeUser(id=1500, first_name="<b>Bob</b> & *Co*", last_name="_x_", username="sly")
    api.set_chat(G, "group", "<i>楼</i> & *群*")
    api.set_chat_member(G, CHAIR, "creator")
    step = await h.cmd(G, CHAIR, "/setup")
    assert "<i>楼</i> & *群*" in step.text
    await h.cmd(G, sly, "/join 1-1")
    await h.cmd(G, ALICE, "/join 1-2")
    motion = "<script>alert(1)</script> & *bold* _it_ `code` [x](http://y) &amp; <b>"
    step = await h.cmd(G, sly, f"/motion {motion}")
    card = step.messages[0]
    assert motion in card["text"] and "<b>Bob</b> & *Co* _x_" in card["text"]
    assert [e["type"] for e in card.get("entities", [])] == ["bold"]  # the title, nothing else
    assert card["entities"][0]["offset"] == 0
    step = await h.click(G, ALICE, card["message_id"], button_data(card)[0])
    step = await h.cmd(G, ALICE, "/members")
    assert "<b>Bob</b> & *Co* _x_" in step.text


async def test_commands_for_another_bot_and_plain_talk_are_ignored(harness):
    h, api = harness, harness.api
    await council_with_members(h)
    assert (await h.cmd(G, ALICE, "/help@some_other_bot")).calls_to_chat(G) == []
    step = await h.run(api.make_text(G, ALICE, "大家晚上好"))
    assert step.calls_to_chat(G) == []
    step = await h.cmd(G, ALICE, "/status@yishi_test_bot")
    assert len(step.messages) == 1


async def test_private_chat_help_in_the_users_language(harness):
    h = harness
    en_user = FakeUser(id=2001, first_name="Eve", language_code="en-GB")
    step = await h.cmd(en_user.id, en_user, "/start", chat_type="private")
    assert step.texts[0].startswith(Translator("en")("help.title"))
    urls = [b.get("url") for row in step.messages[0]["reply_markup"]["inline_keyboard"] for b in row]
    assert urls == ["https://t.me/yishi_test_bot?startgroup=setup"]
    zh_user = FakeUser(id=2002, first_name="小李", language_code="zh-hans")
    step = await h.cmd(zh_user.id, zh_user, "/help", chat_type="private")
    assert t("help.title") in step.text
    step = await h.run(h.api.make_text(zh_user.id, zh_user, "你好", chat_type="private"))
    assert step.texts == [t("tg.private.hint")]


async def test_a_group_without_reactions_still_stays_quiet(harness):
    h, api = harness, harness.api
    await council_with_members(h)
    api.fail("setMessageReaction", times=1, error_code=400, description="Bad Request: REACTION_INVALID")
    step = await h.cmd(G, DAVE, "/join 7-202")
    assert step.messages == [] and [c.status for c in step.of("setMessageReaction")] == [400]


async def test_commands_are_registered_in_chinese_and_english(harness):
    zh = harness.api.commands()
    en = harness.api.commands(language_code="en")
    assert {c["command"] for c in zh} == {c["command"] for c in en} >= {"join", "motion", "second", "vote", "close"}
    assert next(c for c in zh if c["command"] == "motion")["description"] == t("tg.cmd.motion")
    assert next(c for c in en if c["command"] == "motion")["description"] == Translator("en")("tg.cmd.motion")


# ---- helpers ---------------------------------------------------------------------------------------------


async def _until(condition, interval: float = 0.02) -> None:
    while not condition():
        await asyncio.sleep(interval)


async def _until_async(condition, interval: float = 0.05) -> None:
    while not await condition():
        await asyncio.sleep(interval)


async def _sent(h: Harness, row_id: int) -> bool:
    row = await outbox_row(h, row_id)
    return row is not None and row.sent_at is not None


async def test_a_failure_inside_the_bot_is_admitted_not_hidden(harness, monkeypatch):
    h = harness
    await council_with_members(h)
    card = (await h.cmd(G, ALICE, "/motion 修补屋顶")).posted_with_button("s:")

    async def broken(incoming):
        raise RuntimeError("database went away")

    monkeypatch.setattr(h.app.dispatcher, "handle", broken)
    step = await h.cmd(G, BOB, "/second 1")
    assert step.refusal == t("tg.error.internal")
    step = await h.click(G, BOB, card["message_id"], button_data(card)[0])
    assert step.alert and step.popup == t("tg.error.internal")
    monkeypatch.undo()
    step = await h.cmd(G, BOB, "/second 1")  # nothing was recorded: it can be done now
    assert len(step.messages) == 1
