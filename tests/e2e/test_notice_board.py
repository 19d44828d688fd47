"""The 公示栏 is served only for councils that chose it, at an unguessable slug; never by council number."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.desk.messages import Incoming
from bot.wecom.web import BallotLinks, make_web_app
from deliberation import errors
from deliberation.model import Actor
from deliberation.notice_board import board_of, publish_on_board

pytestmark = pytest.mark.timeout(60)


async def _setup(app, platform: str, chat: str, title: str):
    response = await app.dispatcher.handle(
        Incoming(platform, chat, "amy", "Amy", text="/setup", chat_title=title, is_admin=True)
    )
    assert not response.refused
    async with app.dispatcher.uow() as uow:
        return await uow.councils.by_chat(f"{platform}:{chat}")


@pytest.fixture
async def client(app, clock):
    links = BallotLinks("notice-board-test-secret-0123456789", "http://127.0.0.1", clock=clock)
    client = TestClient(TestServer(make_web_app(app.dispatcher, links), host="127.0.0.1"))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


async def test_only_a_council_that_chose_the_board_is_shown_and_only_at_its_slug(app, client):
    wecom = await _setup(app, "wecom", "b3", "3号楼议事会")
    telegram = await _setup(app, "telegram", "-100123", "梧桐小区业主群")
    async with app.new_uow() as uow:
        boards = {c.id: await board_of(uow, c) for c in (wecom, telegram)}
    assert not any(b.published for b in boards.values())  # off by default
    assert len({b.slug for b in boards.values()}) == 2 and all(len(b.slug) >= 16 for b in boards.values())

    for council in (wecom, telegram):  # nothing is on the board yet, by number or by slug
        assert (await client.get(f"/p/{council.id}")).status == 404
        assert (await client.get(boards[council.id].path)).status == 404

    async with app.new_uow() as uow:
        chair = Actor("wecom:amy", "Amy", platform_admin=True)
        board = await publish_on_board(uow, wecom, chair, True)
        await uow.commit()
    assert board.published and board.slug == boards[wecom.id].slug

    page = await client.get(board.path)
    assert page.status == 200 and "3号楼议事会" in await page.text()
    for number in range(4):  # counting council numbers finds nothing
        assert (await client.get(f"/p/{number}")).status == 404
    assert (await client.get(boards[telegram.id].path)).status == 404  # the Telegram group did not choose it
    assert (await client.get("/p/" + "x" * 200)).status == 404

    async with app.new_uow() as uow:  # and a chair can take it down again
        await publish_on_board(uow, wecom, chair, False)
        await uow.commit()
    assert (await client.get(board.path)).status == 404


async def test_only_a_chair_puts_the_council_on_the_board(app):
    council = await _setup(app, "wecom", "b3", "3号楼议事会")
    async with app.new_uow() as uow:
        with pytest.raises(errors.RoleRequired):
            await publish_on_board(uow, council, Actor("wecom:bob", "Bob"), True)
        assert not (await board_of(uow, council)).published
