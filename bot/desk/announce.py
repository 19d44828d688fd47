"""Messages the group must get (spec §10): queued in the outbox, in the transaction of the change.

A result or notice becomes an outbox row that commits with the change that caused it, and the reply
is marked `announce` so the adapter leaves it to the outbox (the one writer of the group's messages).
"""

from __future__ import annotations

from dataclasses import replace

from deliberation import usecases

from . import subjects
from .context import Ctx
from .matters import dedupe_key, next_matter
from .messages import Reply, Response
from .outbox_rows import enqueue_drop_buttons, enqueue_edit, enqueue_row
from .views import ballots as ballot_views
from .views.receipts import receipts_reply


async def announce(ctx: Ctx, response: Response, reply: Reply, key: str) -> Reply:
    """Queue `reply` for the group (deduplicated by `key`) and note its row in `response.announced`."""
    council = ctx.the_council
    reply = replace(reply, announce=True)
    row_id = await enqueue_row(
        ctx.uow, chat_key=council.chat_key, reply=reply, at=ctx.clock(), council_id=council.id, dedupe_key=key
    )
    if row_id is not None:
        response.announced.append(row_id)
    return reply


async def ballot_closed(ctx: Ctx, closed: usecases.ClosedBallot, response: Response | None = None) -> Response:
    """A ballot just closed (its last vote or /close): its final text, the result, the parent's notice.

    The ballot message's final edit is an outbox row: the one edit of the ballot message, so the desk
    adds no tally edit.
    """
    response = response or Response()
    council = ctx.the_council
    voted = await ctx.uow.votes.count(closed.ballot.id)
    shown = ballot_views.closed_announcements(ctx.t, council, closed, voted)
    # the ballot message loses its buttons even if the platform is down just now
    ballot_id = closed.ballot.id
    rows = [
        await enqueue_edit(
            ctx.uow,
            chat_key=council.chat_key,
            edit=shown.ballot,
            at=ctx.clock(),
            council_id=council.id,
            dedupe_key=subjects.encode(subjects.BallotClosed(ballot_id, "edit")),
        ),
        await enqueue_drop_buttons(
            ctx.uow,
            chat_key=council.chat_key,
            subject=shown.reminder,
            at=ctx.clock(),
            council_id=council.id,
            dedupe_key=subjects.encode(subjects.BallotClosed(ballot_id, "reminder")),
        ),
    ]
    response.announced.extend(row for row in rows if row is not None)
    replies = list(shown.replies)
    receipts = await receipts_reply(ctx.t, ctx.uow, closed.motion, closed.ballot)  # civil278: the codes counted
    if receipts is not None:
        replies.append(receipts)
    for n, reply in enumerate(replies):
        key = subjects.encode(subjects.BallotClosed(closed.ballot.id, n))
        response.replies.append(await announce(ctx, response, reply, key))
    for reply in await next_matter(ctx.uow, ctx.clock, council, ctx.t):  # 一事一议: the next 待议 motion
        response.replies.append(await announce(ctx, response, reply, dedupe_key(council, reply)))
    return response
