"""One writer per message: a vote that closes a ballot, or /close, edits the ballot message exactly once.

The closed ballot's final text goes through the outbox; the Telegram sender writes it through the
coalesced editor's slot for that message, so a live tally still waiting there is dropped, not sent after it.
"""

from __future__ import annotations

import pytest

from bot.i18n import Translator
from tests.e2e.conftest import ALICE, BOB, CAROL, CHAIR, Harness, ballots_of, button_data, running_bot

from .conftest import classic_rules

pytestmark = pytest.mark.timeout(60)
t = Translator("zh_Hans")
G = -8601


def ballot_edits(h: Harness, message_id: int, since: int) -> list:
    return [
        c
        for c in h.api.calls("editMessageText", since=since)
        if c.params.get("chat_id") == G and c.params.get("message_id") == message_id
    ]


async def _ballot(h: Harness) -> dict:
    h.api.set_chat(G, "supergroup", "大院群")
    h.api.set_chat_member(G, CHAIR, "creator")
    await h.cmd(G, CHAIR, "/setup nantang")
    await classic_rules(h, G, CHAIR)
    for who, unit in ((ALICE, "1-101"), (BOB, "1-102"), (CAROL, "1-201")):
        await h.cmd(G, who, f"/join {unit}")
    await h.cmd(G, ALICE, "/motion 在1号楼安装感应灯")
    await h.cmd(G, BOB, "/second 1")
    ballot = (await h.cmd(G, CHAIR, "/vote 1 1h")).posted_with_button("v:")
    assert (await ballots_of(h, G, 1))[0].eligible_voters == 3  # the chair does not vote under nantang
    return ballot


async def test_the_vote_that_closes_a_ballot_edits_it_once_and_a_waiting_tally_is_dropped(tmp_path, api):
    async with running_bot(tmp_path, api, edit_interval_seconds=5.0) as h:  # long enough for a tally to wait
        ballot = await _ballot(h)
        yes, no, _abstain = button_data(ballot)
        message_id = ballot["message_id"]

        since = len(api.calls())
        await h.click(G, ALICE, message_id, yes)  # the first tally is written at once ...
        await api.wait_for(method="editMessageText", params={"chat_id": G, "message_id": message_id}, since=since)
        waiting = len(api.calls())
        await h.click(G, BOB, message_id, no)  # ... the second waits out the interval: coalesced, not sent yet
        assert ballot_edits(h, message_id, waiting) == []

        closing = len(api.calls())
        step = await h.click(G, CAROL, message_id, yes)  # every eligible voter has voted: the ballot closes
        await h.settle()
        edits = ballot_edits(h, message_id, closing)
        assert len(edits) == 1, [c.params.get("text") for c in edits]  # the final text only, no tally after it
        assert not (await ballots_of(h, G, 1))[0].open
        final = api.message(G, message_id)
        assert t("ballot.tally", yes=2, no=1, abstain=0, voted=3, eligible=3) in final["text"]
        assert "reply_markup" not in final
        results = [c for c in step.of("sendMessage") if c.params.get("chat_id") == G]
        assert len(results) == 1 and t("result.counts", yes=2, no=1, abstain=0) in results[0].result["text"]
        # the waiting tally (2 votes) never overwrote the final text
        assert len(ballot_edits(h, message_id, closing)) == 1


async def test_close_by_the_chair_edits_the_ballot_once(harness):
    h = harness
    ballot = await _ballot(h)
    yes, _no, _abstain = button_data(ballot)
    message_id = ballot["message_id"]
    await h.click(G, ALICE, message_id, yes)
    await h.settle()

    since = len(h.api.calls())
    await h.cmd(G, CHAIR, "/close 1")
    await h.settle()
    assert len(ballot_edits(h, message_id, since)) == 1
    assert not (await ballots_of(h, G, 1))[0].open
    assert "reply_markup" not in h.api.message(G, message_id)
