"""Proxies (委托投票, civil278, spec §4a): recorded by the owner, or by the secretary from the signed 委托书.

A holder represents at most `proxy_cap` owners; a proxy is refused for an owner who already voted on an open
ballot; a new proxy for the same owner replaces the old one. The owner's own vote overrides the proxy's
(the conflict rule of `deliberation.channels`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .. import errors, events
from ..channels import Proxy
from ..model import Actor, Council, Member, MemberStatus
from ..ports import Clock, UnitOfWork
from ..roster import normalise_unit_code
from .ledger import active_proxy, owner_of_unit
from .steps import find_member, record_event


@dataclass(frozen=True)
class Attachment:
    """The photo of the signed 委托书 the secretary replied to: the platform's file id, and its bytes when the
    adapter could fetch them (their sha256 is kept with the proxy)."""

    file_id: str
    sha256: str | None = None
    content: bytes | None = None


@dataclass(frozen=True)
class ProxyRecorded:
    proxy: Proxy
    replaced: Proxy | None
    owner_members: tuple[Member, ...]  # the owner's household in the chat, to be told privately


async def household(uow: UnitOfWork, council: Council, owner: str) -> tuple[Member, ...]:
    """The active members registered for the owner's units (they hear privately about the owner's proxy)."""
    units = await uow.units.all(council.id)
    return tuple(
        m
        for m in await uow.members.all(council.id)
        if m.status is MemberStatus.ACTIVE and owner_of_unit(units, m.unit) == owner
    )


async def grant_proxy(
    uow: UnitOfWork,
    clock: Clock,
    council: Council,
    actor: Actor,
    unit_text: str,
    holder_handle: str,
    until: datetime | None = None,
    attachment: Attachment | None = None,
) -> ProxyRecorded:
    """`/proxy <unit> @user [until]` by the unit's owner; by the secretary only with the 委托书's photo."""
    member = actor.member
    if member is None or not member.active:
        raise errors.NotAMember()
    if not council.rules.weighted:
        raise errors.Civil278Only()
    await uow.councils.lock(council.id)
    units = await uow.units.all(council.id)
    code = normalise_unit_code(unit_text)
    owner = owner_of_unit(units, code)
    if owner is None:
        raise errors.UnitNotInRoster(unit=code)
    by_owner = owner_of_unit(units, member.unit) == owner
    if not by_owner and not (actor.is_secretary and attachment is not None):
        raise errors.ProxyNotAllowed(unit=code)
    holder = await find_member(uow, council, holder_handle)
    if not holder.active:
        raise errors.NotAMember()
    if owner_of_unit(units, holder.unit) == owner:
        raise errors.ProxyToSelf(unit=code)
    now = clock()
    for motion in await uow.motions.all(council.id):
        ballot = await uow.ballots.open_for_motion(motion.id)
        if ballot is not None and any(
            a.owner == owner and a.counted for a in await uow.ballot_attempts.for_owner(ballot.id, owner)
        ):
            raise errors.ProxyOwnerVoted(owner=owner, number=motion.number)
    cap = council.rules.proxy_cap
    held = {p.owner for p in await uow.proxies.all(council.id) if p.holder_id == holder.id and p.active(now)}
    if owner not in held and len(held) >= cap:
        raise errors.ProxyCapReached(name=holder.name, cap=cap)
    replaced = await active_proxy(uow, council, owner, now)
    if replaced is not None:
        await uow.proxies.revoke(replaced.id, now)
    proxy = Proxy(
        council.id,
        owner,
        code,
        holder.id,
        holder.name,
        member.name,
        "owner" if by_owner else "secretary",
        now,
        until,
        attachment.file_id if attachment else None,
        attachment.sha256 if attachment else None,
    )
    proxy = await uow.proxies.add(proxy, attachment.content if attachment else None)
    await record_event(
        uow,
        council,
        clock,
        events.PROXY_GRANTED,
        unit=code,
        holder=holder.name,
        by=member.name,
        via=proxy.via,
        until=until.isoformat() if until else None,
        file_sha256=proxy.file_sha256,
    )
    return ProxyRecorded(proxy, replaced, await household(uow, council, owner))


async def proxies(uow: UnitOfWork, council: Council, now: datetime) -> list[Proxy]:
    """The proxies in force, by holder."""
    return sorted((p for p in await uow.proxies.all(council.id) if p.active(now)), key=lambda p: (p.holder, p.unit))
