"""The WeCom self-built app (自建应用): encrypted callbacks in, passive replies and message/send out.

Members talk to the app one-to-one, in Chinese words or slash commands (`提议 …`, `附议 3`,
`赞成 3`, `/motion …`); each line becomes the dispatcher's slash command. Which council a member
deliberates in: a link table (`WECOM_COUNCIL_LINKS="userid=chat,…"`), else the default council
`WECOM_COUNCIL_CHAT` — its chat key is "wecom:<chat>" and members are "wecom:<userid>".
What the council should hear (motion cards, ballots, results) goes through the outbox: the desk
queues results and notices with the change, this app queues the rest of the public replies, and
`WeComSender` (bot/wecom/sender.py) delivers them through the group robot, or to every member, retrying
what fails. When a ballot opens, every member who may vote gets a personal signed link to the H5 page.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

import aiohttp
import xmltodict
from aiohttp import web
from wechatpy.enterprise.crypto import WeChatCrypto
from wechatpy.enterprise.replies import TextReply
from wechatpy.exceptions import InvalidSignatureException

from deliberation import errors
from deliberation.usecases import ballot_for

from ..capabilities import WECOM_APP, clean_incoming, fit_reply, motion_numbers, split_text
from ..desk import Desk as Dispatcher
from ..desk.messages import Incoming, Reply, Response
from ..desk.parsing import split_number
from ..i18n import Translator
from ..outbox import OutboxDrainer, TemporaryFailure
from .sender import PLATFORM, may_vote
from .settings import WeComSettings
from .web import BallotLinks

log = logging.getLogger(__name__)

# Chinese (simplified and traditional) command words -> the dispatcher's slash commands.
WORDS: dict[str, str] = {
    "提议": "motion",
    "提議": "motion",
    "动议": "motion",
    "動議": "motion",
    "附议": "second",
    "附議": "second",
    "赞成": "yes",
    "贊成": "yes",
    "同意": "yes",
    "反对": "no",
    "反對": "no",
    "弃权": "abstain",
    "棄權": "abstain",
    "发言": "speak",
    "發言": "speak",
    "支持": "for",
    "正方": "for",
    "反方": "against",
    "修正": "amend",
    "修改": "amend",
    "撤回": "withdraw",
    "表决": "vote",
    "表決": "vote",
    "付表决": "vote",
    "结束表决": "close",
    "結束表決": "close",
    "截止": "close",
    "开通": "setup",
    "開通": "setup",
    "加入": "join",
    "登记": "join",
    "登記": "join",
    "批准": "approve",
    "主持人": "chair",
    "秘书": "secretary",
    "秘書": "secretary",
    "成员": "members",
    "成員": "members",
    "规则": "rules",
    "規則": "rules",
    "设置": "set",
    "設定": "set",
    "状态": "status",
    "狀態": "status",
    "议题": "status",
    "議題": "status",
    "查看": "show",
    "详情": "show",
    "詳情": "show",
    "核验": "verify",
    "核驗": "verify",
    "帮助": "help",
    "幫助": "help",
    "菜单": "help",
    "選單": "help",
    "语言": "lang",
    "語言": "lang",
    "公示": "publish",
    "纪要": "minutes",
    "紀要": "minutes",
    "议事厅": "web",  # my personal link to the hall (bot.hall)
    "議事廳": "web",
}
# Words the app answers itself (not a dispatcher command): "选票 3" sends my ballot link again.
LINK_WORDS = {"选票", "選票", "投票链接", "投票鏈接", "ballot"}
_WORD = re.compile(
    "^("
    + "|".join(sorted(map(re.escape, set(WORDS) | LINK_WORDS), key=len, reverse=True))
    + r")(?=$|[\s:：,，#＃第\d])[\s:：,，]*(.*)$",
    re.S,
)


def to_command(text: str) -> tuple[str, str] | None:
    """ "赞成 3" -> ("/yes 3", ""); "/motion 装灯" -> ("/motion 装灯", ""); "选票 3" -> ("", "3"); else None.

    Returns (slash command, "") for the dispatcher, or ("", args) for a ballot-link request.
    """
    text = text.strip().replace("\u3000", " ")
    if text.startswith(("／", "/")):
        return "/" + text[1:], ""
    match = _WORD.match(text)
    if not match:
        return None
    word, rest = match.group(1), match.group(2).strip()
    if word in LINK_WORDS:
        return "", rest
    return f"/{WORDS[word]} {rest}".rstrip(), ""


class ReplayGuard:
    """Refuses callbacks whose timestamp is outside the window, and any (timestamp, nonce) seen before."""

    def __init__(self, window_seconds: int = 300, now: Callable[[], float] = time.time, size: int = 10_000) -> None:
        self.window = window_seconds
        self.now = now
        self.size = size
        self.seen: OrderedDict[tuple[str, str], float] = OrderedDict()

    def admit(self, timestamp: str, nonce: str) -> bool:
        try:
            stamp = int(timestamp)
        except (TypeError, ValueError):
            return False
        now = self.now()
        if abs(now - stamp) > self.window or not nonce:
            return False
        while self.seen and next(iter(self.seen.values())) < now - 2 * self.window:
            self.seen.popitem(last=False)
        key = (timestamp, nonce)
        if key in self.seen:
            return False
        self.seen[key] = now
        if len(self.seen) > self.size:
            self.seen.popitem(last=False)
        return True


class WeComApiError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"WeCom errcode {code}: {message}")
        self.code = code


class WeComApi:
    """The few server API calls the app needs: gettoken (cached), message/send, user/get."""

    def __init__(
        self,
        settings: WeComSettings,
        *,
        http: aiohttp.ClientSession | None = None,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.base = settings.api_base.rstrip("/")
        self._http = http
        self._own_http = http is None
        self.now = now
        self._token: tuple[str, float] | None = None
        self._token_lock = asyncio.Lock()
        self._names: dict[str, str] = {}
        self.token_fetches = 0

    async def _session(self) -> aiohttp.ClientSession:
        if self._http is None:
            self._http = aiohttp.ClientSession()
        return self._http

    async def token(self, *, fresh: bool = False) -> str:
        async with self._token_lock:
            if not fresh and self._token and self._token[1] > self.now():
                return self._token[0]
            http = await self._session()
            params = {"corpid": self.settings.corp_id, "corpsecret": self.settings.secret.get_secret_value()}
            async with http.get(
                f"{self.base}/cgi-bin/gettoken", params=params, timeout=aiohttp.ClientTimeout(total=15)
            ) as response:
                answer = await response.json(content_type=None)
            if int(answer.get("errcode", 0)) != 0:
                raise WeComApiError(int(answer["errcode"]), answer.get("errmsg", ""))
            self.token_fetches += 1
            # renew five minutes early: a token that expires mid-request fails the send
            self._token = (answer["access_token"], self.now() + int(answer.get("expires_in", 7200)) - 300)
            return self._token[0]

    async def call(self, method: str, path: str, *, json: dict | None = None, params: dict | None = None) -> dict:
        for attempt in range(2):
            token = await self.token(fresh=attempt > 0)
            http = await self._session()
            try:
                async with http.request(
                    method,
                    f"{self.base}/cgi-bin/{path}",
                    params={"access_token": token, **(params or {})},
                    json=json,
                    timeout=aiohttp.ClientTimeout(total=15),
                ) as response:
                    if response.status >= 500:
                        raise TemporaryFailure(f"wecom: HTTP {response.status}")
                    answer = await response.json(content_type=None)
            except (TimeoutError, aiohttp.ClientError) as failure:
                raise TemporaryFailure(f"wecom: {failure!r}") from failure
            code = int(answer.get("errcode", 0))
            if code in (40014, 42001, 40001) and attempt == 0:
                continue  # the token was revoked or expired early: fetch a new one once
            if code in (45009, 45033, -1):
                raise TemporaryFailure(f"wecom: errcode {code}", retry_after=60.0)
            if code != 0:
                raise WeComApiError(code, answer.get("errmsg", ""))
            return answer
        raise WeComApiError(42001, "access_token expired")

    async def send_text(self, user_id: str, text: str) -> None:
        await self.call(
            "POST",
            "message/send",
            json={"touser": user_id, "msgtype": "text", "agentid": self.settings.agent_id, "text": {"content": text}},
        )

    async def user_name(self, user_id: str) -> str:
        """The member's name in the corp directory (the user id when the app may not read it)."""
        if user_id not in self._names:
            try:
                answer = await self.call("GET", "user/get", params={"userid": user_id})
                self._names[user_id] = str(answer.get("name") or user_id)[:64]
            except (WeComApiError, TemporaryFailure):
                return user_id
        return self._names[user_id]

    async def close(self) -> None:
        if self._own_http and self._http is not None:
            await self._http.close()
            self._http = None


class CouncilLinks:
    """Which council chat a WeCom member deliberates in: their link, else the default."""

    def __init__(self, default_chat: str, links: dict[str, str] | None = None) -> None:
        self.default_chat = default_chat
        self.links = dict(links or {})

    @classmethod
    def parse(cls, default_chat: str, text: str) -> CouncilLinks:
        links = {}
        for item in re.split(r"[,，;\s]+", text.strip()):
            user, sep, chat = item.partition("=")
            if sep and user.strip() and chat.strip():
                links[user.strip()] = chat.strip()
        return cls(default_chat, links)

    def chat_for(self, user_id: str) -> str:
        return self.links.get(user_id, self.default_chat)


# Queues a council's public replies in the outbox, committed at once: (chat key, council id, replies) -> row ids.
Queue = Callable[[str, int, list[Reply]], Awaitable[list[int]]]


def _cdata_safe(text: str) -> str:
    return text.replace("]]>", "]]]]><![CDATA[>")


class WeComApp:
    """The callback endpoint and everything it answers with."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        settings: WeComSettings,
        *,
        api: WeComApi,
        links: BallotLinks,
        drainer: OutboxDrainer,
        queue: Queue,
        councils: CouncilLinks | None = None,
        wall_clock: Callable[[], float] | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self.settings = settings
        self.api = api
        self.links = links
        self.drainer = drainer
        self.queue = queue
        self.councils = councils or CouncilLinks.parse(settings.council_chat, settings.council_links)
        self.on_changed: list[Callable[[], None]] = []  # the alarm's poke: a deadline made now is planned at once
        if len(settings.aes_key) != 43 or not settings.token or not settings.corp_id:
            raise ValueError("set WECOM_CORP_ID, WECOM_TOKEN and WECOM_AES_KEY (the 43-character EncodingAESKey)")
        self.crypto = WeChatCrypto(settings.token, settings.aes_key, settings.corp_id)
        now = wall_clock or (lambda: dispatcher.clock().timestamp())
        self.guard = ReplayGuard(settings.callback_window_seconds, now)
        self.now = now
        self._tasks: set[asyncio.Task] = set()
        self.failures: list[BaseException] = []

    def routes(self, path: str = "/wecom/callback") -> list[web.RouteDef]:
        return [web.get(path, self.verify_url), web.post(path, self.callback)]

    # ---- the callback ----------------------------------------------------------------------

    async def verify_url(self, request: web.Request) -> web.Response:
        """URL verification when the app's callback is saved: answer the decrypted echostr."""
        q = request.query
        try:
            echo = self.crypto.check_signature(
                q.get("msg_signature", ""), q.get("timestamp", ""), q.get("nonce", ""), q.get("echostr", "")
            )
        except Exception:  # InvalidSignatureException, or an echostr that does not decrypt
            return web.Response(status=403, text="bad signature")
        if not self.guard.admit(q.get("timestamp", ""), q.get("nonce", "")):
            return web.Response(status=403, text="stale or replayed")
        return web.Response(text=echo if isinstance(echo, str) else echo.decode())

    async def callback(self, request: web.Request) -> web.Response:
        q = request.query
        signature, timestamp, nonce = q.get("msg_signature", ""), q.get("timestamp", ""), q.get("nonce", "")
        try:
            body = (await request.read()).decode("utf-8")
        except UnicodeDecodeError:  # WeCom sends UTF-8 XML; anything else is not WeCom
            return web.Response(status=400, text="bad message")
        try:
            plain = self.crypto.decrypt_message(body, signature, timestamp, nonce)
        except InvalidSignatureException:
            return web.Response(status=403, text="bad signature")
        except Exception:
            return web.Response(status=400, text="bad message")
        # after the signature: a forger cannot fill the nonce cache
        if not self.guard.admit(timestamp, nonce):
            return web.Response(status=403, text="stale or replayed")
        try:
            message = xmltodict.parse(plain)["xml"]
        except Exception:
            return web.Response(status=400, text="bad message")
        user_id = str(message.get("FromUserName") or "")
        if not user_id:
            return web.Response(text="")
        answer = await self.on_message(user_id, message)
        if not answer:
            return web.Response(text="")  # an empty 200: WeCom shows nothing and does not retry
        reply_xml = TextReply(
            source=self.settings.corp_id, target=user_id, content=_cdata_safe(answer), agent=self.settings.agent_id
        ).render()
        return web.Response(
            text=self.crypto.encrypt_message(reply_xml, nonce, timestamp), content_type="application/xml"
        )

    # ---- what a member said ----------------------------------------------------------------

    def _incoming(self, user_id: str, name: str, text: str, msg_id: str | None) -> Incoming:
        chat = self.councils.chat_for(user_id)
        return clean_incoming(
            Incoming(
                PLATFORM,
                chat,
                user_id,
                name,
                text=text,
                chat_title=self.settings.council_title,
                chat_is_group=True,
                username=user_id,
                is_admin=user_id in self.settings.admin_ids,  # WECOM_ADMINS set up councils and chair them
                update_key=f"wecom:{self.settings.agent_id}:{msg_id}" if msg_id else None,
            )
        )

    async def on_message(self, user_id: str, message: dict) -> str:
        """The passive reply to one message (the rest goes out through message/send)."""
        kind = str(message.get("MsgType") or "")
        chat_key = f"{PLATFORM}:{self.councils.chat_for(user_id)}"
        t = Translator(await self._locale(chat_key))
        if kind == "event":
            event = str(message.get("Event") or "")
            return t("wecom.app.welcome") if event in ("enter_agent", "subscribe") else ""
        if kind != "text":
            return t("wecom.app.text_only")
        command = to_command(str(message.get("Content") or ""))
        if command is None:
            return t("wecom.app.unknown")
        name = await self.api.user_name(user_id)
        slash, link_args = command
        incoming = self._incoming(user_id, name, slash, message.get("MsgId"))
        if not slash:
            return await self._my_ballot_link(incoming, link_args, t)
        response = await self.dispatcher.handle(incoming)
        if response.duplicate:
            return ""
        if not response.refused:
            for listener in self.on_changed:
                listener()
        return await self._answer(incoming, response)

    async def _locale(self, chat_key: str) -> str:
        async with self.dispatcher.uow() as uow:
            council = await uow.councils.by_chat(chat_key)
        return council.locale if council else self.dispatcher.default_locale

    async def _answer(self, incoming: Incoming, response: Response) -> str:
        replies = list(response.replies)
        if response.popup and not replies:
            replies = [Reply(response.popup, private=True)]
        if not replies:
            return ""
        async with self.dispatcher.uow() as uow:
            numbers = await motion_numbers(uow, replies)
            council = await uow.councils.by_chat(incoming.chat_key)
            me = await uow.members.by_user(council.id, incoming.user_key) if council else None
        locale = response.locale
        my_link = (lambda ballot_id: self.links.url(ballot_id, me.id)) if me and may_vote(council, me) else None
        texts = []
        for reply in replies:
            for part in fit_reply(reply, WECOM_APP, locale=locale, numbers=numbers, ballot_link=my_link):
                texts.append(f"【{part.title}】\n{part.text}" if part.title else part.text)
        # The desk queued results and notices with the change; the rest of what the council hears is queued now.
        public = [r for r in replies if not r.private and not r.announce]
        queued = await self.queue(incoming.chat_key, council.id, public) if public and council is not None else []
        if response.announced or queued:
            self._spawn(self.drainer.deliver(sorted(response.announced + queued)))
        pieces = split_text("\n\n".join(texts), WECOM_APP.max_text_bytes)
        for extra in pieces[1:]:  # a passive reply is one message: the rest follows by message/send
            self._spawn(self.api.send_text(incoming.user_id, extra))
        return pieces[0]

    async def _my_ballot_link(self, incoming: Incoming, args: str, t: Translator) -> str:
        try:
            number, _ = split_number(args)
        except errors.DeliberationError as refused:
            return t(refused.key, **refused.params)
        async with self.dispatcher.uow() as uow:
            council = await uow.councils.by_chat(incoming.chat_key)
            if council is None:
                return t("error.council_missing")
            member = await uow.members.by_user(council.id, incoming.user_key)
            if member is None:
                return t("error.not_member")
            try:
                ballot = await ballot_for(uow, council, number)
            except errors.DeliberationError:
                return t("wecom.app.no_ballot")
            motion = await uow.motions.get(ballot.motion_id)
        return t("wecom.app.your_link", number=motion.number, url=self.links.url(ballot.id, member.id))

    # ---- what the council hears ----------------------------------------------------------

    async def announce(self, chat_key: str, replies: list[Reply]) -> None:
        """For the H5 pages: a vote there that closes a ballot; the desk queued its result with the change."""
        public = [r for r in replies if not r.announce]
        if public:
            async with self.dispatcher.uow() as uow:
                council = await uow.councils.by_chat(chat_key)
            if council is not None:
                await self.queue(chat_key, council.id, public)
        self._spawn(self.drainer.drain_once())

    # ---- background work -------------------------------------------------------------------

    def _spawn(self, work: Awaitable[object]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        failure = None if task.cancelled() else task.exception()
        if failure is not None:
            log.error("WeCom background send failed", exc_info=failure)
            self.failures.append(failure)

    async def settle(self) -> None:
        """Wait for announcements and sends started so far (tests; and a clean shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
