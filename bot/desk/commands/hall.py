"""The hall's commands: /web (my personal link), /invites (printable invite codes), /share N (for WeChat groups)."""

from __future__ import annotations

from deliberation import publication, usecases
from deliberation.minutes import publishing

from ...hall import passes
from ...i18n import moments
from ...minutes_files.invites import invite_sheets, qr_png
from ..context import Ctx, Table
from ..messages import Document, Reply, Response
from ..parsing import number_only
from ..refusals import refuse
from ..views import history as history_views
from ..views import motions as views
from ..views.notices import clip


def _base(ctx: Ctx) -> str:
    if not ctx.defaults.public_base_url:
        raise refuse("hall.web.no_address")
    return ctx.defaults.public_base_url


_OFF = frozenset({"off", "关", "關", "注销", "註銷"})


async def web(ctx: Ctx) -> Response:
    """A personal link into the hall, privately: it turns into this phone's session when first opened.

    `/web off` signs all my phones out and cancels my unused links; the chair's `/web off @user` does it for them.
    """
    words = ctx.args.split()
    if words and words[0].lower() in _OFF:
        return await _sign_out(ctx, " ".join(words[1:]))
    member = usecases.require_member(ctx.actor)
    url = await passes.personal_link(ctx.uow, _base(ctx), ctx.the_council.id, member.id, ctx.clock())
    shown = ctx.t("hall.web.link", url=url)
    return Response([Reply(shown, private=True)], quiet=True, popup=ctx.t("hall.web.group"), private_only=True)


async def _sign_out(ctx: Ctx, handle: str) -> Response:
    council = ctx.the_council
    if handle:
        usecases.require_chair(ctx.actor)
        member = await usecases.find_member(ctx.uow, council, handle)
    else:
        member = usecases.require_member(ctx.actor)
    count = await ctx.uow.hall.revoke_member(council.id, member.id, ctx.clock())
    shown = ctx.t("hall.web.signed_out", name=member.name, count=count)
    return Response([Reply(shown, private=True)], quiet=True, popup=shown)


async def invites(ctx: Ctx) -> Response:
    """One-time invite codes for the units named (or every unit of the roster), as a PDF to print."""
    usecases.require_chair(ctx.actor)
    base = _base(ctx)
    council = ctx.the_council
    units = ctx.args.split() or [u.code for u in await ctx.uow.units.all(council.id)]
    if not units:
        raise refuse("hall.invites.none")
    made = await passes.invites(ctx.uow, base, council.id, units[:500], ctx.clock())
    pdf = invite_sheets(ctx.t, council.title, [(i.unit, i.code, i.url) for i in made])
    caption = ctx.t("hall.invites.caption", count=len(made))
    return Response(  # the codes are for the chair's printer, not for the group
        [Reply(caption, private=True)],
        documents=[Document("invites.pdf", pdf, caption)],
        popup=ctx.t("hall.invites.private"),
        private_only=True,
    )


_MINUTES = frozenset({"minutes", "公示", "纪要", "紀要"})


async def share(ctx: Ctx) -> Response:
    """A short text, the hall's link and its QR code, for the chair to paste into the WeChat group.

    `/share N`: motion N (with its result once the vote is closed); `/share minutes` (or 公示): the newest
    published minutes, for the secretary or the chair.
    """
    if ctx.args.strip().lower() in _MINUTES:
        return await _share_minutes(ctx)
    usecases.require_chair(ctx.actor)
    base = _base(ctx)
    council = ctx.the_council
    h = await usecases.motion_history(ctx.uow, council, number_only(ctx.args))
    url = f"{passes.hall_url(base, await ctx.uow.hall.slug_of(council.id))}/m/{h.motion.number}"
    text = ctx.t(
        "hall.share.text",
        council=council.title,
        number=h.motion.number,
        text=clip(h.motion.text, 80),
        state=ctx.t(f"hall.state.{h.motion.state.value}"),
        url=url,
    )
    closed = [b for b in h.ballots if not b.open]
    if closed:  # the result as counted, above the link
        result = "\n".join(history_views.ballot_lines(ctx.t, council, h.motion, closed[-1], h.voted))
        text = ctx.t("hallmin.share.result", result=result) + "\n" + text
    return _shared(ctx, text, views.kind_label(ctx.t, h.motion), f"hall-{h.motion.number}.png", url)


async def _share_minutes(ctx: Ctx) -> Response:
    """The newest published minutes: title, version, end of the 公示, and the hall's minutes page."""
    publication.require_recorder(ctx.actor)
    base = _base(ctx)
    council = ctx.the_council
    found = [v for v in await publishing.versions(ctx.uow, council.id, now=ctx.clock()) if v.published]
    if not found:
        raise refuse("hallmin.share.no_minutes")
    newest = max(found, key=lambda v: (v.published_at, v.id))
    url = f"{passes.hall_url(base, await ctx.uow.hall.slug_of(council.id))}/minutes"
    ends = moments.spell(ctx.t.locale, newest.publication_ends_at, council.timezone)
    text = ctx.t("hallmin.share.minutes", council=council.title, version=newest.version, ends=ends, url=url)
    return _shared(ctx, text, ctx.t("hallmin.share.minutes_title"), f"minutes-v{newest.version}.png", url)


def _shared(ctx: Ctx, text: str, title: str, filename: str, url: str) -> Response:
    return Response(
        [Reply(text, title=title, private=True)],
        documents=[Document(filename, qr_png(url), ctx.t("hall.share.caption"))],
    )


TABLE = Table(commands={"web": web, "invites": invites, "share": share})
