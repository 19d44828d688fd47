"""Telegram's transport: the python-telegram-bot application, polling by default, a webhook when WEBHOOK_URL is set.

`bot/main.py` builds the pieces (`build_telegram`) and runs them with the core's alarm clock and outbox
drainer (`yishi run`, `yishi serve`); stopping is clean: no new updates, the handlers running finish,
pending tally edits are written. Updates come in through `intake` (not PTB's Updater), which confirms an
update to Telegram only once it was handled, so a crash loses none.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from telegram import Update
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, TypeHandler

from ..alarm import Alarm
from ..outbox import OutboxDrainer
from ..settings import TelegramSettings, WebhookSettings
from .adapter import TelegramAdapter
from .commands import MENU_LANGUAGES, bot_commands
from .edits import CoalescedEdits
from .intake import Polling, WebhookServer
from .processor import ChatOrderedProcessor
from .request import AiohttpRequest, proxy_for

log = logging.getLogger(__name__)

# Updates the bot acts on; everything else Telegram need not send.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER, Update.CHAT_MEMBER]


@dataclass
class TelegramBot:
    """The wired-up pieces of a running bot (tests reach in to settle edits or read the adapter)."""

    application: Application
    adapter: TelegramAdapter
    edits: CoalescedEdits
    drainer: OutboxDrainer
    alarm: Alarm


def make_application(settings: TelegramSettings) -> Application:
    """python-telegram-bot's application for the token, with the flood limits and the chat-ordered processor."""
    if settings.bot_token is None or not settings.bot_token.get_secret_value().strip():
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    base = settings.api_base.rstrip("/")
    builder = (
        ApplicationBuilder()
        .token(settings.bot_token.get_secret_value())
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .rate_limiter(
            AIORateLimiter(
                overall_max_rate=settings.rate_overall_per_second,
                overall_time_period=1,
                group_max_rate=settings.rate_group_per_minute,
                group_time_period=60,
                max_retries=settings.max_retries,
            )
        )
        .concurrent_updates(ChatOrderedProcessor())
        .updater(None)  # updates come in through `intake`: confirmed only once handled
    )
    proxy = proxy_for(settings.api_base, settings.proxy)
    if settings.http_client == "aiohttp":  # bench/README.md: less CPU per Bot API call under a burst
        builder = builder.request(AiohttpRequest(64, proxy=proxy)).get_updates_request(AiohttpRequest(1, proxy=proxy))
    else:
        builder = builder.connection_pool_size(64)
        if proxy:
            builder = builder.proxy(proxy).get_updates_proxy(proxy)
    return builder.build()


def attach(application: Application, adapter: TelegramAdapter) -> None:
    """Route every update to the adapter; a burst of vote presses becomes one unit of work per run."""
    application.add_handler(TypeHandler(Update, adapter.on_update))
    processor = application.update_processor
    assert isinstance(processor, ChatOrderedProcessor)  # make_application installs it
    processor.batcher = adapter
    # quiet acknowledgements wait while the chat's updates are still being handled
    adapter.acks.busy.append(lambda chat_id: processor.working(("chat", chat_id)))
    processor.on_idle.append(lambda key: _wake_chat(adapter, key))
    application.add_error_handler(_log_error)


def _wake_chat(adapter: TelegramAdapter, key: object) -> None:
    if isinstance(key, tuple) and key[0] == "chat":
        adapter.acks.wake(key[1])


async def _log_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    log.error("update %s failed", getattr(update, "update_id", "?"), exc_info=context.error)


async def register_commands(application: Application) -> None:
    for language_code, locale in MENU_LANGUAGES:
        await application.bot.set_my_commands(bot_commands(locale), language_code=language_code or None)


@contextlib.asynccontextmanager
async def transport(bot: TelegramBot, settings: TelegramSettings, webhook: WebhookSettings) -> AsyncIterator[None]:
    """Telegram's side while the body runs: updates in (polling or webhook); on exit no new updates, the
    handlers running finish and pending tally edits are written. The alarm and the outbox are the core's."""
    if refused := webhook.problem():
        raise ValueError(refused)
    application = bot.application
    async with application:  # initialize (getMe) ... shutdown
        try:
            await register_commands(application)
        except Exception:  # a menu is a nicety; the bot works without it
            log.exception("setMyCommands failed")
        await application.start()
        intake: Polling | WebhookServer
        if webhook.url:
            host, _, port = webhook.listen.rpartition(":")
            secret = webhook.secret.get_secret_value() if webhook.secret else None
            intake = WebhookServer(
                application, urlsplit(webhook.url).path, host.strip("[]") or "127.0.0.1", int(port), secret
            )
            await intake.start()
            await application.bot.set_webhook(
                webhook.url, allowed_updates=ALLOWED_UPDATES, secret_token=secret, max_connections=40
            )
            log.info("listening for webhook calls on %s", webhook.listen)
        else:
            intake = Polling(application, ALLOWED_UPDATES, timeout=10)
            await intake.start()
            log.info("polling %s for updates", settings.api_base)
        try:
            yield
        finally:
            log.info("stopping Telegram")
            await intake.stop()  # no new updates; those taken are still handled (webhook: and answered)
            await application.stop()  # waits for the handlers running now
            if isinstance(intake, Polling):
                await intake.confirm()  # what was handled since the last getUpdates
            await bot.edits.close()
            try:
                await bot.adapter.acks.settle(timeout=5)
            except TimeoutError:
                log.warning("acknowledgements not sent before shutdown")
