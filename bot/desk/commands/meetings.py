"""Meeting commands: /schedule /meetings /cancel /meeting /present /adjourn."""

from __future__ import annotations

from deliberation import usecases as delivery
from deliberation.delivery import MeetingState, meeting_quorum
from deliberation.model import MemberStatus

from ..context import Ctx, Table
from ..messages import Reply, Response
from ..parsing import split_number, when_and_rest
from ..refusals import refuse
from ..views.notices import local_time, quorum_line


async def schedule(ctx: Ctx) -> Response:
    council = ctx.the_council
    starts_at, title = when_and_rest(ctx.args, "sched.error.schedule_usage", now=ctx.clock(), tz=council.timezone)
    meeting = await delivery.schedule_meeting(ctx.uow, ctx.clock, council, ctx.actor, starts_at, title)
    assert meeting.starts_at is not None
    return Response(
        [
            Reply(
                ctx.t(
                    "sched.meeting.scheduled",
                    number=meeting.number,
                    title=meeting.title,
                    when=local_time(council, meeting.starts_at),
                )
            )
        ]
    )


async def meetings(ctx: Ctx) -> Response:
    council = ctx.the_council
    lines = []
    for m in await delivery.upcoming_meetings(ctx.uow, council, ctx.clock()):
        moment = m.starts_at or m.opened_at
        when = local_time(council, moment) if moment else "—"
        mark = ctx.t("sched.meetings.open_mark") if m.state is MeetingState.OPEN else ""
        lines.append(ctx.t("sched.meetings.line", number=m.number, when=when, title=m.title, state=mark))
    return Response([Reply("\n".join(lines) or ctx.t("sched.meetings.none"), title=ctx.t("sched.meetings.title"))])


async def cancel(ctx: Ctx) -> Response:
    number, _ = split_number(ctx.args)
    if number is None:
        raise refuse("sched.error.cancel_usage")
    meeting = await delivery.cancel_meeting(ctx.uow, ctx.clock, ctx.the_council, ctx.actor, number)
    return Response([Reply(ctx.t("sched.meeting.cancelled", number=meeting.number, title=meeting.title))])


async def open_meeting(ctx: Ctx) -> Response:
    council = ctx.the_council
    meeting = await delivery.open_meeting(
        ctx.uow, ctx.clock, council, ctx.actor, ctx.args, default_title=ctx.t("sched.meeting.default_title")
    )
    present = await delivery.present_count(ctx.uow, council) or 0
    members = [m for m in await ctx.uow.members.all(council.id) if m.active]
    needed = meeting_quorum(council.rules, len(members))
    return Response(
        [
            Reply(
                ctx.t("sched.meeting.opened", number=meeting.number, title=meeting.title, expected=len(members))
                + "\n"
                + quorum_line(ctx.t, present, needed),
                title=ctx.t("sched.meeting.notice_title"),
            )
        ]
    )


async def present(ctx: Ctx) -> Response:
    handles = [h for h in ctx.args.split() if h.strip()]
    p = await delivery.record_presence(ctx.uow, ctx.clock, ctx.the_council, ctx.actor, handles)
    counts = (
        ctx.t("sched.presence.counts", present=p.present, expected=p.expected)
        + " "
        + quorum_line(ctx.t, p.present, p.needed)
    )
    observer = ctx.actor.member is not None and ctx.actor.member.status is MemberStatus.OBSERVER
    if not handles and observer:  # 列席: listed in the record, not counted as present
        note = ctx.t("record.observer_present", number=p.meeting.number)
        return Response([Reply(note, private=True)], quiet=True, popup=note)
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


async def adjourn(ctx: Ctx) -> Response:
    s = await delivery.adjourn(ctx.uow, ctx.clock, ctx.the_council, ctx.actor)
    text = ctx.t(
        "sched.meeting.adjourned",
        number=s.meeting.number,
        title=s.meeting.title,
        expected=s.expected,
        present=len(s.present),
        names=ctx.t("sched.list_sep").join(s.present) or "—",
    )
    return Response(
        [Reply(text + "\n" + quorum_line(ctx.t, len(s.present), s.needed), title=ctx.t("sched.meeting.notice_title"))]
    )


TABLE = Table(
    commands={
        "schedule": schedule,
        "meetings": meetings,
        "cancel": cancel,
        "meeting": open_meeting,
        "present": present,
        "adjourn": adjourn,
    }
)
