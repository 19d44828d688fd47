"""The hall's routes: read the deliberation, sign in, and act through the same command desk as every platform.

Every action is a plain form: POST, then a redirect to a GET page that shows the desk's answer once
(POST-redirect-GET); a form without the session's CSRF token, or from a stranger, changes nothing.
"""

from __future__ import annotations

import base64
import logging
import secrets
import time
from collections.abc import Callable
from importlib import resources

from aiohttp import web

from deliberation import errors
from deliberation.delivery import AssignmentState, MeetingState
from deliberation.model import Council, MemberStatus
from deliberation.usecases import motion_history, open_items

from ..desk import Desk
from ..desk.messages import Incoming, Response
from ..desk.outbox_rows import enqueue_edit, enqueue_row
from ..i18n import LOCALES, Translator
from . import views
from .actions import command_for
from .live import Changes
from .minutes_page import MinutesPages
from .render import LANGS, card, e, notice, page
from .signin import GONE, Refused, SignIn, Visitor
from .wechat import WeChatLogin, WeChatPages

log = logging.getLogger(__name__)

LANG_COOKIE = "yishi_lang"
LANGUAGE_NAMES = {"zh_Hans": "简体中文", "zh_Hant": "繁體中文", "en": "English"}
EVENTS_LIFETIME = 600.0  # seconds; then the browser reconnects (and any worker may answer)


def _static(name: str) -> bytes:
    return resources.files("bot.hall").joinpath("static", name).read_bytes()


class Hall:
    """`Hall(desk, signin)`: aiohttp routes for every council's hall; `on_queued` wakes the outbox drainer."""

    def __init__(
        self,
        desk: Desk,
        signin: SignIn,
        *,
        on_queued: Callable[[], None] | None = None,
        changes: Changes | None = None,
        wechat: WeChatLogin | None = None,
        base_url: str = "",
    ) -> None:
        self.desk = desk
        self.signin = signin
        self.on_queued = on_queued
        self.changes = changes or Changes()
        self.wechat = wechat  # a configured WeChat Official Account recognises returning residents
        self.base_url = base_url.rstrip("/")
        self._css, self._js = _static("hall.css"), _static("hall.js")

    def routes(self) -> list[web.RouteDef]:
        wechat = WeChatPages(self, self.wechat).routes() if self.wechat is not None else []
        return (
            wechat
            + MinutesPages(self).routes()
            + [
                web.get("/h/static/hall.css", self.css),
                web.get("/h/static/hall.js", self.js),
                web.get("/h/{slug}", self.hall),
                web.get("/h/{slug}/m/{n}", self.motion),
                web.get("/h/{slug}/events", self.events),
                web.post("/h/{slug}/do", self.act),
                web.get("/h/{slug}/lang/{locale}", self.language),
                web.get("/h/{slug}/share/{n}", self.share),
                web.get("/h/{slug}/join", self.join_form),
                web.post("/h/{slug}/join", self.join),
                web.get("/h/{slug}/in/{token}", self.enter_form),
                web.post("/h/{slug}/in/{token}", self.enter),
            ]
        )

    async def css(self, _request: web.Request) -> web.Response:
        return web.Response(body=self._css, content_type="text/css", headers={"Cache-Control": "max-age=3600"})

    async def js(self, _request: web.Request) -> web.Response:
        return web.Response(
            body=self._js, content_type="application/javascript", headers={"Cache-Control": "max-age=3600"}
        )

    # ---- common -----------------------------------------------------------------------------------

    async def _council(self, request: web.Request) -> Council:
        async with self.desk.uow() as uow:
            council = await uow.hall.council_at(request.match_info["slug"])
        if council is None:
            raise web.HTTPNotFound()
        return council

    def _t(self, request: web.Request, council: Council) -> Translator:
        """The person's language when they chose one on this phone, else the council's."""
        chosen = request.cookies.get(LANG_COOKIE)
        return Translator(chosen if chosen in LOCALES else council.locale)

    async def language(self, request: web.Request) -> web.Response:
        await self._council(request)  # an unknown hall is not found
        locale, base = request.match_info["locale"], self._base(request)
        if locale not in LOCALES:
            raise web.HTTPNotFound()
        redirect = web.HTTPSeeOther(base)
        redirect.set_cookie(LANG_COOKIE, locale, max_age=10 * 365 * 86400, path=base, samesite="Lax")
        raise redirect

    def _base(self, request: web.Request) -> str:
        return f"/h/{request.match_info['slug']}"

    def _nav(self, t: Translator, base: str) -> str:
        languages = "".join(
            f'<a href="{e(base)}/lang/{locale}" lang="{LANGS[locale]}">{e(name)}</a>'
            for locale, name in LANGUAGE_NAMES.items()
            if locale != t.locale
        )
        hall, minutes = e(t("hall.nav.hall")), e(t("hall.nav.minutes"))
        return f'<a href="{e(base)}">{hall}</a><a href="{e(base)}/minutes">{minutes}</a>{languages}'

    async def _seen(self, visitor: Visitor | None) -> str:
        """The notice waiting for this device (shown once)."""
        if visitor is None or not visitor.flash:
            return ""
        await self.signin.flash(visitor, None)
        return notice(visitor.flash, visitor.flash_refused)

    async def _seq(self, council: Council) -> int:
        async with self.desk.uow() as uow:
            seq, _ = await uow.events.head(council.id)
        return int(seq)

    # ---- reading ----------------------------------------------------------------------------------

    async def hall(self, request: web.Request) -> web.Response:
        council = await self._council(request)
        t, base = self._t(request, council), self._base(request)
        visitor = await self.signin.visitor(request, council)
        async with self.desk.uow() as uow:
            items = []
            for motion in await open_items(uow, council):
                ballot = await uow.ballots.open_for_motion(motion.id)
                voted = await uow.votes.count(ballot.id) if ballot is not None else 0
                items.append(views.item_card(t, base, motion, ballot, voted))
            pending = [m for m in await uow.members.all(council.id) if m.status is MemberStatus.PENDING]
            delivering = [a for a in await uow.assignments.all(council.id) if a.state is not AssignmentState.CLOSED]
            meetings = await uow.meetings.in_state(council.id, MeetingState.SCHEDULED, MeetingState.OPEN)
            seq, _ = await uow.events.head(council.id)
        shown = await self._seen(visitor)
        body = (
            f"<h1>{e(t('hall.title', council=council.title))}</h1>{shown}"
            + views.who_card(t, base, visitor)
            + self._wechat_offer(request, t, base)
            + '<div id="live">'
            + (f"<h2>{e(t('hall.open_items'))}</h2>" + "".join(items) if items else card(e(t("hall.nothing_open"))))
            + views.delivery_list(t, base, council, delivering)
            + views.meetings_list(t, council, meetings)
            + "</div>"
            + views.move_form(t, base, visitor)
            + views.schedule_form(t, base, visitor)
            + views.chair_tools(t, base, visitor, pending)
            + views.secretary_tools(t, base, visitor)
            + views.rules_card(t, council)
        )
        return page(
            t, t("hall.title", council=council.title), body, nav=self._nav(t, base), events=f"{base}/events", seq=seq
        )

    async def motion(self, request: web.Request) -> web.Response:
        council = await self._council(request)
        t, base = self._t(request, council), self._base(request)
        number = request.match_info["n"]
        if not (number.isascii() and number.isdigit() and len(number) <= 9):
            raise web.HTTPNotFound()
        visitor = await self.signin.visitor(request, council)
        async with self.desk.uow() as uow:
            try:
                h = await motion_history(uow, council, int(number))
            except errors.DeliberationError:
                raise web.HTTPNotFound() from None
            mine: dict[int, str] = {}
            if visitor is not None:
                for ballot in h.ballots:
                    if ballot.open and not ballot.secret:
                        for _voter, member_id, choice, _area in await uow.votes.all(ballot.id):
                            if member_id == visitor.member.id:
                                mine[ballot.id] = choice.value
            assignment = await uow.assignments.by_motion(h.motion.id)
            members = await uow.members.all(council.id)
            seq, _ = await uow.events.head(council.id)
        now_open = next((b for b in h.ballots if b.open), None)
        shown = await self._seen(visitor)
        title = t("hall.motion_title", number=h.motion.number, kind=views.motion_views.kind_label(t, h.motion))
        body = (
            f"<h1>{e(title)}</h1>{shown}"
            + '<div id="live">'
            + views.motion_body(t, base, council, h, visitor, mine, assignment, now_open, members)
            + "</div>"
        )
        return page(t, title, body, nav=self._nav(t, base), events=f"{base}/events", seq=seq)

    async def events(self, request: web.Request) -> web.StreamResponse:
        """Server-sent events: "change" whenever the council's record (its chain) moves on.

        The chain head is read from the database, so a change made through any worker reaches every page;
        `Changes` says when to look (a PostgreSQL notification, or every second).
        """
        council = await self._council(request)
        last_id = request.headers.get("Last-Event-ID") or request.query.get("after", "0")
        last = int(last_id) if last_id.isascii() and last_id.isdigit() and len(last_id) < 12 else 0
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        )
        await response.prepare(request)
        await response.write(b"retry: 2000\n\n")
        started = time.monotonic()
        while time.monotonic() - started < EVENTS_LIFETIME:
            seq = await self._seq(council)
            if seq != last:
                last = seq
                await response.write(f"id: {seq}\nevent: change\ndata: {seq}\n\n".encode())
            else:
                await response.write(b": still here\n\n")
            await self.changes.wait(council.id)
        return response

    # ---- acting -----------------------------------------------------------------------------------

    def _incoming(
        self, council: Council, visitor: Visitor, text: str, data: str | None, once: object = None
    ) -> Incoming:
        platform, _, chat_id = council.chat_key.partition(":")
        user_platform, _, user_id = visitor.member.user_key.partition(":")
        return Incoming(
            platform,
            chat_id,
            user_id,
            visitor.member.name,
            text=text,
            data=data,
            chat_title=council.title,
            username=visitor.member.username,
            user_platform=user_platform,
            # each form carries its own nonce: the same form sent twice (a double tap) is done once
            update_key=f"hall:{once}" if isinstance(once, str) and 8 <= len(once) <= 32 and once.isascii() else None,
        )

    async def _announce(self, council: Council, response: Response) -> None:
        """What the desk wanted the group to see goes to the council's chat through the outbox."""
        public = [r for r in response.replies if not r.private and not r.announce]
        if public or response.edits:
            async with self.desk.uow() as uow:
                for reply in public:
                    await enqueue_row(
                        uow, chat_key=council.chat_key, reply=reply, at=self.desk.clock(), council_id=council.id
                    )
                for edit in response.edits:
                    await enqueue_edit(
                        uow, chat_key=council.chat_key, edit=edit, at=self.desk.clock(), council_id=council.id
                    )
                await uow.commit()
        if self.on_queued is not None and (public or response.edits or response.announced):
            self.on_queued()

    async def _refuse(self, t: Translator, key: str, status: int = 403) -> web.Response:
        return await self._refuse_text(t, t(key), status)

    async def _refuse_text(self, t: Translator, text: str, status: int = 403) -> web.Response:
        return page(t, t("hall.refused_title"), notice(text, True), status=status)

    async def act(self, request: web.Request) -> web.Response:
        council = await self._council(request)
        t, base = self._t(request, council), self._base(request)
        form = await request.post()
        visitor = await self.signin.visitor(request, council)
        if visitor is None:
            return await self._refuse(t, "hall.refused.stranger")
        if not self.signin.csrf_ok(visitor, form.get("csrf")):
            return await self._refuse(t, "hall.refused.csrf")
        asked = command_for(form)
        back = str(form.get("back", base))
        if not back.startswith(base):
            back = base
        if asked is None:
            await self.signin.flash(visitor, t("hall.refused.unknown"), True)
            raise web.HTTPSeeOther(back)
        text, data = asked
        response = await self.desk.handle(self._incoming(council, visitor, text, data, form.get("once")))
        await self._announce(council, response)
        await self.signin.flash(visitor, _answer(response, t), response.refused)
        raise web.HTTPSeeOther(back)

    async def share(self, request: web.Request) -> web.Response:
        """For the chair: the text, link and QR code of `/share N` (or `/share minutes`, the 公示), for WeChat."""
        council = await self._council(request)
        t, base = self._t(request, council), self._base(request)
        visitor = await self.signin.visitor(request, council)
        number = request.match_info["n"]
        if visitor is None:
            return await self._refuse(t, "hall.refused.stranger")
        if number != "minutes" and not (number.isascii() and number.isdigit() and len(number) <= 9):
            raise web.HTTPNotFound()
        response = await self.desk.handle(self._incoming(council, visitor, f"/share {number}", None))
        if response.refused or not response.documents:
            return page(t, t("hall.refused_title"), notice(_answer(response, t), True), nav=self._nav(t, base))
        text = response.replies[0].text
        image = base64.b64encode(response.documents[0].content).decode()
        body = f"<h1>{e(t('hall.share_title'))}</h1>" + card(
            f'<label for="share-text">{e(t("hall.share_copy"))}</label>'
            f'<textarea id="share-text" readonly rows="6">{e(text)}</textarea>'
            f'<img src="data:image/png;base64,{image}" alt="{e(t("hall.share_qr"))}" width="240" height="240">'
            f'<div class="muted">{e(response.documents[0].caption or "")}</div>'
        )
        return page(t, t("hall.share_title"), body, nav=self._nav(t, base))

    # ---- WeChat Official Account (snsapi_base) ---------------------------------------------------------

    def _wechat_offer(self, request: web.Request, t: Translator, base: str) -> str:
        if self.wechat is None or "MicroMessenger" not in request.headers.get("User-Agent", ""):
            return ""
        return card(f'<a class="item" href="{e(base)}/wx/start">{e(t("hall.wechat.offer"))}</a>')

    # ---- ways in ----------------------------------------------------------------------------------

    async def join_form(self, request: web.Request, *, shown: str = "", status: int = 200) -> web.Response:
        council = await self._council(request)
        t, base = self._t(request, council), self._base(request)
        unit, code = request.query.get("unit", "")[:64], request.query.get("code", "")[:32]
        body = f"<h1>{e(t('hall.join_title'))}</h1>{shown}" + card(
            f"<div>{e(t('hall.join_help'))}</div>"
            f'<form method="post" action="{e(base)}/join">'
            f'<label for="unit">{e(t("hall.join_unit"))}</label><input id="unit" name="unit" value="{e(unit)}">'
            f'<label for="code">{e(t("hall.join_code"))}</label>'
            f'<input id="code" name="code" value="{e(code)}" autocomplete="off">'
            f'<label for="name">{e(t("hall.join_name"))}</label><input id="name" name="name" autocomplete="name">'
            f'<button type="submit">{e(t("hall.join_button"))}</button></form>'
        )
        return page(t, t("hall.join_title"), body, nav=self._nav(t, base), status=status)

    async def join(self, request: web.Request) -> web.Response:
        council = await self._council(request)
        t, base = self._t(request, council), self._base(request)
        form = await request.post()
        unit = " ".join(str(form.get("unit", "")).split())[:64]
        code = str(form.get("code", "")).strip()[:32]
        name = " ".join(str(form.get("name", "")).split())[:40]
        if not name:
            return await self.join_form(request, shown=notice(t("hall.join_no_name"), True), status=400)
        async with self.desk.uow() as uow:  # the code is spent first: two phones cannot both claim it
            refused = await self.signin.check_invite(uow, council, unit, code)
            if refused is None and not await self.signin.use_invite(uow, council, unit, code):
                refused = Refused.USED
            await uow.commit()
        if refused is not None:
            return await self.join_form(request, shown=notice(t(f"hall.refused.{refused.value}"), True), status=403)
        web_id = secrets.token_urlsafe(12)
        platform, _, chat_id = council.chat_key.partition(":")
        incoming = Incoming(
            platform, chat_id, web_id, name, text=f"/join {unit}", chat_title=council.title, user_platform="web"
        )
        response = await self.desk.handle(incoming)
        if response.refused:  # e.g. a unit the roster does not list: the chair prints a new slip
            return await self.join_form(request, shown=notice(_answer(response, t), True), status=403)
        await self._announce(council, response)
        redirect = web.HTTPSeeOther(base)
        async with self.desk.uow() as uow:
            member = await uow.members.by_user(council.id, f"web:{web_id}")
            if member is None:
                return await self._refuse(t, "hall.refused.used")
            session = await self.signin.start(uow, redirect, council.id, member.id, base)
            await uow.hall.set_flash(session, _answer(response, t))
            await uow.commit()
        raise redirect

    async def enter_form(self, request: web.Request) -> web.Response:
        council = await self._council(request)
        t, base = self._t(request, council), self._base(request)
        async with self.desk.uow() as uow:
            refused, _member = await self.signin.check_link(uow, council, request.match_info["token"])
        if refused is not None:
            return await self._refuse(t, f"hall.refused.{refused.value}", 410 if refused is Refused.EXPIRED else 403)
        body = card(
            f"<div>{e(t('hall.enter_help'))}</div>"
            f'<form method="post" action="{e(request.path)}"><button type="submit">{e(t("hall.enter"))}</button></form>'
        )
        return page(
            t,
            t("hall.title", council=council.title),
            f"<h1>{e(t('hall.title', council=council.title))}</h1>{body}",
            nav=self._nav(t, base),
        )

    async def enter(self, request: web.Request) -> web.Response:
        council = await self._council(request)
        t, base = self._t(request, council), self._base(request)
        token = request.match_info["token"]
        redirect = web.HTTPSeeOther(base)
        async with self.desk.uow() as uow:
            refused, member_id = await self.signin.check_link(uow, council, token)
            if refused is not None or member_id is None:
                refused = refused or Refused.FORGED
                return await self._refuse(
                    t, f"hall.refused.{refused.value}", 410 if refused is Refused.EXPIRED else 403
                )
            member = await uow.members.get(member_id)
            if member is None or member.council_id != council.id or member.status in GONE:
                return await self._refuse(t, "hall.refused.revoked")
            if not await self.signin.use_link(uow, token):
                return await self._refuse(t, "hall.refused.used")
            await self.signin.start(uow, redirect, council.id, member.id, base)
            await uow.commit()
        raise redirect


def _answer(response: Response, t: Translator) -> str:
    """The desk's answer as one notice: the pop-up, else the first reply."""
    if response.popup:
        return response.popup
    texts = [r.text for r in response.replies]
    return texts[0] if texts else t("hall.done")
