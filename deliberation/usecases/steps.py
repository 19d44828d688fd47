"""The steps every use case shares: append to the chain, check the actor's role, find a member or a motion."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .. import errors
from ..lifecycle import TERMINAL, MotionState
from ..model import Actor, Council, Member, MemberStatus, Motion
from ..ports import Clock, UnitOfWork
from ..proceedings import ObserverOnly


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


async def record_event(uow: UnitOfWork, council: Council, clock: Clock, type: str, **payload: Any) -> None:
    """Append an event to the council's hash chain, in the caller's transaction."""
    await uow.events.append(council.id, type, clock(), payload)


def require_chair(actor: Actor) -> None:
    if not actor.is_chair:
        raise errors.RoleRequired(role="chair")


def require_member(actor: Actor) -> Member:
    if actor.member is None:
        raise errors.NotAMember()
    if actor.member.status is MemberStatus.PENDING:
        raise errors.PendingApproval(unit=actor.member.unit or "")
    if actor.member.status is MemberStatus.LEFT:
        raise errors.MemberLeft()
    if actor.member.status is MemberStatus.REMOVED:
        raise errors.MemberRemoved()
    if actor.member.status is MemberStatus.OBSERVER:
        raise ObserverOnly()
    return actor.member


async def find_member(uow: UnitOfWork, council: Council, handle: str | int) -> Member:
    """A member named by @username or display name, or by member id (from a button)."""
    member: Member | None
    if isinstance(handle, int):
        member = await uow.members.get(handle)
        member = member if member is not None and member.council_id == council.id else None
    else:
        member = await uow.members.find(council.id, handle.strip().lstrip("@")) if handle.strip() else None
    if member is None:
        raise errors.MemberNotFound(handle=handle)
    return member


async def active_members(uow: UnitOfWork, council: Council) -> list[Member]:
    return [m for m in await uow.members.all(council.id) if m.active]


def check_text(text: str, limit: int) -> str:
    """The text stripped; refused when empty or longer than `limit`."""
    text = (text or "").strip()
    if not text:
        raise errors.TextEmpty()
    if len(text) > limit:
        raise errors.TextTooLong(limit=limit, length=len(text))
    return text


async def find_motion(
    uow: UnitOfWork, council: Council, number: int | None, states: frozenset[MotionState] | None = None
) -> Motion:
    """The numbered motion, or the only one open in `states` when no number is given."""
    if number is not None:
        motion = await uow.motions.by_number(council.id, number)
        if motion is None:
            raise errors.MotionNotFound(number=number)
        return motion
    candidates = [
        m
        for m in await uow.motions.all(council.id)
        if m.state not in TERMINAL and (states is None or m.state in states)
    ]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise errors.MotionNotFound(number="")
    raise errors.MotionNumberRequired(open=", ".join(f"#{m.number}" for m in candidates))
