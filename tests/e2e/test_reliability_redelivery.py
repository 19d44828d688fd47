"""Reliability: the same batch of updates delivered twice changes nothing (state, messages, announcements)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.i18n import Translator
from storage.models import OutboxRow, ProcessedUpdateRow
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
    speeches_of,
    votes_of,
)

from .conftest import classic_rules

pytestmark = pytest.mark.timeout(60)
t = Translator("zh_Hans")
G = -9701
SENDING = (
    "sendMessage",
    "editMessageText",
    "editMessageReplyMarkup",
    "setMessageReaction",
    "sendDocument",
    "pinChatMessage",
)


async def snapshot(h: Harness) -> dict:
    council = await council_of(h, G)
    async with h.app.dispatcher.uow() as uow:
        members = sorted((m.user_key, m.status.value, m.unit) for m in await uow.members.all(council.id))
        motions = [
            (m.number, m.state.value, m.seconder_id)
            for m in [await uow.motions.by_number(council.id, n) for n in (1, 2)]
        ]
        outbox = (await uow.session.execute(select(func.count()).select_from(OutboxRow))).scalar()
        claimed = (await uow.session.execute(select(func.count()).select_from(ProcessedUpdateRow))).scalar()
    ballot = (await ballots_of(h, G, 1))[0]
    votes, count = await votes_of(h, ballot.id)
    return {
        "events": [(e.seq, e.type) for e in await events_of(h, G)],
        "members": members,
        "motions": motions,
        "votes": sorted(map(str, votes)),
        "count": count,
        "result": ballot.result,
        "outbox": outbox,
        "speeches": len(await speeches_of(h, G, 2)),
        "claimed": claimed,
    }


async def test_a_batch_delivered_twice_changes_nothing(harness):
    h, api = harness, harness.api
    api.set_chat(G, "group", "重投群")
    api.set_chat_member(G, CHAIR, "creator")
    await h.cmd(G, CHAIR, "/setup")
    await classic_rules(h, G, CHAIR)
    for user, unit in ((ALICE, "7-101"), (BOB, "7-102"), (CAROL, "7-201")):
        await h.cmd(G, user, f"/join {unit}")
    await h.cmd(G, ALICE, "/motion 楼道安装扶手")
    await h.cmd(G, BOB, "/second 1")
    ballot = (await h.cmd(G, CHAIR, "/vote 1")).posted_with_button("v:")
    card = (await h.cmd(G, CAROL, "/motion 自行车棚扩建")).posted_with_button("s:")
    yes, no, _ = button_data(ballot)

    batch = [
        api.make_command(G, DAVE, "/join 7-202"),
        api.make_callback(G, BOB, card["message_id"], button_data(card)[0]),  # second motion 2
        api.make_callback(G, ALICE, ballot["message_id"], yes),
        api.make_callback(G, BOB, ballot["message_id"], no),
        api.make_callback(G, BOB, ballot["message_id"], yes),  # a changed vote
        api.make_command(G, CAROL, "/for 2 车太多了"),
        api.make_command(G, CAROL, "/yes 1"),  # the last vote closes it
        api.make_command(G, ALICE, "/motion 第三个议题"),
    ]
    first = api.push_batch(batch)
    for update in first:
        await h.wait_processed(update["update_id"])
    await h.settle()
    await api.wait_for(
        method="sendMessage",
        params={"chat_id": G},
        timeout=10,
        predicate=lambda c: c.ok and t("result.counts", yes=3, no=0, abstain=0) in c.result["text"],
    )
    before = await snapshot(h)
    assert before["count"] == 3 and before["result"].yes == 3 and before["speeches"] == 1
    assert before["motions"][1][2] is not None  # motion 2 seconded
    since = len(api.calls())

    again = api.push_batch([dict(u) for u in first])  # the same updates, the same update_ids
    assert [u["update_id"] for u in again] == [u["update_id"] for u in first]
    for update in first:
        await h.wait_processed(update["update_id"], times=2)
    await h.settle()
    h.bot.drainer.wake.set()
    await h.bot.drainer.drain_once()

    assert await snapshot(h) == before
    sent = [c for c in api.calls(since=since) if c.method in SENDING]
    assert sent == [], [(c.method, c.params.get("text", "")[:40]) for c in sent]
    assert [m["text"] for m in api.sent_messages(G)].count(
        next(m["text"] for m in api.sent_messages(G) if t("result.counts", yes=3, no=0, abstain=0) in m["text"])
    ) == 1
