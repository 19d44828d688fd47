"""The WeCom self-built app end to end: encrypted callbacks (built with wechatpy's crypto) in, a fake
WeCom server on 127.0.0.1 (gettoken, message/send, user/get, the group robot webhook) out."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from wechatpy.crypto import _get_signature
from wechatpy.enterprise.crypto import PrpCrypto

from bot.i18n import Translator
from bot.wecom.app import to_command
from deliberation.lifecycle import MotionState
from tests.e2e.wecom_fakes import CORP, TOKEN, Rig, running_rig

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
async def rig(app, clock):
    async with running_rig(app, clock) as rig:
        yield rig


def _link_path(text: str) -> str:
    url = re.search(r"http://yishi\.example(/b/[\w.\-]+)", text)
    assert url, text
    return urlsplit("http://yishi.example" + url.group(1)).path


async def test_only_a_configured_wecom_admin_sets_up_the_council(rig: Rig):
    answer = await rig.member("bob").say("开通")  # not in WECOM_ADMINS: no chair for good by being first
    assert answer == Translator("zh_Hans")("error.admin_required")
    assert await rig.council() is None
    assert "3号楼议事会" in await rig.member("alice").say("开通")


async def test_a_whole_deliberation_through_the_wecom_app(rig: Rig):
    alice, bob, carol, dave = (rig.member(u) for u in ("alice", "bob", "carol", "dave"))

    assert "3号楼议事会" in await alice.say("开通")
    for line in ("设置 quiet 0", "设置 tally live", "设置 abstain on"):  # put at once; running count; abstain
        await alice.say(line)
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
    new_params, new_body = rig.encrypt(
        "<xml><FromUserName>alice</FromUserName><MsgType>text</MsgType>"
        "<Content>提议 装灯</Content><MsgId>1</MsgId></xml>"
    )
    start = new_body.index("<Encrypt><![CDATA[") + len("<Encrypt><![CDATA[")
    tampered = new_body[:start] + ("B" if new_body[start] == "A" else "A") + new_body[start + 1 :]
    assert (await rig.send(new_params, tampered))[0] == 403
    # a stale timestamp (ten minutes old), correctly signed
    old = str(int(rig.clock().timestamp()) - 600)
    stale_params, stale_body = rig.encrypt(
        "<xml><FromUserName>alice</FromUserName><MsgType>text</MsgType>"
        "<Content>提议 装灯</Content><MsgId>2</MsgId></xml>",
        timestamp=old,
    )
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
    assert to_command("议事厅") == ("/web", "") and to_command("議事廳") == ("/web", "")
    assert to_command("反对意见很多") is None
    assert to_command("今天天气不错") is None


SCRIPT = [
    ("amy", "/setup", "开通"),
    ("amy", "/set quiet 0", "设置 quiet 0"),  # the question is put right after the speeches
    ("amy", "/set abstain on", "设置 abstain on"),  # and dan abstains
    ("ben", "/join 3-502", "加入 3-502"),
    ("cat", "/join 3-601", "登记 3-601"),
    ("dan", "/join 3-702", "加入 3-702"),
    ("ben", "/motion 在3号楼安装感应灯", "提议 在3号楼安装感应灯"),
    ("cat", "/second 1", "附议 1"),
    ("ben", "/speak 1 赞成：楼道太黑", "发言 1 赞成：楼道太黑"),
    ("dan", "/speak 1 反对：电费太贵", "发言 1 反对：电费太贵"),
    ("amy", "/vote 1", "表决 1"),
    ("ben", "/yes 1", "赞成 1"),
    ("cat", "/no 1", "反对 1"),
    ("dan", "/abstain 1", "弃权 1"),
]


async def _outcome(app, chat_key: str):
    async with app.dispatcher.uow() as uow:
        council = await uow.councils.by_chat(chat_key)
        motion = await uow.motions.by_number(council.id, 1)
        ballot = (await uow.ballots.for_motion(motion.id))[-1]
    try:
        from bot.desk import minutes as minutes_service
    except ImportError:
        minutes = None
    else:
        async with app.dispatcher.uow() as uow:
            minutes = (await minutes_service.draft(uow, council.id, now=app.dispatcher.clock())).text
    return motion.state, ballot.result, minutes


async def test_the_same_script_gives_the_same_result_and_minutes_on_the_console_and_wecom(rig: Rig, tmp_path):
    from bot.console import ConsoleChat
    from bot.main import build_core
    from tests.conftest import FakeClock

    console_app = await build_core(f"sqlite+aiosqlite:///{tmp_path / 'console.db'}", clock=FakeClock(rig.clock()))
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
