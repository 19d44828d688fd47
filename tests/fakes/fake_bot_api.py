"""A fake Telegram Bot API server for end-to-end tests and benchmarks.

In-process use (pytest-asyncio)::

    async with FakeBotApi() as api:
        bot = telegram.Bot(api.token, base_url=f"{api.base_url}/bot")
        ...
        await api.wait_for_polling()            # first getUpdates arrived
        api.push_command(-100123, user, "/motion Fix the lift", chat_type="supergroup")
        call = await api.wait_for(method="sendMessage", params={"chat_id": -100123})

Standalone process (benchmarks, multi-process tests)::

    python -m tests.fakes.fake_bot_api --port 8081     # prints "FAKE_BOT_API_LISTENING <url>"

and drive it over ``POST /_control/<name>`` with a JSON object of keyword arguments, where
``<name>`` is one of :data:`CONTROL_METHODS` (the same names and arguments as the methods of
:class:`FakeBotApi`); :class:`FakeBotApiProcess` / :class:`FakeBotApiClient` wrap that.

What the server implements (and how it deviates from Telegram):

* ``/bot{token}/{method}`` for any token ``digits:text``; method names are case-insensitive
  (recorded in camelCase); form-encoded, multipart and JSON bodies (and query strings);
  values that are JSON (``reply_markup``, ``entities``, numbers, booleans) are decoded, free-text
  fields (``text``, ``caption``, ``callback_query_id``, ...) are kept as strings.
* The bot's identity (``getMe``, ``from`` of its messages, ``my_chat_member`` updates) comes from
  :attr:`FakeBotApi.token` whatever token a request uses; use ``api.token`` in tests.
* ``parse_mode="HTML"`` is parsed like Telegram does (text without tags + entities, 400
  "can't parse entities" on malformed markup). Markdown/MarkdownV2 text is stored unparsed.
* Unknown messages are reported as "message can't be edited" by the edit methods.
* ``answerCallbackQuery`` rejects unknown or already answered query ids unless
  ``strict_callbacks=False``.
* ``allowed_updates`` is remembered like Telegram does; by default ``chat_member``,
  ``message_reaction`` and ``message_reaction_count`` updates are not delivered.
* ``getUpdates`` re-sends every queued update until a call asks for an ``offset`` beyond it.
* With ``push_webhooks=True`` queued updates go to the webhook once one is set, like Telegram sends
  them: up to ``max_connections`` POSTs at a time, each update POSTed again (after
  ``webhook_retry_delay``) until one answer is 200 (:attr:`FakeBotApi.webhook_posts` lists the tries).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import dataclasses
import html
import inspect
import itertools
import json
import logging
import re
import signal
import socket
import sys
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout, web

__all__ = [
    "CONTROL_METHODS",
    "DEFAULT_TOKEN",
    "ApiError",
    "Call",
    "FakeBotApi",
    "FakeBotApiClient",
    "FakeBotApiProcess",
    "FakeUser",
    "Fault",
    "UploadedFile",
    "free_port",
    "main",
]

_LOG = logging.getLogger(__name__)

DEFAULT_TOKEN = "123456789:TEST-fake-bot-api-token"
LISTENING_PREFIX = "FAKE_BOT_API_LISTENING "
REPO_ROOT = Path(__file__).resolve().parents[2]

_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_\-]+$")
_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{1,64})?")
_BOT_COMMAND_NAME_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_TOKEN_RE = re.compile(r"^[A-Za-z0-9_\-]{1,256}$")
_JSONISH_RE = re.compile(r"^(?:[\[{\"]|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$|true$|false$|null$)")

#: Parameters that are free text (never JSON-decoded even if they look like numbers).
STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "callback_query_id",
        "inline_message_id",
        "url",
        "secret_token",
        "language_code",
        "parse_mode",
        "emoji",
        "action",
        "title",
        "description",
        "short_description",
        "name",
        "first_name",
        "last_name",
        "username",
        "custom_title",
        "message_effect_id",
        "business_connection_id",
        "document",
        "photo",
        "audio",
        "video",
        "voice",
        "sticker",
        "animation",
        "thumbnail",
        "file_id",
        "ip_address",
        "query",
        "custom_emoji_id",
        "invite_link",
        "question",
        "explanation",
        "address",
        "phone_number",
        "payload",
        "currency",
        "start_parameter",
        "game_short_name",
        "next_offset",
        "data",
    }
)

#: Update types Telegram delivers when no ``allowed_updates`` was ever given.
DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
CANT_BE_EDITED = "Bad Request: message can't be edited"
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
CONFLICT_POLL = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: injected fault",
    401: "Unauthorized",
    403: "Forbidden: injected fault",
    404: "Not Found",
    409: "Conflict: injected fault",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
_EDIT_METHODS = frozenset({"editMessageText", "editMessageReplyMarkup", "editMessageCaption"})


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (the unit of Telegram entity offsets)."""
    return len(text.encode("utf-16-le")) // 2


def free_port(host: str = "127.0.0.1") -> int:
    """A currently free TCP port on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------------------------
# Data objects
# --------------------------------------------------------------------------------------------


class ApiError(Exception):
    """An error answered to the bot: ``{"ok": false, "error_code": ..., ...}``."""

    def __init__(self, error_code: int, description: str, parameters: Mapping[str, Any] | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = dict(parameters) if parameters else None

    def envelope(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


@dataclasses.dataclass
class UploadedFile:
    """A file part of a multipart request."""

    filename: str | None
    content: bytes
    content_type: str | None = None

    @property
    def size(self) -> int:
        return len(self.content)

    def to_json(self) -> dict[str, Any]:
        return {
            "__upload__": True,
            "filename": self.filename,
            "content_type": self.content_type,
            "size": self.size,
            "content_b64": base64.b64encode(self.content).decode("ascii"),
        }


@dataclasses.dataclass
class FakeUser:
    """A Telegram user for the update builders (a dict or any object with ``id`` works too)."""

    id: int
    first_name: str = "Test"
    username: str | None = None
    language_code: str | None = None
    last_name: str | None = None
    is_bot: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}


@dataclasses.dataclass(eq=False)
class Call:
    """One recorded Bot API request.  Unpacks as ``method, params, time``.

    ``time`` is ``time.monotonic()`` at arrival.  ``status`` is the HTTP status (``None`` while
    in flight, ``"dropped"``/``"cancelled"`` when no answer was sent), ``result`` the ``result``
    of a successful answer and ``error`` the error envelope otherwise.
    """

    method: str
    params: dict[str, Any]
    time: float
    token: str = ""
    index: int = 0
    status: int | str | None = None
    result: Any = None
    error: dict[str, Any] | None = None
    _notified: bool = dataclasses.field(default=False, repr=False)

    def __iter__(self):
        return iter((self.method, self.params, self.time))

    @property
    def ok(self) -> bool:
        return self.status == 200

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "method": self.method,
            "params": _jsonable(self.params),
            "time": self.time,
            "token": self.token,
            "status": self.status,
            "result": _jsonable(self.result),
            "error": self.error,
        }


@dataclasses.dataclass
class Fault:
    """An injected failure; see :meth:`FakeBotApi.fail`."""

    method: str
    times: int | None
    error_code: int
    description: str
    parameters: dict[str, Any] | None = None
    mode: str = "error"  # "error" | "drop" | "delay"
    delay: float = 0.0
    chat_id: int | str | None = None
    hits: int = 0

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times

    def matches(self, method: str, params: Mapping[str, Any]) -> bool:
        if self.exhausted:
            return False
        if self.method != "*" and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or params.get("chat_id") == self.chat_id

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(eq=False)
class _Queued:
    update_id: int
    update: dict[str, Any]
    kind: str
    raw: bool = False
    delivered: bool = False
    retry_at: float = 0.0  # webhook: not POSTed again before this (loop time)


class _EntityParseError(ValueError):
    pass


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, deque)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (bytes, bytearray)):
        return {"__bytes__": True, "b64": base64.b64encode(bytes(obj)).decode("ascii")}
    if hasattr(obj, "to_json"):
        return obj.to_json()
    if hasattr(obj, "to_dict"):
        return _jsonable(obj.to_dict())
    return repr(obj)


def _json_default(obj: Any) -> Any:
    if hasattr(obj, "to_json"):
        return obj.to_json()
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if isinstance(obj, (bytes, bytearray)):
        return base64.b64encode(bytes(obj)).decode("ascii")
    raise TypeError(f"not JSON serialisable: {obj!r}")


def _dumps(obj: Any) -> str:
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=_json_default)
    try:
        text.encode()
    except UnicodeEncodeError:  # a lone surrogate (a test sends one): JSON can still carry it, escaped
        text = json.dumps(obj, separators=(",", ":"), default=_json_default)
    return text


def _decode_value(name: str, value: Any) -> Any:
    if not isinstance(value, str) or name in STRING_FIELDS or not _JSONISH_RE.match(value):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _update_kind(update: Mapping[str, Any]) -> str:
    for key in update:
        if key != "update_id":
            return key
    return ""


def _normalize_markup(markup: Any) -> dict[str, Any] | None:
    """Only non-empty inline keyboards are attached to (and echoed with) a message."""
    if isinstance(markup, Mapping) and markup.get("inline_keyboard"):
        return dict(markup)
    return None


def _validate_markup(markup: Any) -> None:
    if not isinstance(markup, Mapping) or "inline_keyboard" not in markup:
        return
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or any(not isinstance(row, list) for row in rows):
        raise ApiError(
            400, 'Bad Request: can\'t parse inline keyboard button: field "inline_keyboard" must be an Array of Arrays'
        )
    actions = {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
    for row in rows:
        for button in row:
            if not isinstance(button, Mapping) or not button.get("text"):
                raise ApiError(400, "Bad Request: can't parse inline keyboard button: Text must be non-empty")
            if not actions.intersection(button):
                raise ApiError(
                    400,
                    "Bad Request: can't parse inline keyboard button: Text "
                    "buttons are unallowed in the inline keyboard",
                )
            if "callback_data" in button:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")


_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|lt|gt|amp|quot);")
_HTML_ATTR_RE = re.compile(r"\s*([a-zA-Z_-]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+)))?")
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's HTML parse mode: text without markup plus entities (UTF-16 offsets)."""

    def byte_offset(i: int) -> int:
        return len(source[:i].encode("utf-8"))

    out: list[str] = []
    u16 = 0
    stack: list[dict[str, Any]] = []
    entities: list[dict[str, Any]] = []
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch == "<":
            j = source.find(">", i + 1)
            if j == -1:
                raise _EntityParseError(f"Unclosed start tag at byte offset {byte_offset(i)}")
            inner = source[i + 1 : j]
            if inner.startswith("/"):
                name = inner[1:].strip().lower()
                if not stack:
                    raise _EntityParseError(f"Unexpected end tag at byte offset {byte_offset(i)}")
                tag = stack.pop()
                if name and name != tag["name"]:
                    raise _EntityParseError(
                        f"Unmatched end tag at byte offset {byte_offset(i)}, expected "
                        f'"</{tag["name"]}>", found "</{name}>"'
                    )
                _close_html_tag(tag, u16, stack, entities)
            else:
                match = re.match(r"([a-zA-Z][a-zA-Z0-9-]*)(.*)$", inner, re.S)
                name = match.group(1).lower() if match else ""
                if name not in _HTML_TAGS:
                    raise _EntityParseError(
                        f'Unsupported start tag "{name or inner[:16]}" at byte offset {byte_offset(i)}'
                    )
                attrs = {
                    m.group(1).lower(): html.unescape(next((g for g in m.groups()[1:] if g is not None), ""))
                    for m in _HTML_ATTR_RE.finditer(match.group(2))
                }
                if name == "span" and attrs.get("class") != "tg-spoiler":
                    raise _EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(i)}')
                stack.append({"name": name, "start": u16, "attrs": attrs})
            i = j + 1
        elif ch == "&":
            m = _HTML_ENTITY_RE.match(source, i)
            if m:
                ref = m.group(1)
                if ref.startswith(("#x", "#X")):
                    decoded = chr(int(ref[2:], 16))
                elif ref.startswith("#"):
                    decoded = chr(int(ref[1:]))
                else:
                    decoded = _HTML_NAMED[ref]
                out.append(decoded)
                u16 += utf16_len(decoded)
                i = m.end()
            else:
                out.append("&")
                u16 += 1
                i += 1
        else:
            out.append(ch)
            u16 += 2 if ord(ch) > 0xFFFF else 1
            i += 1
    if stack:
        raise _EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1]["name"]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _close_html_tag(tag: dict[str, Any], end: int, stack: list[dict[str, Any]], entities: list[dict[str, Any]]) -> None:
    name, attrs, start = tag["name"], tag["attrs"], tag["start"]
    length = end - start
    if name == "code" and stack and stack[-1]["name"] == "pre":
        cls = attrs.get("class", "")
        if cls.startswith("language-"):
            stack[-1]["language"] = cls[len("language-") :]
            return
    if length <= 0:
        return
    entity: dict[str, Any] = {"type": _HTML_TAGS[name], "offset": start, "length": length}
    if name == "a":
        if not attrs.get("href"):
            return
        entity["url"] = attrs["href"]
    elif name == "pre" and tag.get("language"):
        entity["language"] = tag["language"]
    elif name == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    elif name == "tg-emoji":
        entity["custom_emoji_id"] = attrs.get("emoji-id", "")
    entities.append(entity)


def _user_dict(user: Any) -> dict[str, Any]:
    if isinstance(user, bool):
        raise TypeError("user must be an int id, a dict or an object with an id")
    if isinstance(user, int):
        return {"id": user, "is_bot": False, "first_name": f"User{user}"}
    if isinstance(user, Mapping):
        data = dict(user)
    elif hasattr(user, "to_dict"):
        data = dict(user.to_dict())
    else:
        data = {
            key: getattr(user, key)
            for key in ("id", "is_bot", "first_name", "last_name", "username", "language_code")
            if getattr(user, key, None) is not None
        }
    if "id" not in data:
        raise ValueError(f"user without id: {user!r}")
    data["id"] = int(data["id"])
    data.setdefault("is_bot", False)
    data.setdefault("first_name", f"User{data['id']}")
    return {k: v for k, v in data.items() if v is not None}


_ADMIN_RIGHTS = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_post_messages": False,
    "can_edit_messages": False,
    "can_pin_messages": True,
    "can_manage_topics": False,
}
_RESTRICTED_RIGHTS = {
    "is_member": True,
    "can_change_info": False,
    "can_invite_users": False,
    "can_pin_messages": False,
    "can_send_messages": False,
    "can_send_polls": False,
    "can_send_other_messages": False,
    "can_add_web_page_previews": False,
    "can_manage_topics": False,
    "until_date": 0,
    "can_send_audios": False,
    "can_send_documents": False,
    "can_send_photos": False,
    "can_send_videos": False,
    "can_send_video_notes": False,
    "can_send_voice_notes": False,
    "can_edit_tag": False,
}


def member_dict(user: Any, status: str, **fields: Any) -> dict[str, Any]:
    """A complete ChatMember object for ``status``
    (creator/administrator/member/restricted/left/kicked)."""
    base: dict[str, Any] = {"status": status, "user": _user_dict(user)}
    if status == "creator":
        base["is_anonymous"] = False
    elif status == "administrator":
        base.update(_ADMIN_RIGHTS)
    elif status == "restricted":
        base.update(_RESTRICTED_RIGHTS)
    elif status == "kicked":
        base["until_date"] = 0
    elif status not in ("member", "left"):
        raise ValueError(f"unknown chat member status {status!r}")
    base.update(fields)
    return base


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------


class FakeBotApi:
    """A fake Bot API server bound to 127.0.0.1.  ``async with FakeBotApi() as api: ...``"""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "yishi_test_bot",
        bot_first_name: str = "Yishi",
        strict_callbacks: bool = True,
        push_webhooks: bool = False,
        webhook_retry_delay: float = 0.2,
    ) -> None:
        if not _TOKEN_RE.match(token):
            raise ValueError(f"token must look like 123456:ABC..., got {token!r}")
        self.host = host
        self._requested_port = port
        self.port: int | None = None
        self.token = token
        self.strict_callbacks = strict_callbacks
        self.push_webhooks = push_webhooks
        self.webhook_retry_delay = webhook_retry_delay
        self._pump: asyncio.Task[None] | None = None
        self.bot_user: dict[str, Any] = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self._runner: web.AppRunner | None = None
        self._client: ClientSession | None = None
        self._closing = False
        self.shutdown_requested = asyncio.Event()
        self._update_ids = itertools.count(700_000_001)
        self._callback_ids = itertools.count(4_200_000_000_000_000_001)
        self._file_ids = itertools.count(1)
        self.user_files: dict[str, bytes] = {}  # files users sent (a photo), fetched with getFile
        self._reset_state()
        self._handlers: dict[str, tuple[str, Callable[..., Awaitable[Any]]]] = {}
        for attr in dir(self):
            if attr.startswith("_m_"):
                name = attr[3:]
                self._handlers[name.lower()] = (name, getattr(self, attr))

    # -- lifecycle ----------------------------------------------------------------------------

    @property
    def bot_id(self) -> int:
        return self.bot_user["id"]

    @property
    def bot_username(self) -> str:
        return self.bot_user["username"]

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise RuntimeError("FakeBotApi is not started")
        return f"http://{self.host}:{self.port}"

    @property
    def bot_base_url(self) -> str:
        """Pass as ``base_url`` to PTB (the token is appended by PTB)."""
        return f"{self.base_url}/bot"

    def bot_kwargs(self) -> dict[str, str]:
        """Keyword arguments for ``telegram.Bot(**api.bot_kwargs())``."""
        return {"token": self.token, "base_url": f"{self.base_url}/bot", "base_file_url": f"{self.base_url}/file/bot"}

    async def start(self) -> FakeBotApi:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_bot)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("GET", "/_control/health", self._handle_health)
        app.router.add_route("POST", "/_control/{name}", self._handle_control)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self._requested_port)
        await site.start()
        sockets = site._server.sockets if site._server else ()  # type: ignore[union-attr]
        self.port = sockets[0].getsockname()[1]
        self._closing = False
        return self

    async def stop(self) -> None:
        self._closing = True
        self._wake_pollers()
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump
            self._pump = None
        if self._client is not None:
            await self._client.close()
            self._client = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- state --------------------------------------------------------------------------------

    def _reset_state(self) -> None:
        self._calls: list[Call] = []
        self._waiters: list[tuple[Callable[[Call], bool], asyncio.Future[Call], int]] = []
        self._queue: deque[_Queued] = deque()
        self._confirmed = 0
        self._allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self._update_event = asyncio.Event()
        self._poll_generation = 0
        self._faults: list[Fault] = []
        self._chat_faults: dict[Any, ApiError] = {}
        self._chats: dict[Any, dict[str, Any]] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._seen: dict[Any, set[int]] = {}
        self._members: dict[tuple[Any, int], dict[str, Any]] = {}
        self._messages: dict[tuple[Any, int], dict[str, Any]] = {}
        self._next_message_id: dict[Any, int] = {}
        self._too_old: set[tuple[Any, int]] = set()
        self._pinned: dict[Any, list[int]] = {}
        self._reactions: dict[tuple[Any, int], list[Any]] = {}
        self._documents: list[dict[str, Any]] = []
        self._files = self.user_files  # documents users sent share the store the photos use (getFile, /file/bot…)
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._open_callbacks: set[str] = set()
        self._answered_callbacks: set[str] = set()
        self._webhook: dict[str, Any] = {"url": "", "secret_token": None, "max_connections": 40}
        self.webhook_posts: list[tuple[int, int | str]] = []  # (update_id, HTTP status or the error's name)
        self._webhook_failing = False
        self._webhook_paused_until = 0.0
        # Who created every group whose members were not set otherwise (None: nobody). Like Telegram, the bot
        # cannot write first to a user who never wrote to it in private: ``_started`` lists those who did.
        self.group_owner: Any = None  # a user (FakeUser, dict or id)
        self._started: set[int] = set()

    def reset(self) -> None:
        """Forget calls, queued updates, faults, chats, messages, commands and the webhook.

        Update ids, callback query ids and file ids keep increasing (a running poller's offset
        stays valid).  Pending long polls return empty.
        """
        self._wake_pollers()
        waiters, generation = self._waiters, self._poll_generation
        self._reset_state()
        self._waiters, self._poll_generation = waiters, generation

    # -- recording ----------------------------------------------------------------------------

    def calls(self, method: str | None = None, *, since: int = 0) -> list[Call]:
        """Recorded calls (oldest first), optionally of one ``method``, from index ``since``."""
        selected = self._calls[since:]
        if method is None:
            return list(selected)
        low = method.lower()
        return [c for c in selected if c.method.lower() == low]

    def sent_messages(self, chat_id: int | str | None = None) -> list[dict[str, Any]]:
        """Message objects returned for successful ``sendMessage`` calls (as sent)."""
        return [
            c.result
            for c in self._calls
            if c.method == "sendMessage" and c.status == 200 and (chat_id is None or c.result["chat"]["id"] == chat_id)
        ]

    def edits(self, chat_id: int | str | None = None) -> list[dict[str, Any]]:
        """Message objects (after the edit) returned by successful edit calls."""
        return [
            c.result
            for c in self._calls
            if c.method in _EDIT_METHODS
            and c.status == 200
            and isinstance(c.result, dict)
            and (chat_id is None or c.result["chat"]["id"] == chat_id)
        ]

    def callback_answers(self) -> list[dict[str, Any]]:
        """Parameters of successful ``answerCallbackQuery`` calls."""
        return [c.params for c in self._calls if c.method == "answerCallbackQuery" and c.ok]

    def answer_attempts(self) -> dict[str, int]:
        """``answerCallbackQuery`` calls per callback query id, refused ones (answered before) included."""
        counts: dict[str, int] = {}
        for call in self._calls:
            if call.method == "answerCallbackQuery":
                query_id = str(call.params.get("callback_query_id"))
                counts[query_id] = counts.get(query_id, 0) + 1
        return counts

    def documents(self, chat_id: int | str | None = None) -> list[dict[str, Any]]:
        """Sent documents: ``{chat_id, filename, content, content_type, caption, message}``."""
        return [d for d in self._documents if chat_id is None or d["chat_id"] == chat_id]

    def message(self, chat_id: int | str, message_id: int) -> dict[str, Any] | None:
        """Current state of a stored message (bot's or pushed), or ``None``."""
        msg = self._messages.get((chat_id, message_id))
        return dict(msg) if msg is not None else None

    def commands(self, scope: Mapping[str, Any] | None = None, language_code: str = "") -> list[dict[str, Any]]:
        """Commands set with ``setMyCommands`` for ``scope`` and ``language_code``."""
        return list(self._commands.get((self._scope_key(scope), language_code or ""), []))

    def pinned(self, chat_id: int | str) -> list[int]:
        return list(self._pinned.get(chat_id, []))

    def pending_updates(self) -> list[dict[str, Any]]:
        """Queued updates not yet confirmed by an offset."""
        return [q.update for q in self._queue if not self._droppable(q)]

    def webhook_info(self) -> dict[str, Any]:
        return dict(self._webhook)

    def _record(self, call: Call) -> None:
        call.index = len(self._calls)
        self._calls.append(call)

    def _notify(self, call: Call) -> None:
        if call._notified:
            return
        call._notified = True
        for match, fut, since in list(self._waiters):
            if not fut.done() and call.index >= since and match(call):
                fut.set_result(call)

    async def wait_for(
        self,
        predicate: Callable[[Call], bool] | None = None,
        *,
        method: str | None = None,
        params: Mapping[str, Any] | None = None,
        since: int = 0,
        timeout: float = 5.0,
    ) -> Call:
        """Wait until a recorded call (index >= ``since``) matches and return it.

        A call matches when ``method`` is equal (case-insensitive), ``params`` is a subset of
        its parameters and ``predicate(call)`` is true (exceptions count as false).  Calls are
        matched when answered (``call.result`` is set), ``getUpdates`` already on arrival.
        Raises ``TimeoutError``.
        """
        low = method.lower() if method else None

        def match(call: Call) -> bool:
            if low is not None and call.method.lower() != low:
                return False
            if params and any(call.params.get(k, _MISSING) != v for k, v in params.items()):
                return False
            if predicate is None:
                return True
            try:
                return bool(predicate(call))
            except Exception:  # noqa: BLE001 - a failing predicate does not match
                return False

        for call in self._calls[since:]:
            if call._notified and match(call):
                return call
        fut: asyncio.Future[Call] = asyncio.get_running_loop().create_future()
        entry = (match, fut, since)
        self._waiters.append(entry)
        try:
            return await asyncio.wait_for(fut, timeout)
        except TimeoutError:
            recent = ", ".join(f"{c.method}:{c.status}" for c in self._calls[-10:])
            raise TimeoutError(
                f"no call matching method={method!r} params={params!r} within {timeout}s; last calls: [{recent}]"
            ) from None
        finally:
            with contextlib.suppress(ValueError):
                self._waiters.remove(entry)

    async def wait_for_polling(self, *, since: int = 0, timeout: float = 5.0) -> Call:
        """Wait for a ``getUpdates`` call (push updates only after PTB's first poll)."""
        return await self.wait_for(method="getUpdates", since=since, timeout=timeout)

    # -- faults -------------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        times: int | None = 1,
        error_code: int | str = 429,
        retry_after: int = 1,
        description: str | None = None,
        *,
        mode: str = "error",
        delay: float = 0.0,
        chat_id: int | str | None = None,
        parameters: Mapping[str, Any] | None = None,
    ) -> Fault:
        """Make the next ``times`` calls of ``method`` (``"*"``: any method) fail.

        ``error_code=429`` answers "Too Many Requests: retry after N" with
        ``parameters.retry_after``; other codes answer ``description`` (a Telegram-like
        default otherwise).  ``mode="drop"`` (or ``error_code="drop"``) closes the connection
        without an answer; ``mode="delay"`` sleeps ``delay`` seconds and then answers normally.
        ``times=None`` fails forever; ``chat_id`` restricts the fault to one chat.
        """
        if error_code == "drop":
            mode, error_code = "drop", 0
        if mode not in ("error", "drop", "delay"):
            raise ValueError(f"unknown fault mode {mode!r}")
        code = int(error_code)
        params = dict(parameters) if parameters else None
        if mode == "error" and code == 429:
            description = description or f"Too Many Requests: retry after {retry_after}"
            params = {"retry_after": retry_after, **(params or {})}
        elif mode == "error":
            description = description or _DEFAULT_DESCRIPTIONS.get(code, f"Error {code}")
        fault = Fault(
            method=method,
            times=times,
            error_code=code,
            description=description or "",
            parameters=params,
            mode=mode,
            delay=float(delay),
            chat_id=chat_id,
        )
        self._faults.append(fault)
        return fault

    def fail_chat_migrated(self, chat_id: int | str, new_chat_id: int) -> None:
        """Every call with this ``chat_id`` answers 400 with ``migrate_to_chat_id``."""
        self._chat_faults[chat_id] = ApiError(
            400, "Bad Request: group chat was upgraded to a supergroup chat", {"migrate_to_chat_id": new_chat_id}
        )

    def fail_forbidden(self, chat_id: int | str, description: str | None = None) -> None:
        """Every call with this ``chat_id`` answers 403 (kicked from the group / blocked)."""
        if description is None:
            chat = self._chats.get(chat_id)
            private = (chat["type"] == "private") if chat else (isinstance(chat_id, int) and chat_id > 0)
            description = (
                "Forbidden: bot was blocked by the user" if private else "Forbidden: bot was kicked from the group chat"
            )
        self._chat_faults[chat_id] = ApiError(403, description)

    def clear_faults(self, chat_id: int | str | None = None) -> None:
        """Remove all faults, or only the chat fault of ``chat_id``."""
        if chat_id is None:
            self._faults.clear()
            self._chat_faults.clear()
        else:
            self._chat_faults.pop(chat_id, None)

    def faults(self) -> list[Fault]:
        return list(self._faults)

    # -- chats, users, members ----------------------------------------------------------------

    @staticmethod
    def _infer_type(chat_id: Any) -> str:
        if isinstance(chat_id, int):
            if chat_id > 0:
                return "private"
            if chat_id <= -1_000_000_000_000:
                return "supergroup"
        return "group"

    def set_chat(
        self, chat_id: int, chat_type: str | None = None, title: str | None = None, user: Any = None, **extra: Any
    ) -> dict[str, Any]:
        """Register or update a chat (``username``, ``is_forum``... go in ``extra``)."""
        return self._chat(chat_id, chat_type, title, user, **extra)

    def _chat(
        self, chat_id: Any, chat_type: str | None = None, title: str | None = None, user: Any = None, **extra: Any
    ) -> dict[str, Any]:
        existing = self._chats.get(chat_id)
        if (
            existing is not None
            and chat_type is None
            and title is None
            and not extra
            and (user is None or existing["type"] != "private")
        ):
            return existing
        ctype = chat_type or (existing or {}).get("type") or self._infer_type(chat_id)
        chat: dict[str, Any] = {"id": chat_id, "type": ctype}
        if ctype == "private":
            if user is not None:
                u = _user_dict(user)
                chat["first_name"] = u["first_name"]
                for key in ("last_name", "username"):
                    if key in u:
                        chat[key] = u[key]
            elif existing is not None and existing["type"] == "private":
                chat = dict(existing)
            else:
                known = self._users.get(chat_id) if isinstance(chat_id, int) else None
                chat["first_name"] = known["first_name"] if known else f"User{chat_id}"
                if known and "username" in known:
                    chat["username"] = known["username"]
        else:
            old_title = (existing or {}).get("title")
            chat["title"] = title or old_title or f"Test {ctype} {chat_id}"
            if existing is not None:
                for key, value in existing.items():
                    chat.setdefault(key, value)
                chat["type"] = ctype
        chat.update(extra)
        self._chats[chat_id] = chat
        return chat

    def _remember_user(self, user: Any, chat_id: Any = None) -> dict[str, Any]:
        u = _user_dict(user)
        self._users[u["id"]] = u
        if chat_id is not None:
            self._seen.setdefault(chat_id, set()).add(u["id"])
        return u

    def set_chat_member(self, chat_id: int | str, user: Any, status: str = "member", **fields: Any) -> dict[str, Any]:
        """Configure what ``getChatMember`` answers for ``user`` in ``chat_id``.

        ``status``: creator/administrator/member/restricted/left/kicked; ``fields`` override
        the defaults (e.g. ``can_restrict_members=False``).  ``user`` may be the bot
        (``api.bot_id``).
        """
        if user == self.bot_id or (isinstance(user, Mapping) and user.get("id") == self.bot_id):
            u = dict(self.bot_user)
        else:
            u = self._remember_user(user)
        member = member_dict(u, status, **fields)
        self._members[(chat_id, u["id"])] = member
        return member

    def chat_member(self, chat_id: int | str, user_id: int) -> dict[str, Any]:
        member = self._members.get((chat_id, user_id))
        if member is not None:
            return member
        owner = _user_dict(self.group_owner) if self.group_owner is not None else None
        if owner is not None and user_id == owner["id"] and chat_id != user_id:
            return member_dict(owner, "creator")
        if user_id == self.bot_id:
            return member_dict(self.bot_user, "member")
        user = self._users.get(user_id) or {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        seen = user_id in self._seen.get(chat_id, ()) or user_id == chat_id
        return member_dict(user, "member" if seen else "left")

    def mark_too_old(self, chat_id: int | str, message_id: int) -> None:
        """Edits of this message fail with "message can't be edited"."""
        self._too_old.add((chat_id, message_id))

    # -- update queue -------------------------------------------------------------------------

    def _droppable(self, entry: _Queued) -> bool:
        if entry.kind not in self._allowed_updates:
            return True
        return entry.update_id < self._confirmed and (entry.delivered or not entry.raw)

    def _enqueue(self, update: dict[str, Any], *, raw: bool = False) -> dict[str, Any]:
        if "update_id" in update:
            update_id = int(update["update_id"])
            nxt = next(self._update_ids)
            self._update_ids = itertools.count(max(nxt, update_id + 1))
        else:
            update_id = next(self._update_ids)
            update = {"update_id": update_id, **update}
        cq = update.get("callback_query")
        if cq and "id" in cq:
            self._open_callbacks.add(str(cq["id"]))
        self._queue.append(_Queued(update_id, update, _update_kind(update), raw=raw))
        return update

    def _wake_pollers(self) -> None:
        self._update_event.set()
        self._update_event = asyncio.Event()

    def push_raw(self, update: Mapping[str, Any]) -> dict[str, Any]:
        """Queue ``update`` verbatim (its ``update_id`` too, even if already confirmed — for
        re-delivery/idempotency tests).  Without ``update_id`` the next id is assigned."""
        queued = self._enqueue(dict(update), raw="update_id" in update)
        self._wake_pollers()
        return queued

    def push_batch(self, updates: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Queue several updates at once (ids assigned where missing) and wake the poller once."""
        queued = [self._enqueue(dict(u), raw="update_id" in u) for u in updates]
        self._wake_pollers()
        return queued

    def push_many(self, kind: str, items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """``push_batch([make_<kind>(**item) for item in items])`` — handy over the control API,
        e.g. ``push_many("callback", [{"chat_id": .., "user": .., "message_id": .., "data": ..}])``.
        """
        if kind not in ("command", "text", "callback", "migration", "my_chat_member"):
            raise ValueError(f"unknown update kind {kind!r}")
        maker = getattr(self, f"make_{kind}")
        return self.push_batch([maker(**item) for item in items])

    def _next_mid(self, chat_id: Any) -> int:
        mid = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = mid + 1
        return mid

    def _resolve_reply(self, chat_id: Any, reply_to: Any) -> dict[str, Any] | None:
        if reply_to is None:
            return None
        if isinstance(reply_to, Mapping):
            msg = dict(reply_to)
        else:
            stored = self._messages.get((chat_id, int(reply_to)))
            if stored is None:
                raise LookupError(f"no message {reply_to} in chat {chat_id}")
            msg = dict(stored)
        msg.pop("reply_to_message", None)
        return msg

    def _user_message(
        self, chat_id: int, user: Any, chat_type: str | None, chat_title: str | None, **fields: Any
    ) -> dict[str, Any]:
        u = self._remember_user(user, chat_id)
        ctype = chat_type or (self._chats.get(chat_id) or {}).get("type") or self._infer_type(chat_id)
        private_with_user = ctype == "private" and u["id"] == chat_id
        chat = self._chat(chat_id, chat_type, chat_title, user=u if private_with_user else None)
        msg: dict[str, Any] = {"message_id": self._next_mid(chat_id), "from": u, "chat": chat, "date": int(time.time())}
        msg.update({k: v for k, v in fields.items() if v is not None})
        self._messages[(chat_id, msg["message_id"])] = msg
        return msg

    def make_text(
        self,
        chat_id: int,
        user: Any,
        text: str,
        chat_type: str | None = None,
        chat_title: str | None = None,
        *,
        reply_to_message: Any = None,
        entities: list[dict[str, Any]] | None = None,
        message_thread_id: int | None = None,
    ) -> dict[str, Any]:
        """A ``message`` update (without ``update_id``).  ``reply_to_message``: a message dict
        or the id of a stored message in this chat (e.g. one the bot sent)."""
        reply = self._resolve_reply(chat_id, reply_to_message)
        msg = self._user_message(
            chat_id,
            user,
            chat_type,
            chat_title,
            text=text,
            entities=entities or None,
            reply_to_message=reply,
            message_thread_id=message_thread_id,
        )
        return {"message": msg}

    def make_command(
        self,
        chat_id: int,
        user: Any,
        text: str,
        chat_type: str | None = None,
        chat_title: str | None = None,
        *,
        mention_bot: bool = False,
        reply_to_message: Any = None,
        message_thread_id: int | None = None,
    ) -> dict[str, Any]:
        """A command ``message`` update with a ``bot_command`` entity at offset 0.
        ``mention_bot=True`` turns "/cmd args" into "/cmd@<bot_username> args"."""
        match = _COMMAND_RE.match(text)
        if not match:
            raise ValueError(f"not a bot command: {text!r}")
        command = match.group(0)
        if mention_bot and "@" not in command:
            text = f"{command}@{self.bot_username}{text[len(command) :]}"
            command = f"{command}@{self.bot_username}"
        entity = {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
        reply = self._resolve_reply(chat_id, reply_to_message)
        msg = self._user_message(
            chat_id,
            user,
            chat_type,
            chat_title,
            text=text,
            entities=[entity],
            reply_to_message=reply,
            message_thread_id=message_thread_id,
        )
        return {"message": msg}

    def make_document(
        self, chat_id: int, user: Any, filename: str, content: bytes, caption: str = "", chat_type: str | None = None
    ) -> dict[str, Any]:
        """A ``message`` update carrying a document (its bytes served by getFile), with a command caption."""
        file_id = f"doc{sum(1 for f in self._files if f.startswith('doc')) + 1}"
        self._files[file_id] = content
        document = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": filename,
            "file_size": len(content),
        }
        match = _COMMAND_RE.match(caption)
        entities = [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}] if match else None
        msg = self._user_message(
            chat_id, user, chat_type, None, document=document, caption=caption or None, caption_entities=entities
        )
        return {"message": msg}

    def make_callback(
        self,
        chat_id: int,
        user: Any,
        message_id: int,
        data: str,
        *,
        chat_instance: str | None = None,
        message: Mapping[str, Any] | None = None,
        inaccessible: bool = False,
    ) -> dict[str, Any]:
        """A ``callback_query`` update for button ``data`` on (bot) message ``message_id``.

        ``message`` defaults to the stored message (its current state after edits);
        ``inaccessible=True`` sends an InaccessibleMessage (``date`` 0) instead.
        """
        u = self._remember_user(user, chat_id)
        chat = self._chat(chat_id)
        if inaccessible:
            msg: dict[str, Any] = {"chat": chat, "message_id": message_id, "date": 0}
        elif message is not None:
            msg = dict(message)
        else:
            stored = self._messages.get((chat_id, message_id))
            if stored is None:
                raise LookupError(f"no message {message_id} in chat {chat_id}; pass message= or inaccessible=True")
            msg = dict(stored)
        return {
            "callback_query": {
                "id": str(next(self._callback_ids)),
                "from": u,
                "message": msg,
                "chat_instance": chat_instance or self._chat_instance(chat_id),
                "data": data,
            }
        }

    @staticmethod
    def _chat_instance(chat_id: Any) -> str:
        digest = 0
        for ch in str(chat_id):
            digest = (digest * 131 + ord(ch)) % (2**63 - 1)
        return str(digest * 2654435761 % 10**19)

    def make_migration(
        self, old_chat_id: int, new_chat_id: int, user: Any = None, *, from_side: bool = False
    ) -> dict[str, Any]:
        """A service message in the old group with ``migrate_to_chat_id``
        (``from_side=True``: the message in the new supergroup with ``migrate_from_chat_id``)."""
        u = self._remember_user(
            user if user is not None else {"id": 100_000_001, "first_name": "Group", "last_name": "Admin"}
        )
        old_chat = self._chat(old_chat_id, "group" if old_chat_id not in self._chats else None)
        if from_side:
            new_chat = self._chat(new_chat_id, "supergroup", old_chat.get("title"))
            msg = {
                "message_id": self._next_mid(new_chat_id),
                "from": u,
                "chat": new_chat,
                "date": int(time.time()),
                "migrate_from_chat_id": old_chat_id,
            }
        else:
            msg = {
                "message_id": self._next_mid(old_chat_id),
                "from": u,
                "chat": old_chat,
                "date": int(time.time()),
                "migrate_to_chat_id": new_chat_id,
            }
        return {"message": msg}

    def make_my_chat_member(
        self,
        chat_id: int,
        status: str = "left",
        *,
        from_user: Any = None,
        old_status: str | None = None,
        chat_type: str | None = None,
        chat_title: str | None = None,
    ) -> dict[str, Any]:
        """A ``my_chat_member`` update: the bot's status in ``chat_id`` changed to ``status``."""
        if old_status is None:
            old_status = "member" if status in ("left", "kicked") else "left"
        actor = self._remember_user(
            from_user if from_user is not None else {"id": 100_000_001, "first_name": "Group", "last_name": "Admin"}
        )
        chat = self._chat(chat_id, chat_type, chat_title)
        return {
            "my_chat_member": {
                "chat": chat,
                "from": actor,
                "date": int(time.time()),
                "old_chat_member": member_dict(self.bot_user, old_status),
                "new_chat_member": member_dict(self.bot_user, status),
            }
        }

    def start_private(self, user: Any) -> None:
        """``user`` pressed Start in a private chat with the bot: from now on the bot may write to them."""
        self._started.add(int(self._remember_user(user)["id"]))

    def make_chat_member(
        self, chat_id: int, user: Any, status: str = "left", *, old_status: str = "member", from_user: Any = None
    ) -> dict[str, Any]:
        """A ``chat_member`` update: ``user``'s status in ``chat_id`` changed (delivered only when the bot
        asked for ``chat_member`` in ``allowed_updates``, like Telegram). ``getChatMember`` answers the same."""
        u = self._remember_user(user)
        actor = self._remember_user(from_user) if from_user is not None else u
        new = member_dict(u, status)
        self._members[(chat_id, u["id"])] = new
        return {
            "chat_member": {
                "chat": self._chat(chat_id),
                "from": actor,
                "date": int(time.time()),
                "old_chat_member": member_dict(u, old_status),
                "new_chat_member": new,
            }
        }

    def push_chat_member(self, chat_id: int, user: Any, status: str = "left", **kwargs: Any) -> dict[str, Any]:
        """Queue a ``chat_member`` update (see :meth:`make_chat_member`)."""
        return self.push_batch([self.make_chat_member(chat_id, user, status, **kwargs)])[0]

    def push_text(
        self,
        chat_id: int,
        user: Any,
        text: str,
        chat_type: str | None = None,
        chat_title: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Queue a plain text message (see :meth:`make_text`)."""
        return self.push_batch([self.make_text(chat_id, user, text, chat_type, chat_title, **kwargs)])[0]

    def push_command(
        self,
        chat_id: int,
        user: Any,
        text: str,
        chat_type: str | None = None,
        chat_title: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Queue a command message, e.g. ``"/motion text"`` or ``"/motion@bot text"``."""
        return self.push_batch([self.make_command(chat_id, user, text, chat_type, chat_title, **kwargs)])[0]

    def push_callback(self, chat_id: int, user: Any, message_id: int, data: str, **kwargs: Any) -> dict[str, Any]:
        """Queue a callback query on a message (see :meth:`make_callback`)."""
        return self.push_batch([self.make_callback(chat_id, user, message_id, data, **kwargs)])[0]

    def push_migration(
        self,
        old_chat_id: int,
        new_chat_id: int,
        user: Any = None,
        *,
        also_from_side: bool = False,
        fail_old: bool = True,
    ) -> dict[str, Any]:
        """Queue the ``migrate_to_chat_id`` message of a group upgraded to a supergroup.

        ``fail_old=True`` also makes later calls to ``old_chat_id`` fail with ChatMigrated (as
        Telegram does); ``also_from_side=True`` queues the ``migrate_from_chat_id`` message in
        the new chat as well.  Returns the first update.
        """
        updates = [self.make_migration(old_chat_id, new_chat_id, user)]
        if also_from_side:
            updates.append(self.make_migration(old_chat_id, new_chat_id, user, from_side=True))
        else:
            self._chat(new_chat_id, "supergroup", self._chats[old_chat_id].get("title"))
        if fail_old:
            self.fail_chat_migrated(old_chat_id, new_chat_id)
        return self.push_batch(updates)[0]

    def push_my_chat_member(
        self, chat_id: int, status: str = "left", *, forbid: bool = True, **kwargs: Any
    ) -> dict[str, Any]:
        """Queue a ``my_chat_member`` update (bot added/removed/promoted).

        Also sets the bot's member status for ``getChatMember``; with ``forbid=True`` calls to
        the chat then fail with 403 after "left"/"kicked" and succeed again after
        "member"/"administrator".
        """
        update = self.make_my_chat_member(chat_id, status, **kwargs)
        self._members[(chat_id, self.bot_id)] = update["my_chat_member"]["new_chat_member"]
        if forbid:
            if status == "kicked":
                self.fail_forbidden(chat_id, "Forbidden: bot was kicked from the group chat")
            elif status == "left":
                self.fail_forbidden(chat_id, "Forbidden: bot is not a member of the group chat")
            elif getattr(self._chat_faults.get(chat_id), "error_code", None) == 403:
                del self._chat_faults[chat_id]
        return self.push_batch([update])[0]

    # -- webhook delivery ---------------------------------------------------------------------

    async def deliver_webhook(
        self, url: str, update: Mapping[str, Any], secret_token: str | None = None, *, timeout: float = 10.0
    ) -> int:
        """POST ``update`` (an ``update_id`` is assigned if missing) to a bot's webhook ``url``
        with ``X-Telegram-Bot-Api-Secret-Token`` when given; returns the HTTP status."""
        body = dict(update)
        if "update_id" not in body:
            body = {"update_id": next(self._update_ids), **body}
        cq = body.get("callback_query")
        if cq and "id" in cq:
            self._open_callbacks.add(str(cq["id"]))
        headers = {"Content-Type": "application/json"}
        if secret_token is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret_token
        if self._client is None or self._client.closed:
            self._client = ClientSession()
        async with self._client.post(
            url, data=_dumps(body).encode(), headers=headers, timeout=ClientTimeout(total=timeout)
        ) as resp:
            await resp.read()
            return resp.status

    async def _pump_webhook(self) -> None:
        """Telegram's side of a webhook: POST the queued updates, oldest first, up to ``max_connections`` at a
        time; an update leaves the queue only when a POST of it was answered 200."""
        loop = asyncio.get_running_loop()
        sending: dict[int, asyncio.Task[None]] = {}
        try:
            while not self._closing:
                url = self._webhook["url"]
                if url:
                    # after a failed POST one update probes the webhook every `webhook_retry_delay` until one
                    # gets its 200 (a dead bot is not hammered with every connection at once)
                    limit = 1 if self._webhook_failing else int(self._webhook.get("max_connections") or 40)
                    now = loop.time()
                    for entry in list(self._queue) if now >= self._webhook_paused_until else ():
                        if len(sending) >= limit:
                            break
                        if entry.update_id in sending or entry.retry_at > now or self._droppable(entry):
                            continue
                        sending[entry.update_id] = asyncio.create_task(self._post_queued(entry, url))
                wake = asyncio.ensure_future(self._update_event.wait())
                try:
                    await asyncio.wait(
                        {wake, *sending.values()}, timeout=self.webhook_retry_delay, return_when=asyncio.FIRST_COMPLETED
                    )
                finally:
                    wake.cancel()
                for update_id, task in list(sending.items()):
                    if task.done():
                        del sending[update_id]
        finally:
            for task in sending.values():
                task.cancel()

    async def _post_queued(self, entry: _Queued, url: str) -> None:
        headers = {"Content-Type": "application/json"}
        if self._webhook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = str(self._webhook["secret_token"])
        if self._client is None or self._client.closed:
            self._client = ClientSession()
        status: int | str
        try:
            async with self._client.post(
                url, data=_dumps(entry.update).encode(), headers=headers, timeout=ClientTimeout(total=60)
            ) as resp:
                await resp.read()
                status = resp.status
        except (OSError, TimeoutError, ClientError) as error:  # refused, reset by a killed bot, ...
            status = type(error).__name__
        self.webhook_posts.append((entry.update_id, status))
        self._webhook_failing = status != 200
        if status == 200:
            entry.delivered = True
            with contextlib.suppress(ValueError):
                self._queue.remove(entry)
        else:
            entry.retry_at = self._webhook_paused_until = asyncio.get_running_loop().time() + self.webhook_retry_delay

    # -- HTTP: Bot API ------------------------------------------------------------------------

    @staticmethod
    def _reply(status: int, body: Mapping[str, Any]) -> web.Response:
        return web.Response(text=_dumps(body), status=status, content_type="application/json")

    async def _parse_params(self, request: web.Request) -> dict[str, Any]:
        raw: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            ctype = request.content_type
            if ctype == "application/json":
                body = await request.json()
                if isinstance(body, dict):
                    raw.update(body)
            elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        raw[key] = UploadedFile(value.filename, value.file.read(), value.content_type)
                    else:
                        raw[key] = value
        return {key: _decode_value(key, value) for key, value in raw.items()}

    async def _handle_bot(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        if not _TOKEN_RE.match(token):
            return self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        received = request.match_info["method"]
        try:
            params = await self._parse_params(request)
        except ValueError as exc:
            return self._reply(400, ApiError(400, f"Bad Request: {exc}").envelope())
        entry = self._handlers.get(received.lower())
        call = Call(method=entry[0] if entry else received, params=params, time=time.monotonic(), token=token)
        self._record(call)
        try:
            if entry is None:
                raise ApiError(404, "Not Found")
            name, handler = entry
            if name == "getUpdates":
                self._notify(call)
            fault = next((f for f in self._faults if f.matches(name, params)), None)
            if fault is not None:
                fault.hits += 1
                if fault.mode == "drop":
                    call.status = "dropped"
                    if request.transport is not None:
                        request.transport.abort()
                    return web.Response(status=204)
                if fault.mode == "delay":
                    await asyncio.sleep(fault.delay)
                else:
                    raise ApiError(fault.error_code, fault.description, fault.parameters)
            chat_fault = self._chat_faults.get(params.get("chat_id", _MISSING))
            if chat_fault is not None:
                raise chat_fault
            result = await handler(params, request)
            call.status = 200
            call.result = result
        except ApiError as err:
            call.status = err.error_code
            call.error = err.envelope()
            return self._reply(err.error_code, call.error)
        except asyncio.CancelledError:
            call.status = "cancelled"
            raise
        except Exception as exc:  # a bug in the fake: answer 500 and keep serving
            _LOG.exception("fake Bot API failed on %s", received)
            call.status = 500
            call.error = {"ok": False, "error_code": 500, "description": f"Internal Server Error: fake: {exc!r}"}
            return self._reply(500, call.error)
        finally:
            self._notify(call)
        return self._reply(200, {"ok": True, "result": result})

    # -- parameter helpers --------------------------------------------------------------------

    @staticmethod
    def _need(params: Mapping[str, Any], name: str, description: str | None = None) -> Any:
        value = params.get(name)
        if value is None or value == "":
            raise ApiError(400, description or f"Bad Request: {name} is empty")
        return value

    def _chat_id(self, params: Mapping[str, Any]) -> Any:
        chat_id = self._need(params, "chat_id")
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for cid, chat in self._chats.items():
                if chat.get("username") and f"@{chat['username']}".lower() == chat_id.lower():
                    return cid
            raise ApiError(400, "Bad Request: chat not found")
        if not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id

    def _message_id(self, params: Mapping[str, Any]) -> int:
        mid = params.get("message_id")
        if not isinstance(mid, int):
            raise ApiError(400, "Bad Request: message identifier is not specified")
        return mid

    @staticmethod
    def _render(
        text: str, parse_mode: Any, entities: Any, *, limit: int, what: str
    ) -> tuple[str, list[dict[str, Any]]]:
        if entities:
            out_text, out_entities = text, list(entities)
        elif isinstance(parse_mode, str) and parse_mode.lower() == "html":
            try:
                out_text, out_entities = parse_html(text)
            except _EntityParseError as exc:
                raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        else:
            out_text, out_entities = text, []
        if what == "text" and not out_text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(out_text) > limit:
            raise ApiError(
                400,
                "Bad Request: message is too long" if what == "text" else "Bad Request: message caption is too long",
            )
        return out_text, out_entities

    def _bot_message(self, chat_id: Any, params: Mapping[str, Any], **fields: Any) -> dict[str, Any]:
        markup = params.get("reply_markup")
        _validate_markup(markup)
        msg: dict[str, Any] = {
            "message_id": 0,
            "from": self.bot_user,
            "chat": self._chat(chat_id),
            "date": int(time.time()),
        }
        thread = params.get("message_thread_id")
        if isinstance(thread, int):
            msg["message_thread_id"] = thread
        reply = params.get("reply_parameters")
        reply_id = reply.get("message_id") if isinstance(reply, Mapping) else params.get("reply_to_message_id")
        if isinstance(reply_id, int):
            reply_chat = reply.get("chat_id", chat_id) if isinstance(reply, Mapping) else chat_id
            target = self._messages.get((reply_chat, reply_id))
            if target is not None:
                quoted = dict(target)
                quoted.pop("reply_to_message", None)
                msg["reply_to_message"] = quoted
            elif not (isinstance(reply, Mapping) and reply.get("allow_sending_without_reply")):
                raise ApiError(400, "Bad Request: message to be replied not found")
        msg.update({k: v for k, v in fields.items() if v not in (None, [])})
        msg["message_id"] = self._next_mid(chat_id)
        normalized = _normalize_markup(markup)
        if normalized is not None:
            msg["reply_markup"] = normalized
        self._messages[(chat_id, msg["message_id"])] = msg
        return dict(msg)

    def _editable(self, params: Mapping[str, Any]) -> tuple[Any, int, dict[str, Any]]:
        chat_id = self._chat_id(params)
        mid = self._message_id(params)
        msg = self._messages.get((chat_id, mid))
        if msg is None or (chat_id, mid) in self._too_old or msg.get("from", {}).get("id") != self.bot_id:
            raise ApiError(400, CANT_BE_EDITED)
        return chat_id, mid, msg

    def _store_edit(self, chat_id: Any, mid: int, msg: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
        new = dict(msg)
        for key, value in changes.items():
            if value in (None, []):
                new.pop(key, None)
            else:
                new[key] = value
        new["edit_date"] = int(time.time())
        self._messages[(chat_id, mid)] = new
        return dict(new)

    @staticmethod
    def _scope_key(scope: Any) -> str:
        if not isinstance(scope, Mapping) or not scope:
            scope = {"type": "default"}
        return json.dumps(scope, sort_keys=True)

    # -- Bot API methods (``_m_<camelCaseName>``) ---------------------------------------------

    async def _m_getMe(self, p: dict[str, Any], request: web.Request) -> Any:
        return dict(self.bot_user)

    async def _m_logOut(self, p: dict[str, Any], request: web.Request) -> Any:
        return True

    async def _m_close(self, p: dict[str, Any], request: web.Request) -> Any:
        return True

    async def _m_getUpdates(self, p: dict[str, Any], request: web.Request) -> Any:
        if self._webhook["url"]:
            raise ApiError(409, CONFLICT_WEBHOOK)
        offset = p.get("offset")
        limit = p.get("limit")
        limit = min(max(limit, 1), 100) if isinstance(limit, int) else 100
        timeout = p.get("timeout")
        timeout = min(max(float(timeout), 0.0), 50.0) if isinstance(timeout, (int, float)) else 0
        allowed = p.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) if allowed else DEFAULT_ALLOWED_UPDATES
        # a new poll terminates a pending one (which then answers 409)
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake_pollers()
        if isinstance(offset, int):
            if offset < 0:
                keep = list(self._queue)[offset:]
                self._queue = deque(keep)
                self._confirmed = max(self._confirmed, keep[0].update_id if keep else 0)
            else:
                self._confirmed = max(self._confirmed, offset)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            batch = self._take_batch(limit)
            if batch or self._closing:
                break
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            event = self._update_event
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
            if generation != self._poll_generation and not self._closing:
                raise ApiError(409, CONFLICT_POLL)
        transport = request.transport
        if transport is not None and not transport.is_closing():
            for entry in batch:
                entry.delivered = True
        return [entry.update for entry in batch]

    def _take_batch(self, limit: int) -> list[_Queued]:
        queue = self._queue
        while queue and self._droppable(queue[0]):
            queue.popleft()
        batch: list[_Queued] = []
        for entry in queue:
            if len(batch) >= limit:
                break
            if self._droppable(entry):
                continue
            if batch and entry.update_id < batch[-1].update_id:
                break  # a re-delivered (lower) id starts its own batch
            batch.append(entry)
        return batch

    async def _m_setWebhook(self, p: dict[str, Any], request: web.Request) -> Any:
        url = p.get("url") or ""
        secret = p.get("secret_token")
        if secret is not None and not _SECRET_TOKEN_RE.match(str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        if url and not str(url).startswith(("http://", "https://")):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        if p.get("drop_pending_updates"):
            self._queue.clear()
        allowed = p.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) if allowed else DEFAULT_ALLOWED_UPDATES
        self._webhook = {
            "url": url,
            "secret_token": secret,
            "max_connections": p.get("max_connections", 40),
            "allowed_updates": allowed,
        }
        self._wake_pollers()
        if url and self.push_webhooks and (self._pump is None or self._pump.done()):
            self._pump = asyncio.create_task(self._pump_webhook())
        return True

    async def _m_deleteWebhook(self, p: dict[str, Any], request: web.Request) -> Any:
        if p.get("drop_pending_updates"):
            self._queue.clear()
        self._webhook = {"url": "", "secret_token": None, "max_connections": 40}
        return True

    async def _m_getWebhookInfo(self, p: dict[str, Any], request: web.Request) -> Any:
        info: dict[str, Any] = {
            "url": self._webhook["url"],
            "has_custom_certificate": False,
            "pending_update_count": len(self.pending_updates()),
        }
        if self._webhook["url"]:
            info["max_connections"] = self._webhook.get("max_connections") or 40
            if self._webhook.get("allowed_updates"):
                info["allowed_updates"] = self._webhook["allowed_updates"]
        return info

    async def _m_sendMessage(self, p: dict[str, Any], request: web.Request) -> Any:
        chat_id = self._chat_id(p)
        if isinstance(chat_id, int) and chat_id > 0 and chat_id not in self._seen and chat_id not in self._started:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        text = self._need(p, "text", "Bad Request: message text is empty")
        text, entities = self._render(str(text), p.get("parse_mode"), p.get("entities"), limit=4096, what="text")
        return self._bot_message(chat_id, p, text=text, entities=entities)

    async def _m_sendDocument(self, p: dict[str, Any], request: web.Request) -> Any:
        chat_id = self._chat_id(p)
        document = self._need(p, "document", "Bad Request: there is no document in the request")
        caption, caption_entities = None, []
        if p.get("caption"):
            caption, caption_entities = self._render(
                str(p["caption"]), p.get("parse_mode"), p.get("caption_entities"), limit=1024, what="caption"
            )
        n = next(self._file_ids)
        if isinstance(document, UploadedFile):
            doc = {
                "file_id": f"BQACAgIAAxkDAAI{n:08d}",
                "file_unique_id": f"AgAD{n:08d}",
                "file_name": document.filename or "file",
                "mime_type": document.content_type or "application/octet-stream",
                "file_size": document.size,
            }
        else:
            doc = {"file_id": str(document), "file_unique_id": f"AgAD{n:08d}"}
        msg = self._bot_message(chat_id, p, document=doc, caption=caption, caption_entities=caption_entities)
        upload = document if isinstance(document, UploadedFile) else None
        self._documents.append(
            {
                "chat_id": chat_id,
                "filename": upload.filename if upload else None,
                "content": upload.content if upload else None,
                "content_type": upload.content_type if upload else None,
                "file_id": doc["file_id"],
                "caption": p.get("caption"),
                "message": msg,
            }
        )
        return msg

    async def _m_editMessageText(self, p: dict[str, Any], request: web.Request) -> Any:
        text = self._need(p, "text", "Bad Request: message text is empty")
        text, entities = self._render(str(text), p.get("parse_mode"), p.get("entities"), limit=4096, what="text")
        markup = p.get("reply_markup")
        _validate_markup(markup)
        if p.get("inline_message_id"):
            return True
        chat_id, mid, msg = self._editable(p)
        if "text" not in msg:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        markup = _normalize_markup(markup)
        if text == msg.get("text") and entities == msg.get("entities", []) and markup == msg.get("reply_markup"):
            raise ApiError(400, NOT_MODIFIED)
        return self._store_edit(chat_id, mid, msg, {"text": text, "entities": entities, "reply_markup": markup})

    async def _m_editMessageCaption(self, p: dict[str, Any], request: web.Request) -> Any:
        caption, entities = self._render(
            str(p.get("caption") or ""), p.get("parse_mode"), p.get("caption_entities"), limit=1024, what="caption"
        )
        markup = p.get("reply_markup")
        _validate_markup(markup)
        if p.get("inline_message_id"):
            return True
        chat_id, mid, msg = self._editable(p)
        if "text" in msg:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        markup = _normalize_markup(markup)
        if (
            caption == msg.get("caption", "")
            and entities == msg.get("caption_entities", [])
            and markup == msg.get("reply_markup")
        ):
            raise ApiError(400, NOT_MODIFIED)
        return self._store_edit(
            chat_id, mid, msg, {"caption": caption or None, "caption_entities": entities, "reply_markup": markup}
        )

    async def _m_editMessageReplyMarkup(self, p: dict[str, Any], request: web.Request) -> Any:
        markup = p.get("reply_markup")
        _validate_markup(markup)
        if p.get("inline_message_id"):
            return True
        chat_id, mid, msg = self._editable(p)
        markup = _normalize_markup(markup)
        if markup == msg.get("reply_markup"):
            raise ApiError(400, NOT_MODIFIED)
        return self._store_edit(chat_id, mid, msg, {"reply_markup": markup})

    async def _m_deleteMessage(self, p: dict[str, Any], request: web.Request) -> Any:
        chat_id = self._chat_id(p)
        mid = self._message_id(p)
        if self._messages.pop((chat_id, mid), None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    async def _m_answerCallbackQuery(self, p: dict[str, Any], request: web.Request) -> Any:
        query_id = str(self._need(p, "callback_query_id", QUERY_INVALID))
        text = p.get("text")
        if isinstance(text, str) and len(text) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        if self.strict_callbacks and (query_id not in self._open_callbacks or query_id in self._answered_callbacks):
            raise ApiError(400, QUERY_INVALID)
        self._answered_callbacks.add(query_id)
        return True

    async def _m_pinChatMessage(self, p: dict[str, Any], request: web.Request) -> Any:
        chat_id = self._chat_id(p)
        mid = self._message_id(p)
        if (chat_id, mid) not in self._messages:
            raise ApiError(400, "Bad Request: message to pin not found")
        pinned = self._pinned.setdefault(chat_id, [])
        if mid in pinned:
            pinned.remove(mid)
        pinned.append(mid)
        return True

    async def _m_unpinChatMessage(self, p: dict[str, Any], request: web.Request) -> Any:
        chat_id = self._chat_id(p)
        pinned = self._pinned.setdefault(chat_id, [])
        mid = p.get("message_id")
        if isinstance(mid, int):
            if mid in pinned:
                pinned.remove(mid)
        elif pinned:
            pinned.pop()
        return True

    async def _m_unpinAllChatMessages(self, p: dict[str, Any], request: web.Request) -> Any:
        self._pinned.pop(self._chat_id(p), None)
        return True

    async def _m_setMyCommands(self, p: dict[str, Any], request: web.Request) -> Any:
        commands = p.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, 'Bad Request: parameter "commands" is required')
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands specified")
        for cmd in commands:
            if not isinstance(cmd, Mapping) or not _BOT_COMMAND_NAME_RE.match(str(cmd.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(cmd.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: command description must be non-empty")
        key = (self._scope_key(p.get("scope")), str(p.get("language_code") or ""))
        self._commands[key] = [dict(c) for c in commands]
        return True

    async def _m_getMyCommands(self, p: dict[str, Any], request: web.Request) -> Any:
        key = (self._scope_key(p.get("scope")), str(p.get("language_code") or ""))
        return list(self._commands.get(key, []))

    async def _m_deleteMyCommands(self, p: dict[str, Any], request: web.Request) -> Any:
        key = (self._scope_key(p.get("scope")), str(p.get("language_code") or ""))
        self._commands.pop(key, None)
        return True

    async def _m_getFile(self, p: dict[str, Any], request: web.Request) -> Any:
        file_id = str(p.get("file_id", ""))
        if file_id not in self.user_files:
            raise ApiError(400, "Bad Request: invalid file_id")
        size = len(self.user_files[file_id])
        return {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "file_size": size,
            "file_path": f"photos/{file_id}",
        }

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        """The download of a file `getFile` described: `{base}/file/bot{token}/{file_path}`."""
        file_id = request.match_info["path"].rsplit("/", 1)[-1]
        if request.match_info["token"] != self.token or file_id not in self.user_files:
            return web.Response(status=404)
        return web.Response(body=self.user_files[file_id])

    async def _m_getChatMember(self, p: dict[str, Any], request: web.Request) -> Any:
        chat_id = self._chat_id(p)
        user_id = p.get("user_id")
        if not isinstance(user_id, int):
            raise ApiError(400, "Bad Request: invalid user_id specified")
        return self.chat_member(chat_id, user_id)

    async def _m_getChatAdministrators(self, p: dict[str, Any], request: web.Request) -> Any:
        chat_id = self._chat_id(p)
        if self._chat(chat_id)["type"] == "private":
            raise ApiError(400, "Bad Request: there are no administrators in the private chat")
        admins = [
            m for (cid, _), m in self._members.items() if cid == chat_id and m["status"] in ("creator", "administrator")
        ]
        owner = _user_dict(self.group_owner) if self.group_owner is not None else None
        if owner is not None and (chat_id, owner["id"]) not in self._members:
            admins.append(member_dict(owner, "creator"))
        return admins

    async def _m_getChatMemberCount(self, p: dict[str, Any], request: web.Request) -> Any:
        chat_id = self._chat_id(p)
        return max(len(self._seen.get(chat_id, ())) + 1, 2)

    async def _m_getChat(self, p: dict[str, Any], request: web.Request) -> Any:
        chat_id = self._chat_id(p)
        info = dict(self._chat(chat_id))
        info.setdefault("accent_color_id", 0)
        info.setdefault("max_reaction_count", 11)
        info.setdefault(
            "accepted_gift_types",
            {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        pinned = self._pinned.get(chat_id)
        if pinned and (chat_id, pinned[-1]) in self._messages:
            info["pinned_message"] = dict(self._messages[(chat_id, pinned[-1])])
        return info

    async def _m_setMessageReaction(self, p: dict[str, Any], request: web.Request) -> Any:
        chat_id = self._chat_id(p)
        mid = self._message_id(p)
        reaction = p.get("reaction") or []
        if not isinstance(reaction, list):
            raise ApiError(400, "Bad Request: REACTION_INVALID")
        self._reactions[(chat_id, mid)] = reaction
        return True

    async def _m_leaveChat(self, p: dict[str, Any], request: web.Request) -> Any:
        chat_id = self._chat_id(p)
        self._members[(chat_id, self.bot_id)] = member_dict(self.bot_user, "left")
        self.fail_forbidden(chat_id, "Forbidden: bot is not a member of the group chat")
        return True

    async def _m_sendChatAction(self, p: dict[str, Any], request: web.Request) -> Any:
        self._chat_id(p)
        self._need(p, "action", "Bad Request: wrong parameter action in request")
        return True

    # -- HTTP: control API --------------------------------------------------------------------

    async def _handle_health(self, request: web.Request) -> web.Response:
        return self._reply(
            200, {"ok": True, "result": {"base_url": self.base_url, "token": self.token, "bot": self.bot_user}}
        )

    async def _handle_control(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        try:
            kwargs = await request.json() if request.can_read_body else {}
        except ValueError:
            return self._reply(400, {"ok": False, "description": "body must be a JSON object"})
        if not isinstance(kwargs, dict):
            return self._reply(400, {"ok": False, "description": "body must be a JSON object"})
        if name == "shutdown":
            self.shutdown_requested.set()
            return self._reply(200, {"ok": True, "result": True})
        if name not in CONTROL_METHODS:
            return self._reply(404, {"ok": False, "description": f"unknown control {name!r}"})
        try:
            result = getattr(self, name)(**kwargs)
            if inspect.isawaitable(result):
                result = await result
        except TimeoutError as exc:
            return self._reply(504, {"ok": False, "description": str(exc)})
        except (TypeError, ValueError, LookupError) as exc:
            return self._reply(400, {"ok": False, "description": f"{type(exc).__name__}: {exc}"})
        return self._reply(200, {"ok": True, "result": _jsonable(result)})


_MISSING = object()

#: Methods of :class:`FakeBotApi` reachable as ``POST /_control/<name>`` (plus ``shutdown``
#: and ``GET /_control/health``).
CONTROL_METHODS = frozenset(
    {
        "push_command",
        "push_text",
        "push_callback",
        "push_migration",
        "push_my_chat_member",
        "push_chat_member",
        "start_private",
        "push_raw",
        "push_batch",
        "push_many",
        "fail",
        "fail_chat_migrated",
        "fail_forbidden",
        "clear_faults",
        "faults",
        "reset",
        "set_chat",
        "set_chat_member",
        "chat_member",
        "mark_too_old",
        "calls",
        "sent_messages",
        "edits",
        "callback_answers",
        "documents",
        "message",
        "commands",
        "pinned",
        "pending_updates",
        "webhook_info",
        "wait_for",
        "wait_for_polling",
        "deliver_webhook",
    }
)


# --------------------------------------------------------------------------------------------
# Out-of-process use
# --------------------------------------------------------------------------------------------


class FakeBotApiClient:
    """Drives a fake server in another process through its control API.

    Every name in :data:`CONTROL_METHODS` is an ``async`` method with the signature of the
    :class:`FakeBotApi` method of that name (no ``predicate`` for ``wait_for``); results are
    JSON (calls are dicts, uploaded files ``{"__upload__": true, "content_b64": ...}``).
    Failures raise ``TimeoutError`` (``wait_for``) or ``RuntimeError``.
    """

    def __init__(self, base_url: str, token: str = DEFAULT_TOKEN) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._session: ClientSession | None = None

    def bot_kwargs(self) -> dict[str, str]:
        return {"token": self.token, "base_url": f"{self.base_url}/bot", "base_file_url": f"{self.base_url}/file/bot"}

    async def _request(self, name: str, kwargs: Mapping[str, Any]) -> Any:
        if self._session is None or self._session.closed:
            self._session = ClientSession()
        timeout = float(kwargs.get("timeout", 5.0)) + 10.0
        async with self._session.post(
            f"{self.base_url}/_control/{name}",
            data=_dumps(kwargs).encode(),
            headers={"Content-Type": "application/json"},
            timeout=ClientTimeout(total=timeout),
        ) as resp:
            body = await resp.json()
        if resp.status == 504:
            raise TimeoutError(body.get("description"))
        if not body.get("ok"):
            raise RuntimeError(f"control {name} failed ({resp.status}): {body.get('description')}")
        return body["result"]

    async def health(self) -> dict[str, Any]:
        if self._session is None or self._session.closed:
            self._session = ClientSession()
        async with self._session.get(f"{self.base_url}/_control/health") as resp:
            return (await resp.json())["result"]

    async def shutdown(self) -> None:
        await self._request("shutdown", {})

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        if name not in CONTROL_METHODS:
            raise AttributeError(name)
        signature = inspect.signature(getattr(FakeBotApi, name))

        async def invoke(*args: Any, **kwargs: Any) -> Any:
            bound = signature.bind(None, *args, **kwargs)
            payload: dict[str, Any] = {}
            for pname, value in bound.arguments.items():
                if pname == "self":
                    continue
                if signature.parameters[pname].kind is inspect.Parameter.VAR_KEYWORD:
                    payload.update(value)
                elif pname == "predicate":
                    raise TypeError("predicates cannot cross processes; use method=/params=")
                else:
                    payload[pname] = value
            return await self._request(name, payload)

        invoke.__name__ = name
        return invoke


class FakeBotApiProcess:
    """Runs ``python -m tests.fakes.fake_bot_api`` in a subprocess.

    ``async with FakeBotApiProcess() as fake:`` — ``fake.base_url``, ``fake.token``,
    ``fake.bot_kwargs()`` and every :class:`FakeBotApiClient` coroutine (``await
    fake.push_command(...)``, ``await fake.calls("sendMessage")``...).
    """

    def __init__(
        self,
        *,
        port: int = 0,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "yishi_test_bot",
        strict_callbacks: bool = True,
        startup_timeout: float = 15.0,
        python: str = sys.executable,
    ) -> None:
        self.port = port
        self.token = token
        self.bot_username = bot_username
        self.strict_callbacks = strict_callbacks
        self.startup_timeout = startup_timeout
        self.python = python
        self.process: asyncio.subprocess.Process | None = None
        self.client: FakeBotApiClient | None = None
        self.base_url = ""

    async def __aenter__(self) -> FakeBotApiProcess:
        args = [
            self.python,
            "-m",
            "tests.fakes.fake_bot_api",
            "--port",
            str(self.port),
            "--token",
            self.token,
            "--bot-username",
            self.bot_username,
        ]
        if not self.strict_callbacks:
            args.append("--lenient-callbacks")
        self.process = await asyncio.create_subprocess_exec(*args, cwd=str(REPO_ROOT), stdout=asyncio.subprocess.PIPE)
        try:
            assert self.process.stdout is not None
            while True:
                line = await asyncio.wait_for(self.process.stdout.readline(), self.startup_timeout)
                if not line:
                    raise RuntimeError("fake Bot API process exited during start-up")
                text = line.decode().strip()
                if text.startswith(LISTENING_PREFIX):
                    self.base_url = text[len(LISTENING_PREFIX) :]
                    break
        except BaseException:
            await self._terminate()
            raise
        self.client = FakeBotApiClient(self.base_url, self.token)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.client is not None:
            with contextlib.suppress(Exception):
                await self.client.shutdown()
            await self.client.close()
        await self._terminate()

    async def _terminate(self) -> None:
        proc = self.process
        if proc is None or proc.returncode is not None:
            return
        try:
            await asyncio.wait_for(proc.wait(), 5.0)
        except TimeoutError:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 5.0)
            except TimeoutError:
                proc.kill()
                await proc.wait()

    def bot_kwargs(self) -> dict[str, str]:
        assert self.client is not None
        return self.client.bot_kwargs()

    def __getattr__(self, name: str) -> Any:
        client = self.__dict__.get("client")
        if client is None or name not in CONTROL_METHODS:
            raise AttributeError(name)
        return getattr(client, name)


async def _serve(args: argparse.Namespace) -> None:
    api = FakeBotApi(
        host=args.host,
        port=args.port,
        token=args.token,
        bot_username=args.bot_username,
        strict_callbacks=not args.lenient_callbacks,
    )
    async with api:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, api.shutdown_requested.set)
        print(f"{LISTENING_PREFIX}{api.base_url}", flush=True)
        await api.shutdown_requested.wait()
        await asyncio.sleep(0.05)  # let the shutdown answer go out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fake Telegram Bot API server (tests only)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="defines the bot's identity")
    parser.add_argument("--bot-username", default="yishi_test_bot")
    parser.add_argument(
        "--lenient-callbacks", action="store_true", help="accept answers to unknown/answered callback queries"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
