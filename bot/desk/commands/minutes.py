"""Minutes commands: /minutes (draft), /publish (post, pin, start 公示), /export, /verify.

Every command here works in the desk's unit of work; the desk commits once, after the handler returned,
so "/publish went through" always means a stored version.
"""

from __future__ import annotations

from ...minutes_files.export import notice_file
from .. import minutes as minutes_service
from .. import subjects
from ..context import Ctx, Table
from ..messages import Document, Reply, Response
from . import proceedings

_DRAFT_LIMIT = 3500  # leave room under Telegram's 4,096 characters; longer drafts go as a file


_APPROVE = frozenset({"approve", "通过", "通過", "确认", "確認", "批准"})


async def draft(ctx: Ctx) -> Response:
    word, _, rest = ctx.args.strip().partition(" ")
    if word.lower() in _APPROVE:  # `/minutes approve`: the previous meeting's minutes, approved at this one
        return await proceedings.approve_minutes(ctx, rest)
    council = ctx.the_council
    text = await minutes_service.draft(ctx.uow, council.id, ctx.args or None, now=ctx.clock())
    if len(text.text) <= _DRAFT_LIMIT:
        return Response([Reply(text.text)])
    filename, content = await minutes_service.export(ctx.uow, council.id, "md", ctx.args or None, now=ctx.clock())
    return Response([Reply(ctx.t("minutes.draft.as_file"))], documents=[Document(filename, content)])


async def publish(ctx: Ctx) -> Response:
    council = ctx.the_council
    published = await minutes_service.publish(ctx.uow, council.id, ctx.args or None, now=ctx.clock(), actor=ctx.actor)
    text = published.announcement + "\n\n" + published.text
    subject = subjects.encode(subjects.MinutesPosted(published.version.id))
    documents = [] if published.unchanged else [await _notice(ctx, published)]  # the A4 公示 for the notice board
    if len(text) > _DRAFT_LIMIT:
        filename, content = await minutes_service.export(
            ctx.uow, council.id, "md", ctx.args or None, now=ctx.clock(), version=published.version.version
        )
        return Response(
            [Reply(published.announcement, pin=not published.unchanged, subject=subject)],
            documents=[Document(filename, content), *documents],
        )
    return Response([Reply(text, pin=not published.unchanged, subject=subject)], documents=documents)


async def _notice(ctx: Ctx, published: minutes_service.Publication) -> Document:
    filename, content = await notice_file(
        ctx.uow,
        published.council,
        published.minutes,
        ctx.t.locale,
        starts=published.version.published_at or ctx.clock(),
        ends=published.ends_at,
        public_base_url=ctx.defaults.public_base_url,
    )
    return Document(filename, content)


async def export(ctx: Ctx) -> Response:
    fmt, _, period = ctx.args.strip().partition(" ")
    filename, content = await minutes_service.export(
        ctx.uow,
        ctx.the_council.id,
        fmt or "md",
        period.strip() or None,
        now=ctx.clock(),
        actor=ctx.actor,
        public_base_url=ctx.defaults.public_base_url,
        docx_template=ctx.defaults.docx_template,
    )
    return Response(
        [Reply(ctx.t("minutes.export.sent", filename=filename), private=True)],
        documents=[Document(filename, content)],
        quiet=True,
    )


async def verify(ctx: Ctx) -> Response:
    verdict = await minutes_service.verify(ctx.uow, ctx.the_council.id)
    return Response([Reply(minutes_service.verdict_text(verdict, ctx.t.locale))])


TABLE = Table(commands={"minutes": draft, "publish": publish, "export": export, "verify": verify})
