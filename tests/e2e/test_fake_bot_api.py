"""The fake Bot API server, driven by the real python-telegram-bot."""

from __future__ import annotations

import asyncio
import io
import logging

import aiohttp
import pytest
import telegram
from aiohttp import web
from telegram import (
    BotCommandScopeAllGroupChats,
    ChatFullInfo,
    ChatMemberAdministrator,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MessageEntity,
    ReactionTypeEmoji,
    Update,
)
from telegram.constants import ChatAction
from telegram.error import BadRequest, ChatMigrated, Conflict, Forbidden, NetworkError, RetryAfter
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes

from tests.fakes.fake_bot_api import FakeBotApi, FakeBotApiProcess, FakeUser, free_port

logging.getLogger("httpx").setLevel(logging.WARNING)

pytestmark = pytest.mark.timeout(30)

ALICE = FakeUser(id=1001, first_name="Alice", username="alice", language_code="zh-hans")
BOB = {"id": 1002, "first_name": "Bob", "username": "bob"}
GROUP = -1001234567890  # a supergroup id
OLD_GROUP = -4001  # a basic group id
KB = InlineKeyboardMarkup([[InlineKeyboardButton("赞成", callback_data="vote:1:yes")]])


@pytest.fixture
async def api():
    async with FakeBotApi() as fake:
        yield fake


@pytest.fixture
async def bot(api: FakeBotApi):
    async with telegram.Bot(**api.bot_kwargs()) as the_bot:
        yield the_bot


def build_app(api: FakeBotApi) -> Application:
    return (
        ApplicationBuilder()
        .token(api.token)
        .base_url(api.bot_base_url)
        .base_file_url(f"{api.base_url}/file/bot")
        .build()
    )


async def test_get_me(bot: telegram.Bot, api: FakeBotApi) -> None:
    me = await bot.get_me()
    assert me.id == api.bot_id == 123456789
    assert me.is_bot is True
    assert me.username == "yishi_test_bot"
    assert me.can_join_groups is True
    assert me.can_read_all_group_messages is False
    assert me.supports_inline_queries is False
    assert [c.method for c in api.calls("getMe")] == ["getMe", "getMe"]  # initialize + call
    method, params, when = api.calls("getMe")[-1]
    assert (method, params) == ("getMe", {}) and when > 0


async def test_send_message_then_edit(bot: telegram.Bot, api: FakeBotApi) -> None:
    m1 = await bot.send_message(GROUP, "Motion 1", reply_markup=KB)
    m2 = await bot.send_message(GROUP, "Motion 2")
    other = await bot.send_message(OLD_GROUP, "elsewhere")
    assert (m1.message_id, m2.message_id, other.message_id) == (1, 2, 1)
    assert m1.chat.id == GROUP and m1.chat.type == "supergroup"
    assert other.chat.type == "group"
    assert m1.from_user.id == bot.id
    assert m1.reply_markup == KB
    assert m2.reply_markup is None
    # nested fields arrive as JSON strings and are decoded
    assert api.calls("sendMessage")[0].params["reply_markup"] == KB.to_dict()
    assert api.calls("sendMessage")[0].params["chat_id"] == GROUP

    edited = await bot.edit_message_text("Motion 1 (closed)", chat_id=GROUP, message_id=m1.message_id, reply_markup=KB)
    assert edited.text == "Motion 1 (closed)"
    assert edited.reply_markup == KB
    assert edited.edit_date is not None
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_text("Motion 1 (closed)", chat_id=GROUP, message_id=m1.message_id, reply_markup=KB)
    # same text without the keyboard is a modification
    without_kb = await bot.edit_message_reply_markup(GROUP, m1.message_id, reply_markup=None)
    assert without_kb.reply_markup is None
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_reply_markup(GROUP, m1.message_id, reply_markup=None)

    api.mark_too_old(GROUP, m2.message_id)
    with pytest.raises(BadRequest, match="(?i)message can.t be edited"):
        await bot.edit_message_text("late", chat_id=GROUP, message_id=m2.message_id)
    with pytest.raises(BadRequest, match="(?i)message can.t be edited"):
        await bot.edit_message_text("unknown", chat_id=GROUP, message_id=99)

    assert [m["text"] for m in api.sent_messages(GROUP)] == ["Motion 1", "Motion 2"]
    assert [m["text"] for m in api.sent_messages()] == ["Motion 1", "Motion 2", "elsewhere"]
    edits = api.edits(GROUP)
    assert [e["text"] for e in edits] == ["Motion 1 (closed)", "Motion 1 (closed)"]
    assert "reply_markup" in edits[0] and "reply_markup" not in edits[1]
    assert api.message(GROUP, m1.message_id)["text"] == "Motion 1 (closed)"


async def test_entities_html_and_validation(bot: telegram.Bot, api: FakeBotApi) -> None:
    entities = [MessageEntity(MessageEntity.BOLD, 0, 2)]
    plain = await bot.send_message(GROUP, "议题：电梯", entities=entities)
    assert plain.entities == tuple(entities)
    assert api.sent_messages(GROUP)[0]["entities"] == [e.to_dict() for e in entities]

    html_msg = await bot.send_message(GROUP, "<b>议题</b> a &lt; b 😀<i>x</i>", parse_mode="HTML")
    assert html_msg.text == "议题 a < b 😀x"
    # UTF-16 offsets: the emoji counts twice
    assert [(e.type, e.offset, e.length) for e in html_msg.entities] == [("bold", 0, 2), ("italic", 11, 1)]
    with pytest.raises(BadRequest, match="(?i)can.t parse entities"):
        await bot.send_message(GROUP, "a <b>unclosed", parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)can.t parse entities"):
        await bot.send_message(GROUP, "user wrote <script>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(GROUP, "x" * 4097)
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
    with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(GROUP, "kb", reply_markup=too_long)
    assert len(api.sent_messages(GROUP)) == 2


async def test_injected_429_raises_retry_after(bot: telegram.Bot, api: FakeBotApi) -> None:
    api.fail("sendMessage", times=1, error_code=429, retry_after=3)
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(GROUP, "flood")
    assert "3" in str(info.value)
    await bot.send_message(GROUP, "fine again")  # the fault was used up
    calls = api.calls("sendMessage")
    assert [c.status for c in calls] == [429, 200]
    assert calls[0].error == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }


async def test_injected_500_and_dropped_connection(bot: telegram.Bot, api: FakeBotApi) -> None:
    api.fail("sendMessage", times=1, error_code=500)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(GROUP, "x")
    api.fail("sendMessage", times=1, mode="drop")
    with pytest.raises(NetworkError, match="disconnected"):
        await bot.send_message(GROUP, "x")
    api.fail("*", times=None, error_code=502, chat_id=OLD_GROUP)
    with pytest.raises(NetworkError):
        await bot.send_chat_action(OLD_GROUP, ChatAction.TYPING)
    assert (await bot.send_message(GROUP, "x")).message_id == 1
    assert [c.status for c in api.calls("sendMessage")] == [500, "dropped", 200]


async def test_chat_migrated_and_forbidden(bot: telegram.Bot, api: FakeBotApi) -> None:
    api.fail_chat_migrated(OLD_GROUP, GROUP)
    with pytest.raises(ChatMigrated) as info:
        await bot.send_message(OLD_GROUP, "hello")
    assert info.value.new_chat_id == GROUP
    api.fail_forbidden(GROUP)
    with pytest.raises(Forbidden, match="(?i)bot was kicked from the group chat"):
        await bot.send_message(GROUP, "hello")
    api.clear_faults(GROUP)
    assert (await bot.send_message(GROUP, "hello")).chat.id == GROUP


async def test_chat_members_and_chat(bot: telegram.Bot, api: FakeBotApi) -> None:
    api.set_chat(GROUP, "supergroup", "幸福小区议事群")
    api.set_chat_member(GROUP, ALICE, "administrator", can_restrict_members=False)
    api.set_chat_member(GROUP, BOB, "creator")
    admin = await bot.get_chat_member(GROUP, ALICE.id)
    assert isinstance(admin, ChatMemberAdministrator)
    assert admin.user.username == "alice"
    assert admin.can_manage_chat is True and admin.can_restrict_members is False
    assert admin.can_post_stories is False and admin.is_anonymous is False
    assert isinstance(await bot.get_chat_member(GROUP, BOB["id"]), ChatMemberOwner)
    assert isinstance(await bot.get_chat_member(GROUP, bot.id), ChatMemberMember)
    assert isinstance(await bot.get_chat_member(GROUP, 4242), ChatMemberLeft)
    admins = await bot.get_chat_administrators(GROUP)
    assert sorted(type(a).__name__ for a in admins) == ["ChatMemberAdministrator", "ChatMemberOwner"]
    chat = await bot.get_chat(GROUP)
    assert isinstance(chat, ChatFullInfo)
    assert (chat.type, chat.title) == ("supergroup", "幸福小区议事群")


async def test_send_document_records_file(bot: telegram.Bot, api: FakeBotApi) -> None:
    content = b"%PDF-1.4 minutes \x00\xff"
    msg = await bot.send_document(GROUP, document=io.BytesIO(content), filename="纪要.pdf", caption="会议纪要")
    assert msg.document.file_name == "纪要.pdf"
    assert msg.document.file_size == len(content)
    assert msg.caption == "会议纪要"
    [doc] = api.documents(GROUP)
    assert (doc["filename"], doc["content"], doc["caption"]) == ("纪要.pdf", content, "会议纪要")
    assert doc["message"]["message_id"] == msg.message_id


async def test_commands_pins_reactions_and_misc(bot: telegram.Bot, api: FakeBotApi) -> None:
    await bot.set_my_commands([("motion", "提出议题")], language_code="zh")
    await bot.set_my_commands([("motion", "Propose")], scope=BotCommandScopeAllGroupChats())
    zh = await bot.get_my_commands(language_code="zh")
    assert [(c.command, c.description) for c in zh] == [("motion", "提出议题")]
    assert await bot.get_my_commands() == ()
    assert api.commands({"type": "all_group_chats"}) == [{"command": "motion", "description": "Propose"}]
    with pytest.raises(BadRequest, match="(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([("Bad-Command", "x")])

    msg = await bot.send_message(GROUP, "pin me")
    assert await bot.pin_chat_message(GROUP, msg.message_id) is True
    assert api.pinned(GROUP) == [msg.message_id]
    assert await bot.unpin_chat_message(GROUP, msg.message_id) is True
    assert api.pinned(GROUP) == []
    assert await bot.set_message_reaction(GROUP, msg.message_id, ReactionTypeEmoji("👍"))
    assert api.calls("setMessageReaction")[0].params["reaction"] == [{"type": "emoji", "emoji": "👍"}]
    assert await bot.send_chat_action(GROUP, ChatAction.TYPING) is True
    assert await bot.leave_chat(GROUP) is True
    with pytest.raises(Forbidden):
        await bot.send_message(GROUP, "gone")


async def test_get_updates_offset_limit_long_poll(bot: telegram.Bot, api: FakeBotApi) -> None:
    pushed = [api.push_text(GROUP, ALICE, f"m{i}") for i in range(5)]
    ids = [u["update_id"] for u in pushed]
    assert ids == sorted(ids) and len(set(ids)) == 5

    first = await bot.get_updates(limit=2, timeout=0)
    assert [u.message.text for u in first] == ["m0", "m1"]
    rest = await bot.get_updates(offset=first[-1].update_id + 1, timeout=0)
    assert [u.message.text for u in rest] == ["m2", "m3", "m4"]
    # without an offset Telegram starts at the earliest unconfirmed update
    assert [u.message.text for u in await bot.get_updates(timeout=0)] == ["m2", "m3", "m4"]
    offset = rest[-1].update_id + 1

    loop = asyncio.get_running_loop()
    poll = asyncio.create_task(bot.get_updates(offset=offset, timeout=5))
    await api.wait_for(method="getUpdates", params={"offset": offset, "timeout": 5})
    started = loop.time()
    api.push_command(GROUP, ALICE, "/motion 修电梯")
    got = await poll
    assert loop.time() - started < 1.0
    assert got[0].message.text == "/motion 修电梯"
    offset = got[-1].update_id + 1

    started = loop.time()
    assert await bot.get_updates(offset=offset, timeout=1) == ()
    assert 0.9 <= loop.time() - started < 3.0

    # a second poller (another bot instance) terminates the first one with 409 Conflict
    since = len(api.calls())
    first_poll = asyncio.create_task(bot.get_updates(offset=offset, timeout=5))
    await api.wait_for(method="getUpdates", since=since)
    async with telegram.Bot(**api.bot_kwargs()) as second_instance:
        assert await second_instance.get_updates(offset=offset, timeout=0) == ()
    with pytest.raises(Conflict, match="(?i)terminated by other getUpdates"):
        await first_poll


async def test_update_builders_parse_in_ptb(bot: telegram.Bot, api: FakeBotApi) -> None:
    sent = await bot.send_message(GROUP, "Motion", reply_markup=KB)
    api.push_command(GROUP, ALICE, "/motion@yishi_test_bot 修电梯", chat_type="supergroup", chat_title="幸福小区")
    api.push_text(GROUP, BOB, "我同意", reply_to_message=sent.message_id)
    api.push_callback(GROUP, ALICE, sent.message_id, "vote:1:yes")
    api.push_command(ALICE.id, ALICE, "/start", chat_type="private", mention_bot=True)
    api.push_migration(OLD_GROUP, GROUP, ALICE)
    api.push_my_chat_member(GROUP, "kicked")
    updates = await bot.get_updates(timeout=0)
    assert len(updates) == 6
    assert all(isinstance(u, Update) for u in updates)
    cmd, reply, cq, private, migration, removed = updates

    assert cmd.message.text == "/motion@yishi_test_bot 修电梯"
    [entity] = cmd.message.entities
    assert (entity.type, entity.offset, entity.length) == ("bot_command", 0, 22)
    assert cmd.message.chat.title == "幸福小区" and cmd.message.chat.type == "supergroup"
    assert cmd.message.from_user.language_code == "zh-hans"
    assert cmd.message.message_id == sent.message_id + 1  # ids are per chat

    assert reply.message.reply_to_message.message_id == sent.message_id
    assert reply.message.reply_to_message.from_user.id == bot.id

    assert cq.callback_query.data == "vote:1:yes"
    assert cq.callback_query.from_user.id == ALICE.id
    assert cq.callback_query.message.message_id == sent.message_id
    assert cq.callback_query.message.reply_markup == KB
    assert cq.callback_query.chat_instance

    assert private.message.text == "/start@yishi_test_bot"
    assert private.message.chat.type == "private"
    assert private.message.chat.first_name == "Alice"

    assert migration.message.migrate_to_chat_id == GROUP
    assert migration.message.chat.id == OLD_GROUP

    member = removed.my_chat_member
    assert member.new_chat_member.status == "kicked"
    assert member.new_chat_member.user.id == bot.id
    assert member.old_chat_member.status == "member"
    # the side effects: Telegram now refuses calls to both chats
    with pytest.raises(ChatMigrated):
        await bot.send_message(OLD_GROUP, "x")
    with pytest.raises(Forbidden):
        await bot.send_message(GROUP, "x")


async def test_push_raw_redelivers_verbatim(bot: telegram.Bot, api: FakeBotApi) -> None:
    sent = await bot.send_message(GROUP, "Motion", reply_markup=KB)
    original = api.push_callback(GROUP, ALICE, sent.message_id, "vote:1:yes")
    first = await bot.get_updates(timeout=0)
    assert await bot.answer_callback_query(first[0].callback_query.id, "ok") is True
    api.push_text(GROUP, ALICE, "after")
    later = await bot.get_updates(offset=first[-1].update_id + 1, timeout=0)
    assert [u.message.text for u in later] == ["after"]

    api.push_raw(original)
    again = await bot.get_updates(offset=later[-1].update_id + 1, timeout=0)
    assert [u.update_id for u in again] == [original["update_id"]]
    assert again[0].callback_query.id == first[0].callback_query.id
    assert again[0].to_dict() == first[0].to_dict()
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_callback_query(again[0].callback_query.id)
    # confirming the re-delivered update drops it; new updates keep increasing ids
    assert await bot.get_updates(offset=again[0].update_id + 1, timeout=0) == ()
    assert api.push_text(GROUP, ALICE, "next")["update_id"] > later[-1].update_id
    assert api.callback_answers() == [{"callback_query_id": first[0].callback_query.id, "text": "ok"}]


async def test_http_level_envelopes_and_json_bodies(api: FakeBotApi) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{api.base_url}/bot{api.token}/fooBar") as resp:
            assert resp.status == 404
            assert await resp.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        async with http.post(f"{api.base_url}/botnot-a-token/getMe") as resp:
            assert resp.status == 404
        async with http.post(f"{api.base_url}/bot{api.token}/sendMessage", json={"chat_id": 7, "text": "1"}) as resp:
            assert resp.status == 403  # like Telegram: user 7 never wrote to the bot
            assert "can't initiate conversation" in (await resp.json())["description"]
        api.start_private(7)
        async with http.post(f"{api.base_url}/bot{api.token}/sendmessage", json={"chat_id": 7, "text": "123"}) as resp:
            body = await resp.json()
            assert resp.status == 200 and body["ok"] is True
            assert body["result"]["text"] == "123"  # free text is never JSON-decoded
        async with http.get(f"{api.base_url}/bot{api.token}/getMe") as resp:
            assert (await resp.json())["result"]["id"] == api.bot_id
    assert [c.method for c in api.calls()] == ["fooBar", "sendMessage", "sendMessage", "getMe"]


async def test_application_polling_command_and_callback(api: FakeBotApi) -> None:
    seen_args: list[list[str]] = []

    async def motion(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen_args.append(list(context.args or []))
        await update.effective_chat.send_message(f"Motion: {' '.join(context.args or [])}", reply_markup=KB)

    async def vote(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer("Vote recorded")
        await query.edit_message_text(f"Votes: 1 ({query.data})")

    app = build_app(api)
    app.add_handler(CommandHandler("motion", motion))
    app.add_handler(CallbackQueryHandler(vote))
    api.push_command(GROUP, ALICE, "/motion stale")  # dropped by drop_pending_updates
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=5, drop_pending_updates=True)
        try:
            await api.wait_for_polling()
            api.push_command(GROUP, ALICE, "/motion@yishi_test_bot 修电梯", chat_type="supergroup")
            sent = await api.wait_for(method="sendMessage", params={"chat_id": GROUP})
            assert sent.result["text"] == "Motion: 修电梯"
            update = api.push_callback(GROUP, BOB, sent.result["message_id"], "vote:1:yes")
            answer = await api.wait_for(method="answerCallbackQuery")
            edit = await api.wait_for(method="editMessageText")
        finally:
            await app.updater.stop()
            await app.stop()
    assert seen_args == [["修电梯"]]
    assert answer.ok
    assert answer.params == {"callback_query_id": update["callback_query"]["id"], "text": "Vote recorded"}
    assert edit.ok and edit.result["text"] == "Votes: 1 (vote:1:yes)"
    assert [c.method for c in api.calls()[:2]] == ["getMe", "deleteWebhook"]
    assert api.calls("deleteWebhook")[0].params == {"drop_pending_updates": True}


async def test_webhook_delivery_to_ptb(api: FakeBotApi) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text("hello via webhook")

    app = build_app(api)
    app.add_handler(CommandHandler("start", start))
    port = free_port()
    async with app:
        await app.start()
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="hook",
            secret_token="s3cret",
            webhook_url=f"http://127.0.0.1:{port}/hook",
        )
        try:
            info = api.webhook_info()
            assert info["url"] == f"http://127.0.0.1:{port}/hook"
            assert info["secret_token"] == "s3cret"
            with pytest.raises(Conflict, match="(?i)webhook is active"):
                await app.bot.get_updates(timeout=0)
            update = api.make_command(ALICE.id, ALICE, "/start")
            assert await api.deliver_webhook(info["url"], update, secret_token="wrong") == 403
            assert await api.deliver_webhook(info["url"], update, secret_token="s3cret") == 200
            reply = await api.wait_for(method="sendMessage", params={"chat_id": ALICE.id})
        finally:
            await app.updater.stop()
            await app.stop()
    assert reply.result["text"] == "hello via webhook"
    assert [c.method for c in api.calls()][:2] == ["getMe", "setWebhook"]


async def test_standalone_process_control_api() -> None:
    port = free_port()
    async with FakeBotApiProcess(port=port) as fake:  # python -m tests.fakes.fake_bot_api --port N
        assert fake.base_url == f"http://127.0.0.1:{port}"
        async with telegram.Bot(**fake.bot_kwargs()) as remote_bot:
            assert remote_bot.id == 123456789
            await fake.push_command(GROUP, ALICE, "/motion 修电梯", chat_type="supergroup")
            updates = await remote_bot.get_updates(timeout=1)
            assert [u.message.text for u in updates] == ["/motion 修电梯"]
            assert updates[0].message.from_user.username == "alice"

            sent = await remote_bot.send_message(GROUP, "hi", reply_markup=KB)
            call = await fake.wait_for(method="sendMessage", params={"chat_id": GROUP})
            assert call["result"]["message_id"] == sent.message_id
            assert call["params"]["reply_markup"] == KB.to_dict()
            assert [m["text"] for m in await fake.sent_messages(GROUP)] == ["hi"]

            await fake.push_many(
                "callback",
                [{"chat_id": GROUP, "user": BOB, "message_id": sent.message_id, "data": f"v:{i}"} for i in range(3)],
            )
            updates = await remote_bot.get_updates(offset=updates[-1].update_id + 1, timeout=1)
            assert [u.callback_query.data for u in updates] == ["v:0", "v:1", "v:2"]

            await fake.fail("sendMessage", times=1, error_code=429, retry_after=2)
            with pytest.raises(RetryAfter):
                await remote_bot.send_message(GROUP, "flood")
            await fake.fail_chat_migrated(OLD_GROUP, GROUP)
            with pytest.raises(ChatMigrated):
                await remote_bot.send_message(OLD_GROUP, "x")
            with pytest.raises(TimeoutError):
                await fake.wait_for(method="editMessageText", timeout=0.2)

            await fake.reset()
            assert await fake.calls() == []
            await remote_bot.send_message(OLD_GROUP, "after reset")  # faults are gone
            assert [c["method"] for c in await fake.calls()] == ["sendMessage"]
    assert fake.process.returncode == 0


async def test_updates_are_resent_until_confirmed_and_pushed_to_a_webhook_until_a_200() -> None:
    """Like Telegram: getUpdates sends an update again until an offset beyond it was asked for; a set webhook
    gets each queued update POSTed (with the secret) again until one answer is 200."""
    async with FakeBotApi(push_webhooks=True, webhook_retry_delay=0.05) as api:
        polled = telegram.Bot(**api.bot_kwargs())
        async with polled:
            pushed = api.push_text(ALICE.id, ALICE, "one")
            assert [u.update_id for u in await polled.get_updates(timeout=0)] == [pushed["update_id"]]
            assert [u.update_id for u in await polled.get_updates(timeout=0)] == [pushed["update_id"]]  # unconfirmed
            assert await polled.get_updates(offset=pushed["update_id"] + 1, timeout=0) == ()

            received: list[tuple[int, str | None]] = []

            async def hook(request: web.Request) -> web.Response:
                body = await request.json()
                received.append((body["update_id"], request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
                return web.Response(status=500 if len(received) < 3 else 200)

            app = web.Application()
            app.router.add_post("/hook", hook)
            runner = web.AppRunner(app)
            await runner.setup()
            port = free_port()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            try:
                update = api.push_text(ALICE.id, ALICE, "two")
                await polled.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
                await until_true(lambda: api.pending_updates() == [], 10)
            finally:
                await runner.cleanup()
    assert received == [(update["update_id"], "s3cret")] * 3
    assert [status for _, status in api.webhook_posts] == [500, 500, 200]


async def until_true(predicate, timeout: float) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)
