"""Issue 17: the community desk at /c/<slug> — only the community's secretaries get in (a revocable personal
link), it shows each council's open ballots (closing soon first), overdue delivery, last minutes and 公示, the
charts with their numbers as text; headless Chromium on a phone and a desktop, follows a council into its hall,
saves screenshots; axe-core finds no serious or critical violation."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.community_desk.page import STYLE_SOURCE
from bot.community_desk.signin import new_pass
from bot.community_desk.web import add_desk_routes
from bot.desk.messages import Incoming
from bot.main import build_hall
from bot.wecom.hardening import redact, security_headers
from bot.wecom.web import CONTENT_SECURITY_POLICY
from deliberation import community
from tests.integration.community_script import COUNCILS, play_month

pytestmark = pytest.mark.timeout(120)

ROOT = Path(__file__).parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
SOUTH = "南苑2号楼议事会"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


@pytest.fixture
async def desk(app, clock):
    clock.now = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    chats = await play_month(app.dispatcher, clock)
    clock.now = datetime(2026, 11, 12, 2, 0, tzinfo=UTC)
    # an open ballot in east and west, west's closing first
    await chats.all_say("east", "dave /motion 在楼下加装两张长椅", "bob /second 5", "chair /vote 5 48h")
    await chats.all_say("west", "bob /motion 楼道窗户加装纱窗", "alice /second 2", "chair /vote 2 2h")
    async with app.new_uow() as uow:
        made = await community.create(uow.communities, "东湖社区", clock())
        for chat in COUNCILS:
            council = await uow.councils.by_chat(f"console:{chat}")
            await community.add_council(uow.communities, made, council, clock())
        await uow.communities.add_secretary(made.id, "console:sec", "王书记")
        token = await new_pass(uow.communities, made.id, "console:sec", clock())
        stranger = await new_pass(uow.communities, made.id, "console:nobody", clock())
        # the east council has a hall (its address made as `/web` or `/share` would make it)
        east = await uow.councils.by_chat("console:east")
        hall_slug = await uow.hall.slug_of(east.id)
        await uow.commit()
    # a fourth council's chair asks in its chat to join
    for text_ in ("/setup robert", f"/community {made.code}"):
        asked = await app.dispatcher.handle(
            Incoming("console", "south", "chair", "Chair", text=text_, chat_title=SOUTH, is_admin=True)
        )
        assert not asked.refused, asked
    policy = CONTENT_SECURITY_POLICY.replace("; script-src", f" {STYLE_SOURCE}; script-src", 1)
    server = web.Application(middlewares=[security_headers(content_security_policy=policy, https=False)])
    add_desk_routes(server, app.new_uow, clock)
    server.add_routes(build_hall(app, "http://127.0.0.1").routes())  # the real hall, read by anyone with its address
    client = TestClient(TestServer(server, host="127.0.0.1"))
    await client.start_server()
    try:
        yield client, made, token, stranger, hall_slug
    finally:
        await client.close()


async def test_only_a_secretary_with_a_live_link_sees_the_desk(app, desk, clock):
    client, made, token, stranger, hall_slug = desk
    assert (await client.get(f"/c/{made.slug}")).status == 403  # no link
    assert (await client.get(f"/c/{made.slug}/k/forged-token")).status == 403
    assert (await client.get(f"/c/{made.slug}/chart/outcomes.svg")).status == 403
    assert (await client.get(f"/c/{made.slug}/ledger.xlsx")).status == 403
    assert (await client.get("/c/no-such-slug")).status == 404
    in_ = await client.get(f"/c/{made.slug}/k/{token}", allow_redirects=False)
    assert in_.status == 303 and in_.headers["Location"] == f"/c/{made.slug}"
    assert "HttpOnly" in in_.headers["Set-Cookie"] and "SameSite=Lax" in in_.headers["Set-Cookie"]
    page = await client.get(f"/c/{made.slug}")
    html = await page.text()
    assert page.status == 200 and "东湖社区 · 议事工作台" in html
    for title in COUNCILS.values():
        assert title in html
    # the council whose ballot closes first comes first; its ballot shows turnout only
    cards = html[html.index("<div class=cards>") : html.index("<div class=charts>")]
    assert cards.index(COUNCILS["west"]) < cards.index(COUNCILS["east"]) < cards.index(COUNCILS["north"])
    assert "楼道窗户加装纱窗" in html and "已投 0/5" in html
    assert "#1 Dave，11-07" in html  # west's overdue delivery, in the council's time zone
    assert "公示中" in html and f'href="/h/{hall_slug}"' in html
    assert "<figcaption" in html and "<table>" in html and 'alt="每月议题结果：' in html
    # the request to join waits on the desk; a secretary approves it there
    assert "待批准的加入申请" in html and SOUTH in html and "Chair 申请" in html
    decided = await client.post(f"/c/{made.slug}/requests/999", data={"decision": "approve"}, allow_redirects=False)
    assert decided.status == 409  # no such request
    south = next(int(part) for part in html.split("/requests/")[1:2] for part in [part.split('"')[0]])
    decided = await client.post(f"/c/{made.slug}/requests/{south}", data={"decision": "approve"}, allow_redirects=False)
    assert decided.status == 303
    async with app.new_uow() as uow:  # the council's group is told, through the outbox
        told = [q.payload["text"] for q in await uow.outbox.unsent(500) if q.chat_key == "console:south"]
    assert told[-1] == "社区书记已同意本议事会加入“东湖社区”。"
    html = await (await client.get(f"/c/{made.slug}")).text()
    assert "待批准的加入申请" not in html and "4 个议事会" in html and SOUTH in html
    svg = await client.get(f"/c/{made.slug}/chart/satisfaction.svg")
    assert svg.status == 200 and "基本满意" in await svg.text()
    ledger = await client.get(f"/c/{made.slug}/ledger.xlsx?month=2026-11")
    assert ledger.status == 200 and (await ledger.read())[:2] == b"PK"
    assert redact(f"/c/{made.slug}/k/{token}") == f"/c/{made.slug}/k/…"

    # a link given to someone who is not a secretary opens nothing; a revoked link stops working
    client.session.cookie_jar.clear()
    await client.get(f"/c/{made.slug}/k/{stranger}")
    assert (await client.get(f"/c/{made.slug}")).status == 403
    await client.get(f"/c/{made.slug}/k/{token}")
    assert (await client.get(f"/c/{made.slug}")).status == 200
    async with app.new_uow() as uow:
        assert await uow.communities.revoke_passes(made.id, "console:sec", clock()) == 1
        await uow.commit()
    assert (await client.get(f"/c/{made.slug}")).status == 403


def _axe_script() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


async def _serious(page, axe: str) -> list:
    await page.add_script_tag(content=axe)
    found = await page.evaluate("axe.run(document).then(r => r.violations.map(v => [v.id, v.impact, v.nodes.length]))")
    return [v for v in found if v[1] in ("serious", "critical")]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_headless_chromium_on_a_phone_and_a_desktop(desk):
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        async_playwright = None
    if async_playwright is None or not shutil.which(CHROMIUM):
        if IN_CI:
            pytest.fail("CI needs Debian's chromium at /usr/bin/chromium and the playwright package")
        pytest.skip("chromium or playwright missing (outside CI)")
    client, made, token, _, hall_slug = desk
    base = str(client.make_url("")).rstrip("/")
    ARTIFACTS.mkdir(exist_ok=True)
    axe = _axe_script()
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for name, viewport, scale in (("phone", (390, 844), 2), ("desktop", (1366, 900), 1)):
                size = {"width": viewport[0], "height": viewport[1]}
                page = await browser.new_page(viewport=size, device_scale_factor=scale, locale="zh-CN", bypass_csp=True)
                await page.goto(f"{base}/c/{made.slug}/k/{token}")
                assert page.url == f"{base}/c/{made.slug}"
                await page.wait_for_function(
                    "Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)", timeout=20000
                )
                await page.screenshot(path=str(ARTIFACTS / f"community-desk-{name}.png"), full_page=True)
                assert await _serious(page, axe) == []
                await page.click("a.hall")
                await page.wait_for_url(f"{base}/h/{hall_slug}")
                assert COUNCILS["east"] in await page.content()  # the council's own hall page
                await page.close()
        finally:
            await browser.close()
