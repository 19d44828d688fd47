"""Use cases of membership: join a unit, the chair's approval and roles; and who may vote."""

from __future__ import annotations

from dataclasses import replace

from .. import errors, events
from ..model import Actor, Council, Member, MemberStatus, Role, Rules, Unit
from ..ports import Clock, UnitOfWork
from ..roster import normalise_unit_code, parse_area_cm2
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
) -> Member:
    """Register the actor as a member of a unit; pending until the chair approves when the rules ask."""
    await uow.councils.lock(council.id)
    existing = await uow.members.by_user(council.id, actor.user_key)
    if existing is not None and existing.unit is not None:
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
    approval = council.rules.approval_required and not actor.is_chair
    status = MemberStatus.PENDING if approval else MemberStatus.ACTIVE
    if existing is not None:  # a chair from /setup claiming their unit
        member = replace(existing, unit=code, name=actor.name, username=actor.username)
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
    member = replace(member, status=MemberStatus.ACTIVE)
    await uow.members.update(member)
    await record_event(uow, council, clock, events.MEMBER_APPROVED, member=member.id, name=member.name, by=actor.name)
    return member


async def assign_role(uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, handle: str, role: Role) -> Member:
    require_chair(actor)
    await uow.councils.lock(council.id)
    member = await find_member(uow, council, handle)
    member = replace(member, roles=member.roles | {role}, status=MemberStatus.ACTIVE)
    await uow.members.update(member)
    await record_event(
        uow, council, clock, events.ROLE_ASSIGNED, member=member.id, name=member.name, role=role.value, by=actor.name
    )
    return member
