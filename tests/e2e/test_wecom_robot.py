"""The WeCom group robot against a fake webhook on 127.0.0.1: 20 posts a minute, 2,048 bytes a post."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.capabilities import WECOM_APP, WECOM_ROBOT, fit_reply, split_text
from bot.desk.messages import Button, Reply
from bot.main import build_core
from bot.outbox import OutboxDrainer, PermanentFailure, TemporaryFailure, enqueue
from bot.wecom.robot import RateWindow, WeComRobot

pytestmark = pytest.mark.timeout(60)


class FakeTime:
    """Monotonic time and a sleep that moves it, so a minute passes at once."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class FakeWebhook:
    def __init__(self, time: FakeTime) -> None:
        self.time = time
        self.posts: list[tuple[float, str]] = []
        self.answer: dict = {"errcode": 0, "errmsg": "ok"}
        app = web.Application()
        app.add_routes([web.post("/cgi-bin/webhook/send", self.webhook)])
        self.server = TestServer(app, host="127.0.0.1")

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        if self.answer["errcode"] == 0:
            assert body["msgtype"] == "markdown"
            self.posts.append((self.time(), body["markdown"]["content"]))
        return web.json_response(self.answer)

    @property
    def url(self) -> str:
        return str(self.server.make_url("/cgi-bin/webhook/send?key=k"))

    def max_in_any_minute(self) -> int:
        times = [t for t, _ in self.posts]
        return max((sum(1 for u in times if s <= u < s + 60) for s in times), default=0)


@pytest.fixture
async def hook():
    time = FakeTime()
    fake = FakeWebhook(time)
    await fake.server.start_server()
    try:
        yield fake
    finally:
        await fake.server.close()


@pytest.fixture
async def robot(hook):
    robot = WeComRobot(hook.url, window=RateWindow(20, 60.0, clock=hook.time), sleep=hook.time.sleep)
    try:
        yield robot
    finally:
        await robot.close()


async def test_a_burst_waits_for_the_minute_and_coalesces(hook, robot):
    long = "\n".join(f"第{i}行：楼道感应灯的安装位置和电费分摊办法" for i in range(60))  # ≈ 3,500 bytes
    for n in range(45):
        robot.post(Reply(f"通知 {n}", title=f"公告 #{n}"))
    robot.post(Reply(long, title="长公告"))
    for n in range(45, 70):
        robot.post(Reply("x" * 1500 + f" 第{n}条"))  # too big to share a post with another
    await robot.flush()

    bodies = [body for _, body in hook.posts]
    assert all(len(body.encode()) <= 2048 for body in bodies)
    assert hook.max_in_any_minute() <= 20
    assert hook.time.slept and sum(hook.time.slept) >= 60  # it had to wait for the next minute
    joined = "\n".join(bodies)
    order = [joined.index(f"通知 {n}") for n in range(45)] + [joined.index(f"第{n}条") for n in range(45, 70)]
    assert order == sorted(order)  # nothing lost, nothing reordered
    assert "第0行" in joined and "第59行" in joined
    assert len(bodies) < 71  # small announcements were coalesced into shared posts
    assert any("通知 0" in b and "通知 1" in b for b in bodies)


async def test_the_outbox_sender_refuses_beyond_twenty_a_minute_and_retries_later(hook, robot, sqlite_url, clock):
    app = await build_core(sqlite_url, clock=clock)
    try:
        async with app.new_uow() as uow:
            for n in range(25):
                await enqueue(uow, chat_key="wecom:b3", reply=Reply(f"公告 {n}"), at=clock())
            await uow.commit()
        drainer = OutboxDrainer(app.new_uow, robot, clock=clock)
        assert await drainer.drain_once() == 20
        assert len(hook.posts) == 20
        hook.time.now += 61
        clock.advance(seconds=61)
        assert await drainer.drain_once() == 5
        assert [body for _, body in hook.posts] == [f"公告 {n}" for n in range(25)]
    finally:
        await app.close()


async def test_webhook_errors_become_temporary_or_permanent_failures(hook, robot):
    hook.answer = {"errcode": 45009, "errmsg": "api freq out of limit"}
    with pytest.raises(TemporaryFailure):
        await robot.send("wecom:b3", Reply("公告"))
    hook.answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
    with pytest.raises(PermanentFailure):
        await robot.send("wecom:b3", Reply("公告"))


def test_split_counts_utf8_bytes_on_line_boundaries():
    text = "\n".join(f"{n:02d}" + "感应灯" * 10 for n in range(25))  # 25 lines of 92 bytes (32 characters)
    pieces = split_text(text, 2048)
    assert all(len(p.encode()) <= 2048 for p in pieces)
    assert len(text) < 2048 < len(text.encode())  # a character count would not have split it
    assert len(pieces) == 2 and "\n".join(pieces) == text
    assert pieces[1].startswith("22")  # whole lines: 22 of them fit in the first 2,048 bytes
    one_line = "灯" * 1000  # 3,000 bytes without a line break: cut between characters
    assert [len(p.encode()) for p in split_text(one_line, 2048)] == [2046, 954]


def test_buttons_become_text_hints_where_there_are_none():
    reply = Reply(
        "在3号楼安装感应灯",
        title="表决 · 议题 #3",
        buttons=((Button("赞成", "v:9:y"), Button("反对", "v:9:n"), Button("弃权", "v:9:a")),),
    )
    [fitted] = fit_reply(
        reply,
        WECOM_APP,
        numbers={"v:9:y": 3, "v:9:n": 3, "v:9:a": 3},
        ballot_link=lambda ballot: f"https://yishi.example/b/{ballot}.sig",
    )
    assert fitted.buttons == ()
    assert "赞成 3" in fitted.text and "https://yishi.example/b/9.sig" in fitted.text
    [group] = fit_reply(reply, WECOM_ROBOT, numbers={"v:9:y": 3})
    assert "赞成 3" in group.text and "/b/" not in group.text  # no personal link in a group post
