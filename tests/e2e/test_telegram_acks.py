"""Quiet acknowledgements never hold up content (issue 16): a wave of /joins under the real per-group
flood limit (20 a minute) does not reorder the motion cards around it, and its 👍s become one note."""

from __future__ import annotations

import asyncio

from bot.i18n import Translator
from tests.e2e.conftest import ALICE, BOB, CHAIR, running_bot
from tests.fakes.fake_bot_api import FakeUser

G = -100_1600
ACK_METHODS = ("setMessageReaction",)


def is_note(call, t: Translator) -> bool:
    prefix = t("tg.ack.wave", people=0).split("0")[0]
    return call.method == "sendMessage" and call.params.get("text", "").startswith(prefix)


async def test_a_wave_of_joins_waits_behind_the_cards_and_is_acknowledged_once(tmp_path, api):
    async with running_bot(tmp_path, api, rate_group_per_minute=20.0) as h:
        t = Translator("zh_Hans")
        api.set_chat(G, "supergroup", "大院群")
        api.set_chat_member(G, CHAIR, "creator")
        await h.cmd(G, CHAIR, "/setup")
        for user, unit in ((ALICE, "1-101"), (BOB, "1-102")):
            step = await h.cmd(G, user, f"/join {unit}")
            assert step.reacted and step.messages == []  # one join alone: its 👍 at once

        residents = [FakeUser(id=40_000 + i, first_name=f"居民{i}") for i in range(40)]
        wave = [h.api.make_command(G, r, f"/join 2-{i:03d}") for i, r in enumerate(residents[:20])]
        wave.append(h.api.make_command(G, ALICE, "/motion 东门加装遮雨棚"))
        wave += [h.api.make_command(G, r, f"/join 3-{i:03d}") for i, r in enumerate(residents[20:])]
        wave.append(h.api.make_command(G, BOB, "/motion 楼道换感应灯"))
        since = len(api.calls())
        queued = api.push_batch(wave)
        await asyncio.gather(*(h.wait_processed(u["update_id"], timeout=60) for u in queued))
        await h.bot.adapter.acks.settle(timeout=60)
        calls = [c for c in api.calls(since=since) if c.params.get("chat_id") == G and c.ok]

        cards = [c for c in calls if c.method == "sendMessage" and not is_note(c, t)]
        acks = [c for c in calls if c.method in ACK_METHODS or is_note(c, t)]
        # the content, in the order it was asked for, and nothing else spoke
        assert [("东门加装遮雨棚" in c.params["text"], "楼道换感应灯" in c.params["text"]) for c in cards] == [
            (True, False),
            (False, True),
        ]
        # every acknowledgement came after the last card: none held one up in the flood limit
        assert calls.index(cards[-1]) < min(calls.index(c) for c in acks)
        # coalesced: one note for the wave, not 40 reactions; everyone acknowledged exactly once
        notes = [c for c in acks if is_note(c, t)]
        reactions = [c for c in acks if c.method == "setMessageReaction"]
        assert len(notes) >= 1 and len(acks) <= 4, [c.method for c in acks]
        people = sum(int("".join(ch for ch in c.params["text"] if ch.isdigit())) for c in notes)
        assert people + len(reactions) == 40
        assert notes[0].params["text"] == t("tg.ack.wave", people=people) == "收到，已登记 40 人。"
        assert notes[0].params.get("disable_notification") is True

        # the council is quiet again: a lone join gets its 👍 as before
        step = await h.cmd(G, FakeUser(id=49_999, first_name="晚到的"), "/join 9-999")
        assert step.reacted and step.messages == []
