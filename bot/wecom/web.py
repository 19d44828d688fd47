"""The H5 pages: a member's signed ballot link (`/b/<token>`) and a council's 公示栏 (`/p/<slug>`).

A ballot link names one member and one ballot and expires; it is signed with HMAC-SHA256 under
YISHI_LINK_SECRET. Voting on the page goes through the same command desk as a Telegram button
(`Dispatcher.handle` with data "v:<ballot>:<y|n|a>", as that member on the council's own platform),
so eligibility, changing one's vote and secret ballots follow exactly the same rules.
Plain HTML forms, large type, no JavaScript: it works on any phone browser inside WeChat.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from aiohttp import web

from deliberation import errors
from deliberation.counting import Choice
from deliberation.disclosure import SEAL_BELOW, disclosable
from deliberation.minutes import MinutesVersion, publishing
from deliberation.model import Ballot, Council, Member, Motion
from deliberation.usecases import MotionHistory, motion_history

from ..desk import Desk as Dispatcher
from ..desk.buttons import CODE_CHOICES, Vote
from ..desk.buttons import encode as encode_button
from ..desk.messages import Incoming, Reply
from ..desk.views.notices import local_time
from ..i18n import Translator
from .hardening import security_headers
from .settings import MIN_LINK_SECRET

log = logging.getLogger(__name__)

Announce = Callable[[str, list[Reply]], Awaitable[None]]  # (council chat key, public replies)

CHOICES = ("y", "n", "a")


class BadLink(Exception):
    """The link was not made by us (forged, altered or cut short)."""


class LinkExpired(Exception):
    """The link was ours but its time is up."""


@dataclass(frozen=True)
class BallotClaim:
    ballot_id: int
    member_id: int
    expires: datetime


class _Loaded(NamedTuple):
    """What the ballot page shows, read in one unit of work."""

    council: Council
    ballot: Ballot
    motion: Motion
    member: Member
    history: MotionHistory | None
    mine: Choice | None  # the member's current choice; None on a secret ballot
    voted: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


class BallotLinks:
    """Makes and checks personal ballot links: `<ballot>.<member>.<expiry>.<signature>`."""

    def __init__(
        self, secret: str | bytes, base_url: str, *, ttl: timedelta = timedelta(hours=72), clock: Callable[[], datetime]
    ) -> None:
        secret = secret.encode() if isinstance(secret, str) else secret
        if len(secret) < MIN_LINK_SECRET:
            raise ValueError(f"YISHI_LINK_SECRET must be at least {MIN_LINK_SECRET} characters")
        self._key = secret
        self.base_url = base_url.rstrip("/")
        self.ttl = ttl
        self.clock = clock

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._key, b"ballot-link:" + body.encode(), hashlib.sha256).digest()[:18])

    def token(self, ballot_id: int, member_id: int, expires: datetime | None = None) -> str:
        expires = expires or self.clock() + self.ttl
        body = f"{int(ballot_id)}.{int(member_id)}.{int(expires.timestamp())}"
        return f"{body}.{self._sign(body)}"

    def url(self, ballot_id: int, member_id: int) -> str:
        return f"{self.base_url}/b/{self.token(ballot_id, member_id)}"

    def read(self, token: str) -> BallotClaim:
        parts = token.split(".")
        # isascii: str.isdigit() admits "²" and int() does not; compare_digest() refuses non-ASCII text
        if len(parts) != 4 or not all(p.isascii() and p.isdigit() and len(p) <= 12 for p in parts[:3]):
            raise BadLink()
        body = ".".join(parts[:3])
        if not parts[3].isascii() or not hmac.compare_digest(self._sign(body), parts[3]):
            raise BadLink()
        try:
            expires = datetime.fromtimestamp(int(parts[2]), tz=self.clock().tzinfo)
        except (ValueError, OverflowError, OSError):  # a year past 9999: never one of ours
            raise BadLink() from None
        if expires <= self.clock():
            raise LinkExpired()
        return BallotClaim(int(parts[0]), int(parts[1]), expires)


# ---- HTML --------------------------------------------------------------------------------------

_STYLE = """
body{font-family:"PingFang SC","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;font-size:22px;
line-height:1.6;margin:0;padding:16px;background:#f7f5ef;color:#1d1d1d;max-width:640px;margin:auto}
h1{font-size:28px;margin:8px 0 12px} h2{font-size:24px;margin:20px 0 8px}
.card{background:#fff;border-radius:12px;padding:16px;margin:12px 0;box-shadow:0 1px 3px #0002}
.motion{font-size:26px;font-weight:bold} .muted{color:#555;font-size:20px}
.notice{background:#e8f5e9;border:2px solid #2e7d32;border-radius:12px;padding:14px;font-size:24px}
.refused{background:#fdecea;border-color:#c62828}
form button{display:block;width:100%;font-size:30px;padding:18px;margin:14px 0;border:0;border-radius:14px;
color:#fff;font-weight:bold}
button.y{background:#2e7d32} button.n{background:#c62828} button.a{background:#616161}
ul{padding-left:22px} li{margin:6px 0} code{word-break:break-all;font-size:16px}
pre{white-space:pre-wrap;font-size:18px} details summary{font-size:22px}
"""
# The pages' only inline content is the style above, allowed by its hash; no script at all.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; style-src 'sha256-"
    + base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()
    + "'; script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def _page(title: str, body: str, status: int = 200, locale: str = "zh_Hans") -> web.Response:
    lang = {"zh_Hans": "zh-CN", "zh_Hant": "zh-TW"}.get(locale, "en")
    text = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<meta name="referrer" content="no-referrer"><title>{html.escape(title)}</title>'
        f"<style>{_STYLE}</style></head><body>{body}</body></html>"
    )
    return web.Response(
        text=text,
        status=status,
        content_type="text/html",
        charset="utf-8",
        headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY"},
    )


def _e(text: object) -> str:
    return html.escape(str(text))


def _split_key(key: str) -> tuple[str, str]:
    platform, _, rest = key.partition(":")
    return platform, rest


class BallotPages:
    """The aiohttp handlers for ballot links and the 公示栏."""

    def __init__(self, dispatcher: Dispatcher, links: BallotLinks, *, announce: Announce | None = None) -> None:
        self.dispatcher = dispatcher
        self.links = links
        self.announce = announce

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/b/{token}", self.ballot_page),
            web.post("/b/{token}", self.cast),
            web.get("/p/{council}", self.notice_board),
        ]

    # ---- loading ---------------------------------------------------------------------------

    async def _claim(self, request: web.Request) -> BallotClaim | web.Response:
        """The link's claim, or the page that refuses it."""
        t = Translator(self.dispatcher.default_locale)
        try:
            return self.links.read(request.match_info["token"])
        except LinkExpired:
            return _page(
                t("wecom.page.expired_title"),
                f'<div class="notice refused">{_e(t("wecom.page.expired"))}</div>',
                status=410,
            )
        except BadLink:
            return _page(
                t("wecom.page.forged_title"),
                f'<div class="notice refused">{_e(t("wecom.page.forged"))}</div>',
                status=403,
            )

    async def _load(self, claim: BallotClaim) -> _Loaded | None:
        """What the page shows, or None when the link names nothing."""
        async with self.dispatcher.uow() as uow:
            ballot = await uow.ballots.get(claim.ballot_id)
            member = await uow.members.get(claim.member_id)
            if ballot is None or member is None or member.council_id != ballot.council_id:
                return None
            council = await uow.councils.get(ballot.council_id)
            motion = await uow.motions.get(ballot.motion_id)
            try:
                history = await motion_history(uow, council, motion.number)
            except errors.DeliberationError:
                history = None
            mine = None
            if not ballot.secret:
                mine = next(
                    (
                        choice
                        for _voter, member_id, choice, _area in await uow.votes.all(ballot.id)
                        if member_id == member.id
                    ),
                    None,
                )
            voted = await uow.votes.count(ballot.id)
            return _Loaded(council, ballot, motion, member, history, mine, voted)

    # ---- the ballot page -------------------------------------------------------------------

    async def ballot_page(self, request: web.Request) -> web.Response:
        claim = await self._claim(request)
        if isinstance(claim, web.Response):
            return claim
        loaded = await self._load(claim)
        if loaded is None:
            t = Translator(self.dispatcher.default_locale)
            return _page(
                t("wecom.page.forged_title"),
                f'<div class="notice refused">{_e(t("wecom.page.gone"))}</div>',
                status=404,
            )
        return self._render(request, loaded)

    def _render(
        self, request: web.Request, loaded: _Loaded, notice: str | None = None, refused: bool = False, status: int = 200
    ) -> web.Response:
        council, ballot, motion, member, history, mine, voted = loaded
        t = Translator(council.locale)
        kind = t(f"kind.{motion.kind.value}")
        title = t("wecom.page.ballot_title", number=motion.number, kind=kind)
        parts = [f"<h1>{_e(title)}</h1>"]
        if notice:
            parts.append(f'<div class="notice{" refused" if refused else ""}" id="notice">{_e(notice)}</div>')
        parts.append(
            f'<div class="card"><div class="motion">{_e(motion.text)}</div>'
            f'<div class="muted">{_e(council.title)} · {_e(t("wecom.page.voter", name=member.name))}</div>'
            f"</div>"
        )
        parts.append(self._digest(t, history))
        if ballot.open and ballot.closes_at > self.dispatcher.clock():
            rule = t(f"ballot.rule.{ballot.rules_under(council.rules).preset}.{ballot.threshold}")
            lines = [
                rule,
                t("wecom.page.closes", when=local_time(council, ballot.closes_at)),
                t("wecom.page.turnout", voted=voted, eligible=ballot.eligible_voters),
            ]
            if ballot.secret:
                lines.append(t("wecom.page.secret"))
            elif mine is not None:
                lines.append(t("wecom.page.current", choice=t(f"choice.{mine.value}")))
            parts.append('<div class="card">' + "".join(f"<div>{_e(x)}</div>" for x in lines) + "</div>")
            buttons = "".join(
                f'<button class="{code}" type="submit" name="choice" value="{code}">'
                f"{_e(t('button.' + CODE_CHOICES[code].value))}</button>"
                for code in CHOICES
                if code != "a" or ballot.rules is None or ballot.rules.abstain_choice  # 南塘 12: 赞成/反对 only
            )
            action = _e(request.path)
            parts.append(
                f'<form method="post" action="{action}">{buttons}</form>'
                f'<p class="muted">{_e(t("wecom.page.change_hint"))}</p>'
            )
        else:
            parts.append(self._result(t, ballot))
        return _page(title, "".join(parts), status=status, locale=council.locale)

    def _digest(self, t: Translator, history: MotionHistory | None) -> str:
        if history is None or not history.speeches:
            return (
                f'<div class="card"><h2>{_e(t("wecom.page.debate"))}</h2>'
                f'<div class="muted">{_e(t("wecom.page.no_speeches"))}</div></div>'
            )
        speeches = list(history.speeches)
        pro = sum(1 for s, _ in speeches if s.side.value == "for")
        items = "".join(
            f"<li><b>{_e(name)}</b> · {_e(t('side.' + s.side.value))}：{_e(_clip(s.text, 80))}</li>"
            for s, name in speeches[-6:]
        )
        summary = t("wecom.page.debate_counts", pro=pro, con=len(speeches) - pro)
        return (
            f'<div class="card"><h2>{_e(t("wecom.page.debate"))}</h2><div class="muted">{_e(summary)}</div>'
            f"<ul>{items}</ul></div>"
        )

    def _result(self, t: Translator, ballot: Ballot) -> str:
        r = ballot.result
        if not r:
            return f'<div class="card">{_e(t("wecom.page.closed"))}</div>'
        verdict = t("result.failed_quorum") if not r.quorum_met else t("result.passed" if r.passed else "result.failed")
        counts = t("result.counts", yes=r.yes, no=r.no, abstain=r.abstain)
        if not disclosable(r, ballot.secret):  # a small secret ballot: the count per choice is sealed
            counts = t("result.sealed", least=SEAL_BELOW)
        return (
            f'<div class="card"><div>{_e(t("wecom.page.closed"))}</div><div>{_e(counts)}</div>'
            f"<div><b>{_e(verdict)}</b></div></div>"
        )

    # ---- casting a vote --------------------------------------------------------------------

    async def cast(self, request: web.Request) -> web.Response:
        claim = await self._claim(request)
        if isinstance(claim, web.Response):
            return claim
        try:
            form = await request.post()
        except (UnicodeDecodeError, ValueError):  # a form that is not UTF-8: no browser of ours sent it
            raise web.HTTPBadRequest(text="bad form") from None
        code = str(form.get("choice", ""))
        loaded = await self._load(claim)
        if loaded is None:
            t = Translator(self.dispatcher.default_locale)
            return _page(
                t("wecom.page.forged_title"),
                f'<div class="notice refused">{_e(t("wecom.page.gone"))}</div>',
                status=404,
            )
        council, ballot, _motion, member, *_ = loaded
        t = Translator(council.locale)
        if code not in CHOICES:
            return self._render(request, loaded, notice=t("error.bad_button"), refused=True, status=400)
        platform, chat_id = _split_key(council.chat_key)
        user_platform, user_id = _split_key(member.user_key)
        if user_platform != platform:  # a member who joined on another platform than the council's
            return self._render(request, loaded, notice=t("wecom.page.gone"), refused=True, status=403)
        response = await self.dispatcher.handle(
            Incoming(
                platform,
                chat_id,
                user_id,
                member.name,
                data=encode_button(Vote(ballot.id, CODE_CHOICES[code])),
                chat_title=council.title,
                username=member.username,
                via_web=True,
            )
        )
        if response.refused:
            notice = response.popup or t("error.bad_button")
        elif ballot.secret:
            notice = t("wecom.page.recorded_secret")  # the page never shows a secret choice
        else:
            notice = response.popup or t("wecom.page.recorded")
        public = [r for r in response.replies if not r.private]
        if public and self.announce is not None:
            try:
                await self.announce(council.chat_key, public)
            except Exception:  # the vote is recorded; an announcement failure must not hide that
                log.exception("announcing after an H5 vote failed")
        fresh = await self._load(claim)
        return self._render(
            request, fresh or loaded, notice=notice, refused=response.refused, status=403 if response.refused else 200
        )

    # ---- the 公示栏 ------------------------------------------------------------------------

    async def notice_board(self, request: web.Request) -> web.Response:
        t = Translator(self.dispatcher.default_locale)
        async with self.dispatcher.uow() as uow:  # only a council that chose the board, by its unguessable slug
            council = await uow.notice_boards.council_at(request.match_info["council"])
            if council is None:
                raise web.HTTPNotFound()
            seq, head = await uow.events.head(council.id)
        t = Translator(council.locale)
        published = await published_minutes(self.dispatcher, council.id)
        parts = [
            f"<h1>{_e(t('wecom.board.title', council=council.title))}</h1>",
            f'<div class="card"><div>{_e(t("wecom.board.chain", seq=seq))}</div>'
            f'<code id="chain-head">{_e(head)}</code></div>',
        ]
        if published is None:
            parts.append(f'<div class="card muted">{_e(t("wecom.board.unavailable"))}</div>')
        elif not published:
            parts.append(f'<div class="card muted">{_e(t("wecom.board.none"))}</div>')
        for version in published or []:
            ends = local_time(council, version.publication_ends_at) if version.publication_ends_at else "—"
            when = local_time(council, version.published_at) if version.published_at else "—"
            label = t("wecom.board.version", scope=_scope_label(t, version.scope), version=version.version)
            period = t("wecom.board.period", published=when, ends=ends)
            parts.append(
                f'<div class="card minutes"><h2>{_e(label)}</h2><div class="muted">{_e(period)}</div>'
                f'<div class="muted">{_e(t("wecom.board.head", seq=version.chain_seq))}</div>'
                f"<code>{_e(version.chain_head)}</code>"
                f"<details><summary>{_e(t('wecom.board.read'))}</summary><pre>{_e(version.markdown)}</pre>"
                f"</details></div>"
            )
        return _page(t("wecom.board.title", council=council.title), "".join(parts), locale=council.locale)


async def published_minutes(dispatcher: Dispatcher, council_id: int) -> list[MinutesVersion] | None:
    """Published minutes versions, newest first; None when they cannot be read now."""
    try:
        async with dispatcher.uow() as uow:
            found = await publishing.versions(uow, council_id, now=dispatcher.clock())
    except errors.DeliberationError:
        return []
    except Exception:  # e.g. a database not yet migrated to the minutes tables: show the chain head only
        log.exception("reading published minutes failed")
        return None
    return sorted((v for v in found if v.published), key=lambda v: (v.published_at, v.id), reverse=True)


def _scope_label(t: Translator, scope: str) -> str:
    return t("wecom.board.scope_all") if scope == "all" else scope


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def make_web_app(dispatcher: Dispatcher, links: BallotLinks, *, announce: Announce | None = None) -> web.Application:
    """An aiohttp application serving only the H5 pages (the WeCom callback adds its own routes)."""
    app = web.Application(
        middlewares=[
            security_headers(content_security_policy=CONTENT_SECURITY_POLICY, https=links.base_url.startswith("https:"))
        ]
    )
    app.add_routes(BallotPages(dispatcher, links, announce=announce).routes())
    return app
