"""The command desk: claim the update, run one command, render, queue announcements, commit once, answer.

Platform adapters (console, Telegram, WeCom) turn their updates into `Incoming` and show the
`Response`. Procedure lives in `deliberation/`; the desk parses, calls a use case and renders.
It knows no database and no platform: it is given a unit-of-work factory and the command tables it serves.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from deliberation import errors, usecases
from deliberation.model import Actor, Council
from deliberation.ports import Clock, StorageBusy

from ..i18n import DEFAULT_LOCALE, Translator, normalise_locale
from . import buttons, refusals
from .context import ButtonHandler, Ctx, Defaults, Handler, NewWork, Table, Work
from .messages import Incoming, Response
from .parsing import parse_command
from .repeats import RepeatedRefusals
from .vote_runs import VoteRunner

log = logging.getLogger(__name__)

DB_ATTEMPTS = 5  # tries of one update's unit of work when the database is busy or the connection drops
DB_BACKOFF = 0.05  # seconds before the second try; doubled for each further one, with jitter


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class _Attempt:
    """One try at an update: its unit of work (did it reach a commit?) and the language, once known."""

    uow: Work | None = None
    t: Translator | None = None

    @property
    def committed(self) -> bool:
        return self.uow is not None and bool(getattr(self.uow, "commit_started", True))


def without_nul(incoming: Incoming) -> Incoming:
    """NUL is never meaningful in chat text, and PostgreSQL cannot store it in a text column."""
    if "\x00" not in incoming.text and "\x00" not in (incoming.data or ""):
        return incoming
    return replace(
        incoming,
        text=incoming.text.replace("\x00", ""),
        data=incoming.data.replace("\x00", "") if incoming.data is not None else None,
    )


def reason(failure: BaseException) -> str:
    """The first line of what went wrong (the driver's message when storage wrapped it)."""
    cause = failure.__cause__ or failure
    return str(cause).splitlines()[0] if str(cause) else type(cause).__name__


class Desk:
    """`Desk(new_uow, clock, tables=commands.ALL)`: answers every update with one unit of work and one commit."""

    def __init__(
        self,
        new_uow: NewWork,
        clock: Clock = utc_now,
        *,
        tables: Iterable[Table],
        default_locale: str = DEFAULT_LOCALE,
        default_timezone: str = "Asia/Shanghai",
        public_base_url: str = "",
        docx_template: bytes | None = None,
    ) -> None:
        self.new_uow = new_uow
        self.clock = clock
        self.defaults = Defaults(default_locale, default_timezone, public_base_url.rstrip("/"), docx_template)
        self.repeats = RepeatedRefusals()  # in memory, per process (see bot.desk.repeats)
        self.commands: dict[str, Handler] = {}
        self.buttons: dict[type, ButtonHandler] = {}
        self.needs_no_council: set[str] = set()
        for table in tables:
            self.commands.update(table.commands)
            self.buttons.update(table.buttons)
            self.needs_no_council.update(table.needs_no_council)
        self.vote_runner = VoteRunner(self)

    @property
    def default_locale(self) -> str:
        return self.defaults.locale

    @property
    def default_timezone(self) -> str:
        return self.defaults.timezone

    def uow(self) -> Work:
        """A fresh unit of work (for read-only callers: nothing is committed unless they commit)."""
        return self.new_uow()

    async def handle(self, incoming: Incoming) -> Response:
        """Answer one command or button press. Never raises: bad input, a busy or lost database, a bug — it answers.

        A transient storage failure (`StorageBusy`: SQLite busy, a dropped PostgreSQL connection, a
        serialization failure) re-runs the whole unit of work: safe while nothing was committed, and after a
        commit attempt too when the update carries its key (the claim makes the re-run a no-op duplicate).
        """
        press = incoming.data is not None
        for attempt in range(1, DB_ATTEMPTS + 1):
            tried = _Attempt()
            try:
                response = await self._answer(without_nul(incoming), tried)
                if response.duplicate and attempt > 1:
                    # The try before committed, then lost its connection: the work is done, but its answer is lost.
                    return refusals.short_answer(
                        self._t(incoming, tried), "error.went_through", press=press, refused=False
                    )
                return self.repeats.mark(incoming, response)
            except Exception as failure:  # noqa: BLE001 - the desk answers every update
                busy = isinstance(failure, StorageBusy)
                may_repeat = not tried.committed or incoming.update_key is not None
                if busy and may_repeat and attempt < DB_ATTEMPTS:
                    log.warning(
                        "update %s: database busy or connection lost (%s); attempt %d of %d",
                        incoming.update_key,
                        reason(failure)[:120],
                        attempt,
                        DB_ATTEMPTS,
                    )
                    await asyncio.sleep(DB_BACKOFF * 2 ** (attempt - 1) * random.uniform(0.5, 1.5))
                    continue
                if busy and may_repeat:
                    log.error(
                        "update %s: database still unavailable after %d attempts (%s)",
                        incoming.update_key,
                        DB_ATTEMPTS,
                        reason(failure)[:120],
                    )
                    return refusals.short_answer(self._t(incoming, tried), "error.try_again", press=press)
                log.exception(
                    "update %s (%s in %s): unexpected failure",
                    incoming.update_key,
                    "button" if press else "command",
                    incoming.chat_key,
                )
                return refusals.short_answer(self._t(incoming, tried), "error.unexpected", press=press)
        raise AssertionError("unreachable")

    def _t(self, incoming: Incoming, tried: _Attempt) -> Translator:
        return tried.t or Translator(self.locale(None, incoming))

    def locale(self, council: Council | None, incoming: Incoming) -> str:
        """The language of an answer: the council's; in private, the user's client's."""
        if council is not None:
            return council.locale
        if not incoming.chat_is_group:
            return normalise_locale(incoming.user_locale) or self.defaults.locale
        return self.defaults.locale

    async def actor(self, uow: Work, council: Council | None, incoming: Incoming) -> Actor:
        member = await uow.members.by_user(council.id, incoming.user_key) if council else None
        return Actor(incoming.user_key, incoming.user_name, incoming.username, incoming.is_admin, member)

    def _open(self, tried: _Attempt) -> Work:
        uow = tried.uow = self.new_uow()
        return uow

    async def _answer(self, incoming: Incoming, tried: _Attempt) -> Response:
        if incoming.data is not None:
            return await self._press(incoming, tried)
        parsed = parse_command(incoming.text)
        if parsed is None:
            return Response()
        name, args = parsed
        async with self._open(tried) as uow:
            if incoming.update_key and not await uow.claim_update(incoming.update_key, self.clock()):
                return Response(duplicate=True)
            council = await uow.councils.by_chat(incoming.chat_key)
            t = tried.t = Translator(self.locale(council, incoming))
            council_id = council.id if council else None
            handler = self.commands.get(name)
            if handler is None:
                return refusals.as_reply(t, refusals.refuse("error.unknown_command", command=name[:32]), council_id)
            if council is None and name not in self.needs_no_council:
                key = "error.council_missing" if incoming.chat_is_group else "error.private_chat"
                return refusals.as_reply(t, refusals.refuse(key))
            ctx = Ctx(
                uow, incoming, council, await self.actor(uow, council, incoming), args, t, self.clock, self.defaults
            )
            try:
                response = await handler(ctx)
            except errors.DeliberationError as refusal:
                await uow.rollback()
                return refusals.as_reply(t, refusal, council_id)
            # The only commit of this update: the claim, the change, its events and its outbox rows together.
            # Until it returns nothing is done; a transient failure here rolls back and `handle` runs it again.
            await uow.commit()
            response.locale = ctx.t.locale
            response.council_id = ctx.council.id if ctx.council else None
            return response

    async def _press(self, incoming: Incoming, tried: _Attempt) -> Response:
        async with self._open(tried) as uow:
            council = await uow.councils.by_chat(incoming.chat_key)
            t = tried.t = Translator(self.locale(council, incoming))
            if council is None:
                return refusals.as_popup(t, refusals.refuse("error.council_missing"))
            if incoming.update_key and not await uow.claim_update(incoming.update_key, self.clock()):
                return Response(duplicate=True)
            ctx = Ctx(
                uow, incoming, council, await self.actor(uow, council, incoming), "", t, self.clock, self.defaults
            )
            try:
                press = buttons.decode(incoming.data or "")
                handler = self.buttons.get(type(press))
                if handler is None:
                    raise buttons.BadButton(incoming.data or "")
                response = await handler(ctx, press)
            except buttons.BadButton:
                return refusals.as_popup(t, refusals.refuse("error.bad_button"), council.id)
            except errors.DeliberationError as refusal:
                await uow.rollback()
                return refusals.as_popup(t, refusal, council.id)
            await uow.commit()  # the only commit of this press (see `_answer`)
            response.locale, response.council_id = t.locale, council.id
            return response

    async def member_left(self, chat_key: str, user_key: str, *, banned: bool = False) -> bool:
        """The platform says this person left (or was banned from) the group: from now on their commands and
        presses are refused. One commit; retried while the database is busy. True when it was recorded now."""
        for attempt in range(1, DB_ATTEMPTS + 1):
            try:
                async with self.new_uow() as uow:
                    council = await uow.councils.by_chat(chat_key)
                    if council is None:
                        return False
                    left = await usecases.mark_left(uow, self.clock, council, user_key, banned=banned)
                    await uow.commit()
                    return left is not None
            except StorageBusy:
                if attempt == DB_ATTEMPTS:
                    raise
                await asyncio.sleep(DB_BACKOFF * 2 ** (attempt - 1) * random.uniform(0.5, 1.5))
        raise AssertionError("unreachable")

    async def handle_vote_runs(self, runs: list[list[Incoming]]) -> list[list[Response] | None]:
        """Answer runs of vote-button presses (each run: one chat) in one unit of work, one commit.

        Every press gets the answer `handle` would give it. None for the runs that could not be done
        together (a database failure, a bug): the caller then sends each press through `handle`, which
        retries; nothing of them was committed, or, if the commit went through, each re-run is
        recognised by its update key.
        """
        try:
            return list(await self.vote_runner.answer([[without_nul(i) for i in run] for run in runs]))
        except Exception as failure:  # noqa: BLE001 - the presses are answered one by one instead
            log.warning(
                "%d votes in %d chats failed together (%s: %.120s); one by one instead",
                sum(map(len, runs)),
                len(runs),
                type(failure).__name__,
                reason(failure),
            )
            return [None] * len(runs)
