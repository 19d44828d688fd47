"""The command desk: parse a command or button press, run one use case, render the answer.

Platform adapters (console, Telegram, WeCom) turn their updates into `Incoming` and show
the `Response`. Procedure lives in `deliberation/`; this module only parses and renders.
"""
from __future__ import annotations

import asyncio
import logging
import random
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import async_sessionmaker

from deliberation import errors, usecases
from deliberation.counting import Choice
from deliberation.debate import side_from_text
from deliberation.lifecycle import MotionState
from deliberation.model import Actor, Ballot, Council, Member, MemberStatus, Motion, MotionKind, Role, Side
from deliberation.timeparse import BadDate, BadDuration, DateInPast, parse_duration, parse_when
from deliberation.delivery_usecases import present_count
from storage.scheduling_repository import DeliveryUnitOfWork
from storage.uow import SqlUnitOfWork

from . import render
from .conversation import Button, Edit, Incoming, Reply, Response
from .desk import buttons, subjects
from .i18n import DEFAULT_LOCALE, Translator, normalise_locale

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Ctx:
    """Everything one command needs: the open unit of work, the council, who acts, the arguments."""

    uow: SqlUnitOfWork
    incoming: Incoming
    council: Council | None
    actor: Actor
    args: str
    t: Translator


@dataclass
class _Attempt:
    """One try at an update: its unit of work (did it reach a commit?) and the language, once known."""

    uow: SqlUnitOfWork | None = None
    t: Translator | None = None

    @property
    def committed(self) -> bool:
        return self.uow is not None and self.uow.commit_started


ECHO_LIMIT = 60         # characters of what was typed that a refusal quotes back

DB_ATTEMPTS = 5        # tries of one update's unit of work when the database is busy or the connection drops
DB_BACKOFF = 0.05      # seconds before the second try; doubled for each further one, with jitter
_TRANSIENT_SQLSTATES = {"40001", "40P01", "57P01", "57P02", "57P03", "08000", "08003", "08006"}


def _without_nul(incoming: Incoming) -> Incoming:
    """NUL is never meaningful in chat text, and PostgreSQL cannot store it in a text column."""
    if "\x00" not in incoming.text and "\x00" not in (incoming.data or ""):
        return incoming
    return replace(incoming, text=incoming.text.replace("\x00", ""),
                   data=incoming.data.replace("\x00", "") if incoming.data is not None else None)


def _reason(failure: BaseException) -> str:
    return str(getattr(failure, "orig", None) or failure).splitlines()[0] if str(failure) else type(failure).__name__


def _transient(failure: BaseException) -> bool:
    """A database failure that a fresh transaction may not meet again (busy, dropped, serialization)."""
    if not isinstance(failure, DBAPIError):
        return False
    if failure.connection_invalidated:
        return True
    orig = failure.orig
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if code in _TRANSIENT_SQLSTATES:
        return True
    text = str(orig).lower()
    return "database is locked" in text or "database is busy" in text or "connection is closed" in text


Handler = Callable[["Dispatcher", Ctx], Awaitable[Response]]
COMMANDS: dict[str, Handler] = {}
# Feature buttons: the kind of press (a class in bot.desk.buttons) -> handler(desk, ctx, press).
ButtonHandler = Callable[["Dispatcher", Ctx, Any], Awaitable[Response]]
BUTTONS: dict[type, ButtonHandler] = {}
NEEDS_NO_COUNCIL = {"start", "help", "setup"}


def command(*names: str):
    def register(handler: Handler) -> Handler:
        for name in names:
            COMMANDS[name] = handler
        return handler
    return register


_NUMBER = re.compile(r"^#?(\d{1,9})(?:\s+|$)")
_VOTE_WORDS = {"secret": "secret", "秘密": "secret", "无记名": "secret", "無記名": "secret", "不记名": "secret",
               "major": "major", "重大": "major", "重大事项": "major"}


def split_number(args: str) -> tuple[int | None, str]:
    """"3 some text" -> (3, "some text"); "#3" -> (3, ""); "text" -> (None, "text")."""
    match = _NUMBER.match(args.strip())
    if not match:
        return None, args.strip()
    return int(match.group(1)), args.strip()[match.end():].strip()


def parse_command(text: str) -> tuple[str, str] | None:
    """"/motion@yishi_bot 装灯" -> ("motion", "装灯"); not a command -> None."""
    text = text.strip()
    if not text.startswith("/") or len(text) < 2:
        return None
    head, _, rest = text[1:].partition(" ")
    if "\n" in head:
        head, _, more = head.partition("\n")
        rest = more + (" " + rest if rest else "")
    name = head.split("@", 1)[0].lower()
    return name, rest.strip()


class Dispatcher:
    def __init__(self, sessions: async_sessionmaker, clock: Clock = utc_now,
                 default_locale: str = DEFAULT_LOCALE, default_timezone: str = "Asia/Shanghai") -> None:
        self.sessions = sessions
        self.clock = clock
        self.default_locale = default_locale
        self.default_timezone = default_timezone

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.sessions)

    async def handle(self, incoming: Incoming) -> Response:
        """Answer one command or button press. Never raises: bad input, a busy or lost database, a bug — it answers.

        A transient database failure (SQLite busy, a dropped PostgreSQL connection, a serialization
        failure) re-runs the whole unit of work: safe while nothing was committed, and after a commit
        attempt too when the update carries its key (the claim makes the re-run a no-op duplicate).
        """
        for attempt in range(1, DB_ATTEMPTS + 1):
            tried = _Attempt()
            try:
                response = await self._answer(_without_nul(incoming), tried)
                if response.duplicate and attempt > 1:
                    # The try before committed, then lost its connection: the work is done, but its answer is lost.
                    return self._short_answer(incoming, tried, "error.went_through", refused=False)
                return response
            except Exception as failure:  # noqa: BLE001 - the desk answers every update
                may_repeat = not tried.committed or incoming.update_key is not None
                if _transient(failure) and may_repeat and attempt < DB_ATTEMPTS:
                    log.warning("update %s: database busy or connection lost (%s: %.120s); attempt %d of %d",
                                incoming.update_key, type(failure).__name__, _reason(failure), attempt, DB_ATTEMPTS)
                    await asyncio.sleep(DB_BACKOFF * 2 ** (attempt - 1) * random.uniform(0.5, 1.5))
                    continue
                if _transient(failure) and may_repeat:
                    log.error("update %s: database still unavailable after %d attempts (%s: %.120s)",
                              incoming.update_key, DB_ATTEMPTS, type(failure).__name__, _reason(failure))
                    return self._short_answer(incoming, tried, "error.try_again")
                log.exception("update %s (%s in %s): unexpected failure", incoming.update_key,
                              "button" if incoming.data is not None else "command", incoming.chat_key)
                return self._short_answer(incoming, tried, "error.unexpected")
        raise AssertionError("unreachable")

    def _short_answer(self, incoming: Incoming, tried: _Attempt, key: str, *, refused: bool = True) -> Response:
        t = tried.t or Translator(self._locale(None, incoming))
        if incoming.data is not None:
            return Response(popup=t(key), refused=refused, locale=t.locale)
        return Response([Reply(t(key), private=True)], refused=refused, locale=t.locale)

    def _open(self, tried: _Attempt) -> SqlUnitOfWork:
        uow = tried.uow = self.uow()
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
            t = tried.t = Translator(self._locale(council, incoming))
            handler = COMMANDS.get(name)
            if handler is None:
                return self._refusal(t, council, "error.unknown_command", command=name[:32])
            if council is None and name not in NEEDS_NO_COUNCIL:
                key = "error.council_missing" if incoming.chat_is_group else "error.private_chat"
                return self._refusal(t, None, key)
            actor = await self._actor(uow, council, incoming)
            ctx = Ctx(uow, incoming, council, actor, args, t)
            try:
                response = await handler(self, ctx)
            except errors.DeliberationError as refusal:
                await uow.rollback()
                return self._refusal(t, council, refusal.key, **refusal.params)
            # The only commit of this update: the claim, the change, its events and its outbox rows together.
            # Until it returns nothing is done; a transient failure here rolls back and `handle` runs it again.
            await uow.commit()
            response.locale = t.locale
            response.council_id = ctx.council.id if ctx.council else None
            return response

    def _locale(self, council: Council | None, incoming: Incoming) -> str:
        if council is not None:
            return council.locale
        if not incoming.chat_is_group:
            return normalise_locale(incoming.user_locale) or self.default_locale
        return self.default_locale

    async def _actor(self, uow: SqlUnitOfWork, council: Council | None, incoming: Incoming) -> Actor:
        member = await uow.members.by_user(council.id, incoming.user_key) if council else None
        return Actor(incoming.user_key, incoming.user_name, incoming.username, incoming.is_admin, member)

    def _refusal(self, t: Translator, council: Council | None, key: str, **params: object) -> Response:
        params = {k: (t(f"role.{v}") if k == "role" else t(f"reason.{v}") if k == "reason" else
                      _clip(v, ECHO_LIMIT) if isinstance(v, str) else v) for k, v in params.items()}
        if key == "error.illegal_transition":
            params["state"] = t(f"state.{params['state']}")
            params["action"] = t(f"action.{params['action']}")
        return Response([Reply(t(key, **params), private=True)], refused=True, locale=t.locale,
                        council_id=council.id if council else None)

    # ---- button presses ------------------------------------------------------------------------

    async def _press(self, incoming: Incoming, tried: _Attempt) -> Response:
        async with self._open(tried) as uow:
            council = await uow.councils.by_chat(incoming.chat_key)
            t = tried.t = Translator(self._locale(council, incoming))
            if council is None:
                return Response(popup=t("error.council_missing"), refused=True)
            if incoming.update_key and not await uow.claim_update(incoming.update_key, self.clock()):
                return Response(duplicate=True)
            actor = await self._actor(uow, council, incoming)
            ctx = Ctx(uow, incoming, council, actor, "", t)
            try:
                response = await self._press_action(ctx, incoming.data or "")
            except errors.DeliberationError as refusal:
                await uow.rollback()
                refused = self._refusal(t, council, refusal.key, **refusal.params)
                return Response(popup=refused.replies[0].text, refused=True, locale=t.locale, council_id=council.id)
            await uow.commit()  # the only commit of this press (see `_answer`)
            response.locale, response.council_id = t.locale, council.id
            return response

    async def _press_action(self, ctx: Ctx, data: str) -> Response:
        try:
            press = buttons.decode(data)
        except buttons.BadButton:
            return Response(popup=ctx.t("error.bad_button"), refused=True)
        match press:
            case buttons.Vote(ballot_id, choice):
                return await self._vote(ctx, ballot_id, choice)
            case buttons.Second(motion_id):
                motion = await ctx.uow.motions.find(motion_id)
                if motion is None or motion.council_id != ctx.council.id:
                    raise errors.MotionNotFound(number="")
                response = await self._second(ctx, motion.number)
                response.popup = ctx.t("popup.seconded", number=motion.number)
                return response
            case buttons.Approve(member_id):
                member = await ctx.uow.members.get(member_id)
                if member is None or member.council_id != ctx.council.id:
                    raise errors.MemberNotFound(handle="")
                response = await self._approve(ctx, member.id)
                response.popup = ctx.t("popup.approved", name=member.name)
                return response
        if type(press) in BUTTONS:
            return await BUTTONS[type(press)](self, ctx, press)
        return Response(popup=ctx.t("error.bad_button"), refused=True)

    # ---- shared pieces -------------------------------------------------------------------------

    async def _second(self, ctx: Ctx, number: int | None) -> Response:
        motion = await usecases.second_motion(ctx.uow, self.clock, ctx.council, ctx.actor, number)
        card = await self._card(ctx, motion)
        return Response([Reply(ctx.t("motion.seconded", number=motion.number, name=ctx.actor.member.name))],
                        edits=[Edit(card.subject, card.text, card.title)])

    async def _approve(self, ctx: Ctx, member_id: int) -> Response:
        member = await usecases.approve(ctx.uow, self.clock, ctx.council, ctx.actor, member_id)
        return Response([Reply(ctx.t("member.approved", name=member.name, unit=member.unit or "—"))])

    async def _card(self, ctx: Ctx, motion: Motion) -> Reply:
        mover = await ctx.uow.members.get(motion.mover_id)
        parent = await ctx.uow.motions.get(motion.parent_id) if motion.parent_id else None
        card = render.motion_card(ctx.t, motion, mover.name if mover else "?", parent.number if parent else None)
        if motion.state is not MotionState.PROPOSED:
            card = replace(card, buttons=(), text=card.text.rsplit("\n", 1)[0] + "\n" +
                           ctx.t("motion.card.state", state=ctx.t(f"state.{motion.state.value}")))
        return card

    async def ballot_edit(self, uow: SqlUnitOfWork, council: Council, ballot: Ballot, t: Translator) -> Edit:
        """The ballot message as it should read now (live tally, or turnout only when secret)."""
        motion = await uow.motions.get(ballot.motion_id)
        counts = None if ballot.secret else await uow.votes.counts(ballot.id)
        return self._ballot_edit(t, council, motion, ballot, await uow.votes.count(ballot.id), counts)

    @staticmethod
    def _ballot_edit(t: Translator, council: Council, motion: Motion, ballot: Ballot, voted: int,
                     counts: dict[Choice, int] | None) -> Edit:
        if not ballot.open and ballot.result:
            counts = None if ballot.secret else {Choice.YES: ballot.result["yes"], Choice.NO: ballot.result["no"],
                                                 Choice.ABSTAIN: ballot.result["abstain"]}
        title, text = render.ballot_message(t, council, motion, ballot, voted=voted,
                                            tally=None if ballot.secret else counts)
        buttons = render.vote_buttons(t, ballot) if ballot.open else ()
        return Edit(subjects.encode(subjects.BallotMessage(ballot.id)), text, title, buttons)

    async def _vote(self, ctx: Ctx, ballot_id: int, choice: Choice) -> Response:
        recorded = await usecases.cast_vote(ctx.uow, self.clock, ctx.council, ctx.actor, ballot_id, choice)
        key = "popup.vote_changed" if recorded.previous not in (None, choice) else "popup.vote_recorded"
        popup = ctx.t(key, choice=ctx.t(f"choice.{choice.value}"), number=recorded.motion.number)
        response = Response(popup=popup, quiet=True)
        if recorded.closed:
            response = await self._closed_response(ctx, recorded.closed, response)
        response.edits.append(self._ballot_edit(ctx.t, ctx.council, recorded.motion, recorded.ballot,
                                                recorded.voted, recorded.counts))
        return response

    # ---- runs of vote presses in one unit of work (bench/README.md: the vote burst) --------------

    async def handle_votes(self, incomings: list[Incoming]) -> list[Response] | None:
        """Answer a run of vote-button presses of one chat with one unit of work (one commit)."""
        return (await self.handle_vote_runs([incomings]))[0]

    async def handle_vote_runs(self, runs: list[list[Incoming]]) -> list[list[Response] | None]:
        """Answer runs of vote-button presses (each run: one chat) in one unit of work, one commit.

        Every press gets the answer `handle` would give it, with the same rules (`usecases.cast_votes`);
        the councils are locked in the order of their ids. None for the runs that could not be done
        together (a database failure, a bug): the caller then sends each press through `handle`, which
        retries; nothing of them was committed, or, if the commit went through, each re-run is
        recognised by its update key.
        """
        tried = _Attempt()
        try:
            return await self._vote_runs([[_without_nul(i) for i in run] for run in runs], tried)
        except Exception as failure:  # noqa: BLE001 - the presses are answered one by one instead
            log.warning("%d votes in %d chats failed together (%s: %.120s); one by one instead",
                        sum(map(len, runs)), len(runs), type(failure).__name__, _reason(failure))
            return [None] * len(runs)

    async def _vote_runs(self, runs: list[list[Incoming]], tried: _Attempt) -> list[list[Response]]:
        answers: list[list[Response]] = [[] for _ in runs]
        async with self._open(tried) as uow:
            keys = [i.update_key for run in runs for i in run if i.update_key]
            fresh = await uow.unclaimed(keys) if keys else set()
            # What every run needs, read at once: councils, members, ballots and motions, choices so far.
            councils = {c.chat_key: c for c in await uow.councils.by_chats({run[0].chat_key for run in runs})}
            everyone = await uow.members.of_users({c.id for c in councils.values()},
                                                  {i.user_key for run in runs for i in run})
            members = {(m.council_id, m.user_key): m for m in everyone}
            ballot_ids = {press.ballot_id for run in runs for i in run
                          if isinstance(press := buttons.try_decode(i.data), buttons.Vote)}
            await uow.ballots.prefetch(ballot_ids)
            await uow.votes.prefetch_choices(ballot_ids)
            found = []
            for n, run in enumerate(runs):
                council = councils.get(run[0].chat_key)
                t = Translator(self._locale(council, run[0]))
                if council is None:
                    answers[n] = [Response(popup=t("error.council_missing"), refused=True) for _ in run]
                else:
                    found.append((council.id, n, council, t))
            claimed: list[str | None] = []
            final: dict[str, Edit] = {}
            for _, n, council, t in sorted(found, key=lambda item: (item[0], item[1])):
                answers[n] = await self._vote_run(uow, council, t, runs[n], fresh, claimed, final, members)
            if claimed:  # one entry per accepted press (None: a press without an update key)
                await uow.claim_updates([key for key in claimed if key is not None], self.clock())
                await uow.commit()  # the run's only commit; when every press was refused, nothing to keep
            # Every accepted press asks for its ballot as it reads after all the runs: whatever order
            # the answers go out in, the coalesced edit ends on the newest tally.
            for responses in answers:
                for response in responses:
                    if response.edits and isinstance(subjects.recognise(response.edits[-1].subject),
                                                     subjects.BallotMessage):
                        response.edits[-1] = final[response.edits[-1].subject]
        return answers

    async def _vote_run(self, uow: SqlUnitOfWork, council: Council, t: Translator, incomings: list[Incoming],
                        fresh: set[str], claimed: list[str | None], final: dict[str, Edit],
                        members: dict[tuple[int, str], Member]) -> list[Response]:
        responses: list[Response | None] = [None] * len(incomings)
        wanted: list[tuple[int, Actor, int, Choice]] = []
        for n, incoming in enumerate(incomings):
            key = incoming.update_key
            if key is not None:
                if key not in fresh:
                    responses[n] = Response(duplicate=True)
                    continue
                fresh.discard(key)  # the same update twice: the second is a re-delivery
            press = buttons.try_decode(incoming.data)
            if not isinstance(press, buttons.Vote):
                responses[n] = Response(popup=t("error.bad_button"), refused=True, locale=t.locale)
                continue
            ballot_id, choice = press.ballot_id, press.choice
            actor = Actor(incoming.user_key, incoming.user_name, incoming.username, incoming.is_admin,
                          members.get((council.id, incoming.user_key)))
            wanted.append((n, actor, ballot_id, choice))
        results = await usecases.cast_votes(uow, self.clock, council,
                                            [(actor, ballot_id, choice) for _, actor, ballot_id, choice in wanted])
        for (n, actor, _ballot_id, choice), recorded in zip(wanted, results):
            if isinstance(recorded, errors.DeliberationError):
                refused = self._refusal(t, council, recorded.key, **recorded.params)
                responses[n] = Response(popup=refused.replies[0].text, refused=True, locale=t.locale,
                                        council_id=council.id)
                continue
            key = "popup.vote_changed" if recorded.previous not in (None, choice) else "popup.vote_recorded"
            response = Response(popup=t(key, choice=t(f"choice.{choice.value}"), number=recorded.motion.number),
                                quiet=True, locale=t.locale, council_id=council.id)
            if recorded.closed:
                response = await self._closed_response(Ctx(uow, incomings[n], council, actor, "", t),
                                                       recorded.closed, response)
            edit = self._ballot_edit(t, council, recorded.motion, recorded.ballot, recorded.voted, recorded.counts)
            final[edit.subject] = edit
            response.edits.append(edit)
            responses[n] = response
            claimed.append(incomings[n].update_key)
        return responses

    async def _closed_response(self, ctx: Ctx, closed: usecases.ClosedBallot,
                               response: Response | None = None) -> Response:
        response = response or Response()
        replies = [render.result_message(ctx.t, ctx.council, closed.motion, closed.ballot)]
        if closed.parent is not None:
            replies.append(Reply(ctx.t(f"parent.{closed.motion.kind.value}", number=closed.parent.number,
                                       text=closed.parent.text)))
        # the ballot message loses its buttons even if the platform is down just now
        from .outbox import enqueue_drop_buttons, enqueue_edit
        voted = await ctx.uow.votes.count(closed.ballot.id)
        edit = self._ballot_edit(ctx.t, ctx.council, closed.motion, closed.ballot, voted, None)
        chat, ballot_id = ctx.council.chat_key, closed.ballot.id
        edit_key = subjects.encode(subjects.BallotClosed(ballot_id, "edit"))
        reminder_key = subjects.encode(subjects.BallotClosed(ballot_id, "reminder"))
        reminder = subjects.encode(subjects.BallotReminder(ballot_id))
        rows = [await enqueue_edit(ctx.uow, chat_key=chat, edit=edit, at=self.clock(),
                                   council_id=ctx.council.id, dedupe_key=edit_key),
                await enqueue_drop_buttons(ctx.uow, chat_key=chat, subject=reminder,
                                           at=self.clock(), council_id=ctx.council.id,
                                           dedupe_key=reminder_key)]
        response.announced.extend(row for row in rows if row is not None)
        for n, reply in enumerate(replies):
            key = subjects.encode(subjects.BallotClosed(closed.ballot.id, n))
            response.replies.append(await self._announce(ctx, response, reply, key))
        return response

    async def _announce(self, ctx: Ctx, response: Response, reply: Reply, key: str) -> Reply:
        """A message the group must get (spec §10): queued in the outbox in the transaction of the change
        (the caller commits) and marked, so the adapter leaves it to the outbox."""
        from .outbox import enqueue_row  # bot.outbox imports this module
        reply = replace(reply, announce=True)
        row_id = await enqueue_row(ctx.uow, chat_key=ctx.council.chat_key, reply=reply, at=self.clock(),
                                   council_id=ctx.council.id, dedupe_key=key)
        if row_id is not None:
            response.announced.append(row_id)
        return reply


def _target_and_rest(args: str) -> tuple[str, str]:
    head, _, rest = args.strip().partition(" ")
    return head, rest.strip()


# ---- commands --------------------------------------------------------------------------------

@command("start", "help")
async def _help(desk: Dispatcher, ctx: Ctx) -> Response:
    if not ctx.incoming.chat_is_group:
        return Response([Reply(ctx.t("help.private"), title=ctx.t("help.title"))])
    return Response([Reply(ctx.t("help.group"), title=ctx.t("help.title"), private=ctx.council is not None)])


@command("setup")
async def _setup(desk: Dispatcher, ctx: Ctx) -> Response:
    if not ctx.incoming.chat_is_group:
        raise _refuse("error.private_chat")
    council = await usecases.setup_council(
        ctx.uow, desk.clock, chat_key=ctx.incoming.chat_key, title=ctx.incoming.chat_title or ctx.incoming.chat_id,
        actor=ctx.actor, preset=ctx.args or None, locale=ctx.council.locale if ctx.council else desk.default_locale,
        timezone=ctx.council.timezone if ctx.council else desk.default_timezone)
    ctx.t = Translator(council.locale)
    key = "council.rules_changed" if ctx.council else "council.ready"
    ctx.council = council
    return Response([Reply(ctx.t(key, title=council.title, chair=ctx.actor.name) + "\n\n" +
                           render.rules_text(ctx.t, council.rules))])


@command("rules")
async def _rules(desk: Dispatcher, ctx: Ctx) -> Response:
    return Response([Reply(render.rules_text(ctx.t, ctx.council.rules), title=ctx.t("rules.title"))])


@command("lang", "language")
async def _lang(desk: Dispatcher, ctx: Ctx) -> Response:
    locale = normalise_locale(ctx.args)
    if locale is None:
        raise _refuse("error.bad_language", given=ctx.args[:20])
    council = await usecases.set_language(ctx.uow, desk.clock, ctx.council, ctx.actor, locale)
    ctx.council, ctx.t = council, Translator(locale)
    return Response([Reply(ctx.t("council.language"))])


@command("join")
async def _join(desk: Dispatcher, ctx: Ctx) -> Response:
    unit, _, area = ctx.args.partition(" ")
    member = await usecases.join(ctx.uow, desk.clock, ctx.council, ctx.actor, unit or None, area.strip() or None)
    if member.status is MemberStatus.PENDING:
        approve = buttons.encode(buttons.Approve(member.id))
        return Response([Reply(ctx.t("member.pending", name=member.name, unit=member.unit or "—"),
                               buttons=((Button(ctx.t("button.approve"), approve),),))])
    return Response([Reply(ctx.t("member.joined", name=member.name, unit=member.unit or "—"), private=True)],
                    quiet=True, popup=ctx.t("member.joined", name=member.name, unit=member.unit or "—"))


@command("approve")
async def _approve_cmd(desk: Dispatcher, ctx: Ctx) -> Response:
    member = await usecases.approve(ctx.uow, desk.clock, ctx.council, ctx.actor, ctx.args)
    return Response([Reply(ctx.t("member.approved", name=member.name, unit=member.unit or "—"))])


@command("members")
async def _members(desk: Dispatcher, ctx: Ctx) -> Response:
    members = await ctx.uow.members.all(ctx.council.id)
    lines = []
    for m in members:
        roles = "".join(f" [{ctx.t('role.' + r.value)}]" for r in sorted(m.roles))
        pending = f" ({ctx.t('member.status.pending')})" if m.status is MemberStatus.PENDING else ""
        lines.append(f"· {m.name} {m.unit or ''}{roles}{pending}".rstrip())
    active = sum(1 for m in members if m.active)
    return Response([Reply("\n".join(lines) or ctx.t("members.none"),
                           title=ctx.t("members.title", count=active))])


@command("chair", "secretary")
async def _role(desk: Dispatcher, ctx: Ctx) -> Response:
    role = Role.CHAIR if ctx.incoming.text.strip()[1:].lower().startswith("chair") else Role.SECRETARY
    member = await usecases.assign_role(ctx.uow, desk.clock, ctx.council, ctx.actor, ctx.args, role)
    return Response([Reply(ctx.t("role.assigned", name=member.name, role=ctx.t(f"role.{role.value}")))])


@command("motion", "propose")
async def _motion(desk: Dispatcher, ctx: Ctx) -> Response:
    motion = await usecases.raise_motion(ctx.uow, desk.clock, ctx.council, ctx.actor, ctx.args)
    return Response([await desk._card(ctx, motion)])


@command("second")
async def _second_cmd(desk: Dispatcher, ctx: Ctx) -> Response:
    number, _ = split_number(ctx.args)
    return await desk._second(ctx, number)


@command("for", "against", "speak")
async def _speak(desk: Dispatcher, ctx: Ctx) -> Response:
    name = parse_command(ctx.incoming.text)[0]
    number, text = split_number(ctx.args)
    side = {"for": Side.FOR, "against": Side.AGAINST}.get(name)
    if side is None:
        stated = side_from_text(text)
        side, text = stated if stated else (None, text)
    speech, left = await usecases.speak(ctx.uow, desk.clock, ctx.council, ctx.actor, number, side, text)
    motion = await ctx.uow.motions.get(speech.motion_id)
    note = ctx.t("speech.recorded", number=motion.number, side=ctx.t(f"side.{side.value}"), left=left)
    return Response([Reply(note, private=True)], quiet=True, popup=note)


@command("warn")
async def _warn(desk: Dispatcher, ctx: Ctx) -> Response:
    handle, rest = _target_and_rest(ctx.args)
    number, reason = split_number(rest)
    member, motion, count = await usecases.warn(ctx.uow, desk.clock, ctx.council, ctx.actor, handle, number, reason)
    key = "warn.silenced" if count >= ctx.council.rules.warnings_limit else "warn.given"
    return Response([Reply(ctx.t(key, name=member.name, number=motion.number, count=count,
                                 limit=ctx.council.rules.warnings_limit, reason=reason or "—"))])


async def _subsidiary(desk: Dispatcher, ctx: Ctx, kind: MotionKind, text: str, number: int | None,
                      **extra) -> Response:
    motion = await usecases.raise_motion(ctx.uow, desk.clock, ctx.council, ctx.actor, text, kind=kind,
                                         parent_number=number, **extra)
    return Response([await desk._card(ctx, motion)])


@command("amend")
async def _amend(desk: Dispatcher, ctx: Ctx) -> Response:
    number, text = split_number(ctx.args)
    if number is None:
        raise _refuse("error.number_first", example="/amend 1 …")
    return await _subsidiary(desk, ctx, MotionKind.AMENDMENT, text, number)


@command("enddebate", "previous", "pq")
async def _end_debate(desk: Dispatcher, ctx: Ctx) -> Response:
    number, _ = split_number(ctx.args)
    return await _subsidiary(desk, ctx, MotionKind.CLOSE_DEBATE, ctx.t("motion.close_debate_text"), number)


@command("postpone")
async def _postpone(desk: Dispatcher, ctx: Ctx) -> Response:
    number, when_text = split_number(ctx.args)
    if number is None:
        raise _refuse("error.number_first", example="/postpone 1 2026-12-01 19:30")
    until = _when(ctx, desk, when_text)
    text = ctx.t("motion.postpone_text", when=render.local_time(ctx.council, until))
    return await _subsidiary(desk, ctx, MotionKind.POSTPONE, text, number, postponed_until=until)


@command("refer")
async def _refer(desk: Dispatcher, ctx: Ctx) -> Response:
    number, to = split_number(ctx.args)
    if number is None:
        raise _refuse("error.number_first", example="/refer 1 物业管理委员会")
    to = to.strip()[:200]
    if not to:
        raise errors.TextEmpty()
    return await _subsidiary(desk, ctx, MotionKind.REFER, ctx.t("motion.refer_text", to=to), number, referred_to=to)


@command("withdraw")
async def _withdraw(desk: Dispatcher, ctx: Ctx) -> Response:
    number, _ = split_number(ctx.args)
    motion = await usecases.withdraw(ctx.uow, desk.clock, ctx.council, ctx.actor, number)
    card = await desk._card(ctx, motion)
    return Response([Reply(ctx.t("motion.withdrawn", number=motion.number))],
                    edits=[Edit(card.subject, card.text, card.title)])


@command("vote")
async def _put(desk: Dispatcher, ctx: Ctx) -> Response:
    number, rest = split_number(ctx.args)
    duration, secret, major = None, False, False
    for token in rest.split():
        word = _VOTE_WORDS.get(token.lower())
        if word == "secret":
            secret = True
        elif word == "major":
            major = True
        else:
            try:
                duration = parse_duration(token)
            except BadDuration as bad:
                raise _refuse("error.bad_duration", given=token[:20], example=bad.example) from None
    present = await present_count(DeliveryUnitOfWork(ctx.uow), ctx.council)  # a live meeting's attendance
    motion, ballot = await usecases.put_question(ctx.uow, desk.clock, ctx.council, ctx.actor, number, duration,
                                                 secret=secret, major=major, present=present)
    edit = await desk.ballot_edit(ctx.uow, ctx.council, ballot, ctx.t)
    card = await desk._card(ctx, motion)
    return Response([Reply(edit.text, title=edit.title, buttons=edit.buttons, subject=edit.subject)],
                    edits=[Edit(card.subject, card.text, card.title)])


@command("yes", "no", "abstain")
async def _vote_text(desk: Dispatcher, ctx: Ctx) -> Response:
    choice = {"yes": Choice.YES, "no": Choice.NO, "abstain": Choice.ABSTAIN}[parse_command(ctx.incoming.text)[0]]
    number, _ = split_number(ctx.args)
    ballot = await usecases.ballot_for(ctx.uow, ctx.council, number, ctx.actor)
    response = await desk._vote(ctx, ballot.id, choice)
    response.replies.insert(0, Reply(response.popup, private=True))
    return response


@command("close")
async def _close(desk: Dispatcher, ctx: Ctx) -> Response:
    number, _ = split_number(ctx.args)
    ballot = await usecases.ballot_for(ctx.uow, ctx.council, number)
    closed = await usecases.close_ballot(ctx.uow, desk.clock, ctx.council, ballot.id, ctx.actor)
    response = await desk._closed_response(ctx, closed)
    response.edits.append(await desk.ballot_edit(ctx.uow, ctx.council, closed.ballot, ctx.t))
    return response


@command("status")
async def _status(desk: Dispatcher, ctx: Ctx) -> Response:
    items = await usecases.open_items(ctx.uow, ctx.council)
    lines = [ctx.t("status.line", number=m.number, kind=render.kind_label(ctx.t, m),
                   state=ctx.t(f"state.{m.state.value}"), text=_clip(m.text, 40)) for m in items]
    return Response([Reply("\n".join(lines) or ctx.t("status.none"), title=ctx.t("status.title"))])


@command("show")
async def _show(desk: Dispatcher, ctx: Ctx) -> Response:
    number, _ = split_number(ctx.args)
    h = await usecases.motion_history(ctx.uow, ctx.council, number)
    t, m = ctx.t, h.motion
    lines = [m.text, t("show.mover", name=h.mover.name if h.mover else "?"),
             t("show.state", state=t(f"state.{m.state.value}"))]
    if h.seconder:
        lines.append(t("show.seconder", name=h.seconder.name))
    if m.original_text:
        lines.append(t("show.original", text=m.original_text))
    for child in h.children:
        lines.append(t("show.child", number=child.number, kind=render.kind_label(t, child),
                       state=t(f"state.{child.state.value}"), text=_clip(child.text, 60)))
    for speech, name in h.speeches:
        lines.append(t("show.speech", name=name, side=t(f"side.{speech.side.value}"), text=_clip(speech.text, 60)))
    for ballot in h.ballots:
        if ballot.open:
            lines.append(t("show.ballot_open", voted=h.voted, eligible=ballot.eligible_voters))
        else:
            r = ballot.result
            lines.append(t("show.ballot_closed", yes=r["yes"], no=r["no"], abstain=r["abstain"],
                           verdict=t("result.passed" if r["passed"] else "result.failed")))
    return Response([Reply("\n".join(lines), title=t("show.title", number=m.number, kind=render.kind_label(t, m)))])


def _when(ctx: Ctx, desk: Dispatcher, text: str) -> datetime:
    try:
        return parse_when(text, now=desk.clock(), tz=ctx.council.timezone)
    except DateInPast:
        raise _refuse("error.date_in_past", given=text[:40]) from None
    except (BadDate, BadDuration):
        raise _refuse("error.bad_date", given=text[:40], example="2026-12-01 19:30, 3d, 2小时") from None


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _refuse(key: str, **params: object) -> errors.DeliberationError:
    refusal = errors.DeliberationError(**params)
    refusal.key = key
    return refusal
