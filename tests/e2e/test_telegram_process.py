"""`yishi run` as its own process, configured only through the environment; webhook mode; real limits."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from bot.i18n import Translator
from bot.main import build_core, build_telegram, serve_telegram
from bot.settings import TelegramSettings, WebhookSettings
from deliberation.lifecycle import MotionState
from tests.e2e.conftest import ALICE, BOB, CAROL, CHAIR, DAVE, button_data, running_bot
from tests.e2e.reliability import wait_until_listening
from tests.fakes.fake_bot_api import Call, FakeBotApi, free_port

t = Translator("zh_Hans")
YISHI = Path(sys.executable).with_name("yishi")
G = -9001
HOOK_SECRET = "webhook-secret-0123456789abcdefghij"


class Driver:
    """Talks to a bot in another process: push an update, wait for the call that answers it."""

    def __init__(self, api: FakeBotApi) -> None:
        self.api = api

    async def cmd(self, user: Any, text: str, expect: str = "sendMessage", contains: str = "", **params: Any) -> Call:
        since = len(self.api.calls())
        update = self.api.push_command(G, user, text)
        if expect == "reply":  # a refusal answers the member's own message
            mid = update["message"]["message_id"]
            return await self.api.wait_for(
                method="sendMessage",
                since=since,
                timeout=20,
                predicate=lambda c: c.ok and c.result.get("reply_to_message", {}).get("message_id") == mid,
            )
        if expect == "setMessageReaction":
            params["message_id"] = update["message"]["message_id"]
        return await self.api.wait_for(
            method=expect,
            params={"chat_id": G, **params},
            since=since,
            timeout=20,
            predicate=lambda c: (
                c.ok and (not contains or contains in str(c.result.get("text", "")) + str(button_data(c.result)))
            ),
        )

    async def click(self, user: Any, message: dict, data: str) -> dict:
        update = self.api.push_callback(G, user, message["message_id"], data)
        call = await self.api.wait_for(
            method="answerCallbackQuery", timeout=20, params={"callback_query_id": update["callback_query"]["id"]}
        )
        return call.params


@pytest.mark.timeout(90)
async def test_yishi_run_as_a_process_drives_a_whole_deliberation(tmp_path):
    port = free_port()
    async with FakeBotApi(port=port) as api:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(tmp_path),
            "LANG": "C.UTF-8",
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE": f"http://127.0.0.1:{port}",
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'yishi.db'}",
            "TELEGRAM_RATE_GROUP_PER_MINUTE": "100000",
            "TELEGRAM_RATE_OVERALL_PER_SECOND": "10000",
            "TELEGRAM_EDIT_INTERVAL_SECONDS": "0.2",
        }
        process = await asyncio.create_subprocess_exec(
            str(YISHI), "run", cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        try:
            await api.wait_for_polling(timeout=40)
            assert api.commands() and api.commands(language_code="en")
            d = Driver(api)
            api.set_chat(G, "group", "3号楼议事群")
            api.set_chat_member(G, CHAIR, "creator")
            setup = await d.cmd(CHAIR, "/setup")
            assert "3号楼议事群" in setup.result["text"]
            await d.cmd(CHAIR, "/set quiet 0")  # the question right after the speeches (南塘 11: test_nantang_chat)
            await d.cmd(CHAIR, "/set abstain on")  # and the three buttons
            for user, unit in ((ALICE, "3-101"), (BOB, "3-102"), (CAROL, "3-201"), (DAVE, "3-202")):
                await d.cmd(user, f"/join {unit}", expect="setMessageReaction")
            card = (await d.cmd(ALICE, "/motion 在3号楼每层楼道安装声控感应灯", contains="s:")).result
            assert (await d.click(BOB, card, button_data(card)[0]))["text"] == t("popup.seconded", number=1)
            await d.cmd(BOB, "/for 1 晚上太黑", expect="setMessageReaction")
            await d.cmd(CAROL, "/against 1 先算清费用", expect="setMessageReaction")
            await d.cmd(BOB, "/for 1 不到2000元", expect="setMessageReaction")
            refusal = await d.cmd(BOB, "/for 1 再说一句", expect="reply")
            assert refusal.result["text"] == t("error.speech.limit", limit=2, left=0)
            amendment = (
                await d.cmd(DAVE, "/amend 1 在3号楼每层楼道安装声控感应灯，费用不超过3000元", contains="s:")
            ).result
            await d.click(ALICE, amendment, button_data(amendment)[0])
            ballot = (await d.cmd(CHAIR, "/vote 2", contains="v:")).result
            for user in (ALICE, BOB, CAROL):
                await d.click(user, ballot, button_data(ballot)[0])
            assert (
                t("result.passed")
                in (await d.cmd(CHAIR, "/close 2", contains=t("result.counts", yes=3, no=0, abstain=0))).result["text"]
            )
            ballot = (await d.cmd(CHAIR, "/vote 1", contains="v:")).result
            yes, no, _ = button_data(ballot)
            await d.click(ALICE, ballot, yes)
            await d.click(BOB, ballot, no)
            assert (await d.click(BOB, ballot, yes))["text"] == t(
                "popup.vote_changed", choice=t("choice.yes"), number=1
            )
            await d.click(CAROL, ballot, yes)
            result = (await d.cmd(CHAIR, "/close 1", contains=t("result.counts", yes=3, no=0, abstain=0))).result[
                "text"
            ]
            assert t("result.counts", yes=3, no=0, abstain=0) in result and t("result.passed") in result
            assert "费用不超过3000元" in result
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            output = (await asyncio.wait_for(process.communicate(), 20))[0].decode(errors="replace")
        assert process.returncode == 0, output
        assert api.token.split(":", 1)[1] not in output  # the token never reaches the log

    app = await build_core(f"sqlite+aiosqlite:///{tmp_path / 'yishi.db'}")
    try:
        async with app.dispatcher.uow() as uow:
            council = await uow.councils.by_chat(f"telegram:{G}")
            assert (await uow.motions.by_number(council.id, 1)).state is MotionState.ADOPTED
    finally:
        await app.close()


@pytest.mark.timeout(30)
async def test_webhook_mode(tmp_path, api):
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram-hook"
    settings = TelegramSettings(bot_token=api.token, api_base=api.base_url, rate_group_per_minute=100000)
    app = await build_core(f"sqlite+aiosqlite:///{tmp_path / 'yishi.db'}")
    stop = asyncio.Event()
    task = asyncio.create_task(
        serve_telegram(
            app,
            build_telegram(app, settings),
            settings,
            WebhookSettings(url=url, listen=f"127.0.0.1:{port}", secret=HOOK_SECRET),
            stop,
        )
    )
    try:
        await api.wait_for(method="setWebhook", timeout=15)
        await wait_until_listening(port, timeout=10.0)
        assert api.webhook_info()["url"] == url and api.calls("getUpdates") == []
        api.set_chat(G, "group", "网页钩子群")
        api.set_chat_member(G, CHAIR, "creator")
        update = api.make_command(G, CHAIR, "/setup")
        assert await api.deliver_webhook(url, update, secret_token="wrong") == 403
        assert await api.deliver_webhook(url, update, secret_token=HOOK_SECRET) == 200
        call = await api.wait_for(method="sendMessage", params={"chat_id": G}, timeout=10)
        assert "网页钩子群" in call.result["text"]
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
        await app.close()


@pytest.mark.timeout(60)
async def test_real_flood_limits(tmp_path, api):
    """Telegram's own limits (30/s, 20 per minute per group): a short exchange still flows, and the
    group's 21st request waits for the limiter instead of meeting a 429."""
    defaults = TelegramSettings.model_fields
    async with running_bot(
        tmp_path,
        api,
        rate_overall_per_second=defaults["rate_overall_per_second"].default,
        rate_group_per_minute=defaults["rate_group_per_minute"].default,
    ) as h:
        api.set_chat(G, "group", "限速群")
        api.set_chat_member(G, CHAIR, "creator")
        step = await h.cmd(G, CHAIR, "/setup")
        assert len(step.messages) == 1
        started = time.monotonic()
        users = [dict(id=40_000 + i, first_name=f"R{i}") for i in range(20)]
        for i, user in enumerate(users):
            await h.cmd(G, user, f"/join {i}")
        elapsed = time.monotonic() - started
        group_calls = [c for c in api.calls() if c.params.get("chat_id") == G]
        assert len(group_calls) >= 21 and all(c.status == 200 for c in group_calls)
        assert elapsed >= 2.5, elapsed  # the bucket of 20 was spent: the next one waited ~3 s
