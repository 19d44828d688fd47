"""Ballot commands: /vote (put the question), /yes /no /abstain, /close, and the vote buttons.

A vote that closes its ballot gets no tally edit: the closed ballot's final text is one of its
announcements (`bot.desk.announce.ballot_closed`), the one edit of the ballot message.
"""

from __future__ import annotations

from deliberation import usecases
from deliberation.channels import Channel
from deliberation.counting import Choice
from deliberation.usecases.proxies import household

from ...i18n import Translator
from .. import buttons
from ..announce import ballot_closed
from ..context import Ctx, Table
from ..messages import Reply, Response
from ..outbox_rows import enqueue_row
from ..parsing import number_only, parse_command, split_number, vote_options
from ..views import ballots as views
from ..views.motions import card_edit
from .motions import card

_CHOICES = {"yes": Choice.YES, "no": Choice.NO, "abstain": Choice.ABSTAIN}


async def put(ctx: Ctx) -> Response:
    council = ctx.the_council
    number, rest = split_number(ctx.args)
    options = vote_options(rest)
    called = await usecases.call_question(
        ctx.uow, ctx.clock, council, ctx.actor, number, options.duration, secret=options.secret, major=options.major
    )
    motion, ballot = called.motion, called.ballot
    if ballot is None:  # 南塘 11: right after a speech, the question waits for a quiet spell
        assert called.waiting is not None
        return Response([views.question_called(ctx.t, council, motion, called.waiting)])
    edit = views.ballot_edit(ctx.t, council, motion, ballot, 0, await views.shown_counts(ctx.uow, ballot))
    return Response([views.ballot_reply(edit)], edits=[card_edit(await card(ctx, motion))])


def vote_popup(t: Translator, recorded: usecases.VoteRecorded) -> str:
    key = "popup.vote_changed" if recorded.previous not in (None, recorded.choice) else "popup.vote_recorded"
    text = t(key, choice=t(f"choice.{recorded.choice.value}"), number=recorded.motion.number)
    if recorded.receipt:  # civil278: the receipt of the owner's counted vote, for the 公示
        text += "\n" + t("channels.vote.receipt", receipt=recorded.receipt)
    if recorded.proxy and recorded.owner:
        text += "\n" + t("channels.vote.as_proxy", owner=recorded.owner)
    if recorded.replaced is not None:  # the owner's own vote took the place of the proxy's
        channel = t(f"channels.channel.{recorded.replaced.channel.value}")
        text += "\n" + t("channels.vote.replaced", channel=channel, by=recorded.replaced.by)
    return text


async def tell_owner_of_proxy_vote(ctx: Ctx, response: Response, recorded: usecases.VoteRecorded) -> None:
    """The owner hears privately that their proxy voted for them (no choice: the message is kept in the outbox)."""
    if not (recorded.proxy and recorded.owner):
        return
    for member in await household(ctx.uow, ctx.the_council, recorded.owner):
        text = ctx.t("channels.proxy.used", holder=ctx.actor.name, number=recorded.motion.number, owner=recorded.owner)
        key = f"proxy-used:{recorded.ballot.id}:{member.id}:{ctx.clock().isoformat()}"
        row = await enqueue_row(
            ctx.uow,
            chat_key=member.user_key,
            reply=Reply(text, private=True),
            at=ctx.clock(),
            council_id=ctx.the_council.id,
            dedupe_key=key,
        )
        if row is not None:
            response.announced.append(row)


async def answer_vote(ctx: Ctx, recorded: usecases.VoteRecorded) -> Response:
    """A recorded vote: the pop-up, and the live tally while the ballot is open, or its closing messages."""
    response = Response(popup=vote_popup(ctx.t, recorded), quiet=True)
    await tell_owner_of_proxy_vote(ctx, response, recorded)
    if recorded.closed:
        return await ballot_closed(ctx, recorded.closed, response)
    response.edits.append(
        views.ballot_edit(ctx.t, ctx.the_council, recorded.motion, recorded.ballot, recorded.voted, recorded.counts)
    )
    return response


async def vote(
    ctx: Ctx, ballot_id: int, choice: Choice, channel: Channel = Channel.BUTTON, unit: str | None = None
) -> Response:
    recorded = await usecases.cast_vote(
        ctx.uow, ctx.clock, ctx.the_council, ctx.actor, ballot_id, choice, channel=channel, unit=unit
    )
    return await answer_vote(ctx, recorded)


async def vote_button(ctx: Ctx, press: buttons.Vote) -> Response:
    return await vote(ctx, press.ballot_id, press.choice, Channel.WEB if ctx.incoming.via_web else Channel.BUTTON)


async def vote_text(ctx: Ctx) -> Response:
    """`/yes [N]`, or `/yes N <unit>` by a recorded proxy holder voting for that unit's owner."""
    choice = _CHOICES[(parse_command(ctx.incoming.text) or ("", ""))[0]]
    number, unit = split_number(ctx.args)
    if number is None or not unit or not ctx.the_council.rules.weighted:
        number, unit = number_only(ctx.args), ""
    ballot = await usecases.ballot_for_typed_vote(
        ctx.uow, ctx.the_council, number, ctx.actor, in_group=ctx.incoming.chat_is_group
    )
    response = await vote(ctx, ballot.id, choice, Channel.TYPED, unit.strip() or None)
    response.replies.insert(0, Reply(response.popup or "", private=True))
    return response


async def close(ctx: Ctx) -> Response:
    number = number_only(ctx.args)
    ballot = await usecases.ballot_for(ctx.uow, ctx.the_council, number)
    closed = await usecases.close_ballot(ctx.uow, ctx.clock, ctx.the_council, ballot.id, ctx.actor)
    assert closed is not None  # None is only the clock's answer; the chair is refused instead
    return await ballot_closed(ctx, closed)


TABLE = Table(
    commands={"vote": put, "yes": vote_text, "no": vote_text, "abstain": vote_text, "close": close},
    buttons={buttons.Vote: vote_button},
)
