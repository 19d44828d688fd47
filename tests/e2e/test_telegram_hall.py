"""/web on Telegram: the personal link reaches the member privately, never the group, and opens the hall."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.main import hall_app
from tests.e2e.conftest import ALICE, BOB, CHAIR

pytestmark = pytest.mark.timeout(60)
G = -9601
BASE = "https://hall.example.org"


async def test_web_sends_the_link_privately_and_the_link_opens_the_hall(harness):
    h, api = harness, harness.api
    h.app.dispatcher.defaults = replace(h.app.dispatcher.defaults, public_base_url=BASE)
    api.set_chat(G, "group", "9号楼")
    api.set_chat_member(G, CHAIR, "creator")
    await h.cmd(G, CHAIR, "/setup")
    await h.cmd(G, ALICE, "/join 9-101")
    step = await h.cmd(G, ALICE, "/web")  # alice never wrote to the bot: the group gets a hint, not the link
    assert "私聊机器人" in step.text and "/in/" not in step.text
    api.start_private(ALICE)
    step = await h.cmd(G, ALICE, "/web")
    await h.settle()
    assert step.reacted and not any("/in/" in (m.get("text") or "") for m in api.sent_messages(G))
    private = [m.get("text") or "" for m in api.sent_messages(ALICE.id)]
    found = [re.search(rf"{re.escape(BASE)}(/h/\S+/in/\S+)", text) for text in private]
    path = next(m.group(1) for m in found if m)
    step = await h.cmd(G, BOB, "/web")  # not a member: refused, no link anywhere
    assert step.refusal and not any("/in/" in (m.get("text") or "") for m in api.sent_messages(BOB.id))
    client = TestClient(TestServer(hall_app(h.app, "http://127.0.0.1")))  # plain HTTP here: no Secure cookie
    await client.start_server()
    try:
        r = await client.post(path)
        assert r.status == 200 and "您好，Alice" in await r.text()
    finally:
        await client.close()


async def test_invite_sheets_reach_the_chair_privately_never_the_group(harness):
    h, api = harness, harness.api
    h.app.dispatcher.defaults = replace(h.app.dispatcher.defaults, public_base_url=BASE)
    api.set_chat(G, "group", "9号楼")
    api.set_chat_member(G, CHAIR, "creator")
    await h.cmd(G, CHAIR, "/setup")
    step = await h.cmd(G, CHAIR, "/invites 9-101 9-102")
    assert "私聊机器人" in step.text and api.documents(G) == []
    api.start_private(CHAIR)
    await h.cmd(G, CHAIR, "/invites 9-101 9-102")
    await h.settle()
    assert api.documents(G) == [] and api.documents(CHAIR.id)[-1]["content"].startswith(b"%PDF")
