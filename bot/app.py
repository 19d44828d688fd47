"""The composition root: settings -> engine -> migrated database -> dispatcher."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from storage.database import make_engine, make_sessions
from storage.leader import Leadership, leadership_for
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork, uow_factory

from deliberation.ports import Clock

from .desk import Desk as Dispatcher
from .desk.commands import ALL as ALL_COMMANDS
from .desk.desk import utc_now
from .i18n import normalise_locale
from .settings import DatabaseSettings, YishiSettings


@dataclass
class App:
    engine: AsyncEngine
    sessions: async_sessionmaker
    dispatcher: Dispatcher
    new_uow: Callable[[], SqlUnitOfWork] = field(init=False)  # what the outbox drainer and the alarm are given

    def __post_init__(self) -> None:
        self.new_uow = uow_factory(self.sessions)

    def leadership(self) -> Leadership:
        """Who rings the alarms: one process per PostgreSQL database, always this one on SQLite."""
        return leadership_for(self.engine)

    async def close(self) -> None:
        await self.engine.dispose()


async def build_app(database_url: str | None = None, *, clock: Clock = utc_now, migrate: bool = True) -> App:
    """Open the database (upgrading its schema first) and wire the command desk to it."""
    yishi = YishiSettings()
    engine = make_engine(database_url or DatabaseSettings().url)
    if migrate:
        await upgrade(engine)
    sessions = make_sessions(engine)
    dispatcher = Dispatcher(uow_factory(sessions), clock, tables=ALL_COMMANDS, default_locale=normalise_locale(yishi.locale) or "zh_Hans",
                            default_timezone=yishi.timezone)
    return App(engine, sessions, dispatcher)
