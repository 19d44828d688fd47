"""Follow-up of adopted motions: /assign /report /rate /tasks, and the rating buttons.

The reminders these create are found by the alarm's scan.
"""

from __future__ import annotations

from deliberation import usecases as delivery
from deliberation.delivery import Rating, is_overdue, rating_from_text

from .. import buttons
from ..context import Ctx, Table
from ..messages import Reply, Response
from ..parsing import DATE_EXAMPLE, duration, split_number, when_and_rest
from ..refusals import refuse
from ..views.notices import clip, local_time
from ..views.ratings import rating_poll, rating_result_reply

_CLOSE_WORDS = {"close", "end", "结束", "結束", "关闭", "關閉"}


async def assign(ctx: Ctx) -> Response:
    council = ctx.the_council
    number, rest = split_number(ctx.args)
    handle, _, due_text = rest.partition(" ")
    if number is None or not handle or not due_text.strip():
        raise refuse("sched.error.assign_usage")
    due_at, extra = when_and_rest(due_text, "sched.error.assign_usage", now=ctx.clock(), tz=council.timezone)
    if extra:
        raise refuse("error.bad_date", given=due_text.strip()[:40], example=f"{DATE_EXAMPLE}, 3d, 2周")
    a = await delivery.assign(ctx.uow, ctx.clock, council, ctx.actor, number, handle, due_at)
    assignee = await ctx.uow.members.get(a.assignee_id)
    who = f"@{assignee.username}" if assignee and assignee.username else a.assignee_name
    return Response([Reply(ctx.t("delivery.assigned", number=a.number, name=who, due=local_time(council, a.due_at)))])


async def report(ctx: Ctx) -> Response:
    number, rest = split_number(ctx.args)
    if number is None:
        raise refuse("sched.error.report_usage")
    text, done = delivery.split_done(rest)
    a = await delivery.report(ctx.uow, ctx.clock, ctx.the_council, ctx.actor, number, text, done)
    name = ctx.actor.member.name if ctx.actor.member else ctx.actor.name
    key = "delivery.report_done" if done else "delivery.report"
    return Response([Reply(ctx.t(key, number=a.number, name=name, text=text or "—"))])


async def rate(ctx: Ctx) -> Response:
    council = ctx.the_council
    number, rest = split_number(ctx.args)
    if number is None:
        raise refuse("sched.error.rate_usage")
    word = rest.strip()
    if word.casefold() in _CLOSE_WORDS:
        a = await delivery.assignment_for(ctx.uow, council, number)
        closed = await delivery.close_rating(ctx.uow, ctx.clock, council, a.id, ctx.actor)
        assert closed is not None  # None is only the clock's answer; the chair is refused instead
        return Response([rating_result_reply(ctx.t, closed)])
    choice = rating_from_text(word) if word else None
    if choice is not None:
        a = await delivery.assignment_for(ctx.uow, council, number)
        response = await _rate(ctx, a.id, choice)
        response.replies.insert(0, Reply(response.popup or "", private=True))
        return response
    period = duration(word, "sched.error.bad_rating") if word else None
    a = await delivery.open_rating(ctx.uow, ctx.clock, council, ctx.actor, number, period)
    motion = await ctx.uow.motions.get(a.motion_id)
    members = sum(1 for m in await ctx.uow.members.all(council.id) if m.active)
    poll = rating_poll(ctx.t, council, a, motion.text, 0, members)
    return Response([Reply(poll.text, title=poll.title, buttons=poll.buttons, subject=poll.subject)])


async def _rate(ctx: Ctx, assignment_id: int, choice: Rating) -> Response:
    recorded = await delivery.rate(ctx.uow, ctx.clock, ctx.the_council, ctx.actor, assignment_id, choice)
    label = ctx.t(f"delivery.rating.choice.{choice.value}")
    key = "delivery.rating.changed" if recorded.previous not in (None, choice) else "delivery.rating.recorded"
    response = Response(popup=ctx.t(key, choice=label, number=recorded.assignment.number), quiet=True)
    motion = await ctx.uow.motions.get(recorded.assignment.motion_id)
    response.edits.append(
        rating_poll(
            ctx.t,
            ctx.the_council,
            recorded.assignment,
            motion.text,
            recorded.rated,
            recorded.eligible,
            open_=recorded.closed is None,
        )
    )
    if recorded.closed is not None:
        response.replies.append(rating_result_reply(ctx.t, recorded.closed))
    return response


async def rate_button(ctx: Ctx, press: buttons.Rate) -> Response:
    """A rating button (its assignment id is checked against the database by the use case)."""
    return await _rate(ctx, press.assignment_id, press.rating)


async def tasks(ctx: Ctx) -> Response:
    """监督: anyone may ask how the assigned items stand; overdue ones are marked."""
    council = ctx.the_council
    now = ctx.clock()
    lines = []
    for a in await ctx.uow.assignments.all(council.id):
        overdue = is_overdue(a, now)
        lines.append(
            ctx.t(
                "delivery.tasks.line",
                number=a.number,
                name=a.assignee_name,
                due=local_time(council, a.due_at),
                state=ctx.t(f"delivery.state.{a.state.value}"),
                overdue=ctx.t("delivery.tasks.overdue") if overdue else "",
            )
        )
        reports = await ctx.uow.assignments.reports(a.id)
        if reports:
            lines.append(ctx.t("delivery.tasks.last", text=clip(reports[-1].text or "—", 60)))
    return Response([Reply("\n".join(lines) or ctx.t("delivery.tasks.none"), title=ctx.t("delivery.tasks.title"))])


TABLE = Table(
    commands={"assign": assign, "report": report, "rate": rate, "tasks": tasks}, buttons={buttons.Rate: rate_button}
)
