"""Use cases of membership: join a unit, the chair's approval and roles; and who may vote."""

from __future__ import annotations

from dataclasses import replace

from .. import errors, events
from ..model import Actor, Council, Member, MemberStatus, Role, Rules, Unit
from ..ports import Clock, UnitOfWork
from ..proceedings import OBSERVER_WORDS
from ..roster import normalise_unit_code, parse_area_cm2
from .proceedings import observe
from .steps import find_member, record_event, require_chair

MAX_AREA_CM2 = 100_000 * 10_000  # 100,000 m²: beyond any single exclusive part


def voting_refusal(rules: Rules, member: Member) -> errors.NotEligible | None:
    """Why this member may not vote under these rules, or None when they may.

    A chair votes only where the preset lets the chair vote; under civil278 a vote belongs to a unit's owner.
    """
    if member.has(Role.CHAIR) and not rules.chair_votes:
        return errors.NotEligible(reason="chair")
    if rules.weighted and member.unit is None:
        return errors.NotEligible(reason="unit")
    return None


def may_vote(rules: Rules, member: Member) -> bool:
    return voting_refusal(rules, member) is None


def parse_area(text: str | None) -> int | None:
    """Square metres as typed ("89.5") -> integer square centimetres, exactly (None when not given)."""
    if text is None or not text.strip():
        return None
    try:
        cm2 = parse_area_cm2(text)
    except ValueError:
        raise errors.BadArea(area=text) from None
    if cm2 > MAX_AREA_CM2:
        raise errors.BadArea(area=text)
    return cm2


async def join(
    uow: UnitOfWork,
    clock: Clock,
    council: Council,
    actor: Actor,
    unit_text: str | None = None,
    area_text: str | None = None,
    *,
    vouched: bool = True,
) -> Member:
    """Register the actor as a member of a unit; pending until the chair approves when the rules ask, and
    always when no platform vouches for who they are (`vouched=False`: someone who joined on a web page).

    `/join 列席` registers someone who attends without a unit or a vote (a community secretary)."""
    if unit_text is not None and unit_text.strip().lower() in OBSERVER_WORDS:
        return await observe(uow, clock, council, actor)
    await uow.councils.lock(council.id)
    existing = await uow.members.by_user(council.id, actor.user_key)
    if existing is not None and existing.status is MemberStatus.REMOVED:
        raise errors.MemberRemoved()
    # Back in the group, or 列席 until now and joining for a unit: joins anew.
    returning = existing is not None and existing.status in (MemberStatus.LEFT, MemberStatus.OBSERVER)
    if existing is not None and existing.unit is not None and not returning:
        if existing.status is MemberStatus.PENDING:
            raise errors.PendingApproval(unit=existing.unit)
        raise errors.AlreadyMember(unit=existing.unit)
    code = normalise_unit_code(unit_text) if unit_text and unit_text.strip() else None
    if code is not None and len(code) > 32:
        raise errors.UnitRequired()
    area = parse_area(area_text)
    if code is None and (council.rules.weighted or council.has_roster):
        raise errors.UnitRequired()
    unit = await uow.units.get(council.id, code) if code else None
    if council.has_roster and unit is None:
        raise errors.UnitNotInRoster(unit=code)
    if unit is None and code is not None:
        if council.rules.weighted and area is None:
            raise errors.AreaRequired(unit=code)
        await uow.units.add(council.id, Unit(code, code, area or 0), from_roster=False)
    approval = (council.rules.approval_required or not vouched) and not actor.is_chair
    status = MemberStatus.PENDING if approval else MemberStatus.ACTIVE
    if existing is not None:  # a chair from /setup claiming their unit, or someone back in the group
        status = status if returning else existing.status
        member = replace(existing, unit=code, name=actor.name, username=actor.username, status=status)
        await uow.members.update(member)
    else:
        member = await uow.members.add(
            Member(0, council.id, actor.user_key, actor.name, actor.username, unit=code, status=status)
        )
    await record_event(
        uow,
        council,
        clock,
        events.MEMBER_JOINED,
        member=member.id,
        name=member.name,
        unit=code,
        status=member.status.value,
    )
    return member


async def approve(uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, handle: str | int) -> Member:
    require_chair(actor)
    await uow.councils.lock(council.id)
    member = await find_member(uow, council, handle)
    if member.active:
        raise errors.AlreadyMember(unit=member.unit or "")
    if member.status is MemberStatus.LEFT:  # not in the group any more: they /join again once back
        raise errors.MemberLeft()
    member = replace(member, status=MemberStatus.ACTIVE)
    await uow.members.update(member)
    await record_event(uow, council, clock, events.MEMBER_APPROVED, member=member.id, name=member.name, by=actor.name)
    return member


async def reject(uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, handle: str | int) -> Member:
    """/reject: a chair refuses a pending join. The person is no member, and may /join again (another unit)."""
    require_chair(actor)
    await uow.councils.lock(council.id)
    member = await find_member(uow, council, handle)
    if member.status is not MemberStatus.PENDING:
        raise errors.NotPending(name=member.name)
    # LEFT, not REMOVED: a refused request is no sanction, and a corrected /join starts a new one.
    member = replace(member, status=MemberStatus.LEFT, roles=frozenset())
    await uow.members.update(member)
    payload = {"member": member.id, "name": member.name, "unit": member.unit, "by": actor.name}
    await record_event(uow, council, clock, events.MEMBER_REJECTED, **payload)
    return member


async def assign_role(uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, handle: str, role: Role) -> Member:
    require_chair(actor)
    await uow.councils.lock(council.id)
    member = await find_member(uow, council, handle)
    if member.status is MemberStatus.LEFT:
        raise errors.MemberLeft()
    # A role approves a pending member; a 列席 secretary stays 列席 (records, never votes).
    status = MemberStatus.OBSERVER if member.status is MemberStatus.OBSERVER else MemberStatus.ACTIVE
    member = replace(member, roles=member.roles | {role}, status=status)
    await uow.members.update(member)
    await record_event(
        uow, council, clock, events.ROLE_ASSIGNED, member=member.id, name=member.name, role=role.value, by=actor.name
    )
    return member


async def _refuse_last_chair(uow: UnitOfWork, council: Council, member: Member) -> None:
    """A council keeps at least one chair among its members (platform administrators chair besides)."""
    chairs = [m for m in await uow.members.all(council.id) if m.active and m.has(Role.CHAIR)]
    if member.has(Role.CHAIR) and [m.id for m in chairs] == [member.id]:
        raise errors.LastChair(name=member.name)


async def revoke_chair(uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, handle: str) -> Member:
    """/unchair: a chair takes the chair's role from someone (never from the last chair)."""
    require_chair(actor)
    await uow.councils.lock(council.id)
    member = await find_member(uow, council, handle)
    if not member.has(Role.CHAIR):
        raise errors.NotAChair(name=member.name)
    await _refuse_last_chair(uow, council, member)
    member = replace(member, roles=member.roles - {Role.CHAIR})
    await uow.members.update(member)
    payload = {"member": member.id, "name": member.name, "role": Role.CHAIR.value, "by": actor.name}
    await record_event(uow, council, clock, events.ROLE_REVOKED, **payload)
    return member


async def remove_member(uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, handle: str) -> Member:
    """/remove: a chair takes a membership back (with its roles); /approve restores it."""
    require_chair(actor)
    await uow.councils.lock(council.id)
    member = await find_member(uow, council, handle)
    if member.status in (MemberStatus.REMOVED, MemberStatus.LEFT):
        raise errors.MemberNotFound(handle=handle)
    await _refuse_last_chair(uow, council, member)
    member = replace(member, status=MemberStatus.REMOVED, roles=frozenset())
    await uow.members.update(member)
    await record_event(uow, council, clock, events.MEMBER_REMOVED, member=member.id, name=member.name, by=actor.name)
    return member


async def mark_left(uow: UnitOfWork, clock: Clock, council: Council, user_key: str, *, banned: bool) -> Member | None:
    """The platform says this person left (or was banned from) the group: their membership and roles stop.

    Nothing happens for someone who was no member, or whose leaving is already recorded (a re-delivery).
    They take part again only by /join once back in the group (with the chair's approval where the rules ask).
    """
    await uow.councils.lock(council.id)
    member = await uow.members.by_user(council.id, user_key)
    if member is None or member.status in (MemberStatus.LEFT, MemberStatus.REMOVED):
        return None
    member = replace(member, status=MemberStatus.LEFT, roles=frozenset())
    await uow.members.update(member)
    await record_event(uow, council, clock, events.MEMBER_LEFT, member=member.id, name=member.name, banned=banned)
    return member
