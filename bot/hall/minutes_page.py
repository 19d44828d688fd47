"""The hall's minutes page: the published minutes for everyone; for the secretary and the chair also the
current draft, the publish and approve-with-corrections forms (chat commands through the desk), and every
export as a download that runs the same `/export` as the chat.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import quote

from aiohttp import web
from markdown_it import MarkdownIt

from deliberation import errors
from deliberation.delivery import Meeting, MeetingState
from deliberation.minutes import publishing
from deliberation.model import Role

from ..i18n import Translator
from ..minutes_files import to_markdown
from ..minutes_files.export import NOTICE, place
from ..minutes_files.formats import FORMATS, MEDIA_TYPES
from .actions import SCOPE
from .render import card, e, form, page
from .signin import Visitor

if TYPE_CHECKING:
    from .pages import Hall

# The minutes as the page shows them: their Markdown as HTML (tables included); raw HTML in it stays text.
MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")
DOWNLOADS = (*FORMATS, NOTICE)


def as_html(markdown: str) -> str:
    """The minutes' Markdown as HTML; its small-print tags (`<sub>`) are dropped rather than shown as text."""
    return f'<div class="minutes">{MARKDOWN.render(re.sub(r"</?sub>", "", markdown))}</div>'


def recorder(visitor: Visitor | None) -> bool:
    """The secretary or the chair, signed in and active."""
    return (
        visitor is not None
        and visitor.active
        and (visitor.member.has(Role.SECRETARY) or visitor.member.has(Role.CHAIR))
    )


def scope_of(value: object) -> str | None:
    """A scope the chat accepts (`meeting N` or `YYYY-MM`), "" for the default, None for anything else."""
    text = " ".join(str(value or "").split()).lower()
    return text if SCOPE.match(text) else None


def attachment(filename: str) -> str:
    """Content-Disposition with an ASCII fallback and the real name as RFC 6266 / RFC 5987 `filename*`."""
    fallback = re.sub(r"[^A-Za-z0-9.-]+", "_", filename).strip("_") or "minutes"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


class MinutesPages:
    """GET /h/<slug>/minutes and GET /h/<slug>/minutes/file/<format>[?scope=…]."""

    def __init__(self, hall: Hall) -> None:
        self.hall = hall

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/h/{slug}/minutes", self.minutes), web.get("/h/{slug}/minutes/file/{fmt}", self.download)]

    async def minutes(self, request: web.Request) -> web.Response:
        hall = self.hall
        council = await hall._council(request)
        t, base = hall._t(request, council), hall._base(request)
        visitor = await hall.signin.visitor(request, council)
        desk = hall.desk
        async with desk.uow() as uow:
            found = await publishing.versions(uow, council.id, now=desk.clock())
            meetings = await uow.meetings.in_state(council.id, MeetingState.OPEN, MeetingState.ADJOURNED)
        published = sorted((v for v in found if v.published), key=lambda v: (v.published_at, v.id), reverse=True)
        parts = [f"<h1>{e(t('hall.minutes_title'))}</h1>", await hall._seen(visitor)]
        if recorder(visitor):
            assert visitor is not None
            parts.append(await self._secretary(t, base, council.id, visitor, meetings, bool(published)))
        if not published:
            parts.append(card(e(t("hall.no_minutes"))))
        for v in published:
            parts.append(card(f"<h2>{e(t('hall.minutes_version', version=v.version))}</h2>" + as_html(v.markdown)))
        return page(t, t("hall.minutes_title"), "".join(parts), nav=hall._nav(t, base))

    async def _secretary(
        self, t: Translator, base: str, council_id: int, visitor: Visitor, meetings: Sequence[Meeting], shared: bool
    ) -> str:
        desk = self.hall.desk
        async with desk.uow() as uow:
            try:
                drafted = await publishing.draft(uow, council_id, None, now=desk.clock(), place=place(t.locale))
                shown = as_html(to_markdown(drafted.minutes, t.locale))
            except errors.DeliberationError:
                shown = f"<div>{e(t('hallmin.no_draft'))}</div>"
        back = f"{base}/minutes"
        ended = sorted((m for m in meetings if m.state is MeetingState.ADJOURNED), key=lambda m: -m.number)[:6]
        options = f'<option value="">{e(t("hallmin.scope_default"))}</option>' + "".join(
            f'<option value="meeting {m.number}">{e(t("hallmin.scope_meeting", number=m.number))}</option>'
            for m in ended
        )
        month = desk.clock().strftime("%Y-%m")
        options += f'<option value="{month}">{e(t("hallmin.scope_month", month=month))}</option>'
        publish = (
            f'<form method="post" action="{e(base)}/do"><input type="hidden" name="csrf" value="{e(visitor.csrf)}">'
            f'<input type="hidden" name="act" value="publish"><input type="hidden" name="back" value="{e(back)}">'
            f'<label for="scope">{e(t("hallmin.scope"))}</label><select id="scope" name="scope">{options}</select>'
            f'<button type="submit">{e(t("hall.publish"))}</button></form>'
        )
        approve = ""
        if any(m.state is MeetingState.OPEN for m in meetings):
            approve = form(
                f"{base}/do",
                visitor.csrf,
                {"act": "approve_minutes", "back": back},
                t("hallmin.approve"),
                text_label=t("hallmin.corrections"),
            )
        links = "".join(
            f'<li><a href="{e(base)}/minutes/file/{fmt}" download>{e(t(f"hallmin.file.{fmt}"))}</a></li>'
            for fmt in DOWNLOADS
        )
        if shared:  # the newest 公示 for a WeChat group: text, link and QR code (`/share minutes`)
            approve += f'<a class="item" href="{e(base)}/share/minutes">{e(t("hallmin.share_link"))}</a>'
        return (  # the forms first (a draft is long on a phone), then the draft they act on
            card(f"<h2>{e(t('hallmin.publish_title'))}</h2>{publish}{approve}")
            + card(f"<h2>{e(t('hallmin.files_title'))}</h2><ul>{links}</ul>")
            + card(f"<h2>{e(t('hallmin.draft_title'))}</h2>{shown}")
        )

    async def download(self, request: web.Request) -> web.Response:
        """The chat's `/export <format> [scope]` for a signed-in secretary or chair; anyone else: 403, nothing made."""
        hall = self.hall
        council = await hall._council(request)
        t = hall._t(request, council)
        fmt = request.match_info["fmt"]
        if fmt not in DOWNLOADS:
            raise web.HTTPNotFound()
        visitor = await hall.signin.visitor(request, council)
        if not recorder(visitor):
            return await hall._refuse(t, "hall.refused.stranger" if visitor is None else "hallmin.refused")
        assert visitor is not None
        scope = scope_of(request.query.get("scope", ""))
        if scope is None:
            raise web.HTTPBadRequest()
        command = f"/export {fmt} {scope}".strip()
        response = await hall.desk.handle(hall._incoming(council, visitor, command, None))
        if response.refused or not response.documents:
            text = response.popup or (response.replies[0].text if response.replies else t("hallmin.refused"))
            return await hall._refuse_text(t, text)
        doc = response.documents[0]
        return web.Response(
            body=doc.content,
            headers={
                "Content-Type": MEDIA_TYPES.get(fmt, "application/pdf"),
                "Content-Disposition": attachment(doc.filename),
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )
