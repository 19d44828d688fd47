"""Vote presses queued together are recorded in runs (one unit of work each), then answered one by one."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from bot.desk import Desk as Dispatcher
from deliberation.chain import verify
from tests.e2e.conftest import CHAIR, Harness, ballots_of, button_data, council_of, running_bot, votes_of
from tests.fakes.fake_bot_api import FakeUser

from .conftest import classic_rules

pytestmark = pytest.mark.timeout(120)
G = -8301
VOTERS = 300


async def push_and_wait(h: Harness, updates: list[dict], times: int = 1) -> list[dict]:
    queued = h.api.push_batch(updates)
    await asyncio.gather(*(h.wait_processed(u["update_id"], times, timeout=90) for u in queued))
    return queued


async def test_300_votes_at_once_are_recorded_in_runs_and_a_redelivery_changes_nothing(tmp_path, api, monkeypatch):
    runs: list[int] = []  # presses per transaction
    handle_vote_runs = Dispatcher.handle_vote_runs

    async def counted(self, chat_runs):
        runs.append(sum(map(len, chat_runs)))
        return await handle_vote_runs(self, chat_runs)

    monkeypatch.setattr(Dispatcher, "handle_vote_runs", counted)
    async with running_bot(tmp_path, api, edit_interval_seconds=1.0) as h:
        api.set_chat(G, "supergroup", "大院群")
        api.set_chat_member(G, CHAIR, "creator")
        await h.cmd(G, CHAIR, "/setup")
        await classic_rules(h, G, CHAIR)
        voters = [FakeUser(id=50_000 + i, first_name=f"居民{i}") for i in range(VOTERS + 1)]  # one never votes
        await push_and_wait(h, [api.make_command(G, v, f"/join 7-{i:03d}") for i, v in enumerate(voters)])
        await h.cmd(G, voters[0], "/motion 增设电动车充电桩")
        await h.cmd(G, voters[1], "/second 1")
        ballot = (await h.cmd(G, CHAIR, "/vote 1")).posted_with_button("v:")
        yes, no, abstain = button_data(ballot)
        choice = (yes, no, abstain)
        since = len(api.calls())
        clicks = [api.make_callback(G, v, ballot["message_id"], choice[i % 3]) for i, v in enumerate(voters[:VOTERS])]
        queued = await push_and_wait(h, clicks)
        await h.settle()

        assert sum(runs) == VOTERS and max(runs) > 1 and len(runs) < VOTERS / 2  # in runs, every press once
        answers = Counter(c.params["callback_query_id"] for c in api.calls("answerCallbackQuery", since=since) if c.ok)
        assert set(answers) == {u["callback_query"]["id"] for u in queued} and set(answers.values()) == {1}
        opened = (await ballots_of(h, G, 1))[0]
        assert opened.open
        rows, count = await votes_of(h, opened.id)
        assert count == VOTERS and len({voter for voter, *_ in rows}) == VOTERS
        assert Counter(c.value for *_, c, _ in rows) == {"yes": 100, "no": 100, "abstain": 100}
        edits = [
            c for c in api.calls("editMessageText", since=since) if c.params.get("message_id") == ballot["message_id"]
        ]
        assert 1 <= len(edits) <= 10
        assert "100" in api.message(G, ballot["message_id"])["text"]

        # the same batch delivered again (same update ids): nothing changes, nobody gets a second answer
        council = await council_of(h, G)
        async with h.app.dispatcher.uow() as uow:
            events_before = len(await uow.events.all(council.id))
        since = len(api.calls())
        await push_and_wait(h, queued, times=2)
        async with h.app.dispatcher.uow() as uow:
            events = await uow.events.all(council.id)
        assert len(events) == events_before and verify(events).ok
        assert (await votes_of(h, opened.id))[1] == VOTERS
        assert not [c for c in api.calls("answerCallbackQuery", since=since) if c.ok]  # answered before: once
        assert not [c for c in api.calls("sendMessage", since=since) if c.params.get("chat_id") == G]
