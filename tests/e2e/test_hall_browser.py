"""A whole deliberation in the hall, in headless Chromium on a phone-sized screen: five residents join by invite
code and are approved, move, second, debate (a third speech refused), amend, vote (one vote changed), see the
result and rate the delivery. Its minutes equal those of the same script on the console; axe-core finds no
serious or critical problem on the hall, motion, ballot, secretary's minutes and minutes pages. Screenshots go to
test-artifacts/."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer
from pypdf import PdfReader

from bot.desk.messages import Incoming
from bot.main import build_core, hall_app
from tests.conftest import IN_CI, FakeClock

from .hall_script import ASSIGNEE, CHAIR, REFUSED, RESIDENTS, SCRIPT, SETTINGS, play_on_console

pytestmark = pytest.mark.timeout(180)

ROOT = Path(__file__).parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "hall"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 1, "is_mobile": True, "has_touch": True}
CHAT = "main"


def _browser_or_skip():
    try:
        from playwright.async_api import async_playwright
    except ImportError:  # pragma: no cover
        async_playwright = None
    if async_playwright is None or not shutil.which(CHROMIUM):
        if IN_CI:
            pytest.fail("CI needs Debian's chromium at /usr/bin/chromium and the playwright package")
        pytest.skip("chromium or playwright missing (outside CI)")
    return async_playwright


def _axe_script() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


def _say(who: str, text: str) -> Incoming:
    return Incoming("console", CHAT, who, who, text=text, chat_title="2号楼议事会", username=who)


def _normalised(minutes: str) -> str:
    """The minutes without the chain's head line (joining on the page adds approval events to the chain)."""
    return "\n".join(line for line in minutes.splitlines() if "链头哈希" not in line)


async def _minutes(desk) -> str:
    response = await desk.handle(_say(CHAIR, "/export md"))
    assert response.documents, response
    return _normalised(response.documents[0].content.decode())


async def _serious(page, axe: str) -> list[tuple[str, str, int]]:
    await page.add_script_tag(content=axe)
    found = await page.evaluate("axe.run(document).then(r => r.violations.map(v => [v.id, v.impact, v.nodes.length]))")
    return [tuple(v) for v in found if v[1] in ("serious", "critical")]


async def _click(page, form) -> None:
    async with page.expect_navigation(wait_until="domcontentloaded"):
        await form.locator("button").click()


async def _step(page, root: str, hall: str, act: str, n: int | None, value: str) -> None:
    await page.goto(root + (hall if act == "move" else f"{hall}/m/{n}"), wait_until="domcontentloaded")
    if act == "vote":
        form = page.locator("form", has=page.locator(f'input[name="choice"][value="{value}"]'))
    elif act == "rate":
        form = page.locator("form", has=page.locator(f'input[name="rating"][value="{value}"]'))
    else:
        form = page.locator("form", has=page.locator(f'input[name="act"][value="{act}"]'))
    if act == "assign":
        label = await form.locator("option", has_text=ASSIGNEE).first.inner_text()
        await form.locator("select").select_option(label=label)
        await form.locator("input#due").fill(value)
    elif act in ("move", "for", "against", "amend", "done"):
        await form.locator("textarea").fill(value)
    await _click(page, form)


async def test_five_residents_and_a_chair_deliberate_in_the_hall(tmp_path):
    async_playwright = _browser_or_skip()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    axe = _axe_script()
    console = await build_core(f"sqlite+aiosqlite:///{tmp_path / 'console.db'}", clock=FakeClock())
    core = await build_core(f"sqlite+aiosqlite:///{tmp_path / 'hall.db'}", clock=FakeClock())
    server = TestServer(hall_app(core, "http://127.0.0.1"), host="127.0.0.1")
    await server.start_server()
    root = str(server.make_url("")).rstrip("/")
    from dataclasses import replace

    desk = core.dispatcher
    desk.defaults = replace(desk.defaults, public_base_url=root)
    try:
        refused_on_console = await play_on_console(console.dispatcher)
        assert [i for i, r in enumerate(refused_on_console) if r] == sorted(REFUSED)
        # the council exists in its group chat; the chair prints the invitations and opens their own link
        await desk.handle(_say(CHAIR, "/setup"))
        await desk.handle(_say(CHAIR, SETTINGS))
        sheet = await desk.handle(_say(CHAIR, "/invites " + " ".join(unit for _, unit in RESIDENTS)))
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(sheet.documents[0].content)).pages)
        codes = dict(re.findall(r"(2-20\d)\D+?([23456789A-HJKMNP-Z]{8})", text))
        assert len(codes) == 5, text
        chair_link = re.search(r"http://\S+", (await desk.handle(_say(CHAIR, "/web"))).replies[0].text).group(0)
        hall = chair_link.split("/in/")[0][len(root) :]

        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            pages = {}
            for name in [CHAIR] + [n for n, _ in RESIDENTS]:
                context = await browser.new_context(**PHONE, locale="zh-CN", bypass_csp=True)
                pages[name] = await context.new_page()
            chair = pages[CHAIR]
            await chair.goto(chair_link)
            async with chair.expect_navigation(wait_until="domcontentloaded"):
                await chair.get_by_role("button").click()
            for name, unit in RESIDENTS:  # each scans the QR code on their door: unit and code filled in
                page = pages[name]
                await page.goto(f"{root}{hall}/join?unit={unit}&code={codes[unit]}")
                await page.fill("#name", name)
                async with page.expect_navigation(wait_until="domcontentloaded"):
                    await page.get_by_role("button").click()
                assert "等主持人批准" in await page.inner_text("main")
            await pages[RESIDENTS[0][0]].screenshot(path=str(ARTIFACTS / "1-joined-waiting.png"), full_page=True)
            await chair.goto(root + hall)
            await chair.screenshot(path=str(ARTIFACTS / "2-chair-approves.png"), full_page=True)
            for name, _ in RESIDENTS:
                form = chair.locator("form", has=chair.get_by_role("button", name=f"批准 {name}"))
                await _click(chair, form)

            neighbour = await (await browser.new_context(**PHONE, locale="zh-CN")).new_page()  # reads, signed out
            for i, (who, act, n, value) in enumerate(SCRIPT):
                page = pages[who]
                await _step(page, root, hall, act, n, value)
                if (act, n) == ("put", 1):  # a neighbour follows the ballot live: no reload, no JavaScript of theirs
                    await neighbour.goto(f"{root}{hall}/m/1")
                    assert "已投票 0 人" in await neighbour.inner_text("#turnout")
                if (act, n, who) == ("vote", 1, "王阿姨"):
                    from playwright.async_api import expect

                    await expect(neighbour.locator("#turnout")).to_contain_text("已投票 1 人", timeout=10000)
                refused = await page.locator(".notice.refused").count()
                assert refused == (1 if i in REFUSED else 0), (i, who, act, await page.inner_text("main"))
                if i in REFUSED:
                    await page.screenshot(path=str(ARTIFACTS / "3-third-speech-refused.png"), full_page=True)
                if act == "vote" and n == 1 and who == "张姐" and value == "y":
                    assert "您投的是：赞成" in await page.inner_text("main")
                    await page.screenshot(path=str(ARTIFACTS / "4-vote-changed.png"), full_page=True)
                    assert await _serious(page, axe) == []  # the ballot page
            resident = pages[RESIDENTS[0][0]]
            await resident.goto(f"{root}{hall}/m/1")
            assert "通过" in await resident.inner_text("main")
            await resident.screenshot(path=str(ARTIFACTS / "5-result-and-delivery.png"), full_page=True)
            assert await _serious(resident, axe) == []  # the motion page
            await resident.goto(root + hall)
            await resident.screenshot(path=str(ARTIFACTS / "6-hall.png"), full_page=True)
            assert await _serious(resident, axe) == []  # the hall

            # the chair drafts from the hall, then reviews and publishes on the minutes page
            for act, where in (("minutes", hall), ("publish", f"{hall}/minutes")):
                await chair.goto(root + where)
                if act == "publish":
                    assert "在2号楼门口装一盏感应灯" in await chair.inner_text("main")  # the draft, reviewed
                    await chair.screenshot(path=str(ARTIFACTS / "7-secretary-minutes.png"), full_page=True)
                    assert await _serious(chair, axe) == []  # the secretary's minutes page
                form = chair.locator("form", has=chair.locator(f'input[name="act"][value="{act}"]'))
                await _click(chair, form)
                assert await chair.locator(".notice.refused").count() == 0, await chair.inner_text("main")
            await resident.goto(f"{root}{hall}/minutes")
            assert "在2号楼门口装一盏感应灯" in await resident.inner_text("main")
            await resident.screenshot(path=str(ARTIFACTS / "8-minutes.png"), full_page=True)
            assert await _serious(resident, axe) == []  # the minutes
            await browser.close()

        assert await _minutes(desk) == await _minutes(console.dispatcher)
    finally:
        await server.close()
        await core.close()
        await console.close()
