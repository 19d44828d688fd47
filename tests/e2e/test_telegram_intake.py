"""Telegram intake: an update is confirmed (getUpdates offset, webhook 200) only after it was handled.

A handler placed before the adapter holds one update back; the others (other chats) are handled
meanwhile, and Telegram is told nothing beyond the one held until it is done.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from telegram import Update
from telegram.ext import TypeHandler

from bot.main import build_core, build_telegram, serve_telegram
from bot.settings import TelegramSettings, WebhookSettings
from tests.e2e.conftest import ALICE, BOB, CAROL, running_bot
from tests.e2e.reliability import wait_until_listening
from tests.fakes.fake_bot_api import free_port

pytestmark = pytest.mark.timeout(60)
SECRET = "intake-test-webhook-secret-0123456789"


class Gate:
    """Holds the handling of one update (before the adapter sees it) until opened."""

    def __init__(self) -> None:
        self.held: int | None = None
        self.entered = asyncio.Event()
        self.opened = asyncio.Event()
        self.seen: Counter[int] = Counter()

    async def __call__(self, update: Update, context: object) -> None:
        self.seen[update.update_id] += 1
        if update.update_id == self.held:
            self.entered.set()
            await self.opened.wait()


async def test_polling_confirms_nothing_beyond_an_update_still_being_handled(tmp_path, api):
    async with running_bot(tmp_path, api) as h:
        gate = Gate()
        h.bot.application.add_handler(TypeHandler(Update, gate), group=-1)
        held = api.push_text(ALICE.id, ALICE, "你好", chat_type="private")
        gate.held = held["update_id"]
        await asyncio.wait_for(gate.entered.wait(), 10)
        later = [api.push_text(user.id, user, "你好", chat_type="private") for user in (BOB, CAROL)]
        for update in later:  # other chats go on meanwhile
            await h.wait_processed(update["update_id"])
        since = len(api.calls())
        poll = await api.wait_for(method="getUpdates", since=since, timeout=10)  # asked again while one is held
        assert poll.params.get("offset") == held["update_id"]
        assert all(c.params.get("offset", 0) <= held["update_id"] for c in api.calls("getUpdates"))
        assert [u["update_id"] for u in api.pending_updates()] == [held["update_id"]] + [u["update_id"] for u in later]
        assert gate.seen[held["update_id"]] == 1  # re-sent by Telegram while held, not handled twice

        gate.opened.set()
        await h.wait_processed(held["update_id"])
        beyond = later[-1]["update_id"] + 1
        await api.wait_for(method="getUpdates", params={"offset": beyond}, timeout=10)
        assert api.pending_updates() == []
        assert all(n == 1 for n in gate.seen.values()), gate.seen


async def test_webhook_answers_200_only_after_the_update_was_handled(tmp_path, api):
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram-hook"
    settings = TelegramSettings(bot_token=api.token, api_base=api.base_url, rate_group_per_minute=100000)
    app = await build_core(f"sqlite+aiosqlite:///{tmp_path / 'yishi.db'}")
    bot = build_telegram(app, settings)
    gate = Gate()
    bot.application.add_handler(TypeHandler(Update, gate), group=-1)
    stop = asyncio.Event()
    webhook = WebhookSettings(url=url, listen=f"127.0.0.1:{port}", secret=SECRET)
    task = asyncio.create_task(serve_telegram(app, bot, settings, webhook, stop))
    try:
        await api.wait_for(method="setWebhook", timeout=15)
        await wait_until_listening(port, timeout=10.0)
        assert api.webhook_info()["secret_token"] == SECRET
        update = api.make_text(ALICE.id, ALICE, "你好", chat_type="private")
        update = {"update_id": 800_000_001, **update}
        gate.held = update["update_id"]
        assert await api.deliver_webhook(url, update, secret_token="wrong") == 403
        assert gate.seen[update["update_id"]] == 0

        first = asyncio.create_task(api.deliver_webhook(url, update, secret_token=SECRET))
        await asyncio.wait_for(gate.entered.wait(), 10)
        again = asyncio.create_task(api.deliver_webhook(url, update, secret_token=SECRET))  # Telegram retries
        done, _ = await asyncio.wait({first, again}, timeout=0.5)
        assert not done, "answered before the update was handled"
        assert api.calls("sendMessage") == []

        gate.opened.set()
        assert await first == 200 and await again == 200
        assert len(api.calls("sendMessage")) == 1  # the private hint, once
        assert await api.deliver_webhook(url, update, secret_token=SECRET) == 200  # a late retry: at once
        assert gate.seen[update["update_id"]] == 1 and len(api.calls("sendMessage")) == 1
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
        await app.close()
