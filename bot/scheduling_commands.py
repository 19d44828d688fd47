"""Commands of meetings and delivery: /schedule /meetings /cancel /meeting /present /adjourn /assign /report /rate /tasks.

Each handler parses, calls one use case from deliberation.delivery_usecases and renders the answer.
The reminders these create are found by the scheduler's scan (bot.alarm.Alarm).
"""
from __future__ import annotations

from deliberation.delivery import Assignment, AssignmentState, MeetingState, Rating, rating_from_text
from deliberation import delivery_usecases as delivery
from deliberation.timeparse import BadDate, BadDuration, DateInPast, parse_duration, split_when_and_rest
from storage.scheduling_repository import DeliveryUnitOfWork

from . import render
from .conversation import Button, Edit, Reply, Response
from .desk import buttons, subjects
from .dispatch import BUTTONS, Ctx, Dispatcher, _refuse, command, split_number
from .i18n import Translator

_CLOSE_WORDS = {"close", "end", "结束", "結束", "关闭", "關閉"}
DATE_EXAMPLE = "2026-12-01 19:30"


def _uow(ctx: Ctx) -> DeliveryUnitOfWork:
    return DeliveryUnitOfWork(ctx.uow)


def _when_and_rest(desk: Dispatcher, ctx: Ctx, text: str, usage: str):
    if not text.strip():
        raise _refuse(usage)
    given = " ".join(text.split()[:2])[:40]
    try:
        return split_when_and_rest(text, now=desk.clock(), tz=ctx.council.timezone)
    except DateInPast:
        raise _refuse("error.date_in_past", given=given) from None
    except (BadDate, BadDuration):
        raise _refuse("error.bad_date", given=given, example=f"{DATE_EXAMPLE}, 3d, 2小时") from None


# ---- renderings shared with the scheduler ----------------------------------------------------

def rating_buttons(t: Translator, assignment: Assignment) -> tuple[tuple[Button, ...], ...]:
    return tuple((Button(t(f"delivery.rating.choice.{rating.value}"),
                         buttons.encode(buttons.Rate(assignment.id, rating))),) for rating in Rating)


def rating_poll(t: Translator, ctx_council, assignment: Assignment, motion_text: str, rated: int, members: int,
                *, open_: bool = True) -> Edit:
    """The rating message (as an Edit: the same subject is posted once and then updated)."""
    text = t("delivery.rating.open", number=assignment.number, text=_clip(motion_text, 80),
             when=render.local_time(ctx_council, assignment.rating_closes_at), rated=rated, members=members)
    return Edit(subjects.encode(subjects.RatingPoll(assignment.id)), text,
                t("delivery.rating.title", number=assignment.number),
                rating_buttons(t, assignment) if open_ else ())


def rating_result_reply(t: Translator, closed: delivery.RatingClosed) -> Reply:
    tally = closed.tally
    return Reply(t("delivery.rating.result", number=closed.assignment.number, satisfied=tally.satisfied,
                   basic=tally.basic, unsatisfied=tally.unsatisfied, rated=tally.total, members=closed.members),
                 title=t("delivery.rating.result_title", number=closed.assignment.number),
                 subject=subjects.encode(subjects.RatingResult(closed.assignment.id)))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _quorum_line(t: Translator, present: int, needed: int) -> str:
    if needed <= 0:
        return t("sched.quorum.none")
    if present >= needed:
        return t("sched.quorum.met", needed=needed)
    return t("sched.quorum.short", needed=needed, short=needed - present)


# ---- meetings --------------------------------------------------------------------------------

@command("schedule")
async def _schedule(desk: Dispatcher, ctx: Ctx) -> Response:
    starts_at, title = _when_and_rest(desk, ctx, ctx.args, "sched.error.schedule_usage")
    meeting = await delivery.schedule_meeting(_uow(ctx), desk.clock, ctx.council, ctx.actor, starts_at, title)
    return Response([Reply(ctx.t("sched.meeting.scheduled", number=meeting.number, title=meeting.title,
                                 when=render.local_time(ctx.council, meeting.starts_at)))])


@command("meetings")
async def _meetings(desk: Dispatcher, ctx: Ctx) -> Response:
    lines = []
    for m in await delivery.upcoming_meetings(_uow(ctx), ctx.council, desk.clock()):
        when = render.local_time(ctx.council, m.starts_at or m.opened_at)
        mark = ctx.t("sched.meetings.open_mark") if m.state is MeetingState.OPEN else ""
        lines.append(ctx.t("sched.meetings.line", number=m.number, when=when, title=m.title, state=mark))
    return Response([Reply("\n".join(lines) or ctx.t("sched.meetings.none"), title=ctx.t("sched.meetings.title"))])


@command("cancel")
async def _cancel(desk: Dispatcher, ctx: Ctx) -> Response:
    number, _ = split_number(ctx.args)
    if number is None:
        raise _refuse("sched.error.cancel_usage")
    meeting = await delivery.cancel_meeting(_uow(ctx), desk.clock, ctx.council, ctx.actor, number)
    return Response([Reply(ctx.t("sched.meeting.cancelled", number=meeting.number, title=meeting.title))])


@command("meeting")
async def _meeting(desk: Dispatcher, ctx: Ctx) -> Response:
    uow = _uow(ctx)
    meeting = await delivery.open_meeting(uow, desk.clock, ctx.council, ctx.actor, ctx.args,
                                          default_title=ctx.t("sched.meeting.default_title"))
    present = await delivery.present_count(uow, ctx.council) or 0
    members = [m for m in await ctx.uow.members.all(ctx.council.id) if m.active]
    needed = delivery.meeting_quorum(ctx.council.rules, len(members))
    return Response([Reply(ctx.t("sched.meeting.opened", number=meeting.number, title=meeting.title,
                                 expected=len(members)) + "\n" + _quorum_line(ctx.t, present, needed),
                           title=ctx.t("sched.meeting.notice_title"))])


@command("present")
async def _present(desk: Dispatcher, ctx: Ctx) -> Response:
    handles = [h for h in ctx.args.split() if h.strip()]
    p = await delivery.record_presence(_uow(ctx), desk.clock, ctx.council, ctx.actor, handles)
    counts = ctx.t("sched.presence.counts", present=p.present, expected=p.expected) + " " + \
        _quorum_line(ctx.t, p.present, p.needed)
    if not handles:
        key = "sched.presence.self" if p.recorded else "sched.presence.self_again"
        note = ctx.t(key, number=p.meeting.number) + " " + counts
        return Response([Reply(note, private=True)], quiet=True, popup=note)
    lines = []
    if p.recorded:
        lines.append(ctx.t("sched.presence.others", names=ctx.t("sched.list_sep").join(p.recorded)))
    if p.already:
        lines.append(ctx.t("sched.presence.already", names=ctx.t("sched.list_sep").join(p.already)))
    return Response([Reply("\n".join(lines + [counts]))])


@command("adjourn")
async def _adjourn(desk: Dispatcher, ctx: Ctx) -> Response:
    s = await delivery.adjourn(_uow(ctx), desk.clock, ctx.council, ctx.actor)
    text = ctx.t("sched.meeting.adjourned", number=s.meeting.number, title=s.meeting.title, expected=s.expected,
                 present=len(s.present), names=ctx.t("sched.list_sep").join(s.present) or "—")
    return Response([Reply(text + "\n" + _quorum_line(ctx.t, len(s.present), s.needed),
                           title=ctx.t("sched.meeting.notice_title"))])


# ---- delivery --------------------------------------------------------------------------------

@command("assign")
async def _assign(desk: Dispatcher, ctx: Ctx) -> Response:
    number, rest = split_number(ctx.args)
    handle, _, due_text = rest.partition(" ")
    if number is None or not handle or not due_text.strip():
        raise _refuse("sched.error.assign_usage")
    due_at, extra = _when_and_rest(desk, ctx, due_text, "sched.error.assign_usage")
    if extra:
        raise _refuse("error.bad_date", given=due_text.strip()[:40], example=f"{DATE_EXAMPLE}, 3d, 2周")
    a = await delivery.assign(_uow(ctx), desk.clock, ctx.council, ctx.actor, number, handle, due_at)
    assignee = await ctx.uow.members.get(a.assignee_id)
    who = f"@{assignee.username}" if assignee and assignee.username else a.assignee_name
    return Response([Reply(ctx.t("delivery.assigned", number=a.number, name=who,
                                 due=render.local_time(ctx.council, a.due_at)))])


@command("report")
async def _report(desk: Dispatcher, ctx: Ctx) -> Response:
    number, rest = split_number(ctx.args)
    if number is None:
        raise _refuse("sched.error.report_usage")
    text, done = delivery.split_done(rest)
    a = await delivery.report(_uow(ctx), desk.clock, ctx.council, ctx.actor, number, text, done)
    name = ctx.actor.member.name if ctx.actor.member else ctx.actor.name
    key = "delivery.report_done" if done else "delivery.report"
    return Response([Reply(ctx.t(key, number=a.number, name=name, text=text or "—"))])


@command("rate")
async def _rate(desk: Dispatcher, ctx: Ctx) -> Response:
    number, rest = split_number(ctx.args)
    if number is None:
        raise _refuse("sched.error.rate_usage")
    uow = _uow(ctx)
    word = rest.strip()
    if word.casefold() in _CLOSE_WORDS:
        a = await delivery.assignment_for(uow, ctx.council, number)
        closed = await delivery.close_rating(uow, desk.clock, ctx.council, a.id, ctx.actor)
        return _rating_closed_response(ctx, closed, Response())
    choice = rating_from_text(word) if word else None
    if choice is not None:
        a = await delivery.assignment_for(uow, ctx.council, number)
        response = await _rate_and_answer(desk, ctx, a.id, choice)
        response.replies.insert(0, Reply(response.popup, private=True))
        return response
    duration = None
    if word:
        try:
            duration = parse_duration(word)
        except BadDuration:
            raise _refuse("sched.error.bad_rating", given=word[:20]) from None
    a = await delivery.open_rating(uow, desk.clock, ctx.council, ctx.actor, number, duration)
    motion = await ctx.uow.motions.get(a.motion_id)
    members = sum(1 for m in await ctx.uow.members.all(ctx.council.id) if m.active)
    poll = rating_poll(ctx.t, ctx.council, a, motion.text, 0, members)
    return Response([Reply(poll.text, title=poll.title, buttons=poll.buttons, subject=poll.subject)])


async def _rate_and_answer(desk: Dispatcher, ctx: Ctx, assignment_id: int, choice: Rating) -> Response:
    uow = _uow(ctx)
    recorded = await delivery.rate(uow, desk.clock, ctx.council, ctx.actor, assignment_id, choice)
    label = ctx.t(f"delivery.rating.choice.{choice.value}")
    key = "delivery.rating.changed" if recorded.previous not in (None, choice) else "delivery.rating.recorded"
    response = Response(popup=ctx.t(key, choice=label, number=recorded.assignment.number), quiet=True)
    motion = await ctx.uow.motions.get(recorded.assignment.motion_id)
    response.edits.append(rating_poll(ctx.t, ctx.council, recorded.assignment, motion.text, recorded.rated,
                                      recorded.eligible, open_=recorded.closed is None))
    if recorded.closed is not None:
        _rating_closed_response(ctx, recorded.closed, response)
    return response


def _rating_closed_response(ctx: Ctx, closed: delivery.RatingClosed, response: Response) -> Response:
    response.replies.append(rating_result_reply(ctx.t, closed))
    return response


async def _rating_button(desk: Dispatcher, ctx: Ctx, press: buttons.Rate) -> Response:
    """A rating button (its assignment id is checked against the database by the use case)."""
    return await _rate_and_answer(desk, ctx, press.assignment_id, press.rating)


BUTTONS[buttons.Rate] = _rating_button


@command("tasks")
async def _tasks(desk: Dispatcher, ctx: Ctx) -> Response:
    """监督: anyone may ask how the assigned items stand; overdue ones are marked."""
    uow = _uow(ctx)
    now = desk.clock()
    lines = []
    for a in await uow.assignments.all(ctx.council.id):
        overdue = a.state is AssignmentState.ASSIGNED and a.due_at <= now
        lines.append(ctx.t("delivery.tasks.line", number=a.number, name=a.assignee_name,
                           due=render.local_time(ctx.council, a.due_at), state=ctx.t(f"delivery.state.{a.state.value}"),
                           overdue=ctx.t("delivery.tasks.overdue") if overdue else ""))
        reports = await uow.assignments.reports(a.id)
        if reports:
            lines.append(ctx.t("delivery.tasks.last", text=_clip(reports[-1].text or "—", 60)))
    return Response([Reply("\n".join(lines) or ctx.t("delivery.tasks.none"), title=ctx.t("delivery.tasks.title"))])

