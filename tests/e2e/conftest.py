"""The real python-telegram-bot application against the fake Bot API server, with helpers to talk to it.

`harness` runs the bot in this process (the same `serve` as `yishi run`) with raised rate
limits; a test pushes updates and waits until the bot has finished each one (a recorder
handler in a later handler group sees the update after the adapter is done with it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
from telegram import Update
from telegram.ext import TypeHandler

from bot.main import Core, build_core, build_telegram, serve_telegram
from bot.settings import TelegramSettings, WebhookSettings
from bot.telegram.runner import TelegramBot
from tests.fakes.fake_bot_api import Call, FakeBotApi, FakeUser

logging.getLogger("httpx").setLevel(logging.WARNING)

FAST = {
    "rate_overall_per_second": 100_000.0,
    "rate_group_per_minute": 1_000_000.0,
    "max_retries": 5,
    "edit_interval_seconds": 0.3,
}

# Residents. Names carry HTML/Markdown specials on purpose in some tests.
CHAIR = FakeUser(id=9001, first_name="王主任", username="wang")
ALICE = FakeUser(id=1001, first_name="Alice", username="alice")
BOB = FakeUser(id=1002, first_name="Bob", username="bob")
CAROL = FakeUser(id=1003, first_name="Carol", username="carol")
DAVE = FakeUser(id=1004, first_name="Dave", username="dave")
MALLORY = FakeUser(id=1666, first_name="Mallory", username="mallory")


@dataclass
class Step:
    """What the bot did for one update: the API calls it made for it (edits come later)."""

    update: dict[str, Any]
    calls: list[Call]

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def calls_to_chat(self, chat_id: int) -> list[Call]:
        return [c for c in self.calls if c.params.get("chat_id") == chat_id]

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Messages the bot posted (successfully)."""
        return [c.result for c in self.of("sendMessage") if c.ok]

    @property
    def texts(self) -> list[str]:
        return [m["text"] for m in self.messages]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def reacted(self) -> bool:
        return any(c.ok for c in self.of("setMessageReaction"))

    @property
    def answer(self) -> dict[str, Any] | None:
        answers = [c.params for c in self.of("answerCallbackQuery") if c.ok]
        return answers[-1] if answers else None

    @property
    def popup(self) -> str:
        return (self.answer or {}).get("text") or ""

    @property
    def alert(self) -> bool:
        return bool((self.answer or {}).get("show_alert"))

    def replies_to(self, message_id: int) -> list[dict[str, Any]]:
        return [m for m in self.messages if (m.get("reply_to_message") or {}).get("message_id") == message_id]

    @property
    def command_message_id(self) -> int:
        return self.update["message"]["message_id"]

    @property
    def refusal(self) -> str | None:
        """The text of a reply to the member's own command message, if the bot answered so."""
        replies = self.replies_to(self.command_message_id)
        return replies[0]["text"] if replies else None

    def posted_with_button(self, prefix: str) -> dict[str, Any]:
        """The posted message whose keyboard has a button whose data starts with `prefix`."""
        for message in self.messages:
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                if any(b.get("callback_data", "").startswith(prefix) for b in row):
                    return message
        raise AssertionError(f"no message with a {prefix!r} button in {self.texts}")


@dataclass
class Harness:
    api: FakeBotApi
    app: Core
    bot: TelegramBot
    processed: Counter = field(default_factory=Counter)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def _record(self, update: Update, context) -> None:
        self.processed[update.update_id] += 1
        self.changed.set()

    async def wait_processed(self, update_id: int, times: int = 1, timeout: float = 15.0) -> None:
        async def until() -> None:
            while self.processed[update_id] < times:
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(until(), timeout)

    async def run(self, update: dict[str, Any], times: int = 1) -> Step:
        since = len(self.api.calls())
        update = self.api.push_raw(update)
        await self.wait_processed(update["update_id"], times)
        await self.bot.adapter.acks.settle(timeout=15)  # a 👍 goes out once the chat is quiet
        return Step(update, self.api.calls(since=since))

    async def cmd(self, chat_id: int, user: Any, text: str, **kwargs: Any) -> Step:
        since = len(self.api.calls())
        update = self.api.push_command(chat_id, user, text, **kwargs)
        await self.wait_processed(update["update_id"])
        await self.bot.adapter.acks.settle(timeout=15)  # a 👍 goes out once the chat is quiet
        return Step(update, self.api.calls(since=since))

    async def click(self, chat_id: int, user: Any, message_id: int, data: str, **kwargs: Any) -> Step:
        since = len(self.api.calls())
        update = self.api.push_callback(chat_id, user, message_id, data, **kwargs)
        await self.wait_processed(update["update_id"])
        return Step(update, self.api.calls(since=since))

    async def settle(self) -> None:
        """Wait until the coalesced edits and the acknowledgements asked for so far are written."""
        await self.bot.edits.settle(timeout=15)
        await self.bot.adapter.acks.settle(timeout=30)

    async def db(self):
        """A unit of work on the bot's database (for assertions on state)."""
        return self.app.dispatcher.uow()


@contextlib.asynccontextmanager
async def running_bot(tmp_path, api: FakeBotApi, clock=None, **overrides: Any):
    if api.group_owner is None:
        api.group_owner = CHAIR  # 王主任 founded every test group: a group admin, so /setup is theirs
    settings = TelegramSettings(bot_token=api.token, api_base=api.base_url, **{**FAST, **overrides})
    app = await build_core(f"sqlite+aiosqlite:///{tmp_path / 'yishi.db'}", **({"clock": clock} if clock else {}))
    bot = build_telegram(app, settings)
    harness = Harness(api, app, bot)
    bot.application.add_handler(TypeHandler(Update, harness._record), group=1)
    stop = asyncio.Event()
    since = len(api.calls())
    task = asyncio.create_task(serve_telegram(app, bot, settings, WebhookSettings(url=None), stop))
    try:
        await api.wait_for_polling(since=since, timeout=15)
        yield harness
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)
        await app.close()


@pytest.fixture
async def api():
    async with FakeBotApi() as fake:
        yield fake


@pytest.fixture
async def harness(tmp_path, api):
    async with running_bot(tmp_path, api) as running:
        yield running


# ---- reading the bot's database ------------------------------------------------------------------


# The 南塘 settings that tests of other things do not exercise (tests/integration/test_nantang_chat.py does):
# the abstain button, the live tally, no quiet spell before the vote, several motions open at once.
CLASSIC = ("/set abstain on", "/set tally live", "/set quiet 0", "/set one_matter off")


async def classic_rules(h: Harness, chat_id: int, chair: Any) -> None:
    for line in CLASSIC:
        await h.cmd(chat_id, chair, line)


async def council_of(h: Harness, chat_id: int):
    async with h.app.dispatcher.uow() as uow:
        return await uow.councils.by_chat(f"telegram:{chat_id}")


async def motion_of(h: Harness, chat_id: int, number: int):
    async with h.app.dispatcher.uow() as uow:
        council = await uow.councils.by_chat(f"telegram:{chat_id}")
        return await uow.motions.by_number(council.id, number)


async def ballots_of(h: Harness, chat_id: int, number: int):
    async with h.app.dispatcher.uow() as uow:
        council = await uow.councils.by_chat(f"telegram:{chat_id}")
        motion = await uow.motions.by_number(council.id, number)
        return list(await uow.ballots.for_motion(motion.id))


async def votes_of(h: Harness, ballot_id: int):
    async with h.app.dispatcher.uow() as uow:
        return list(await uow.votes.all(ballot_id)), await uow.votes.count(ballot_id)


async def speeches_of(h: Harness, chat_id: int, number: int):
    async with h.app.dispatcher.uow() as uow:
        council = await uow.councils.by_chat(f"telegram:{chat_id}")
        motion = await uow.motions.by_number(council.id, number)
        return list(await uow.speeches.for_motion(motion.id))


async def events_of(h: Harness, chat_id: int) -> list:
    async with h.app.dispatcher.uow() as uow:
        council = await uow.councils.by_chat(f"telegram:{chat_id}")
        return list(await uow.events.all(council.id))


def button_data(message: dict[str, Any]) -> list[str]:
    return [
        b["callback_data"]
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", [])
        for b in row
        if "callback_data" in b
    ]
