"""Owners' votes from every channel (civil278): /teller /tellers /paper /proxy /proxies /conflicts /receipts.

The rules live in `deliberation.channels` and its use cases; here the text is read and the answers written.
Private notices to someone other than the asker (the other teller, an owner whose proxy was recorded or
used) are outbox rows to that person's own chat.
"""

from __future__ import annotations

import hashlib

from deliberation import channels
from deliberation.counting import Choice
from deliberation.model import Ballot, Member, Motion
from deliberation.usecases import find_motion, ledger, paper, proxies
from deliberation.usecases.ballots import find_ballot

from ...i18n import Translator
from ..announce import ballot_closed
from ..context import Ctx, Table
from ..messages import Reply, Response
from ..outbox_rows import enqueue_row
from ..parsing import number_only, split_number, when
from ..refusals import refuse
from ..views import ballots as ballot_views
from ..views.notices import local_time
from ..views.receipts import receipts_reply


def _role(t: Translator, role: channels.TellerRole) -> str:
    return t(f"channels.role.{role.value}")


def _choice(t: Translator, choice: Choice | None) -> str:
    return "—" if choice is None else t(f"choice.{choice.value}")


async def tell_privately(ctx: Ctx, response: Response, member: Member, text: str, key: str) -> None:
    """A private notice to a member other than the asker, queued with the change (their own chat)."""
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


async def teller(ctx: Ctx) -> Response:
    handle, _, role = ctx.args.strip().partition(" ")
    if not handle or not role.strip():
        raise refuse("channels.error.teller_usage")
    appointed = await paper.appoint_teller(ctx.uow, ctx.clock, ctx.the_council, ctx.actor, handle, role.strip())
    key = "channels.teller.removed" if appointed.removed_at is not None else "channels.teller.appointed"
    return Response([Reply(ctx.t(key, name=appointed.name, role=_role(ctx.t, appointed.role)))])


async def tellers(ctx: Ctx) -> Response:
    found = await paper.current_tellers(ctx.uow, ctx.the_council)
    lines = [
        ctx.t(
            "channels.tellers.line", role=_role(ctx.t, role), names="、".join(t.name for t in found if t.role is role)
        )
        for role in channels.TellerRole
        if any(t.role is role for t in found)
    ]
    text = "\n".join(lines) or ctx.t("channels.tellers.none")
    return Response([Reply(text, title=ctx.t("channels.tellers.title"))])


async def paper_slip(ctx: Ctx) -> Response:
    number, rest = split_number(ctx.args)
    words = rest.split()
    if len(words) != 2:
        raise refuse("channels.error.paper_usage")
    entered = await paper.enter_slip(
        ctx.uow, ctx.clock, ctx.the_council, ctx.actor, number, words[0], words[1], in_group=ctx.incoming.chat_is_group
    )
    t, secret = ctx.t, entered.ballot.secret
    figures = {
        "number": entered.number,
        "unit": entered.unit,
        "choice": _choice(t, entered.entry.choice),
        "role": _role(t, entered.entry.role),
        "name": entered.entry.teller,
    }
    if entered.counted is not None:
        key = "channels.paper.counted_secret" if secret else "channels.paper.counted"
        text = t(key, **figures, receipt=entered.counted.receipt, voted=entered.voted)
        response = Response([Reply(text, private=True)])
        if entered.closed is not None:
            return await ballot_closed(ctx, entered.closed, response)
        motion = await ctx.uow.motions.get(entered.ballot.motion_id)
        counts = None if secret else await ctx.uow.votes.counts(entered.ballot.id)
        response.edits.append(
            ballot_views.ballot_edit(t, ctx.the_council, motion, entered.ballot, entered.voted, counts)
        )
        return response
    other = entered.other
    if not entered.state.mismatch or other is None:
        other_role = (
            channels.TellerRole.SCRUTINEER
            if entered.entry.role is channels.TellerRole.COUNTER
            else channels.TellerRole.COUNTER
        )
        key = "channels.paper.first_secret" if secret else "channels.paper.first"
        return Response([Reply(t(key, **figures, other=_role(t, other_role)), private=True)])
    # A mismatch: both tellers are told; the slip counts for nothing until one of them enters it again.
    key = "channels.paper.mismatch_secret" if secret else "channels.paper.mismatch"
    text = t(
        key,
        number=entered.number,
        unit=entered.unit,
        first_role=_role(t, other.role),
        first_name=other.teller,
        first=_choice(t, other.choice),
        second_role=_role(t, entered.entry.role),
        second_name=entered.entry.teller,
        second=_choice(t, entered.entry.choice),
    )
    response = Response([Reply(text, private=True)])
    other_member = await ctx.uow.members.get(other.teller_id)
    if other_member is not None:
        await tell_privately(ctx, response, other_member, text, f"paper-mismatch:{entered.entry.id}")
    return response


async def proxy(ctx: Ctx) -> Response:
    words = ctx.args.split(maxsplit=2)
    if len(words) < 2:
        raise refuse("channels.error.proxy_usage")
    council = ctx.the_council
    until = when(words[2], now=ctx.clock(), tz=council.timezone) if len(words) == 3 else None
    incoming = ctx.incoming
    attachment = None
    if incoming.reply_file_id:
        content = incoming.reply_file
        digest = hashlib.sha256(content).hexdigest() if content is not None else None
        attachment = proxies.Attachment(incoming.reply_file_id, digest, content)
    recorded = await proxies.grant_proxy(ctx.uow, ctx.clock, council, ctx.actor, words[0], words[1], until, attachment)
    p, t = recorded.proxy, ctx.t
    until_text = t("channels.proxy.until", until=local_time(council, p.until)) if p.until else ""
    figures = {"unit": p.unit, "owner": p.owner, "holder": p.holder, "until": until_text, "by": p.granted_by}
    response = Response([Reply(t("channels.proxy.recorded", **figures))])
    for member in recorded.owner_members:
        if member.user_key != ctx.actor.user_key:  # the owner who typed it reads the group's confirmation
            told = t("channels.proxy.told_owner", **figures)
            await tell_privately(ctx, response, member, told, f"proxy:{p.id}:{member.id}")
    return response


async def proxy_list(ctx: Ctx) -> Response:
    council, t = ctx.the_council, ctx.t
    lines = []
    for p in await proxies.proxies(ctx.uow, council, ctx.clock()):
        until_text = t("channels.proxy.until", until=local_time(council, p.until)) if p.until else ""
        lines.append(
            t("channels.proxies.line", unit=p.unit, owner=p.owner, holder=p.holder, via=t(f"channels.via.{p.via}"))
            + until_text
        )
    text = "\n".join(lines) or t("channels.proxies.none")
    text += "\n" + t("rules.proxy_cap", cap=council.rules.proxy_cap)
    return Response([Reply(text, title=t("channels.proxies.title"))])


async def _ballot_of(ctx: Ctx) -> tuple[Motion, Ballot]:
    number = number_only(ctx.args)
    council = ctx.the_council
    motion = await find_motion(ctx.uow, council, number)
    found = await ctx.uow.ballots.for_motion(motion.id)
    if not found:
        raise refuse("error.ballot_not_found", ballot=motion.number)
    return motion, await find_ballot(ctx.uow, council, found[-1].id)


async def conflicts(ctx: Ctx) -> Response:
    """Owners whose votes came through channels of different rank, for the tellers and the chair to check."""
    actor = ctx.actor
    is_teller = actor.member is not None and any(
        t.member_id == actor.member.id for t in await paper.current_tellers(ctx.uow, ctx.the_council)
    )
    if not (actor.is_chair or actor.is_secretary or is_teller):
        raise refuse("channels.error.teller_required")
    motion, ballot = await _ballot_of(ctx)
    units = await ctx.uow.units.all(ctx.the_council.id)
    t, lines = ctx.t, []
    for owner, attempts in (await ledger.ballot_conflicts(ctx.uow, ballot)).items():
        unit = ", ".join(sorted(u.code for u in units if u.owner == owner))
        tried = "；".join(
            t(
                "channels.conflicts.attempt",
                channel=t(f"channels.channel.{a.channel.value}"),
                by=a.by,
                at=local_time(ctx.the_council, a.at),
                counted=t("channels.conflicts.counted") if a.counted else "",
            )
            for a in attempts
        )
        lines.append(t("channels.conflicts.line", unit=unit, attempts=tried))
    text = "\n".join(lines) or t("channels.conflicts.none")
    return Response([Reply(text, title=t("channels.conflicts.title", number=motion.number), private=True)])


async def receipts(ctx: Ctx) -> Response:
    """The 公示 of the receipts counted, once the ballot closed: open ballots with unit and choice."""
    motion, ballot = await _ballot_of(ctx)
    if ballot.open:
        return Response([Reply(ctx.t("channels.receipts.still_open", number=motion.number))])
    shown = await receipts_reply(ctx.t, ctx.uow, motion, ballot)
    return Response([shown or Reply(ctx.t("channels.receipts.none"))])


TABLE = Table(
    commands={
        "teller": teller,
        "tellers": tellers,
        "paper": paper_slip,
        "proxy": proxy,
        "proxies": proxy_list,
        "conflicts": conflicts,
        "receipts": receipts,
    }
)
