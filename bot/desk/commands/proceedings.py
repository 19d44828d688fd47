"""Record commands: /name (the council's formal name), /place and /agenda (of a meeting), /order and /ruling
(points of order), and `/minutes approve` (the previous meeting's minutes, the first business of a meeting)."""

from __future__ import annotations

from deliberation.usecases import proceedings

from ..context import Ctx, Table
from ..messages import Reply, Response
from ..parsing import split_number
from ..refusals import refuse


async def name(ctx: Ctx) -> Response:
    if not ctx.args.strip():
        raise refuse("record.error.name_usage")
    named = await proceedings.name_council(ctx.uow, ctx.clock, ctx.the_council, ctx.actor, ctx.args)
    return Response([Reply(ctx.t("record.named", name=named))])


async def place(ctx: Ctx) -> Response:
    if not ctx.args.strip():
        raise refuse("record.error.place_usage")
    meeting = await proceedings.set_place(ctx.uow, ctx.clock, ctx.the_council, ctx.actor, ctx.args)
    return Response([Reply(ctx.t("record.place_set", number=meeting.number, place=" ".join(ctx.args.split())))])


async def agenda(ctx: Ctx) -> Response:
    if not ctx.args.strip():
        raise refuse("record.error.agenda_usage")
    done = await proceedings.add_agenda(ctx.uow, ctx.clock, ctx.the_council, ctx.actor, ctx.args)
    items = "\n".join(ctx.t("record.agenda_line", index=i, item=item) for i, item in enumerate(done.items, start=1))
    return Response([Reply(items, title=ctx.t("record.agenda_title", number=done.meeting.number))])


async def approve_minutes(ctx: Ctx, corrections: str) -> Response:
    """`/minutes approve [更正：…]`, routed here by the /minutes command."""
    done = await proceedings.approve_minutes(ctx.uow, ctx.clock, ctx.the_council, ctx.actor, corrections)
    key = "record.approved_corrected" if done.corrections else "record.approved"
    return Response(
        [Reply(ctx.t(key, previous=done.previous.number, meeting=done.meeting.number, corrections=done.corrections))]
    )


async def order(ctx: Ctx) -> Response:
    number, text = split_number(ctx.args)
    if not text.strip():
        raise refuse("record.error.order_usage")
    point = await proceedings.raise_point(ctx.uow, ctx.clock, ctx.the_council, ctx.actor, text, number)
    return Response([Reply(ctx.t("record.order_raised", point=point.point, name=point.by, text=point.text))])


async def ruling(ctx: Ctx) -> Response:
    point = await proceedings.rule_point(ctx.uow, ctx.clock, ctx.the_council, ctx.actor, ctx.args)
    key = "record.ruling_sustained" if point.sustained else "record.ruling_refused"
    return Response([Reply(ctx.t(key, point=point.point, name=point.by, reason=point.reason))])


TABLE = Table(commands={"name": name, "place": place, "agenda": agenda, "order": order, "ruling": ruling})
