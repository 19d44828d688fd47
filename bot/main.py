"""The composition root: settings -> engine -> desk, outbox drainer and alarm clock; every entry point starts here.

`build_core` builds what every platform shares. `run_telegram` (`yishi run`), `run_wecom`, `run_serve`
(`yishi serve`: every configured platform in one process), `run_console` (`yishi chat`), `run_demo` and
`bot.alarm_process` add only a transport and the platform's outbox Sender. One process, one alarm clock,
one drainer; each platform's sender is registered on the drainer's `PlatformRouter` by its chat-key prefix.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from deliberation.ports import Clock
from storage.database import make_engine, make_sessions
from storage.leader import Leadership, leadership_for
from storage.live import can_listen, listen_for_changes
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork, uow_factory

from .alarm import Alarm, Rung
from .desk import Desk
from .desk.commands import ALL as ALL_COMMANDS
from .desk.desk import utc_now
from .desk.messages import Reply
from .hall.live import Changes
from .i18n import normalise_locale
from .outbox import OutboxDrainer, enqueue_row
from .routing import PlatformRouter
from .settings import MAKE_SECRET, DatabaseSettings, TelegramSettings, WebhookSettings, YishiSettings

if TYPE_CHECKING:
    from aiohttp import web

    from .console import ConsoleChat
    from .hall.pages import Hall
    from .telegram.runner import TelegramBot
    from .wecom.app import WeComApi, WeComApp
    from .wecom.robot import WeComRobot
    from .wecom.settings import LinkSettings, WeComSettings
    from .wecom.web import BallotLinks

log = logging.getLogger(__name__)


@dataclass
class Core:
    """What every platform shares: the database, the desk, the outbox drainer and the alarm clock."""

    engine: AsyncEngine
    sessions: async_sessionmaker
    new_uow: Callable[[], SqlUnitOfWork]
    dispatcher: Desk
    router: PlatformRouter
    drainer: OutboxDrainer
    alarm: Alarm
    changes: Changes

    @contextlib.asynccontextmanager
    async def running(self, *, drain_idle: float = 1.0) -> AsyncIterator[None]:
        """The alarm clock and the outbox drainer, running while the body runs."""
        stop = asyncio.Event()
        draining = asyncio.create_task(self.drainer.run(stop, idle=drain_idle), name="outbox")
        listening = None
        if self.changes.notified:
            listening = asyncio.create_task(listen_for_changes(self.engine, self.changes.changed, stop), name="live")
        await self.alarm.start()
        try:
            yield
        finally:
            await self.alarm.stop()
            stop.set()
            if listening is not None:
                await asyncio.gather(listening, return_exceptions=True)
            self.drainer.wake.set()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(draining, 10)

    def leadership(self) -> Leadership:
        """Who rings the alarms: one process per PostgreSQL database, always this one on SQLite."""
        return leadership_for(self.engine)

    async def close(self) -> None:
        await self.engine.dispose()


async def build_core(
    database_url: str | None = None,
    *,
    clock: Clock = utc_now,
    migrate: bool = True,
    yishi: YishiSettings | None = None,
    scan_interval: float = 5.0,
    leader_retry: float = 2.0,
    on_rung: Callable[[Rung], None] | None = None,
) -> Core:
    """Open the database (upgrading its schema first) and wire the desk, the drainer and the alarm to it."""
    yishi = yishi or YishiSettings()
    engine = make_engine(database_url or DatabaseSettings().url)
    if migrate:
        await upgrade(engine)
    sessions = make_sessions(engine)
    new_uow = uow_factory(sessions)
    desk = Desk(
        new_uow,
        clock,
        tables=ALL_COMMANDS,
        default_locale=normalise_locale(yishi.locale) or "zh_Hans",
        default_timezone=yishi.timezone,
        public_base_url=yishi.public_base_url,
        docx_template=yishi.docx_template.read_bytes() if yishi.docx_template else None,
    )
    router = PlatformRouter()
    drainer = OutboxDrainer(new_uow, router, clock)
    alarm = Alarm(
        new_uow,
        leadership_for(engine),
        clock=clock,
        scan_interval=scan_interval,
        leader_retry=leader_retry,
        on_rung=on_rung,
        on_announce=drainer.wake.set,
    )
    return Core(engine, sessions, new_uow, desk, router, drainer, alarm, Changes(notified=can_listen(engine)))


def stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)


# ---- Telegram --------------------------------------------------------------------------------------


def build_telegram(core: Core, settings: TelegramSettings) -> TelegramBot:
    """The Telegram transport on the core: its adapter answers through the desk, its sender joins the router."""
    from .telegram.adapter import TelegramAdapter
    from .telegram.admins import AdminCache
    from .telegram.chats import TelegramChats
    from .telegram.delivery import Delivery
    from .telegram.edits import CoalescedEdits
    from .telegram.private_logs import install as private_logs
    from .telegram.runner import TelegramBot, attach, make_application
    from .telegram.sender import TelegramSender

    private_logs()
    application = make_application(settings)
    delivery = Delivery(application.bot, TelegramChats(core.new_uow, core.dispatcher.clock))
    edits = CoalescedEdits(delivery, interval=settings.edit_interval_seconds)
    adapter = TelegramAdapter(
        core.dispatcher, delivery, edits, AdminCache(application.bot), default_locale=core.dispatcher.default_locale
    )
    attach(application, adapter)
    core.router.add("telegram", TelegramSender(delivery, edits))
    adapter.announcer = core.drainer.deliver  # queued with the change; sent at once when Telegram answers
    adapter.on_changed.append(core.alarm.poke)  # a deadline made just now is planned at once
    return TelegramBot(application, adapter, edits, core.drainer, core.alarm)


async def serve_telegram(
    core: Core, bot: TelegramBot, settings: TelegramSettings, webhook: WebhookSettings, stop: asyncio.Event
) -> None:
    """Run the bot, the alarm and the drainer until `stop` is set."""
    from .telegram.runner import transport

    async with transport(bot, settings, webhook), core.running():
        await stop.wait()


def _telegram_configured(settings: TelegramSettings) -> bool:
    return settings.bot_token is not None and bool(settings.bot_token.get_secret_value().strip())


async def run_telegram(database_url: str | None = None) -> int:
    """`yishi run`: Telegram only. Returns the process exit code."""
    settings = TelegramSettings()
    if not _telegram_configured(settings):
        log.error("TELEGRAM_BOT_TOKEN is not set (see .env.example)")
        return 2
    if refused := WebhookSettings().problem():
        print(f"yishi run: {refused}", file=sys.stderr)
        return 2
    return await _serve(database_url, telegram=settings)


# ---- WeCom -----------------------------------------------------------------------------------------


def wecom_missing(settings: WeComSettings, links: LinkSettings) -> list[str]:
    """The WeCom variables still unset (all of them: WeCom is not configured)."""
    missing = [
        name
        for name, value in (
            ("WECOM_CORP_ID", settings.corp_id),
            ("WECOM_AGENT_ID", settings.agent_id),
            ("WECOM_SECRET", settings.secret.get_secret_value()),
            ("WECOM_TOKEN", settings.token),
        )
        if not value
    ]
    if len(settings.aes_key) != 43:
        missing.append("WECOM_AES_KEY")
    from .wecom.settings import MIN_LINK_SECRET

    link_secret = links.secret.get_secret_value()
    if not link_secret:
        missing.append("YISHI_LINK_SECRET")
    elif len(link_secret) < MIN_LINK_SECRET:  # a weak key lets anyone sign ballot links offline
        missing.append(
            f"YISHI_LINK_SECRET (too short: at least {MIN_LINK_SECRET} characters; make one with: {MAKE_SECRET})"
        )
    return missing


def ballot_links(core: Core, settings: LinkSettings) -> BallotLinks:
    from .wecom.web import BallotLinks

    return BallotLinks(
        settings.secret.get_secret_value(),
        settings.public_base_url,
        ttl=timedelta(hours=settings.ttl_hours),
        clock=core.dispatcher.clock,
    )


def build_wecom(
    core: Core,
    settings: WeComSettings,
    links: BallotLinks,
    *,
    api: WeComApi | None = None,
    robot: WeComRobot | None = None,
    wall_clock: Callable[[], float] | None = None,
) -> tuple[web.Application, WeComApp]:
    """The WeCom callback, the H5 ballot pages, the 公示栏 and the community desk on the core; WeCom's sender
    joins the router."""
    from aiohttp import web

    from .community_desk.page import STYLE_SOURCE as DESK_STYLE_SOURCE
    from .community_desk.web import add_desk_routes
    from .wecom.app import WeComApi, WeComApp
    from .wecom.hardening import security_headers
    from .wecom.robot import WeComRobot
    from .wecom.sender import WeComSender
    from .wecom.web import CONTENT_SECURITY_POLICY, BallotPages

    api = api or WeComApi(settings)
    if robot is None and settings.robot_url:
        robot = WeComRobot(settings.robot_url)
    # the configured robot sits in the default council's group; other councils hear through the app
    robots = {f"wecom:{settings.council_chat}": robot} if robot is not None else {}
    core.router.add("wecom", WeComSender(core.dispatcher.uow, api, links, robots, deliver=core.drainer.deliver))

    async def queue(chat_key: str, council_id: int, replies: list[Reply]) -> list[int]:
        """A council's public replies as outbox rows, committed now (the change they follow is committed)."""
        ids = []
        async with core.new_uow() as uow:
            for reply in replies:
                row_id = await enqueue_row(
                    uow, chat_key=chat_key, reply=reply, at=core.dispatcher.clock(), council_id=council_id
                )
                if row_id is not None:
                    ids.append(row_id)
            await uow.commit()
        return ids

    wecom = WeComApp(
        core.dispatcher, settings, api=api, links=links, drainer=core.drainer, queue=queue, wall_clock=wall_clock
    )
    wecom.on_changed.append(core.alarm.poke)
    # The community desk's page carries its own inline style: the policy allows it by its hash as well.
    policy = CONTENT_SECURITY_POLICY.replace("; script-src", f" {DESK_STYLE_SOURCE}; script-src", 1)
    app = web.Application(
        middlewares=[security_headers(content_security_policy=policy, https=links.base_url.startswith("https:"))]
    )
    app.add_routes(wecom.routes())
    app.add_routes(BallotPages(core.dispatcher, links, announce=wecom.announce).routes())
    app.add_routes(build_hall(core, links.base_url).routes())
    add_desk_routes(app, core.new_uow, core.dispatcher.clock, base_url=links.base_url)

    async def _close(_app: web.Application) -> None:
        await wecom.settle()
        await api.close()
        if robot is not None:
            await robot.close()

    app.on_cleanup.append(_close)
    return app, wecom


def build_hall(core: Core, base_url: str) -> Hall:
    """The 议事厅 on the core: what it queues wakes the drainer; on PostgreSQL it hears every worker's changes."""
    from .hall.app import make_hall

    return make_hall(core.dispatcher, core.new_uow, base_url, on_queued=core.drainer.wake.set, changes=core.changes)


def hall_app(core: Core, base_url: str) -> web.Application:
    """The web pages when WeCom is not configured: the hall and the community desk."""
    from .community_desk.web import add_desk_routes
    from .hall.app import web_app

    app = web_app(build_hall(core, base_url), base_url)
    add_desk_routes(app, core.new_uow, core.dispatcher.clock, base_url=base_url)
    return app


@contextlib.asynccontextmanager
async def web_site(app: web.Application, listen: str) -> AsyncIterator[None]:
    """Serve an aiohttp application on host:port while the body runs."""
    from aiohttp import web

    from .wecom.hardening import RedactingAccessLogger

    host, _, port = listen.rpartition(":")
    runner = web.AppRunner(app, access_log_class=RedactingAccessLogger)
    await runner.setup()
    try:
        await web.TCPSite(runner, host.strip("[]") or "127.0.0.1", int(port)).start()
        yield
    finally:
        await runner.cleanup()


async def run_wecom(database_url: str | None = None) -> int:
    """WeCom and the H5 pages only (`yishi serve` runs them too when WeCom is configured)."""
    from .wecom.settings import LinkSettings, WeComSettings

    settings, links = WeComSettings(), LinkSettings()
    missing = wecom_missing(settings, links)
    if missing:
        log.error("WeCom is not configured: set %s (see .env.example and docs/wecom.md)", ", ".join(missing))
        return 2
    return await _serve(database_url, wecom=(settings, links))


# ---- every configured platform ----------------------------------------------------------------------

NOTHING_TO_SERVE = (
    "nothing to serve: set TELEGRAM_BOT_TOKEN for Telegram, and/or WECOM_CORP_ID, WECOM_AGENT_ID, "
    "WECOM_SECRET, WECOM_TOKEN, WECOM_AES_KEY and YISHI_LINK_SECRET for WeCom "
    "(see .env.example)"
)


async def run_serve(
    database_url: str | None = None,
    *,
    clock: Clock = utc_now,
    stop: asyncio.Event | None = None,
    scan_interval: float = 5.0,
) -> int:
    """`yishi serve`: Telegram when its token is set, WeCom and the H5 pages when theirs are; one alarm, one outbox."""
    from .wecom.settings import LinkSettings, WeComSettings

    telegram = TelegramSettings()
    wecom, links = WeComSettings(), LinkSettings()
    missing = wecom_missing(wecom, links)
    wecom_partly = bool(wecom.corp_id or wecom.token or wecom.aes_key or wecom.secret.get_secret_value())
    if missing and wecom_partly:
        print(
            f"yishi serve: WeCom is only partly configured: set {', '.join(missing)} (see .env.example)",
            file=sys.stderr,
        )
        return 2
    hall = bool(YishiSettings().public_base_url)
    if not _telegram_configured(telegram) and missing and not hall:
        print(f"yishi serve: {NOTHING_TO_SERVE}", file=sys.stderr)
        return 2
    if _telegram_configured(telegram) and (refused := WebhookSettings().problem()):
        print(f"yishi serve: {refused}", file=sys.stderr)
        return 2
    return await _serve(
        database_url,
        clock=clock,
        stop=stop,
        scan_interval=scan_interval,
        telegram=telegram if _telegram_configured(telegram) else None,
        wecom=None if missing else (wecom, links),
    )


async def _serve(
    database_url: str | None,
    *,
    clock: Clock = utc_now,
    stop: asyncio.Event | None = None,
    scan_interval: float = 5.0,
    telegram: TelegramSettings | None = None,
    wecom: tuple[WeComSettings, LinkSettings] | None = None,
) -> int:
    """Run the given platforms on one core until `stop` (or SIGTERM/SIGINT)."""
    from telegram.error import InvalidToken, NetworkError

    if stop is None:
        stop = asyncio.Event()
        stop_on_signals(stop)
    os.environ.setdefault("PTB_TIMEDELTA", "1")  # PTB 23's timedelta durations now (no deprecation noise)
    core = await build_core(database_url, clock=clock, scan_interval=scan_interval)
    yishi = YishiSettings()
    try:
        async with contextlib.AsyncExitStack() as running:
            if wecom is not None:
                settings, link_settings = wecom
                web_app, _ = build_wecom(core, settings, ballot_links(core, link_settings))
                await running.enter_async_context(web_site(web_app, yishi.web_listen or settings.listen))
                log.info(
                    "WeCom callback on http://%s/wecom/callback, ballot pages under %s/b/",
                    settings.listen,
                    link_settings.public_base_url,
                )
            elif yishi.public_base_url:
                listen = yishi.web_listen or "127.0.0.1:8080"
                await running.enter_async_context(web_site(hall_app(core, yishi.public_base_url), listen))
                log.info("the hall on http://%s/h/ (reached at %s/h/)", listen, yishi.public_base_url)
            if telegram is not None:
                from .telegram.runner import transport

                bot = build_telegram(core, telegram)
                await running.enter_async_context(transport(bot, telegram, WebhookSettings()))
            await running.enter_async_context(core.running())
            await stop.wait()
    except InvalidToken:
        log.error("the Bot API server at %s refused the token", telegram.api_base if telegram else "?")
        return 1
    except NetworkError as error:
        log.error("cannot reach the Bot API server at %s: %s", telegram.api_base if telegram else "?", error)
        return 1
    finally:
        await core.close()
    log.info("stopped")
    return 0


# ---- the console -----------------------------------------------------------------------------------


def console_chat(core: Core, **options: object) -> ConsoleChat:
    """A console group chat on the core; it prints the outbox's console rows as they are delivered."""
    from .console import ConsoleChat

    chat = ConsoleChat(core.dispatcher, deliver=core.drainer.deliver, **options)  # type: ignore[arg-type]
    core.router.add("console", chat)
    return chat


async def run_console(database_url: str | None = None, stdin=sys.stdin) -> int:
    """`yishi chat`: the interactive chat, with the alarm clock ringing in the background while you type."""
    from .console import read_lines

    core = await build_core(database_url)
    try:
        chat = console_chat(core, echo=stdin is not sys.stdin, files_dir=Path.cwd())
        async with core.running(drain_idle=0.5):
            await read_lines(chat, stdin, after_line=core.alarm.poke)
        await core.drainer.drain_once()
    finally:
        await core.close()
    return 0
