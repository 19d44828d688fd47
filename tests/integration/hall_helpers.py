"""Shared by the hall's tests: a council on the console with a hall, and a browser-less client that keeps cookies."""

from __future__ import annotations

import re

from aiohttp.test_utils import TestClient, TestServer

from bot.hall import passes
from bot.main import hall_app

from .desk_helpers import council_of, ok

BASE = "http://hall.test"


async def council_with_hall(app) -> tuple[object, str]:
    """A nantang council: chair "chair", members alice, bob, carol; returns (council, slug)."""
    desk = app.dispatcher
    await ok(desk, "chair", "/setup")
    for who, unit in (("alice", "1-101"), ("bob", "1-102"), ("carol", "1-103")):
        await ok(desk, who, f"/join {unit}")
    council = await council_of(desk)
    async with desk.uow() as uow:
        slug = await uow.hall.slug_of(council.id)
        await uow.commit()
    return council, slug


async def link_for(app, council, user: str, at=None) -> str:
    """A personal link for the console member `user` (as /web makes it)."""
    async with app.dispatcher.uow() as uow:
        member = await uow.members.by_user(council.id, f"console:{user}")
        url = await passes.personal_link(uow, BASE, council.id, member.id, at or app.dispatcher.clock())
        await uow.commit()
    return url[len(BASE) :]


async def client(app) -> TestClient:
    c = TestClient(TestServer(hall_app(app, BASE)))
    await c.start_server()
    return c


async def signed_in(app, council, user: str) -> TestClient:
    c = await client(app)
    path = await link_for(app, council, user)
    r = await c.post(path, allow_redirects=False)
    assert r.status == 303, await r.text()
    return c


async def csrf(c: TestClient, path: str) -> str:
    text = await (await c.get(path)).text()
    found = re.search(r'name="csrf" value="([^"]+)"', text)
    assert found, text
    return found.group(1)
