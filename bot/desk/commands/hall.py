"""The hall's commands: /web (my personal link), /invites (printable invite codes), /share N (for WeChat groups)."""

from __future__ import annotations

from deliberation import usecases

from ...hall import passes
from ...minutes_files.invites import invite_sheets, qr_png
from ..context import Ctx, Table
from ..messages import Document, Reply, Response
from ..parsing import number_only
from ..refusals import refuse
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


async def share(ctx: Ctx) -> Response:
    """A short text, the hall's link and its QR code, for the chair to paste into the WeChat group."""
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
    caption = ctx.t("hall.share.caption")
    return Response(
        [Reply(text, title=views.kind_label(ctx.t, h.motion), private=True)],
        documents=[Document(f"hall-{h.motion.number}.png", qr_png(url), caption)],
    )


TABLE = Table(commands={"web": web, "invites": invites, "share": share})
