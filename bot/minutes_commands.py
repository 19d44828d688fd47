"""Chat commands for minutes: /minutes (draft), /publish (post, pin, start 公示), /export, /verify."""
from __future__ import annotations

from . import minutes_service
from .conversation import Document, Reply, Response
from .desk import subjects
from .dispatch import Ctx, Dispatcher, command

_DRAFT_LIMIT = 3500  # leave room under Telegram's 4,096 characters; longer drafts go as a file

# Every command here works in the desk's unit of work; the desk commits once, after the handler returned,
# so "/publish went through" always means a stored version.


@command("minutes")
async def _minutes(desk: Dispatcher, ctx: Ctx) -> Response:
    assert ctx.council is not None
    draft = await minutes_service.draft(ctx.uow, ctx.council.id, ctx.args or None, now=desk.clock())
    if len(draft.text) <= _DRAFT_LIMIT:
        return Response([Reply(draft.text)])
    filename, content = await minutes_service.export(ctx.uow, ctx.council.id, "md", ctx.args or None,
                                                     now=desk.clock())
    return Response([Reply(ctx.t("minutes.draft.as_file"))], documents=[Document(filename, content)])


@command("publish")
async def _publish(desk: Dispatcher, ctx: Ctx) -> Response:
    assert ctx.council is not None
    published = await minutes_service.publish(ctx.uow, ctx.council.id, ctx.args or None, now=desk.clock(),
                                              actor=ctx.actor)
    text = published.announcement + "\n\n" + published.text
    subject = subjects.encode(subjects.MinutesPosted(published.version.id))
    if len(text) > _DRAFT_LIMIT:
        filename, content = await minutes_service.export(ctx.uow, ctx.council.id, "md", ctx.args or None,
                                                         now=desk.clock(), version=published.version.version)
        return Response([Reply(published.announcement, pin=not published.unchanged, subject=subject)],
                        documents=[Document(filename, content)])
    return Response([Reply(text, pin=not published.unchanged, subject=subject)])


@command("export")
async def _export(desk: Dispatcher, ctx: Ctx) -> Response:
    assert ctx.council is not None
    fmt, _, period = ctx.args.strip().partition(" ")
    filename, content = await minutes_service.export(ctx.uow, ctx.council.id, fmt or "md",
                                                     period.strip() or None, now=desk.clock(), actor=ctx.actor)
    return Response([Reply(ctx.t("minutes.export.sent", filename=filename), private=True)],
                    documents=[Document(filename, content)], quiet=True)


@command("verify")
async def _verify(desk: Dispatcher, ctx: Ctx) -> Response:
    assert ctx.council is not None
    verdict = await minutes_service.verify(ctx.uow, ctx.council.id)
    return Response([Reply(minutes_service.verdict_text(verdict, ctx.t.locale))])
