"""Telegram updates -> `Incoming` for the command desk; its `Response` -> Bot API calls.

Chat etiquette (spec §9) is decided here, from what the desk says about its answer:
- a button press is answered with the pop-up (a refusal as an alert), never a group message;
- a quiet command (joins, speeches, text votes) gets a 👍 reaction on the member's message, after the
  chat's content and coalesced into one note when a wave comes (`acks.Acknowledgements`);
- a refusal, or any reply meant for the asker only, answers the member's own message;
- tally and card changes go to the coalesced editor.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram import CallbackQuery, Chat, ChatMember, Message, Update, User
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from deliberation.model import Council

from ..capabilities import clean_incoming
from ..desk import Desk as Dispatcher
from ..desk.buttons import Approve, Vote, try_decode
from ..desk.messages import Attachment, Incoming, Reply, Response
from ..desk.parsing import parse_command
from ..i18n import Translator, normalise_locale
from .acks import Ack, Acknowledgements
from .admins import AdminCache
from .chats import TelegramChats
from .delivery import ChatGone, Delivery
from .edits import CoalescedEdits
from .rendering import UrlButton, popup
from .votes import VoteRuns
from .withdraw import withdraw

log = logging.getLogger(__name__)

GROUP_TYPES = (ChatType.GROUP, ChatType.SUPERGROUP)
GONE = (ChatMember.LEFT, ChatMember.BANNED)
PRESENT = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER, ChatMember.RESTRICTED)
THUMBS_UP = "👍"
MAX_ATTACHMENT = 5 * 1024 * 1024  # bytes: a property register of thousands of units is far smaller
# Buttons that do their work once (approving a join request): after it, the keyboard goes.
# Cards and ballots are different: the desk sends their new state as edits.
ONE_SHOT_BUTTONS = (Approve,)


def update_key_of_message(message: Message) -> str:
    """The same command message delivered twice (even under a new update_id) is one command."""
    return f"tg:msg:{message.chat.id}:{message.message_id}"


def is_group(chat: Chat) -> bool:
    return chat.type in GROUP_TYPES


def _group_press(update: object) -> tuple[int, CallbackQuery, Chat, User] | None:
    """A button press on a message in a group: its update id, query, chat and presser; else None."""
    if not isinstance(update, Update) or (query := update.callback_query) is None:
        return None
    if query.message is None or query.from_user is None or not is_group(query.message.chat):
        return None  # inline-mode buttons carry no message
    return update.update_id, query, query.message.chat, query.from_user


class TelegramAdapter:
    """One handler for every update (`TypeHandler(Update, adapter.on_update)`)."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        delivery: Delivery,
        edits: CoalescedEdits,
        admins: AdminCache,
        *,
        default_locale: str = "zh_Hans",
    ) -> None:
        self.dispatcher = dispatcher
        self.delivery = delivery
        self.edits = edits
        self.admins = admins
        self.default_locale = default_locale
        self.on_changed: list[Callable[[], None]] = []  # told after each accepted command or press
        # Sends outbox rows the desk queued with a change (results): `OutboxDrainer.deliver`.
        self.announcer: Callable[[list[int]], Awaitable[object]] | None = None
        self._prepared: dict[int, Response] = {}  # vote presses answered by a run (`prepare`)
        self.vote_runs = VoteRuns(dispatcher)  # runs of several chats recorded in one transaction
        delivery.on_migrated.append(self._after_migration)
        self.acks = Acknowledgements(self._react, self._ack_note)
        self.acks.busy.append(delivery.busy)
        delivery.on_idle.append(self.acks.wake)

    @property
    def bot(self):
        return self.delivery.bot

    @property
    def chats(self) -> TelegramChats:
        return self.delivery.chats

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE | None = None) -> None:
        try:
            if update.callback_query is not None:
                await self._press(update)
            elif update.my_chat_member is not None:
                await self._membership(update)
            elif update.chat_member is not None:
                await self._member_changed(update)
            elif update.message is not None:
                await self._message(update.message)
            # edited messages, channel posts and the rest: nothing to do (a command acts once)
        except ChatGone as gone:
            log.info("stopped answering in %s: %s", gone.chat_id, gone.reason)

    # ---- messages ----------------------------------------------------------------------------

    async def _message(self, message: Message) -> None:
        if message.migrate_to_chat_id:
            await self.delivery.migrated(message.chat.id, message.migrate_to_chat_id)
            return
        if message.migrate_from_chat_id:
            await self.delivery.migrated(message.migrate_from_chat_id, message.chat.id)
            return
        text = message.text or ""
        if message.document is not None and (message.caption or "").startswith("/"):
            text = message.caption or ""  # a file sent with a command as its caption: `/roster` with the register
        if message.chat.type == ChatType.CHANNEL:
            return
        if not text.startswith("/"):
            if message.chat.type == ChatType.PRIVATE and text:
                t = Translator(
                    normalise_locale(message.from_user.language_code if message.from_user else None)
                    or self.default_locale
                )
                await self.delivery.send(message.chat.id, Reply(t("tg.private.hint")))
            return  # groups: plain talk is for the residents (and privacy mode hides most of it)
        if not self._addressed_to_me(text):
            return
        await self._command(message, text)

    async def _replied_file(self, message: Message, text: str) -> tuple[str | None, bytes | None]:
        """The photo (or document) a /proxy command replied to: the signed 委托书, kept with the proxy.

        Its bytes are fetched for /proxy only, up to 10 MB; when Telegram will not give them the file id alone is kept.
        """
        replied = message.reply_to_message
        command = (text.lstrip("/／").split(maxsplit=1) or [""])[0].split("@")[0].casefold()
        if replied is None or command != "proxy":
            return None, None
        found = replied.photo[-1] if replied.photo else replied.document
        if found is None:
            return None, None
        try:
            if (found.file_size or 0) > 10 * 1024 * 1024:
                return found.file_id, None
            telegram_file = await self.bot.get_file(found.file_id)
            return found.file_id, bytes(await telegram_file.download_as_bytearray())
        except Exception:  # the file id is still the record of what was replied to
            log.warning("the replied file of a /proxy could not be fetched", exc_info=True)
            return found.file_id, None

    def _addressed_to_me(self, text: str) -> bool:
        head = text.split(maxsplit=1)[0]
        if "@" not in head:
            return True
        return head.split("@", 1)[1].casefold() == (self.bot.username or "").casefold()

    async def _command(self, message: Message, text: str) -> None:
        chat, user = message.chat, message.from_user
        group = is_group(chat)
        if message.sender_chat is not None:
            await self._refuse_sender_chat(message)
            return
        if user is None:
            return
        user_id, name, username = str(user.id), user.full_name, user.username
        admin = group and await self.admins.is_admin(chat.id, user.id)
        attachment = await self._attachment(message)
        file_id, content = await self._replied_file(message, text)
        incoming = clean_incoming(
            Incoming(
                "telegram",
                str(chat.id),
                user_id,
                name,
                text=text,
                chat_title=chat.title or "",
                chat_is_group=group,
                username=username,
                is_admin=admin,
                user_locale=user.language_code if user else None,
                update_key=update_key_of_message(message),
                attachment=attachment,
                reply_file_id=file_id,
                reply_file=content,
            )
        )
        try:
            response = await self.dispatcher.handle(incoming)
        except Exception:  # a bug or a database outage: say so, then let the error handler log it
            t = Translator(normalise_locale(incoming.user_locale) or self.default_locale)
            await self.delivery.send(chat.id, Reply(t("tg.error.internal")), reply_to=message.message_id)
            raise
        if response.duplicate:
            return
        if response.withdraw and group:  # a typed secret vote: removed, answered privately, no reaction
            await withdraw(self.delivery, chat.id, message.message_id, user.id if user else None, response)
            return
        self._changed(response)
        if not group and (parse_command(text) or ("", ""))[0] in ("start", "help"):
            response = self._with_add_button(response)
        if response.personal and group and (response.repeated or await self._in_private(user.id, response)):
            return  # a non-member is told once per few minutes, privately when Telegram lets the bot
        if response.private_only and group and user is not None and not response.refused:
            if await self._in_private(user.id, response):  # a personal link: never in the group
                await self._react(chat.id, message.message_id)
            else:
                await self.delivery.send(chat.id, Reply(response.popup or ""), reply_to=message.message_id)
            return
        await self._answer_command(chat.id, message.message_id, group, response, user.id if user else 0)

    async def _attachment(self, message: Message) -> Attachment | None:
        """The document a command came with, downloaded (a register is small; a big file is not read)."""
        document = message.document
        if document is None or (document.file_size or 0) > MAX_ATTACHMENT:
            return None
        try:
            file = await document.get_file()
            content = bytes(await file.download_as_bytearray())
        except TelegramError as error:
            log.warning("could not fetch the document of message %s: %s", message.message_id, error)
            return None
        return Attachment(document.file_name or "file", content)

    async def _refuse_sender_chat(self, message: Message) -> None:
        """A command sent as a chat, not as a person: refused with a hint, never acted on.

        "Send as channel" arrives from one user shared by every channel (136817688) and an anonymous
        administrator from GroupAnonymousBot (1087968824) with the group as sender_chat: neither names a
        resident, so acting on them would let many people share one member (or one vote).
        """
        chat, sender = message.chat, message.sender_chat
        if sender is None or message.is_automatic_forward:  # a linked channel's post copied in: no one asked
            return
        council = await self.chats.council(chat.id) if is_group(chat) else None
        t = Translator(council.locale if council else self.default_locale)
        key = "tg.error.anonymous_admin" if sender.id == chat.id else "tg.error.as_channel"
        await self.delivery.send(chat.id, Reply(t(key), private=True), reply_to=message.message_id)

    async def _in_private(self, user_id: int, response: Response) -> bool:
        """Send a refusal only its asker needs as a private message; False when Telegram does not let the
        bot write first (the person never started it): the group reply is then the way."""
        try:
            for reply in response.replies:
                await self.delivery.send(user_id, reply)
            for document in response.documents if response.private_only else ():
                await self.delivery.send_document(user_id, document)
        except (ChatGone, TelegramError) as error:
            log.info("no private message to %s: %s", user_id, error)
            return False
        return bool(response.replies)

    def _changed(self, response: Response) -> None:
        if not response.refused:
            for listener in self.on_changed:
                listener()

    async def _announce(self, response: Response) -> None:
        """Send the announcements the desk queued in the outbox now; what fails stays queued for the drainer."""
        if response.announced and self.announcer is not None:
            try:
                await self.announcer(response.announced)
            except Exception:  # the rows are in the database: the drainer's loop sends them
                log.exception("announcements %s left to the outbox loop", response.announced)

    async def _answer_command(
        self, chat_id: int, message_id: int, group: bool, response: Response, user_id: int = 0
    ) -> None:
        announced = False
        for reply in response.replies:
            if reply.announce:  # queued in the outbox with the change
                if not announced:
                    announced = True
                    await self._announce(response)
                continue
            if response.refused:
                chat_id, _ = await self.delivery.send(chat_id, reply, reply_to=message_id)
            elif reply.private and group:
                if response.quiet:
                    continue  # the reaction below says "recorded"; the details are in /show
                chat_id, _ = await self.delivery.send(chat_id, reply, reply_to=message_id)
            else:
                chat_id, _ = await self.delivery.send(chat_id, reply)
        for document in response.documents:
            chat_id = await self.delivery.send_document(chat_id, document, reply_to=message_id)
        for edit in response.edits:
            self.edits.submit(chat_id, edit)
        if response.quiet and group and not response.refused:  # after the chat's content, maybe in a wave
            self.acks.submit(chat_id, Ack(message_id, user_id, response.locale))

    async def _react(self, chat_id: int, message_id: int) -> None:
        try:
            await self.delivery.call(
                chat_id,
                lambda target: self.bot.set_message_reaction(target, message_id, THUMBS_UP),
                follow_migration=False,
                quiet=True,
            )
        except BadRequest as error:  # reactions switched off in this group: stay quiet anyway
            log.info("no reaction in %s: %s", chat_id, error)
        except TelegramError as error:
            log.info("reaction in %s failed: %s", chat_id, error)

    async def _ack_note(self, chat_id: int, people: int, locale: str) -> None:
        """One note for a wave of quiet commands: "收到，已登记 40 人。" (no notification)."""
        text = html.escape(Translator(locale)("tg.ack.wave", people=people))
        try:
            await self.delivery.call(
                chat_id,
                lambda target: self.bot.send_message(
                    target, text, parse_mode=ParseMode.HTML, disable_notification=True
                ),
                follow_migration=False,
                quiet=True,
            )
        except TelegramError as error:
            log.info("acknowledgement note in %s failed: %s", chat_id, error)

    def _with_add_button(self, response: Response) -> Response:
        """Private /start and /help: a button that opens "add to group" for this bot."""
        if not response.replies or response.refused or not self.bot.username:
            return response
        t = Translator(response.locale)
        first = response.replies[0]
        url = f"https://t.me/{self.bot.username}?startgroup=setup"
        # a URL button only the Telegram renderer knows; the desk's Reply carries it through unchanged
        add: Any = ((UrlButton(t("tg.button.add_to_group"), url),),)
        response.replies[0] = Reply(
            first.text, first.title, first.buttons + add, first.subject, first.pin, first.private
        )
        return response

    # ---- buttons -----------------------------------------------------------------------------

    async def _press(self, update: Update) -> None:
        query = update.callback_query
        if query is None:  # on_update sends only button presses here
            return
        message = query.message
        if message is None or query.from_user is None:  # inline-mode buttons: none of ours
            await self._answer(query, Translator(self.default_locale)("error.bad_button"), alert=True)
            return
        chat, user = message.chat, query.from_user
        group = is_group(chat)
        admin = group and await self.admins.is_admin(chat.id, user.id)
        incoming = press_incoming(update.update_id, query, chat, user, group=group, admin=admin)
        prepared = self._prepared.pop(update.update_id, None)
        try:
            response = prepared or await self.dispatcher.handle(incoming)
        except Exception:
            await self._answer(query, Translator(self.default_locale)("tg.error.internal"), alert=True)
            raise
        if response.duplicate:
            await self._answer(query, None)
            return
        if prepared is None or response.replies:  # a plain vote makes no deadline: no rescan per vote
            self._changed(response)
        private_text = next((r.text for r in response.replies if r.private), None)
        await self._answer(query, response.popup or private_text, alert=response.refused)
        chat_id = chat.id
        if not response.refused and isinstance(try_decode(query.data), ONE_SHOT_BUTTONS):
            await self._drop_keyboard(chat_id, message.message_id)
        await self._announce(response)
        for reply in response.replies:
            if not reply.private and not reply.announce:
                chat_id, _ = await self.delivery.send(chat_id, reply)
        for document in response.documents:
            chat_id = await self.delivery.send_document(chat_id, document)
        for edit in response.edits:
            self.edits.submit(chat_id, edit)

    # ---- runs of vote presses (ChatOrderedProcessor's batcher) -------------------------------------

    def batchable(self, update: object) -> bool:
        """A vote-button press in a group: a run of them is recorded in one unit of work."""
        press = _group_press(update)
        return press is not None and isinstance(try_decode(press[1].data), Vote)

    async def prepare(self, updates: Sequence[object]) -> None:
        """Record a run of vote presses together (one commit); each is then answered by `_press`.

        A vote is answered only after this commit, so an answered vote survives a crash. When the run
        fails together, nothing is kept here and each press goes through the desk on its own.
        """
        try:
            incomings = []
            update_ids = []
            for update in updates:
                press = _group_press(update)
                if press is None:  # the processor only runs what `batchable` accepted
                    raise TypeError(f"not a button press in a group: {update!r}")
                update_id, query, chat, user = press
                update_ids.append(update_id)
                admin = await self.admins.is_admin(chat.id, user.id)
                incomings.append(press_incoming(update_id, query, chat, user, group=True, admin=admin))
            responses = await self.vote_runs.submit(incomings)
        except Exception:  # noqa: BLE001 - each press is then handled on its own
            log.exception("a run of %d vote presses was not recorded together", len(updates))
            return
        if responses is not None:
            self._prepared.update(zip(update_ids, responses, strict=True))

    async def _drop_keyboard(self, chat_id: int, message_id: int) -> None:
        try:
            await self.delivery.call(
                chat_id,
                lambda target: self.bot.edit_message_reply_markup(target, message_id, reply_markup=None),
                follow_migration=False,
            )
        except TelegramError as error:  # not modified, too old, ...: the button refuses a second use anyway
            log.info("keyboard of %s in %s kept: %s", message_id, chat_id, error)

    async def _answer(self, query, text: str | None, alert: bool = False) -> None:
        try:
            await query.answer(popup(text), show_alert=alert)
        except BadRequest as error:  # answered before (a re-delivery) or too old: nothing to fix
            log.info("callback %s not answered: %s", query.id, error)

    # ---- the bot's own membership --------------------------------------------------------------

    async def _membership(self, update: Update) -> None:
        change = update.my_chat_member
        if change is None:  # on_update sends only membership changes here
            return
        chat = change.chat
        if not is_group(chat):
            return
        old, new = change.old_chat_member.status, change.new_chat_member.status
        if new in GONE:
            self.admins.forget(chat.id)
            await self.chats.retire(chat.id, reason=f"bot {new} by {change.from_user.id if change.from_user else '?'}")
        elif old in GONE and new in PRESENT:
            council = await self.chats.restore(chat.id)
            t = Translator(council.locale if council else self.default_locale)
            note = t("tg.council.restored", title=council.title) if council else t("tg.group.added")
            await self.delivery.send(chat.id, Reply(note))
        elif new != old:
            self.admins.forget(chat.id)  # promoted or demoted: the next lookup refreshes

    async def _member_changed(self, update: Update) -> None:
        """Someone's standing in a group changed (`chat_member`): the admin list is asked again (a demoted
        admin stops chairing at once, not after the cache's minute); one who left or was banned stops taking part.
        """
        change = update.chat_member
        if change is None or not is_group(change.chat):
            return
        chat, person = change.chat, change.new_chat_member.user
        old, new = change.old_chat_member.status, change.new_chat_member.status
        self.admins.forget(chat.id)
        if new in GONE and old not in GONE:
            banned = new == ChatMember.BANNED
            await self.dispatcher.member_left(f"telegram:{chat.id}", f"telegram:{person.id}", banned=banned)

    async def _after_migration(self, old_chat_id: int, new_chat_id: int, moved: Council | None) -> None:
        self.admins.move(old_chat_id, new_chat_id)
        if moved is not None:
            t = Translator(moved.locale)
            await self.delivery.send(new_chat_id, Reply(t("tg.council.moved", title=moved.title)))


def press_incoming(update_id: int, query: Any, chat: Any, user: Any, *, group: bool, admin: bool) -> Incoming:
    """A button press as the desk reads it (one place, for a single press and for a run of vote presses)."""
    return clean_incoming(
        Incoming(
            "telegram",
            str(chat.id),
            str(user.id),
            user.full_name,
            data=query.data or "",
            chat_title=chat.title or "",
            chat_is_group=group,
            username=user.username,
            is_admin=admin,
            user_locale=user.language_code,
            update_key=f"tg:{update_id}",
        )
    )
