"""Hardened edges (issue 12): start-up refusals, the web pages under bad input, shutdown, proxies."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import RawTestServer

from bot.capabilities import clean_incoming
from bot.desk.messages import Incoming
from bot.main import build_wecom, web_site
from bot.wecom.app import WeComApi
from bot.wecom.web import BallotLinks
from tests.e2e.conftest import ALICE, CHAIR
from tests.e2e.wecom_fakes import LINK_SECRET, FakeWeCom, wecom_environment, wecom_settings
from tests.fakes.fake_bot_api import free_port

YISHI = str(Path(sys.executable).with_name("yishi"))
PLATFORM_VARIABLES = ("TELEGRAM_", "WEBHOOK_", "WECOM_", "YISHI_LINK_", "PUBLIC_BASE_URL", "DATABASE_URL")
STRONG = "Zq3-_" * 7  # 35 characters of Telegram's secret_token alphabet


async def until(condition, timeout: float = 20.0, what: str = "") -> None:
    """Wait for a condition the server brings about (polled, never a fixed sleep)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def clean_environment(**extra: str) -> dict[str, str]:
    """The test's environment without any platform setting of the developer's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(PLATFORM_VARIABLES)}
    return {**env, "YISHI_LOG_LEVEL": "WARNING", **extra}


# ---- #1: webhook mode needs a strong secret -------------------------------------------------------------


@pytest.mark.parametrize("command", ["run", "serve"])
@pytest.mark.parametrize("secret", [None, "", "s3cret", "x" * 31, "!" * 40, "a" * 257])
def test_webhook_mode_refuses_to_start_without_a_strong_secret(tmp_path, command, secret):
    # the Bot API "server" is a closed port on loopback: a bot that did not refuse would fail to reach it (1)
    env = clean_environment(
        TELEGRAM_BOT_TOKEN="123:abc",
        TELEGRAM_API_BASE=f"http://127.0.0.1:{free_port()}",
        WEBHOOK_URL="https://bot.example/hook",
        WEBHOOK_LISTEN=f"127.0.0.1:{free_port()}",
    )
    if secret is not None:
        env["WEBHOOK_SECRET"] = secret
    result = subprocess.run(
        [YISHI, command], cwd=tmp_path, env=env, capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 2, result.stderr
    assert "WEBHOOK_SECRET" in result.stderr
    assert 'python -c "import secrets; print(secrets.token_urlsafe(32))"' in result.stderr
    assert not list(tmp_path.glob("*.db"))  # it stopped before opening a database


def test_a_strong_webhook_secret_passes_the_check():
    from bot.settings import WebhookSettings

    assert WebhookSettings(url="https://bot.example/hook", secret=STRONG).problem() is None
    assert WebhookSettings(url=None, secret=None).problem() is None  # polling needs none
    made = subprocess.run(
        [sys.executable, "-c", "import secrets; print(secrets.token_urlsafe(32))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert WebhookSettings(url="https://bot.example/hook", secret=made).problem() is None


# ---- #10: the web pages under bad input, their headers, their access log, the link secret ----------------


@contextlib.asynccontextmanager
async def wecom_site(core, clock, *, base_url: str = "http://yishi.example"):
    """The WeCom callback and the H5 pages of `build_wecom`, served as `yishi serve` serves them."""
    fake = FakeWeCom()
    await fake.server.start_server()
    settings = wecom_settings(fake)
    links = BallotLinks(LINK_SECRET, base_url, clock=clock)
    web_app, _wecom = build_wecom(core, settings, links, api=WeComApi(settings))
    port = free_port()
    try:
        async with (
            web_site(web_app, f"127.0.0.1:{port}"),
            aiohttp.ClientSession(base_url=f"http://127.0.0.1:{port}") as http,
        ):
            yield http, links
    finally:
        await fake.server.close()


async def open_ballot(core) -> tuple[int, int]:
    """A WeCom council with motion #1 on the ballot -> (ballot id, bob's member id)."""

    async def say(user: str, text: str) -> None:
        admin = user == "alice"  # the corp's admin (WECOM_ADMINS) sets the council up
        response = await core.dispatcher.handle(
            Incoming("wecom", "b3", user, user.title(), text=text, chat_title="3号楼议事会", is_admin=admin)
        )
        assert not response.refused, response

    await say("alice", "/setup")
    for user, unit in (("bob", "3-502"), ("carol", "3-601"), ("dave", "3-702")):
        await say(user, f"/join {unit}")
    await say("bob", "/motion 装感应灯")
    await say("carol", "/second 1")
    await say("alice", "/vote 1")
    async with core.dispatcher.uow() as uow:
        council = await uow.councils.by_chat("wecom:b3")
        bob = await uow.members.by_user(council.id, "wecom:bob")
        motion = await uow.motions.by_number(council.id, 1)
        ballot = await uow.ballots.open_for_motion(motion.id)
    return ballot.id, bob.id


@pytest.mark.timeout(60)
async def test_bad_input_to_the_web_pages_is_answered_400_never_500(app, clock):
    ballot_id, bob = await open_ballot(app)
    async with wecom_site(app, clock) as (http, links):
        token = links.token(ballot_id, bob)
        body = token.rsplit(".", 1)[0]
        for path in ("/p/²", f"/p/{2**70}", "/p/１", "/p/%FF"):  # boards go by slug: none of these is one
            response = await http.get(path)
            assert response.status == 404, (path, response.status, await response.text())
        refused = [
            f"/b/{body}.ßßßßßßßßßßßßßßßßßßßßßßßß",  # a non-ASCII signature
            f"/b/{ballot_id}.{bob}.²³⁴.{token.rsplit('.', 1)[1]}",  # digits int() refuses
            f"/b/{ballot_id}.{bob}.999999999999.AAAA",  # an expiry past the year 9999
            f"/b/{ballot_id}.{bob}.%FF%FE.AAAA",
        ]  # not UTF-8 at all
        for path in refused:
            for method in ("GET", "POST"):
                response = await http.request(method, path, data={"choice": "y"})
                assert 400 <= response.status < 500, (method, path, response.status, await response.text())
                assert "Traceback" not in await response.text()
        # a non-UTF-8 form on a good link, a non-UTF-8 WeCom callback body
        form = await http.post(
            f"/b/{token}", data=b"choice=\xff\xfe", headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert form.status == 400, await form.text()
        callback = await http.post(
            "/wecom/callback",
            params={"msg_signature": "x", "timestamp": "1", "nonce": "n"},
            data=b"<xml>\xff\xfe\xfa</xml>",
        )
        assert callback.status == 400, await callback.text()
        assert (await http.get(f"/b/{token}")).status == 200  # the good link still works


SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"}


@pytest.mark.timeout(60)
async def test_every_page_carries_the_security_headers(app, clock):
    ballot_id, bob = await open_ballot(app)
    async with wecom_site(app, clock) as (http, links):
        ballot = await http.get(f"/b/{links.token(ballot_id, bob)}")
        page = await ballot.text()
        answers = [
            ballot,
            await http.get("/p/1"),
            await http.get("/nowhere"),
            await http.get("/b/forged"),
            await http.post("/wecom/callback", data=b"\xff"),
        ]
        assert [a.status for a in answers] == [200, 404, 404, 403, 400]
        for answer in answers:
            for name, value in SECURITY_HEADERS.items():
                assert answer.headers.get(name) == value, (answer.url, name)
            policy = answer.headers["Content-Security-Policy"]
            assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
            assert "unsafe-inline" not in policy and "Strict-Transport-Security" not in answer.headers
        # the page's one inline style is allowed by its hash; it has no script
        style = re.search(r"<style>(.*?)</style>", page, re.DOTALL).group(1)
        digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
        assert f"style-src 'sha256-{digest}'" in ballot.headers["Content-Security-Policy"]
        assert "<script" not in page and " style=" not in page
    async with wecom_site(app, clock, base_url="https://yishi.example") as (http, _links):
        behind_tls = await http.get("/p/1")
        assert behind_tls.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.timeout(60)
async def test_ballot_link_tokens_never_reach_the_access_log(app, clock, caplog):
    caplog.set_level(logging.INFO, logger="aiohttp.access")
    ballot_id, bob = await open_ballot(app)
    async with wecom_site(app, clock) as (http, links):
        token = links.token(ballot_id, bob)
        assert (await http.get(f"/b/{token}")).status == 200
        assert (await http.post(f"/b/{token}", data={"choice": "y"})).status == 200

        def logged() -> list[str]:
            return [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]

        await until(lambda: len([line for line in logged() if '"POST /b/' in line]) == 1, what="the access log")
    assert any('"GET /b/… HTTP' in line or '"GET /b/…"' in line for line in logged()), logged()
    signature = token.rsplit(".", 1)[1]
    assert not [line for line in logged() if signature in line or token in line]


@pytest.mark.parametrize("command", ["serve", "wecom"])
def test_a_weak_link_secret_is_refused_at_start(tmp_path, command):
    weak = {
        **wecom_environment_for("http://127.0.0.1:9", f"127.0.0.1:{free_port()}"),
        "YISHI_LINK_SECRET": "only-22-characters-xyz",
    }
    env = clean_environment(**weak)
    result = subprocess.run(
        [YISHI, command], cwd=tmp_path, env=env, capture_output=True, text=True, check=False, timeout=30
    )
    assert result.returncode == 2, result.stderr
    assert "YISHI_LINK_SECRET" in result.stderr and "at least 32 characters" in result.stderr
    assert "secrets.token_urlsafe(32)" in result.stderr
    assert not list(tmp_path.glob("*.db"))


def wecom_environment_for(api_base: str, listen: str) -> dict[str, str]:
    class Server:  # wecom_environment reads only the fake's URL
        url = api_base

    return wecom_environment(Server(), listen)  # type: ignore[arg-type]


# ---- text no encoder accepts is cleaned where it enters -------------------------------------------------


@pytest.mark.timeout(60)
@pytest.mark.parametrize("text", ["/frob\ud800nicate", "/lang x\udfff"])
async def test_a_refusal_quoting_a_lone_surrogate_is_still_sent(harness, text):
    h = harness
    h.api.set_chat(-7001, "group", "清理组")
    h.api.set_chat_member(-7001, CHAIR, "administrator")
    await h.cmd(-7001, CHAIR, "/setup")
    step = await h.cmd(-7001, ALICE, text)
    assert step.refusal and "\ufffd" in step.refusal, step.texts


def test_clean_incoming_replaces_what_no_encoder_takes():
    dirty = Incoming("wecom", "b3", "u\x00", "名\ud83d", text="/motion 灯\udc00", chat_title="t\x00")
    cleaned = clean_incoming(dirty)
    assert (cleaned.user_id, cleaned.user_name, cleaned.text, cleaned.chat_title) == (
        "u\ufffd",
        "名\ufffd",
        "/motion 灯\ufffd",
        "t\ufffd",
    )
    for value in (cleaned.user_id, cleaned.user_name, cleaned.text, cleaned.chat_title):
        value.encode("utf-8")
    fine = Incoming("wecom", "b3", "u", "名", text="/motion 灯 😀")
    assert clean_incoming(fine) is fine


# ---- #13: reaching Telegram through a proxy --------------------------------------------------------------


class TinyProxy:
    """An HTTP proxy on 127.0.0.1 that records each absolute-URI request (or CONNECT) and forwards it."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.server = RawTestServer(self.handle, host="127.0.0.1")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    async def handle(self, request: web.BaseRequest) -> web.Response:
        self.seen.append(f"{request.method} {request.url}")
        if request.method == "CONNECT" or not request.url.is_absolute():
            return web.Response(status=405)  # the test's Bot API speaks plain http: no tunnel is needed
        async with (
            aiohttp.ClientSession() as http,
            http.request(
                request.method,
                request.url,
                data=await request.read(),
                headers={"Content-Type": request.headers.get("Content-Type", "")},
            ) as answer,
        ):
            return web.Response(status=answer.status, body=await answer.read(), content_type=answer.content_type)


PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "TELEGRAM_PROXY")


@pytest.mark.timeout(60)
@pytest.mark.parametrize("client", ["aiohttp", "httpx"])
@pytest.mark.parametrize("how", ["TELEGRAM_PROXY", "HTTP_PROXY", "ALL_PROXY"])
async def test_the_bots_get_me_goes_through_the_configured_proxy(monkeypatch, client, how):
    from bot.settings import TelegramSettings
    from bot.telegram.runner import make_application
    from tests.fakes.fake_bot_api import FakeBotApi

    for name in PROXY_VARIABLES:
        for variant in (name, name.lower()):
            monkeypatch.delenv(variant, raising=False)
    proxy = TinyProxy()
    await proxy.server.start_server()
    try:
        async with FakeBotApi() as api:
            if how == "TELEGRAM_PROXY":  # the explicit setting wins over the environment's proxy
                monkeypatch.setenv("TELEGRAM_PROXY", proxy.url)
                monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")
            else:  # the test's Bot API is http://, so HTTP_PROXY stands for HTTPS_PROXY here
                monkeypatch.setenv(how, proxy.url)
            settings = TelegramSettings(bot_token=api.token, api_base=api.base_url, http_client=client)
            application = make_application(settings)
            await application.initialize()  # getMe
            try:
                assert application.bot.username
            finally:
                await application.shutdown()
    finally:
        await proxy.server.close()
    assert [line for line in proxy.seen if line.startswith("POST ") and line.endswith("/getMe")], proxy.seen
    assert all(api.base_url.split("//")[1] in line for line in proxy.seen)


def test_no_proxy_keeps_the_bot_api_direct(monkeypatch):
    from bot.telegram.request import proxy_for

    for name in PROXY_VARIABLES:
        for variant in (name, name.lower()):
            monkeypatch.delenv(variant, raising=False)
    assert proxy_for("https://api.telegram.org") is None
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert proxy_for("https://api.telegram.org") == "http://proxy.example:3128"
    assert proxy_for("https://api.telegram.org", "http://mine.example:8080") == "http://mine.example:8080"
    monkeypatch.setenv("NO_PROXY", "api.telegram.org")
    assert proxy_for("https://api.telegram.org") is None


# ---- #12: SIGTERM lets the WeCom server finish what it is doing ------------------------------------------


class HeldWeCom(FakeWeCom):
    """The fake WeCom server whose user/get for `held` waits until the test lets it go; its robot is down."""

    def __init__(self, held: str) -> None:
        super().__init__()
        self.held, self.asked, self.go = held, asyncio.Event(), asyncio.Event()

    async def user_get(self, request: web.Request) -> web.Response:
        if request.query.get("userid") == self.held:
            self.asked.set()
            await self.go.wait()
        return await super().user_get(request)

    async def webhook(self, request: web.Request) -> web.Response:
        return web.json_response({"errcode": -1, "errmsg": "system busy"})  # announcements stay queued


async def refusing_connections(port: int, timeout: float = 20.0) -> None:
    """Wait until nothing accepts connections on 127.0.0.1:`port` any more (the server stopped listening)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            return
        writer.close()
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"127.0.0.1:{port} still accepts connections")
        await asyncio.sleep(0.05)


@pytest.mark.timeout(90)
async def test_sigterm_lets_a_request_in_flight_finish_and_keeps_the_outbox(tmp_path):
    import signal

    from sqlalchemy import select

    from bot.main import build_core
    from storage.models import OutboxRow
    from tests.e2e.reliability import wait_until_listening
    from tests.e2e.test_serve import real
    from tests.e2e.wecom_fakes import Rig

    fake = HeldWeCom(held="cat")
    await fake.server.start_server()
    port = free_port()
    url = f"sqlite+aiosqlite:///{tmp_path / 'yishi.db'}"
    env = clean_environment(**wecom_environment(fake, f"127.0.0.1:{port}"), DATABASE_URL=url, YISHI_LOG_LEVEL="INFO")
    log = tmp_path / "serve.log"
    with open(log, "wb") as output:
        process = await asyncio.create_subprocess_exec(
            YISHI, "serve", cwd=tmp_path, env=env, stdout=output, stderr=asyncio.subprocess.STDOUT
        )
    try:
        await wait_until_listening(port, timeout=30.0)
        async with aiohttp.ClientSession(base_url=f"http://127.0.0.1:{port}") as http:
            rig = Rig(None, fake, http, None, real)
            amy, ben, cat = rig.member("amy"), rig.member("ben"), rig.member("cat")
            await amy.say("开通")
            await ben.say("加入 3-502")
            assert "装感应灯" in await ben.say("提议 装感应灯")  # its card waits in the outbox: the robot is down
            joining = asyncio.create_task(cat.say("加入 3-601"))
            await asyncio.wait_for(fake.asked.wait(), 20)  # cat's callback is in flight
            process.send_signal(signal.SIGTERM)
            await refusing_connections(port)  # shutting down: no new requests ...
            fake.go.set()  # ... and the one in flight finishes
            answer = await asyncio.wait_for(joining, 30)
        code = await asyncio.wait_for(process.wait(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await fake.server.close()
    output = log.read_text(errors="replace")
    assert code == 0, output
    assert "3-601" in answer, answer
    assert "Traceback" not in output, output

    core = await build_core(url)
    try:
        async with core.dispatcher.uow() as uow:
            council = await uow.councils.by_chat("wecom:b3")
            assert await uow.members.by_user(council.id, "wecom:cat") is not None
        async with core.sessions() as session:
            rows = (await session.execute(select(OutboxRow))).scalars().all()
        unsent = [row.payload for row in rows if row.sent_at is None]
        assert any("装感应灯" in str(payload) for payload in unsent), [r.payload for r in rows]
    finally:
        await core.close()
