"""Motion commands: /motion /second /for /against /speak /warn /amend /enddebate /postpone /refer /withdraw
/status /show, and the second button."""

from __future__ import annotations

from typing import Any

from deliberation import errors, usecases
from deliberation.debate import side_from_text
from deliberation.model import Motion, MotionKind, Side

from .. import buttons
from ..context import Ctx, Table
from ..matters import next_matter
from ..messages import Reply, Response
from ..parsing import number_only, parse_command, split_number, target_and_rest, when
from ..refusals import refuse
from ..views import history
from ..views import motions as views
from ..views.notices import local_time


async def card(ctx: Ctx, motion: Motion) -> Reply:
    """The motion's card as it reads now (its mover's name and its parent's number looked up)."""
    mover = await ctx.uow.members.get(motion.mover_id)
    parent = await ctx.uow.motions.get(motion.parent_id) if motion.parent_id else None
    return views.motion_card(
        ctx.t, ctx.the_council, motion, mover.name if mover else "?", parent.number if parent else None
    )


async def motion(ctx: Ctx) -> Response:
    raised = await usecases.raise_motion(ctx.uow, ctx.clock, ctx.the_council, ctx.actor, ctx.args)
    return Response([await card(ctx, raised)])


async def _second(ctx: Ctx, number: int | None) -> Response:
    seconded = await usecases.second_motion(ctx.uow, ctx.clock, ctx.the_council, ctx.actor, number)
    name = ctx.actor.member.name if ctx.actor.member else ctx.actor.name
    return Response(
        [Reply(ctx.t("motion.seconded", number=seconded.number, name=name))],
        edits=[views.card_edit(await card(ctx, seconded))],
    )


async def second(ctx: Ctx) -> Response:
    number = number_only(ctx.args)
    return await _second(ctx, number)


async def second_button(ctx: Ctx, press: buttons.Second) -> Response:
    found = await ctx.uow.motions.find(press.motion_id)
    if found is None or found.council_id != ctx.the_council.id:
        raise errors.MotionNotFound(number="")
    response = await _second(ctx, found.number)
    response.popup = ctx.t("popup.seconded", number=found.number)
    return response


async def speak(ctx: Ctx) -> Response:
    name = (parse_command(ctx.incoming.text) or ("", ""))[0]
    number, text = split_number(ctx.args)
    side: Side | None = {"for": Side.FOR, "against": Side.AGAINST}.get(name)
    if side is None:
        stated = side_from_text(text)
        side, text = stated if stated else (None, text)
    speech, left = await usecases.speak(ctx.uow, ctx.clock, ctx.the_council, ctx.actor, number, side, text)
    spoken_on = await ctx.uow.motions.get(speech.motion_id)
    note = ctx.t("speech.recorded", number=spoken_on.number, side=ctx.t(f"side.{speech.side.value}"), left=left)
    response = Response([Reply(note, private=True)], quiet=True, popup=note)
    called = await ctx.uow.questions.waiting_for(spoken_on.id)
    if called is not None:  # 南塘 11: a new speech, so the called question waits again
        when = local_time(ctx.the_council, called.opens_at)
        response.replies.append(Reply(ctx.t("nantang.quiet_restarted", number=spoken_on.number, when=when)))
    return response


async def warn(ctx: Ctx) -> Response:
    council = ctx.the_council
    handle, rest = target_and_rest(ctx.args)
    number, reason = split_number(rest)
    warned = await usecases.warn(ctx.uow, ctx.clock, council, ctx.actor, handle, number, reason)
    key = "warn.silenced" if warned.silenced else "warn.given"
    return Response(
        [
            Reply(
                ctx.t(
                    key,
                    name=warned.member.name,
                    number=warned.motion.number,
                    count=warned.count,
                    limit=council.rules.warnings_limit,
                    reason=reason or "—",
                )
            )
        ]
    )


async def _subsidiary(ctx: Ctx, kind: MotionKind, text: str, number: int | None, **extra: Any) -> Response:
    raised = await usecases.raise_motion(
        ctx.uow, ctx.clock, ctx.the_council, ctx.actor, text, kind=kind, parent_number=number, **extra
    )
    return Response([await card(ctx, raised)])


async def amend(ctx: Ctx) -> Response:
    number, text = split_number(ctx.args)
    if number is None:
        raise refuse("error.number_first", example="/amend 1 …")
    parent = await ctx.uow.motions.by_number(ctx.the_council.id, number)
    if parent is not None and parent.kind is MotionKind.POSTPONE:  # an amended postponement names another time
        until = when(text, now=ctx.clock(), tz=ctx.the_council.timezone)
        text = ctx.t("motion.postpone_text", when=local_time(ctx.the_council, until))
        return await _subsidiary(ctx, MotionKind.AMENDMENT, text, number, postponed_until=until)
    if parent is not None and parent.kind is MotionKind.REFER:  # an amended referral names another body
        text, to = ctx.t("motion.refer_text", to=usecases.referral_target(text)), text
        return await _subsidiary(ctx, MotionKind.AMENDMENT, text, number, referred_to=to.strip())
    return await _subsidiary(ctx, MotionKind.AMENDMENT, text, number)


async def end_debate(ctx: Ctx) -> Response:
    number = number_only(ctx.args)
    return await _subsidiary(ctx, MotionKind.CLOSE_DEBATE, ctx.t("motion.close_debate_text"), number)


async def postpone(ctx: Ctx) -> Response:
    number, when_text = split_number(ctx.args)
    if number is None:
        raise refuse("error.number_first", example="/postpone 1 2026-12-01 19:30")
    until = when(when_text, now=ctx.clock(), tz=ctx.the_council.timezone)
    text = ctx.t("motion.postpone_text", when=local_time(ctx.the_council, until))
    return await _subsidiary(ctx, MotionKind.POSTPONE, text, number, postponed_until=until)


async def refer(ctx: Ctx) -> Response:
    number, to = split_number(ctx.args)
    if number is None:
        raise refuse("error.number_first", example="/refer 1 物业管理委员会")
    text = ctx.t("motion.refer_text", to=usecases.referral_target(to))  # the motion quotes the target as kept
    return await _subsidiary(ctx, MotionKind.REFER, text, number, referred_to=to)


async def withdraw(ctx: Ctx) -> Response:
    number = number_only(ctx.args)
    withdrawn = await usecases.withdraw(ctx.uow, ctx.clock, ctx.the_council, ctx.actor, number)
    replies = [Reply(ctx.t("motion.withdrawn", number=withdrawn.number))]
    replies += await next_matter(ctx.uow, ctx.clock, ctx.the_council, ctx.t)  # 一事一议: the next 待议 motion
    return Response(replies, edits=[views.card_edit(await card(ctx, withdrawn))])


async def status(ctx: Ctx) -> Response:
    items = await usecases.open_items(ctx.uow, ctx.the_council)
    text = views.status_text(ctx.t, list(items))
    for item in items:  # 南塘 11: a called question waiting for its quiet spell
        called = await ctx.uow.questions.waiting_for(item.id)
        if called is not None:
            when = local_time(ctx.the_council, called.opens_at)
            text += "\n" + ctx.t("nantang.status_called", number=item.number, when=when)
    waiting = await usecases.queue(ctx.uow, ctx.the_council)
    if waiting:  # 一事一议: the 待议 motions, in the order they come up
        text += "\n" + ctx.t("nantang.queue", numbers=" → ".join(f"#{m.number}" for m in waiting))
    return Response([Reply(text, title=ctx.t("status.title"))])


async def show(ctx: Ctx) -> Response:
    number = number_only(ctx.args)
    h = await usecases.motion_history(ctx.uow, ctx.the_council, number)
    title = ctx.t("show.title", number=h.motion.number, kind=views.kind_label(ctx.t, h.motion))
    return Response([Reply(history.show_text(ctx.t, ctx.the_council, h, ctx.clock()), title=title)])


TABLE = Table(
    commands={
        "motion": motion,
        "propose": motion,
        "second": second,
        "for": speak,
        "against": speak,
        "speak": speak,
        "warn": warn,
        "amend": amend,
        "enddebate": end_debate,
        "previous": end_debate,
        "pq": end_debate,
        "postpone": postpone,
        "refer": refer,
        "withdraw": withdraw,
        "status": status,
        "show": show,
    },
    buttons={buttons.Second: second_button},
)
