"""Use cases of a motion before its ballot: raise, second, debate, warn, withdraw; the clock's lapse and resume."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from .. import errors, events
from ..debate import check_speech
from ..lifecycle import OPEN_FOR_DEBATE, TERMINAL, Action, MotionState, next_state
from ..model import Actor, Council, Member, Motion, MotionKind, Side, Speech
from ..nantang import check_motion_text
from ..ports import Clock, UnitOfWork
from .matters import matter_before, refuse_if_queued, restart_quiet
from .steps import check_text, find_member, find_motion, iso, record_event, require_chair, require_member

REFERRAL_MAX = 200  # characters of a referral's target (a committee, an office)
WARNING_REASON_MAX = 200


def referral_target(text: str | None) -> str:
    """Who a motion is referred to, as typed: stripped, refused when empty, cut at REFERRAL_MAX characters."""
    target = (text or "").strip()[:REFERRAL_MAX]
    if not target:
        raise errors.TextEmpty()
    return target


async def raise_motion(
    uow: UnitOfWork,
    clock: Clock,
    council: Council,
    actor: Actor,
    text: str,
    *,
    kind: MotionKind = MotionKind.MAIN,
    parent_number: int | None = None,
    postponed_until: datetime | None = None,
    referred_to: str | None = None,
) -> Motion:
    """Raise a motion (or an amendment / subsidiary motion on `parent_number`); it waits for a second."""
    if kind is MotionKind.REFER:
        referred_to = referral_target(referred_to)
    member = require_member(actor)
    text = check_text(text, council.rules.motion_max_chars)
    check_motion_text(council.rules, text)
    await uow.councils.lock(council.id)
    parent = None
    if kind is not MotionKind.MAIN:
        parent = await find_motion(uow, council, parent_number, OPEN_FOR_DEBATE)
        refer_postponed = kind is MotionKind.REFER and parent.state is MotionState.POSTPONED
        if parent.state not in OPEN_FOR_DEBATE and not refer_postponed:
            raise errors.NotAmendable(number=parent.number, state=parent.state.value)
        if kind is MotionKind.AMENDMENT:
            await _check_amendable(uow, parent)
    now = clock()
    # 一事一议: while another matter is before the council a new main motion waits (no second clock yet).
    before = await matter_before(uow, council) if kind is MotionKind.MAIN and council.rules.one_matter else None
    motion = await uow.motions.add(
        Motion(
            0,
            council.id,
            await uow.motions.next_number(council.id),
            kind,
            text,
            member.id,
            MotionState.PROPOSED,
            now,
            None if before else now + council.rules.second_deadline,
            parent_id=parent.id if parent else None,
            postponed_until=postponed_until,
            referred_to=referred_to,
        )
    )
    second_deadline = iso(motion.second_deadline) if motion.second_deadline else None
    await record_event(
        uow,
        council,
        clock,
        events.MOTION_RAISED,
        number=motion.number,
        kind=kind.value,
        text=text,
        mover=member.id,
        mover_name=member.name,
        parent=parent.number if parent else None,
        second_deadline=second_deadline,
        postponed_until=iso(postponed_until) if postponed_until else None,
        referred_to=referred_to,
    )
    if before is not None:
        await record_event(uow, council, clock, events.MOTION_QUEUED, number=motion.number, after=before.number)
    return motion


async def _check_amendable(uow: UnitOfWork, parent: Motion) -> None:
    """RONR as the spec adopts it: a main motion, a postponement or a referral takes one primary amendment at a
    time, a primary amendment one secondary; closing debate takes none, nor does anything once debate is closed."""
    if parent.kind is MotionKind.CLOSE_DEBATE:
        raise errors.NotAmendable(number=parent.number, state=parent.state.value)
    if parent.kind is MotionKind.AMENDMENT:
        grandparent = await uow.motions.get(parent.parent_id) if parent.parent_id else None
        if grandparent is not None and grandparent.kind is MotionKind.AMENDMENT:
            raise errors.AmendmentTooDeep(number=parent.number)
    if parent.debate_closed:
        raise errors.AmendAfterDebateClosed(number=parent.number)
    pending = [
        c for c in await uow.motions.children(parent.id) if c.kind is MotionKind.AMENDMENT and c.state not in TERMINAL
    ]
    if pending:
        raise errors.AmendmentAlreadyPending(number=parent.number, amendment=pending[0].number)


async def fall_with(uow: UnitOfWork, clock: Clock, council: Council, parent: Motion) -> list[Motion]:
    """A withdrawn, postponed or referred motion takes its unsettled amendments and subsidiaries with it."""
    fallen: list[Motion] = []
    for child in await uow.motions.children(parent.id):
        if child.state in TERMINAL:
            continue
        if child.state is MotionState.VOTING:  # callers refuse this first; a ballot is never dropped unsaid
            raise errors.SubsidiaryBallotOpen(number=parent.number, open=f"#{child.number}")
        fallen += await fall_with(uow, clock, council, child)
        child = replace(child, state=next_state(child.state, Action.WITHDRAW, number=child.number))
        await uow.motions.update(child)
        await record_event(
            uow, council, clock, events.MOTION_WITHDRAWN, number=child.number, by=None, parent=parent.number
        )
        fallen.append(child)
    return fallen


async def voting_below(uow: UnitOfWork, motion: Motion) -> list[Motion]:
    """The amendments and subsidiaries under `motion` (at any depth) whose ballot is open."""
    found: list[Motion] = []
    for child in await uow.motions.children(motion.id):
        if child.state is MotionState.VOTING:
            found.append(child)
        found += await voting_below(uow, child)
    return found


async def second_motion(
    uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, number: int | None = None
) -> Motion:
    member = require_member(actor)
    await uow.councils.lock(council.id)
    motion = await find_motion(uow, council, number, frozenset({MotionState.PROPOSED}))
    await refuse_if_queued(uow, council, motion)
    state = next_state(motion.state, Action.SECOND, number=motion.number)
    if motion.mover_id == member.id:
        raise errors.CannotSecondOwn(number=motion.number)
    motion = replace(motion, state=state, seconder_id=member.id)
    await uow.motions.update(motion)
    await record_event(
        uow, council, clock, events.MOTION_SECONDED, number=motion.number, seconder=member.id, seconder_name=member.name
    )
    return motion


async def speak(
    uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, number: int | None, side: Side | None, text: str
) -> tuple[Speech, int]:
    """Record a debate speech; return it with the speeches the speaker has left."""
    member = require_member(actor)
    await uow.councils.lock(council.id)
    motion = await find_motion(uow, council, number, OPEN_FOR_DEBATE)
    if motion.kind is MotionKind.CLOSE_DEBATE:
        raise errors.Undebatable(number=motion.number)
    earlier = await uow.speeches.for_motion(motion.id)
    left = check_speech(
        council.rules,
        motion,
        member.id,
        speaker_is_chair=actor.is_chair,
        side=side,
        text=text.strip(),
        earlier=earlier,
        warnings=await uow.speeches.warnings(motion.id, member.id),
        now=clock(),
    )
    assert side is not None  # check_speech refuses a speech without a side
    motion = replace(motion, state=next_state(motion.state, Action.SPEAK, number=motion.number))
    await uow.motions.update(motion)
    speech = await uow.speeches.add(Speech(motion.id, member.id, side, text.strip(), clock()))
    await record_event(
        uow,
        council,
        clock,
        events.SPEECH_RECORDED,
        number=motion.number,
        member=member.id,
        name=member.name,
        side=side.value,
        text=speech.text,
    )
    await restart_quiet(uow, clock, motion)
    return speech, left


@dataclass(frozen=True)
class Warned:
    """A warning given: the member's warnings on this motion so far, and whether they are now silenced there."""

    member: Member
    motion: Motion
    count: int
    silenced: bool


async def warn(
    uow: UnitOfWork,
    clock: Clock,
    council: Council,
    actor: Actor,
    handle: str,
    number: int | None = None,
    reason: str = "",
) -> Warned:
    """The chair warns a member on a motion (off-topic, personal attack); the limit silences them there."""
    require_chair(actor)
    await uow.councils.lock(council.id)
    target = await find_member(uow, council, handle)
    motion = await find_motion(uow, council, number, OPEN_FOR_DEBATE)
    by_id = actor.member.id if actor.member else 0
    reason = reason.strip()[:WARNING_REASON_MAX]
    count = await uow.speeches.add_warning(motion.id, target.id, by_id, reason, clock())
    await record_event(
        uow,
        council,
        clock,
        events.MEMBER_WARNED,
        number=motion.number,
        member=target.id,
        name=target.name,
        reason=reason,
        count=count,
    )
    return Warned(target, motion, count, silenced=count >= council.rules.warnings_limit)


async def withdraw(uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, number: int | None) -> Motion:
    member = require_member(actor)
    await uow.councils.lock(council.id)
    motion = await find_motion(uow, council, number)
    state = next_state(motion.state, Action.WITHDRAW, number=motion.number)
    if motion.mover_id != member.id:
        raise errors.OnlyMoverMayWithdraw(number=motion.number)
    voting = await voting_below(uow, motion)
    if voting:
        raise errors.SubsidiaryBallotOpen(number=motion.number, open=", ".join(f"#{m.number}" for m in voting))
    motion = replace(motion, state=state)
    await uow.motions.update(motion)
    await record_event(uow, council, clock, events.MOTION_WITHDRAWN, number=motion.number, by=member.name)
    await fall_with(uow, clock, council, motion)
    return motion


async def lapse(uow: UnitOfWork, clock: Clock, council: Council, motion_id: int) -> Motion | None:
    """The clock: a motion still unseconded at its deadline lapses. Returns None when nothing changed."""
    await uow.councils.lock(council.id)
    motion = await uow.motions.get(motion_id)
    if motion.state is not MotionState.PROPOSED or (motion.second_deadline and motion.second_deadline > clock()):
        return None
    motion = replace(motion, state=next_state(motion.state, Action.LAPSE, number=motion.number))
    await uow.motions.update(motion)
    await record_event(uow, council, clock, events.MOTION_LAPSED, number=motion.number)
    return motion


async def resume(uow: UnitOfWork, clock: Clock, council: Council, motion_id: int) -> Motion | None:
    """The clock: a postponed motion comes back as seconded when its time has come."""
    await uow.councils.lock(council.id)
    motion = await uow.motions.get(motion_id)
    if motion.state is not MotionState.POSTPONED or (motion.postponed_until and motion.postponed_until > clock()):
        return None
    motion = replace(
        motion,
        state=next_state(motion.state, Action.RESUME, number=motion.number),
        postponed_until=None,
        debate_closed=False,
    )
    await uow.motions.update(motion)
    await record_event(uow, council, clock, events.MOTION_RESUMED, number=motion.number)
    return motion
