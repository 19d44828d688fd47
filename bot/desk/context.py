"""What a command handler gets (`Ctx`) and what a command area exports (`Table`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

from deliberation.model import Actor, Council
from deliberation.ports import Clock

from ..i18n import Translator
from .messages import Incoming, Response

# A unit of work as the desk uses it: deliberation.ports.UnitOfWork plus the update claims and the
# outbox (storage.uow.SqlUnitOfWork, or tests' fake). Typed loosely: the desk must not import storage.
Work = Any
NewWork = Callable[[], AbstractAsyncContextManager[Work]]


@dataclass(frozen=True)
class Defaults:
    """What the desk was configured with: a new council's language and time zone, the public address."""

    locale: str = "zh_Hans"
    timezone: str = "Asia/Shanghai"
    public_base_url: str = ""  # where the web pages are served (PUBLIC_BASE_URL): the notice board's address
    docx_template: bytes | None = None  # a 街道's own Word form for /export docx (YISHI_DOCX_TEMPLATE)


@dataclass
class Ctx:
    """Everything one command needs: the open unit of work, the council, who acts, the arguments."""

    uow: Work
    incoming: Incoming
    council: Council | None
    actor: Actor
    args: str
    t: Translator
    clock: Clock
    defaults: Defaults

    @property
    def the_council(self) -> Council:
        """The council, for commands the desk runs only where there is one (all but NEEDS_NO_COUNCIL)."""
        assert self.council is not None
        return self.council


Handler = Callable[[Ctx], Awaitable[Response]]
# A button press of one kind (a class in bot.desk.buttons) -> its handler.
ButtonHandler = Callable[[Ctx, Any], Awaitable[Response]]


@dataclass(frozen=True)
class Table:
    """One area's commands and buttons; `Desk(..., tables=[...])` serves the tables it is given."""

    commands: Mapping[str, Handler] = field(default_factory=dict)
    buttons: Mapping[type, ButtonHandler] = field(default_factory=dict)
    needs_no_council: frozenset[str] = frozenset()  # commands that work before /setup (or in private)
