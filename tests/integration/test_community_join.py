"""Issue 17: a chair asks in the chat to join a community with its code; only a secretary of that community
approves; a council belongs to at most one community."""

from __future__ import annotations

import argparse

import pytest

from bot.community_desk.commands import run as community_cli
from bot.desk.messages import Incoming
from deliberation import community
from tests.integration.community_script import COUNCILS, Chats

pytestmark = pytest.mark.timeout(60)


async def _say(app, chat: str, who: str, text: str):
    return await app.dispatcher.handle(
        Incoming("console", chat, who, who.title(), text=text, chat_title=COUNCILS[chat], is_admin=who == "chair")
    )


def _args(**given) -> argparse.Namespace:
    return argparse.Namespace(command="community", **given)


async def test_a_chair_asks_in_the_chat_and_a_secretary_of_that_community_approves(app, clock, capsys):
    chats = Chats(app.dispatcher, clock)
    for chat in ("east", "west"):
        await chats.say(chat, "chair", "/setup robert")
        await chats.say(chat, "alice", "/join 1-101")
    async with app.new_uow() as uow:
        made = await community.create(uow.communities, " 东湖  社区 ", clock())
        other = await community.create(uow.communities, "西湖社区", clock())
        await uow.communities.add_secretary(made.id, "console:sec", "王书记")
        await uow.commit()
    assert made.name == "东湖 社区" and len(made.code) == 6

    assert "还没有加入社区" in (await _say(app, "east", "alice", "/community")).replies[0].text
    refused = await _say(app, "east", "alice", f"/community {made.code}")  # a resident, not a chair
    assert refused.refusal == "community.error.not_chair"
    wrong = await _say(app, "east", "chair", "/community ZZZZZZ")
    assert wrong.refusal == "community.error.missing" and "ZZZZZZ" in wrong.replies[0].text
    asked = await _say(app, "east", "chair", f"/community {made.code.lower()}")  # typed in lower case
    assert not asked.refused and "东湖 社区" in asked.replies[0].text and "社区书记批准" in asked.replies[0].text
    async with app.new_uow() as uow:
        east_id = (await uow.councils.by_chat("console:east")).id
        west_id = (await uow.councils.by_chat("console:west")).id
        assert [r.council_id for r in await uow.communities.pending(made.id)] == [east_id]

    # someone who is not its secretary cannot approve; the secretary can
    code = await community_cli(app, _args(action="approve", community=made.slug, council=east_id, by="console:x"), "")
    assert code == 2 and "只有社区书记" in capsys.readouterr().err
    code = await community_cli(app, _args(action="approve", community=made.slug, council=east_id, by="console:sec"), "")
    assert code == 0
    assert "东湖 社区" in (await _say(app, "east", "alice", "/community")).replies[0].text

    # at most one community: neither a second request nor the command line can add it elsewhere
    again = await _say(app, "east", "chair", f"/community {other.code}")
    assert again.refusal == "community.error.already"
    code = await community_cli(app, _args(action="add", community=str(other.id), council=east_id), "")
    assert code == 2 and "只能加入一个社区" in capsys.readouterr().err
    code = await community_cli(app, _args(action="add", community=str(other.id), council=west_id), "")
    assert code == 0
    async with app.new_uow() as uow:
        assert (await uow.communities.community_of(east_id)).id == made.id
        assert (await uow.communities.community_of(west_id)).id == other.id
        assert await uow.communities.pending(made.id) == []


async def test_approving_with_no_request_is_refused(app, clock):
    async with app.new_uow() as uow:
        made = await community.create(uow.communities, "东湖社区", clock())
        await uow.communities.add_secretary(made.id, "console:sec", "王书记")
        with pytest.raises(community.NoJoinRequest):
            await community.decide(uow.communities, made, 1, approve=True, by="console:sec", now=clock())
    with pytest.raises(community.CommunityNameBad):
        community.clean_name("  ")
    assert community.read_code("ｋ２ｗ-jed ") == "K2WJED"


async def _queued(app, chat_key: str) -> list[str]:
    async with app.new_uow() as uow:
        return [q.payload["text"] for q in await uow.outbox.unsent(100) if q.chat_key == chat_key]


async def test_the_councils_group_is_told_the_secretarys_answer_through_the_outbox(app, clock, capsys):
    chats = Chats(app.dispatcher, clock)
    for chat in ("east", "west"):
        await chats.say(chat, "chair", "/setup robert")
    async with app.new_uow() as uow:
        made = await community.create(uow.communities, "东湖社区", clock())
        await uow.communities.add_secretary(made.id, "console:sec", "王书记")
        await uow.commit()
    for chat in ("east", "west"):
        await _say(app, chat, "chair", f"/community {made.code}")
    async with app.new_uow() as uow:
        east_id = (await uow.councils.by_chat("console:east")).id
        west_id = (await uow.councils.by_chat("console:west")).id
    before = {chat: await _queued(app, f"console:{chat}") for chat in ("east", "west")}

    # a refusal by someone who is not the secretary tells no one
    code = await community_cli(app, _args(action="refuse", community=made.slug, council=west_id, by="console:x"), "")
    assert code == 2 and await _queued(app, "console:west") == before["west"]
    code = await community_cli(app, _args(action="refuse", community=made.slug, council=west_id, by="console:sec"), "")
    assert code == 0
    code = await community_cli(app, _args(action="approve", community=made.slug, council=east_id, by="console:sec"), "")
    assert code == 0
    capsys.readouterr()
    told_east = (await _queued(app, "console:east"))[len(before["east"]) :]
    told_west = (await _queued(app, "console:west"))[len(before["west"]) :]
    assert told_east == ["社区书记已同意本议事会加入“东湖社区”。"]
    assert told_west == ["社区书记没有同意本议事会加入“东湖社区”。如有疑问，请与社区联系。"]
