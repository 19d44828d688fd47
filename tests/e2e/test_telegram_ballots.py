"""Ballots under load: a burst of clicks, secret ballots, and the order updates are handled in."""

from __future__ import annotations

import asyncio
import re

import pytest

from bot.i18n import Translator
from tests.e2e.conftest import (
    ALICE,
    BOB,
    CAROL,
    CHAIR,
    Harness,
    ballots_of,
    button_data,
    motion_of,
    running_bot,
    votes_of,
)
from tests.fakes.fake_bot_api import FakeUser

from .conftest import classic_rules

pytestmark = pytest.mark.timeout(90)
t = Translator("zh_Hans")
G = -8001


async def push_and_wait(h: Harness, updates: list[dict]) -> list[dict]:
    queued = h.api.push_batch(updates)
    await asyncio.gather(*(h.wait_processed(u["update_id"], timeout=60) for u in queued))
    return queued


async def test_a_burst_of_clicks_gives_a_few_edits_and_the_right_tally(tmp_path, api):
    async with running_bot(tmp_path, api, edit_interval_seconds=1.0) as h:
        api.set_chat(G, "supergroup", "大院群")
        api.set_chat_member(G, CHAIR, "creator")
        await h.cmd(G, CHAIR, "/setup")
        voters = [FakeUser(id=30_000 + i, first_name=f"居民{i}") for i in range(200)]
        joins = await push_and_wait(h, [api.make_command(G, v, f"/join 9-{i:03d}") for i, v in enumerate(voters)])
        await h.bot.adapter.acks.settle(timeout=30)
        wave = Translator("zh_Hans")("tg.ack.wave", people=len(joins))  # the 200 👍s are one note
        posted = [c.params["text"] for c in api.calls("sendMessage") if c.params.get("chat_id") == G]
        assert len(posted) == 2 and posted[1] == wave  # /setup spoke, then the note
        assert not [c for c in api.calls("setMessageReaction") if c.ok]
        await classic_rules(h, G, CHAIR)
        await h.cmd(G, voters[0], "/motion 小区东门加装遮雨棚")
        await h.cmd(G, voters[1], "/second 1")
        ballot = (await h.cmd(G, CHAIR, "/vote 1")).posted_with_button("v:")
        yes, no, abstain = button_data(ballot)
        choice = {0: yes, 1: no, 2: abstain}
        since = len(api.calls())
        clicks = []
        for i, voter in enumerate(voters):
            clicks.append(api.make_callback(G, voter, ballot["message_id"], choice[i % 3]))
            if i < 60 and i % 3 == 0:  # impatient double clicks: counted once
                clicks.append(api.make_callback(G, voter, ballot["message_id"], choice[i % 3]))
        started = asyncio.get_running_loop().time()
        await push_and_wait(h, clicks)
        elapsed = asyncio.get_running_loop().time() - started
        await h.settle()

        answers = [c for c in api.calls("answerCallbackQuery", since=since) if c.ok]
        assert len(answers) == len(clicks)  # every click answered
        edits = [
            c
            for c in api.calls("editMessageText", since=since)
            if c.params.get("message_id") == ballot["message_id"] and c.ok
        ]
        # about one per interval while the clicks come in (plus the first and the last), never one per click
        assert 1 <= len(edits) <= 2 + elapsed / 1.0, (len(edits), elapsed)
        assert len(edits) < len(clicks) / 10

        # the 200th voter closed the ballot: one result, the final tally, no more buttons
        closed = (await ballots_of(h, G, 1))[0]
        assert not closed.open and (closed.result.yes, closed.result.no, closed.result.abstain) == (67, 67, 66)
        assert (await votes_of(h, closed.id))[1] == 200
        final = api.message(G, ballot["message_id"])
        assert t("ballot.tally", yes=67, no=67, abstain=66, voted=200, eligible=200) in final["text"]
        assert "reply_markup" not in final
        results = [c for c in api.calls("sendMessage", since=since) if c.params.get("chat_id") == G]
        assert len(results) == 1 and t("result.counts", yes=67, no=67, abstain=66) in results[0].result["text"]


async def test_a_secret_ballot_shows_only_the_turnout(harness):
    h, api = harness, harness.api
    api.set_chat(G, "group", "秘密投票群")
    api.set_chat_member(G, CHAIR, "creator")
    await h.cmd(G, CHAIR, "/setup")
    await classic_rules(h, G, CHAIR)
    dave = FakeUser(id=1004, first_name="Dave")
    for user, unit in ((ALICE, "1"), (BOB, "2"), (CAROL, "3"), (dave, "4")):
        await h.cmd(G, user, f"/join {unit}")
    await h.cmd(G, ALICE, "/motion 选举新一届楼栋长")
    await h.cmd(G, BOB, "/second 1")
    since = len(api.calls())
    step = await h.cmd(G, CHAIR, "/vote 1 secret")
    ballot = step.posted_with_button("v:")
    assert t("ballot.secret") in ballot["text"]
    yes, no, _ = button_data(ballot)
    await h.click(G, ALICE, ballot["message_id"], yes)
    await h.click(G, BOB, ballot["message_id"], no)
    # Typed in the group a secret vote is not a vote: the message is deleted, Carol is answered privately,
    # no reaction, nothing said in the group, nothing recorded (issue 12 #2).
    api.start_private(CAROL)  # Carol once pressed Start with the bot: it may write to her privately
    step = await h.cmd(G, CAROL, "/no 1")
    assert not step.reacted and step.calls_to_chat(G) == step.of("deleteMessage")
    assert [c.params["message_id"] for c in step.of("deleteMessage") if c.ok] == [step.command_message_id]
    assert api.message(G, step.command_message_id) is None
    private = [c for c in step.of("sendMessage") if c.ok and c.params["chat_id"] == CAROL.id]
    assert [c.result["text"] for c in private] == [t("error.secret_vote_typed", number=1)]
    assert (await votes_of(h, (await ballots_of(h, G, 1))[0].id))[1] == 2
    # where the bot may not delete (no admin right) and Carol has no private chat, the refusal answers her
    # message in the group: it is on show anyway, and she learns it did not count; still no reaction
    api.fail("deleteMessage", error_code=400, description="Bad Request: message can't be deleted", chat_id=G)
    api.fail_forbidden(CAROL.id)
    step = await h.cmd(G, CAROL, "/yes 1")
    assert not step.reacted and step.refusal == t("error.secret_vote_typed", number=1)
    api.clear_faults()
    assert (await votes_of(h, (await ballots_of(h, G, 1))[0].id))[1] == 2
    await h.click(G, CAROL, ballot["message_id"], no)
    await h.settle()
    assert t("ballot.turnout", voted=3, eligible=4) in api.message(G, ballot["message_id"])["text"]
    step = await h.cmd(G, CHAIR, "/show 1")
    step = await h.cmd(G, CHAIR, "/close 1")
    # 1 against 2: a choice under 3 voters would be traceable, so the count per choice is sealed (issue 13)
    assert t("result.counts", yes=1, no=2, abstain=0) not in step.text and t("result.sealed", least=3) in step.text
    await h.settle()

    group_texts = [
        c.result["text"] for c in api.calls(since=since) if c.method in ("sendMessage", "editMessageText") and c.ok
    ]
    tally = re.compile(
        re.escape(t("ballot.tally", yes="@", no="@", abstain="@", voted="@", eligible="@")).replace("@", r"\d+")
    )
    assert not any(tally.search(text) for text in group_texts)  # never a running tally
    for text in group_texts:  # and never a name next to a choice
        for name in ("Alice", "Bob", "Carol"):
            assert not (
                name in text and any(t(f"choice.{c}") in text.split(name, 1)[1][:12] for c in ("yes", "no", "abstain"))
            ), text
    votes, voted = await votes_of(h, (await ballots_of(h, G, 1))[0].id)
    assert votes == [] and voted == 3  # after closing, who chose what is gone; turnout stays


async def test_one_chat_in_order_other_chats_meanwhile(harness):
    h, api = harness, harness.api
    slow, quick = -8101, -8102
    for group in (slow, quick):
        api.set_chat(group, "group", f"群{group}")
        api.set_chat_member(group, CHAIR, "creator")
        await h.cmd(group, CHAIR, "/setup")
        await classic_rules(h, group, CHAIR)
        await h.cmd(group, ALICE, "/join 1")

    # ten motions pushed at once into one chat are numbered in the order they were sent
    texts = [f"第{i}件事：修理{i}号路灯" for i in range(1, 11)]
    await push_and_wait(h, [api.make_command(slow, ALICE, f"/motion {text}") for text in texts])
    for number, text in enumerate(texts, start=1):
        assert (await motion_of(h, slow, number)).text == text
    cards = [m["text"] for m in api.sent_messages(slow) if "修理" in m["text"]]
    assert [next(x for x in texts if x in card) for card in cards] == texts

    # a slow answer in one chat does not hold up another chat
    delay = 3.0
    api.fail("sendMessage", times=1, mode="delay", delay=delay, chat_id=slow)
    since = len(api.calls())
    slow_update = api.push_command(slow, ALICE, "/status")
    while not (arrived := [c for c in api.calls("sendMessage", since=since) if c.params.get("chat_id") == slow]):
        await asyncio.sleep(0.01)  # the slow chat's answer is on its way (and held up by the server)
    slow_call = arrived[0]
    quick_step = await h.cmd(quick, ALICE, "/status")
    await h.wait_processed(slow_update["update_id"])
    quick_call = quick_step.of("sendMessage")[0]
    assert quick_call.ok and quick_call.time < slow_call.time + delay  # answered while the slow one waited
