"""`yishi run`: the Telegram bot — polling by default, a webhook when WEBHOOK_URL is set.

Everything comes from the environment (TelegramSettings, WebhookSettings, DATABASE_URL).
The alarm clock (reminders, deadlines) and the outbox drainer (their announcements) run
alongside; SIGTERM/SIGINT stop it all cleanly: no new updates, the handlers running finish,
pending tally edits are written, the alarm and the drainer stop, the database is closed.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from dataclasses import dataclass
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import InvalidToken, NetworkError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, TypeHandler

from ..app import App, build_app
from ..outbox import OutboxDrainer
from ..scheduler import Alarm
from ..settings import TelegramSettings, WebhookSettings
from .adapter import TelegramAdapter
from .admins import AdminCache
from .chats import TelegramChats
from .commands import MENU_LANGUAGES, bot_commands
from .delivery import Delivery
from .edits import CoalescedEdits
from .processor import ChatOrderedProcessor
from .sender import TelegramSender

log = logging.getLogger(__name__)

# Updates the bot acts on; everything else Telegram need not send.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]


@dataclass
class TelegramBot:
    """The wired-up pieces of a running bot (tests reach in to settle edits or read the adapter)."""

    application: Application
    adapter: TelegramAdapter
    edits: CoalescedEdits
    drainer: OutboxDrainer
    alarm: Alarm


def build_bot(app: App, settings: TelegramSettings) -> TelegramBot:
    if settings.bot_token is None or not settings.bot_token.get_secret_value().strip():
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    base = settings.api_base.rstrip("/")
    builder = (
        ApplicationBuilder()
        .token(settings.bot_token.get_secret_value())
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .rate_limiter(AIORateLimiter(overall_max_rate=settings.rate_overall_per_second, overall_time_period=1,
                                     group_max_rate=settings.rate_group_per_minute, group_time_period=60,
                                     max_retries=settings.max_retries))
        .concurrent_updates(ChatOrderedProcessor())
    )
    if settings.http_client == "aiohttp":  # bench/README.md: less CPU per Bot API call under a burst
        from .request import AiohttpRequest
        builder = builder.request(AiohttpRequest(64)).get_updates_request(AiohttpRequest(1))
    else:
        builder = builder.connection_pool_size(64)
    application = builder.build()
    chats = TelegramChats(app.new_uow, app.dispatcher.clock)
    delivery = Delivery(application.bot, chats)
    edits = CoalescedEdits(delivery, interval=settings.edit_interval_seconds)
    adapter = TelegramAdapter(app.dispatcher, delivery, edits, AdminCache(application.bot),
                              default_locale=app.dispatcher.default_locale)
    application.add_handler(TypeHandler(Update, adapter.on_update))
    application.update_processor.batcher = adapter  # a burst of vote presses: one unit of work per run
    application.add_error_handler(_log_error)
    drainer = OutboxDrainer(app.new_uow, TelegramSender(delivery, edits), app.dispatcher.clock)
    # Results and notices go through the outbox, committed with the change; sent at once when Telegram answers.
    app.dispatcher.queue_announcements = True
    adapter.announcer = drainer.deliver
    alarm = Alarm(app.new_uow, app.leadership(), clock=app.dispatcher.clock, on_announce=drainer.wake.set)
    adapter.on_changed.append(alarm.poke)  # a deadline made just now is planned at once
    return TelegramBot(application, adapter, edits, drainer, alarm)


async def _log_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    log.error("update %s failed", getattr(update, "update_id", "?"), exc_info=context.error)


async def register_commands(application: Application) -> None:
    for language_code, locale in MENU_LANGUAGES:
        await application.bot.set_my_commands(bot_commands(locale), language_code=language_code or None)


async def serve(bot: TelegramBot, settings: TelegramSettings, webhook: WebhookSettings, stop: asyncio.Event) -> None:
    """Run the bot until `stop` is set."""
    application = bot.application
    drain_stop = asyncio.Event()
    async with application:  # initialize (getMe) ... shutdown
        try:
            await register_commands(application)
        except Exception:  # a menu is a nicety; the bot works without it
            log.exception("setMyCommands failed")
        await application.start()
        if webhook.url:
            host, _, port = webhook.listen.rpartition(":")
            await application.updater.start_webhook(
                listen=host.strip("[]") or "127.0.0.1", port=int(port), url_path=urlsplit(webhook.url).path.lstrip("/"),
                webhook_url=webhook.url, allowed_updates=ALLOWED_UPDATES,
                secret_token=webhook.secret.get_secret_value() if webhook.secret else None)
            log.info("listening for webhook calls on %s", webhook.listen)
        else:
            await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES, timeout=10)
            log.info("polling %s for updates", settings.api_base)
        drainer = asyncio.create_task(bot.drainer.run(drain_stop), name="outbox")
        await bot.alarm.start()
        try:
            await stop.wait()
        finally:
            log.info("stopping")
            await application.updater.stop()  # no new updates; those taken are still handled
            await application.stop()          # waits for the handlers running now
            await bot.alarm.stop()
            await bot.edits.close()
            drain_stop.set()
            bot.drainer.wake.set()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(drainer, 10)


async def run_telegram(database_url: str | None = None) -> int:
    """The `yishi run` entry point: returns the process exit code."""
    os.environ.setdefault("PTB_TIMEDELTA", "1")  # PTB 23's timedelta durations now (no deprecation noise)
    settings, webhook = TelegramSettings(), WebhookSettings()
    if settings.bot_token is None or not settings.bot_token.get_secret_value().strip():
        log.error("TELEGRAM_BOT_TOKEN is not set (see .env.example)")
        return 2
    app = await build_app(database_url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await serve(build_bot(app, settings), settings, webhook, stop)
    except InvalidToken:
        log.error("the Bot API server at %s refused the token", settings.api_base)
        return 1
    except NetworkError as error:
        log.error("cannot reach the Bot API server at %s: %s", settings.api_base, error)
        return 1
    finally:
        await app.close()
    log.info("stopped")
    return 0
