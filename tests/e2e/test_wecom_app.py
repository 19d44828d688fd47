"""The WeCom self-built app end to end: encrypted callbacks (built with wechatpy's crypto) in, a fake
WeCom server on 127.0.0.1 (gettoken, message/send, user/get, the group robot webhook) out."""
from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

import pytest
import xmltodict
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from wechatpy.crypto import _get_signature
from wechatpy.enterprise.crypto import PrpCrypto, WeChatCrypto

from bot.wecom.app import WeComApi, build_web_app, to_command
from bot.wecom.robot import RateWindow, WeComRobot
from bot.wecom.settings import WeComSettings
from bot.wecom.web import BallotLinks
from deliberation.lifecycle import MotionState

pytestmark = pytest.mark.timeout(60)

CORP = "ww0123456789abcdef"
AGENT = 1000002
TOKEN = "yishiCallbackToken"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as WeCom issues it
LINK_SECRET = "test-link-secret-0123456789"
NAMES = {"alice": "王阿姨", "bob": "李师傅", "carol": "张老师", "dave": "陈先生"}


class FakeWeCom:
    """The WeCom server API on 127.0.0.1: records every message sent and every robot post."""

    def __init__(self) -> None:
        self.sent: list[dict] = []
        self.robot_posts: list[dict] = []
        self.token_requests = 0
        self.issued: set[str] = set()
        self.app = web.Application()
        self.app.add_routes([web.get("/cgi-bin/gettoken", self.gettoken),
                             web.post("/cgi-bin/message/send", self.message_send),
                             web.get("/cgi-bin/user/get", self.user_get),
                             web.post("/cgi-bin/webhook/send", self.webhook)])
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
        plain = (f"<xml><ToUserName><![CDATA[{CORP}]]></ToUserName><FromUserName><![CDATA[{self.user}]]>"
                 f"</FromUserName><CreateTime>{self.rig.timestamp()}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
                 f"<Content><![CDATA[{text}]]></Content><MsgId>{7000000 + self.rig.msg_seq}</MsgId>"
                 f"<AgentID>{AGENT}</AgentID></xml>")
        status, reply = await self.rig.post(plain)
        assert status == 200, reply
        return reply


class Rig:
    def __init__(self, app, fake: FakeWeCom, client: TestClient, wecom, clock) -> None:
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
        body = (f"<xml><ToUserName><![CDATA[{CORP}]]></ToUserName><AgentID><![CDATA[{AGENT}]]></AgentID>"
                f"<Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>")
        return {"msg_signature": envelope["MsgSignature"], "timestamp": timestamp, "nonce": nonce}, body

    async def post(self, plain: str) -> tuple[int, str]:
        params, body = self.encrypt(plain)
        self.last_request = (params, body)
        return await self.send(params, body)

    async def send(self, params: dict, body: str) -> tuple[int, str]:
        response = await self.client.post("/wecom/callback", params=params, data=body.encode())
        text = await response.text()
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


@pytest.fixture
async def rig(app, clock):
    fake = FakeWeCom()
    await fake.server.start_server()
    settings = WeComSettings(corp_id=CORP, agent_id=AGENT, secret=SecretStr("app-secret"), token=TOKEN,
                             aes_key=AES_KEY, api_base=fake.url, council_chat="b3", council_title="3号楼议事会",
                             council_links="")
    links = BallotLinks(LINK_SECRET, "http://yishi.example", clock=clock)
    robot = WeComRobot(f"{fake.url}/cgi-bin/webhook/send?key=robot-key", window=RateWindow(20, 60))
    web_app, wecom = build_web_app(app.dispatcher, settings, links, api=WeComApi(settings), robot=robot)
    client = TestClient(TestServer(web_app, host="127.0.0.1"))
    await client.start_server()
    try:
        yield Rig(app, fake, client, wecom, clock)
    finally:
        await client.close()
        await fake.server.close()


def _link_path(text: str) -> str:
    url = re.search(r"http://yishi\.example(/b/[\w.\-]+)", text)
    assert url, text
    return urlsplit("http://yishi.example" + url.group(1)).path


async def test_a_whole_deliberation_through_the_wecom_app(rig: Rig):
    alice, bob, carol, dave = (rig.member(u) for u in ("alice", "bob", "carol", "dave"))

    assert "3号楼议事会" in await alice.say("开通")
    council = await rig.council()
    assert council is not None and council.chat_key == "wecom:b3"
    for member, unit in ((bob, "3-502"), (carol, "3-601"), (dave, "3-702")):
        await member.say(f"加入 {unit}")
    async with rig.app.dispatcher.uow() as uow:
        members = {m.user_key: m for m in await uow.members.all(council.id)}
    assert set(members) == {"wecom:alice", "wecom:bob", "wecom:carol", "wecom:dave"}
    assert members["wecom:bob"].name == "李师傅"  # the directory name from user/get

    answer = await bob.say("提议 在3号楼每层安装感应灯")
    assert "在3号楼每层安装感应灯" in answer and "附议 1" in answer  # the button became a text hint
    assert "在3号楼每层安装感应灯" in rig.fake.robot_text()  # the motion card went to the group robot

    await carol.say("附议 1")
    await bob.say("发言 1 赞成：晚上楼道太黑，老人容易摔倒")
    await dave.say("/speak 1 反对：电费要分摊")

    opened = await alice.say("表决 1")
    assert "赞成 1" in opened and "/b/" not in opened  # the chair does not vote under the 南塘 rules: no link
    assert rig.fake.texts_to("alice") == []
    links = {u: _link_path(rig.fake.texts_to(u)[-1]) for u in ("bob", "carol", "dave")}
    assert len(set(links.values())) == 3  # one personal link per member
    assert "表决" in rig.fake.robot_text()

    assert "赞成" in await bob.say("赞成 1")
    await carol.say("反对 1")
    changed = await carol.say("贊成 1")  # traditional characters work too; and a changed vote
    assert "改" in changed

    # dave votes on the H5 page from the link the app sent him: the last vote closes the ballot
    page = await rig.client.get(links["dave"])
    assert page.status == 200 and "在3号楼每层安装感应灯" in await page.text()
    voted = await rig.client.post(links["dave"], data={"choice": "a"})
    assert voted.status == 200
    await rig.wecom.settle()

    async with rig.app.dispatcher.uow() as uow:
        motion = await uow.motions.by_number(council.id, 1)
        ballot = (await uow.ballots.for_motion(motion.id))[-1]
        seq, head = await uow.events.head(council.id)
    assert motion.state is MotionState.ADOPTED
    assert (ballot.result.yes, ballot.result.no, ballot.result.abstain) == (2, 0, 1)
    assert "通过" in rig.fake.robot_text().split("表决")[-1]  # the result was announced in the group
    assert rig.fake.token_requests == 1  # the access token is cached
    assert not rig.wecom.failures

    verified = await alice.say("核验")
    assert head[:16] in verified


async def test_url_verification_and_tampered_or_replayed_callbacks_are_refused(rig: Rig):
    echo = "echo-1234567890"
    nonce, timestamp = "n0nce", rig.timestamp()
    encrypted = PrpCrypto(rig.crypto.key).encrypt(echo, CORP).decode()
    signature = _get_signature(TOKEN, timestamp, nonce, encrypted)
    query = {"msg_signature": signature, "timestamp": timestamp, "nonce": nonce, "echostr": encrypted}
    ok = await rig.client.get("/wecom/callback", params=query)
    assert ok.status == 200 and await ok.text() == echo
    assert (await rig.client.get("/wecom/callback", params=query)).status == 403  # replayed
    forged = await rig.client.get("/wecom/callback", params={**query, "nonce": "other", "msg_signature": "0" * 40})
    assert forged.status == 403

    alice = rig.member("alice")
    assert await alice.say("开通")
    params, body = rig.last_request

    # the same callback again (a replay): refused, and nothing runs twice
    assert (await rig.send(params, body))[0] == 403
    # a tampered signature, and a tampered payload under a valid signature
    status, _ = await rig.send({**params, "nonce": "fresh1", "msg_signature": "f" * 40}, body)
    assert status == 403
    new_params, new_body = rig.encrypt("<xml><FromUserName>alice</FromUserName><MsgType>text</MsgType>"
                                       "<Content>提议 装灯</Content><MsgId>1</MsgId></xml>")
    start = new_body.index("<Encrypt><![CDATA[") + len("<Encrypt><![CDATA[")
    tampered = new_body[:start] + ("B" if new_body[start] == "A" else "A") + new_body[start + 1:]
    assert (await rig.send(new_params, tampered))[0] == 403
    # a stale timestamp (ten minutes old), correctly signed
    old = str(int(rig.clock().timestamp()) - 600)
    stale_params, stale_body = rig.encrypt("<xml><FromUserName>alice</FromUserName><MsgType>text</MsgType>"
                                           "<Content>提议 装灯</Content><MsgId>2</MsgId></xml>", timestamp=old)
    assert (await rig.send(stale_params, stale_body))[0] == 403

    council = await rig.council()
    async with rig.app.dispatcher.uow() as uow:
        assert await uow.motions.all(council.id) == []  # none of the refused callbacks raised a motion
    # the untampered one still works
    assert (await rig.send(new_params, new_body))[0] == 200
    async with rig.app.dispatcher.uow() as uow:
        assert len(await uow.motions.all(council.id)) == 1

    # a revoked access token is fetched again once, and the call goes through
    tokens = rig.fake.token_requests
    rig.fake.issued.clear()
    await rig.member("erin").say("加入 3-999")
    assert rig.fake.token_requests == tokens + 1
    async with rig.app.dispatcher.uow() as uow:
        assert (await uow.members.by_user(council.id, "wecom:erin")) is not None


def test_chinese_and_slash_commands_map_onto_the_dispatcher():
    assert to_command("提议 在3号楼安装感应灯") == ("/motion 在3号楼安装感应灯", "")
    assert to_command("附议 3") == ("/second 3", "")
    assert to_command("赞成3") == ("/yes 3", "")
    assert to_command("反对 3") == ("/no 3", "")
    assert to_command("棄權 3") == ("/abstain 3", "")
    assert to_command("发言 3 反对：太贵") == ("/speak 3 反对：太贵", "")
    assert to_command("／motion 装灯") == ("/motion 装灯", "")
    assert to_command("选票 3") == ("", "3")
    assert to_command("反对意见很多") is None
    assert to_command("今天天气不错") is None


SCRIPT = [("amy", "/setup", "开通"), ("ben", "/join 3-502", "加入 3-502"), ("cat", "/join 3-601", "登记 3-601"),
          ("dan", "/join 3-702", "加入 3-702"), ("ben", "/motion 在3号楼安装感应灯", "提议 在3号楼安装感应灯"),
          ("cat", "/second 1", "附议 1"), ("ben", "/speak 1 赞成：楼道太黑", "发言 1 赞成：楼道太黑"),
          ("dan", "/speak 1 反对：电费太贵", "发言 1 反对：电费太贵"), ("amy", "/vote 1", "表决 1"),
          ("ben", "/yes 1", "赞成 1"), ("cat", "/no 1", "反对 1"), ("dan", "/abstain 1", "弃权 1")]


async def _outcome(app, chat_key: str):
    async with app.dispatcher.uow() as uow:
        council = await uow.councils.by_chat(chat_key)
        motion = await uow.motions.by_number(council.id, 1)
        ballot = (await uow.ballots.for_motion(motion.id))[-1]
    try:
        from bot import minutes_service
    except ImportError:
        minutes = None
    else:
        async with app.dispatcher.uow() as uow:
            minutes = (await minutes_service.draft(uow, council.id, now=app.dispatcher.clock())).text
    return motion.state, ballot.result, minutes


async def test_the_same_script_gives_the_same_result_and_minutes_on_the_console_and_wecom(rig: Rig, tmp_path):
    from bot.app import build_app
    from bot.console import ConsoleChat
    from tests.conftest import FakeClock

    console_app = await build_app(f"sqlite+aiosqlite:///{tmp_path / 'console.db'}", clock=FakeClock(rig.clock()))
    try:
        chat = ConsoleChat(console_app.dispatcher, title="3号楼议事会", out=lambda _line: None)
        for user, line, _words in SCRIPT:
            await chat.say(f"@{user} {line}")
        for user, _line, words in SCRIPT:
            await rig.member(user).say(words)
        on_console = await _outcome(console_app, "console:main")
    finally:
        await console_app.close()
    on_wecom = await _outcome(rig.app, "wecom:b3")
    assert on_console[0] is on_wecom[0] is MotionState.REJECTED  # a tie fails under the 南塘 rules
    assert on_console[1] == on_wecom[1]
    assert on_console[2] == on_wecom[2]


def test_the_link_table_names_each_members_council():
    from bot.wecom.app import CouncilLinks

    links = CouncilLinks.parse("b3", "erin=b5, frank=b7，bad-entry")
    assert links.chat_for("erin") == "b5" and links.chat_for("frank") == "b7"
    assert links.chat_for("alice") == "b3"  # everyone else: the default council
