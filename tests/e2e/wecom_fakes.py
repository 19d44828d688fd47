"""The fake WeCom server (gettoken, message/send, user/get, the group robot webhook) and members who send
encrypted callbacks exactly as WeCom does: shared by the WeCom app, robot and `yishi serve` tests."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator
from typing import Any

import xmltodict
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from wechatpy.enterprise.crypto import WeChatCrypto

from bot.wecom.settings import WeComSettings

CORP = "ww0123456789abcdef"
AGENT = 1000002
TOKEN = "yishiCallbackToken"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as WeCom issues it
LINK_SECRET = "test-link-secret-0123456789abcdefghij"
NAMES = {"alice": "王阿姨", "bob": "李师傅", "carol": "张老师", "dave": "陈先生"}


class FakeWeCom:
    """The WeCom server API on 127.0.0.1: records every message sent and every robot post."""

    def __init__(self) -> None:
        self.sent: list[dict] = []
        self.robot_posts: list[dict] = []
        self.token_requests = 0
        self.issued: set[str] = set()
        self.failing: dict[str, int] = {}  # user -> how many more message/send to them answer HTTP 502
        self.app = web.Application()
        self.app.add_routes(
            [
                web.get("/cgi-bin/gettoken", self.gettoken),
                web.post("/cgi-bin/message/send", self.message_send),
                web.get("/cgi-bin/user/get", self.user_get),
                web.post("/cgi-bin/webhook/send", self.webhook),
            ]
        )
        self.server = TestServer(self.app, host="127.0.0.1")

    @property
    def url(self) -> str:
        return str(self.server.make_url("")).rstrip("/")

    async def gettoken(self, request: web.Request) -> web.Response:
        if request.query.get("corpid") != CORP or request.query.get("corpsecret") != "app-secret":
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        self.token_requests += 1
        token = f"tok{self.token_requests}"
        self.issued.add(token)
        return web.json_response({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200})

    def _authorised(self, request: web.Request) -> bool:
        return request.query.get("access_token") in self.issued

    async def message_send(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"errcode": 40014, "errmsg": "invalid access_token"})
        body = await request.json()
        if self.failing.get(body["touser"], 0) > 0:
            self.failing[body["touser"]] -= 1
            return web.Response(status=502, text="Bad Gateway")
        assert body["agentid"] == AGENT and body["msgtype"] == "text"
        assert len(body["text"]["content"].encode()) <= 2048
        self.sent.append(body)
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def user_get(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"errcode": 40014, "errmsg": "invalid access_token"})
        user = request.query.get("userid", "")
        return web.json_response({"errcode": 0, "errmsg": "ok", "userid": user, "name": NAMES.get(user, user)})

    async def webhook(self, request: web.Request) -> web.Response:
        if request.query.get("key") != "robot-key":
            return web.json_response({"errcode": 93000, "errmsg": "invalid webhook url"})
        body = await request.json()
        assert body["msgtype"] == "markdown"
        assert len(body["markdown"]["content"].encode()) <= 2048
        self.robot_posts.append(body)
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    def texts_to(self, user: str) -> list[str]:
        return [m["text"]["content"] for m in self.sent if m["touser"] == user]

    def robot_text(self) -> str:
        return "\n".join(p["markdown"]["content"] for p in self.robot_posts)


class Member:
    """One resident typing into the WeCom app: builds encrypted callbacks exactly as WeCom does."""

    def __init__(self, rig: Rig, user: str) -> None:
        self.rig, self.user = rig, user
        self.msg_id = 0

    async def say(self, text: str) -> str:
        self.rig.msg_seq += 1
        plain = (
            f"<xml><ToUserName><![CDATA[{CORP}]]></ToUserName><FromUserName><![CDATA[{self.user}]]>"
            f"</FromUserName><CreateTime>{self.rig.timestamp()}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{text}]]></Content><MsgId>{7000000 + self.rig.msg_seq}</MsgId>"
            f"<AgentID>{AGENT}</AgentID></xml>"
        )
        status, reply = await self.rig.post(plain)
        assert status == 200, reply
        return reply


class Rig:
    """Members' callbacks to a WeCom app (`client`: a test client, or a session on a running server's URL)."""

    def __init__(self, app, fake: FakeWeCom, client, wecom, clock) -> None:
        self.app, self.fake, self.client, self.wecom, self.clock = app, fake, client, wecom, clock
        self.crypto = WeChatCrypto(TOKEN, AES_KEY, CORP)
        self.msg_seq = 0
        self.last_request: tuple[dict, str] | None = None

    def timestamp(self) -> str:
        return str(int(self.clock().timestamp()))

    def member(self, user: str) -> Member:
        return Member(self, user)

    def encrypt(self, plain: str, timestamp: str | None = None) -> tuple[dict, str]:
        nonce = secrets.token_hex(8)
        timestamp = timestamp or self.timestamp()
        envelope = xmltodict.parse(self.crypto.encrypt_message(plain, nonce, timestamp))["xml"]
        body = (
            f"<xml><ToUserName><![CDATA[{CORP}]]></ToUserName><AgentID><![CDATA[{AGENT}]]></AgentID>"
            f"<Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>"
        )
        return {"msg_signature": envelope["MsgSignature"], "timestamp": timestamp, "nonce": nonce}, body

    async def post(self, plain: str) -> tuple[int, str]:
        params, body = self.encrypt(plain)
        self.last_request = (params, body)
        return await self.send(params, body)

    async def send(self, params: dict, body: str) -> tuple[int, str]:
        response = await self.client.post("/wecom/callback", params=params, data=body.encode())
        text = await response.text()
        if self.wecom is not None:  # in this process: wait for the sends the callback started
            await self.wecom.settle()
        if response.status != 200 or not text:
            return response.status, text
        envelope = xmltodict.parse(text)["xml"]
        plain = self.crypto.decrypt_message(text, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"])
        reply = xmltodict.parse(plain)["xml"]
        assert reply["ToUserName"] and reply["FromUserName"] == CORP
        return 200, reply["Content"]

    async def council(self):
        async with self.app.dispatcher.uow() as uow:
            return await uow.councils.by_chat("wecom:b3")


def wecom_settings(fake: FakeWeCom, **overrides) -> WeComSettings:
    """The app's settings against the fake server: council "b3" by default."""
    values = dict(
        corp_id=CORP,
        agent_id=AGENT,
        secret=SecretStr("app-secret"),
        token=TOKEN,
        aes_key=AES_KEY,
        api_base=fake.url,
        council_chat="b3",
        council_title="3号楼议事会",
        council_links="",
        admins="alice,amy",  # the corp's admins: they set up (开通) councils
    )
    return WeComSettings(**{**values, **overrides})


def wecom_environment(fake: FakeWeCom, listen: str, **extra: str) -> dict[str, str]:
    """The same settings as environment variables (a `yishi serve` process), with the robot in the group."""
    return {
        "WECOM_CORP_ID": CORP,
        "WECOM_AGENT_ID": str(AGENT),
        "WECOM_SECRET": "app-secret",
        "WECOM_TOKEN": TOKEN,
        "WECOM_AES_KEY": AES_KEY,
        "WECOM_API_BASE": fake.url,
        "WECOM_COUNCIL_CHAT": "b3",
        "WECOM_COUNCIL_TITLE": "3号楼议事会",
        "WECOM_ROBOT_URL": f"{fake.url}/cgi-bin/webhook/send?key=robot-key",
        "WECOM_LISTEN": listen,
        "WECOM_ADMINS": "alice,amy",
        "YISHI_LINK_SECRET": LINK_SECRET,
        "PUBLIC_BASE_URL": "http://yishi.example",
        **extra,
    }


@contextlib.asynccontextmanager
async def running_rig(app: Any, clock: Any) -> AsyncIterator[Rig]:
    """The fake WeCom server, the WeCom app and H5 pages on the core (with the group robot), and a client."""
    from bot.main import build_wecom
    from bot.wecom.app import WeComApi
    from bot.wecom.robot import RateWindow, WeComRobot
    from bot.wecom.web import BallotLinks

    fake = FakeWeCom()
    await fake.server.start_server()
    settings = wecom_settings(fake)
    links = BallotLinks(LINK_SECRET, "http://yishi.example", clock=clock)
    robot = WeComRobot(f"{fake.url}/cgi-bin/webhook/send?key=robot-key", window=RateWindow(20, 60))
    web_app, wecom = build_wecom(app, settings, links, api=WeComApi(settings), robot=robot)
    client = TestClient(TestServer(web_app, host="127.0.0.1"))
    await client.start_server()
    try:
        yield Rig(app, fake, client, wecom, clock)
    finally:
        await client.close()
        await fake.server.close()
