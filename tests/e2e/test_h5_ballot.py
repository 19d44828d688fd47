"""The H5 ballot page and the 公示栏: signed links, the same vote use case as a button, secret ballots,
and a headless Chromium run that votes, changes the vote and saves screenshots for review."""

from __future__ import annotations

import os
import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.desk.messages import Incoming
from bot.wecom.web import BallotLinks, make_web_app
from deliberation.counting import Choice
from deliberation.lifecycle import MotionState
from deliberation.model import Actor
from deliberation.notice_board import publish_on_board

pytestmark = pytest.mark.timeout(60)

ROOT = Path(__file__).parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SECRET = "h5-test-secret-0123456789abcdefghij"
CHROMIUM = "/usr/bin/chromium"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
MOTION = "在3号楼每层楼道安装声控感应灯，电费由本楼住户按户分摊"


class Council:
    """A WeCom council set up through the command desk, with a motion put to the vote."""

    def __init__(self, app, clock) -> None:
        self.app, self.clock = app, clock
        self.links = BallotLinks(SECRET, "http://127.0.0.1", clock=clock, ttl=timedelta(hours=24))

    async def say(self, user: str, text: str):
        response = await self.app.dispatcher.handle(
            Incoming("wecom", "b3", user, user.title(), text=text, chat_title="3号楼议事会", is_admin=user == "alice")
        )
        assert not response.refused, response
        return response

    async def prepare(self, *, secret: bool = False) -> None:
        await self.say("alice", "/setup")
        for line in ("/set abstain on", "/set tally live", "/set quiet 0"):  # not what these tests are about
            await self.say("alice", line)
        for user, unit in (("bob", "3-502"), ("carol", "3-601"), ("dave", "3-702")):
            await self.say(user, f"/join {unit}")
        await self.say("bob", f"/motion {MOTION}")
        await self.say("carol", "/second 1")
        await self.say("bob", "/speak 1 赞成：晚上楼道太黑，老人下楼容易摔倒")
        await self.say("dave", "/speak 1 反对：电费分摊要先说清楚")
        await self.say("alice", "/vote 1 secret" if secret else "/vote 1")
        async with self.app.dispatcher.uow() as uow:
            self.council = await uow.councils.by_chat("wecom:b3")
            self.members = {m.user_key.split(":")[1]: m for m in await uow.members.all(self.council.id)}
            motion = await uow.motions.by_number(self.council.id, 1)
            self.ballot = await uow.ballots.open_for_motion(motion.id)

    async def board_path(self) -> str:
        """The council's 公示栏, which its chair chose to publish on."""
        async with self.app.dispatcher.uow() as uow:
            board = await publish_on_board(uow, self.council, Actor("wecom:alice", "Alice", platform_admin=True), True)
            await uow.commit()
        return board.path

    def path(self, user: str) -> str:
        return "/b/" + self.links.token(self.ballot.id, self.members[user].id)

    async def choice_of(self, user: str) -> Choice | None:
        async with self.app.dispatcher.uow() as uow:
            rows = await uow.votes.all(self.ballot.id)
        return next((c for _v, member_id, c, _a in rows if member_id == self.members[user].id), None)


@pytest.fixture
async def council(app, clock):
    council = Council(app, clock)
    return council


@pytest.fixture
async def client(council):
    client = TestClient(TestServer(make_web_app(council.app.dispatcher, council.links), host="127.0.0.1"))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


def _notice(page: str) -> str:
    match = re.search(r'<div class="notice[^"]*" id="notice">(.*?)</div>', page, re.S)
    return match.group(1) if match else ""


async def test_vote_and_change_the_vote_through_the_same_use_case(council, client):
    await council.prepare()
    page = await client.get(council.path("bob"))
    html = await page.text()
    assert page.status == 200
    assert MOTION in html and "晚上楼道太黑" in html  # the motion and its debate digest
    assert html.count('name="choice"') == 3 and "<script" not in html and "http" not in html.split("<body>")[1]

    voted = await client.post(council.path("bob"), data={"choice": "y"})
    assert voted.status == 200 and "赞成" in _notice(await voted.text())
    assert await council.choice_of("bob") is Choice.YES
    changed = await client.post(council.path("bob"), data={"choice": "n"})
    assert changed.status == 200 and "反对" in _notice(await changed.text())
    assert await council.choice_of("bob") is Choice.NO
    assert "您现在的选择：反对" in await (await client.get(council.path("bob"))).text()

    # the chair does not vote under the 南塘 rules: the page refuses exactly as a button would
    chair = await client.post(council.path("alice"), data={"choice": "y"})
    assert chair.status == 403 and await council.choice_of("alice") is None

    # the last two votes close the ballot early; the page then shows the result
    await client.post(council.path("carol"), data={"choice": "y"})
    await client.post(council.path("dave"), data={"choice": "y"})
    async with council.app.dispatcher.uow() as uow:
        motion = await uow.motions.by_number(council.council.id, 1)
    assert motion.state is MotionState.ADOPTED
    after = await (await client.get(council.path("bob"))).text()
    assert 'name="choice"' not in after and "赞成 2，反对 1，弃权 0" in after
    late = await client.post(council.path("bob"), data={"choice": "y"})
    assert late.status == 403 and await council.choice_of("bob") is Choice.NO


async def test_expired_and_forged_links_are_refused(council, client):
    await council.prepare()
    good = council.path("bob")
    ballot, member, expires, signature = good.removeprefix("/b/").split(".")
    carol = council.members["carol"].id
    forged = [
        f"/b/{ballot}.{carol}.{expires}.{signature}",  # someone else's member id
        f"/b/{ballot}.{member}.{int(expires) + 86400}.{signature}",  # a later expiry
        good[:-2] + ("AA" if not good.endswith("AA") else "BB"),  # an altered signature
        "/b/"
        + BallotLinks("another-secret-0123456789abcdefghij", "http://x", clock=council.clock).token(
            council.ballot.id, council.members["bob"].id
        ),  # signed with another key
        "/b/not-a-token",
    ]
    for path in forged:
        assert (await client.get(path)).status == 403, path
        assert (await client.post(path, data={"choice": "y"})).status == 403, path
    assert await council.choice_of("bob") is None and await council.choice_of("carol") is None

    council.clock.advance(hours=25)
    assert (await client.get(good)).status == 410
    assert (await client.post(good, data={"choice": "y"})).status == 410
    assert await council.choice_of("bob") is None


async def test_a_secret_ballot_page_shows_no_choices(council, client):
    await council.prepare(secret=True)
    for user, code in (("bob", "y"), ("carol", "n")):
        response = await client.post(council.path(user), data={"choice": code})
        html = await response.text()
        assert response.status == 200
        assert _notice(html) and "赞成" not in _notice(html) and "反对" not in _notice(html)
        assert "您现在的选择" not in html and "赞成 1" not in html
    again = await (await client.get(council.path("bob"))).text()
    assert "您现在的选择" not in again and "无记名" in again and "已投票：2 / 3 人" in again
    await client.post(council.path("dave"), data={"choice": "a"})
    async with council.app.dispatcher.uow() as uow:
        assert await uow.votes.all(council.ballot.id) == []  # closed: who chose what is destroyed
        assert len(await uow.votes.voters(council.ballot.id)) == 3
    closed = await (await client.get(council.path("bob"))).text()
    # 1:1:1 in a secret ballot would name each voter's choice: the count per choice is sealed (issue 13)
    assert "赞成 1，反对 1，弃权 1" not in closed and "封存" in closed and "您现在的选择" not in closed


async def test_notice_board_lists_published_minutes_with_the_chain_head(council, client):
    from bot.desk import minutes as minutes_service

    await council.prepare()
    async with council.app.dispatcher.uow() as uow:
        await minutes_service.publish(uow, council.council.id, now=council.clock())
        await uow.commit()
    async with council.app.dispatcher.uow() as uow:
        _seq, head = await uow.events.head(council.council.id)
    page = await client.get(await council.board_path())
    html = await page.text()
    assert page.status == 200 and head in html and "公示栏" in html
    assert "第1版" in html and MOTION in html
    assert (await client.get("/p/999")).status == 404
    assert (await client.get(f"/p/{council.council.id}")).status == 404  # never by its number


# ---- the real browser ----------------------------------------------------------------------------


def _browser_or_skip():
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        async_playwright = None
    if async_playwright is None or not shutil.which(CHROMIUM):
        if IN_CI:
            pytest.fail("CI needs Debian's chromium at /usr/bin/chromium and the playwright package")
        pytest.skip("chromium or playwright missing (outside CI)")
    return async_playwright


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_headless_chromium_votes_changes_and_sees_the_confirmation(council, client):
    async_playwright = _browser_or_skip()
    await council.prepare()
    from bot.desk import minutes as minutes_service

    async with council.app.dispatcher.uow() as uow:
        await minutes_service.publish(uow, council.council.id, now=council.clock())
        await uow.commit()
    ARTIFACTS.mkdir(exist_ok=True)
    base = str(client.make_url("")).rstrip("/")
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, locale="zh-CN")
            await page.goto(base + council.path("bob"))
            assert MOTION in await page.inner_text("body")
            await page.screenshot(path=str(ARTIFACTS / "h5-ballot.png"), full_page=True)

            await page.click("button[value=y]")
            assert "赞成" in await page.inner_text("#notice")
            assert await council.choice_of("bob") is Choice.YES
            await page.click("button[value=a]")
            notice = await page.inner_text("#notice")
            assert "弃权" in notice and "改" in notice
            assert await council.choice_of("bob") is Choice.ABSTAIN
            await page.screenshot(path=str(ARTIFACTS / "h5-ballot-confirmed.png"), full_page=True)

            response = await page.goto(base + council.path("bob")[:-3] + "xyz")
            assert response.status == 403 and "无效" in await page.inner_text("body")

            await page.goto(base + await council.board_path())
            assert "公示栏" in await page.inner_text("h1")
            await page.screenshot(path=str(ARTIFACTS / "h5-notice-board.png"), full_page=True)
        finally:
            await browser.close()
    for name in ("h5-ballot.png", "h5-ballot-confirmed.png", "h5-notice-board.png"):
        assert (ARTIFACTS / name).stat().st_size > 5_000
