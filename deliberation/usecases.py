"""Use cases: one function per thing a person (or the clock) does; each takes a unit of work and a clock.

Every use case locks the council, checks the rules, changes the records and appends to the
event chain, all in the caller's transaction: use cases never commit (the desk or the alarm commits
once for the whole update). A refusal raises a DeliberationError; the caller rolls back.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from . import counting, errors
from .counting import Choice, Electorate, Outcome, Threshold
from .debate import check_speech
from .lifecycle import OPEN_FOR_DEBATE, TERMINAL, Action, MotionState, next_state
from .model import (
    PRESETS, Actor, Ballot, Council, Member, MemberStatus, Motion, MotionKind, Role, Rules, Side,
    Speech, Unit,
)
from .ports import Clock, UnitOfWork
from .roster import RosterUnit, normalise_unit_code, parse_area_cm2

MAX_AREA_CM2 = 100_000 * 10_000  # 100,000 m²: beyond any single exclusive part


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


async def record_event(uow: UnitOfWork, council: Council, clock: Clock, type: str, **payload) -> None:
    """Append an event to the council's hash chain, in the caller's transaction."""
    await uow.events.append(council.id, type, clock(), payload)


# ---- councils and membership ---------------------------------------------------------------

async def setup_council(uow: UnitOfWork, clock: Clock, *, chat_key: str, title: str, actor: Actor,
                        preset: str | None = None, locale: str = "zh_Hans",
                        timezone: str = "Asia/Shanghai") -> Council:
    """Make the chat a council (or, for its chair, switch the preset); the one who sets it up chairs it."""
    preset = (preset or "nantang").strip().lower()
    if preset not in PRESETS:
        raise errors.UnknownPreset(preset=preset, presets=", ".join(PRESETS))
    existing = await uow.councils.by_chat(chat_key)
    if existing is not None:
        member = await uow.members.by_user(existing.id, actor.user_key)
        if not replace(actor, member=member).is_chair:
            raise errors.CouncilExists(title=existing.title)
        await uow.councils.lock(existing.id)
        council = replace(existing, rules=Rules.for_preset(preset))
        await uow.councils.update(council)
        await record_event(uow, council, clock, "council.rules", preset=preset, by=actor.name)
        return council
    council = await uow.councils.add(Council(0, chat_key, title, Rules.for_preset(preset), locale, timezone))
    await uow.councils.lock(council.id)
    await uow.members.add(Member(0, council.id, actor.user_key, actor.name, actor.username,
                                 status=MemberStatus.ACTIVE, roles=frozenset({Role.CHAIR})))
    await record_event(uow, council, clock, "council.setup", title=title, preset=preset, chair=actor.name)
    return council


async def set_language(uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, locale: str) -> Council:
    require_chair(actor)
    await uow.councils.lock(council.id)
    council = replace(council, locale=locale)
    await uow.councils.update(council)
    await record_event(uow, council, clock, "council.language", locale=locale)
    return council


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


async def join(uow: UnitOfWork, clock: Clock, council: Council, actor: Actor,
               unit_text: str | None = None, area_text: str | None = None) -> Member:
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
        member = await uow.members.add(Member(0, council.id, actor.user_key, actor.name, actor.username,
                                              unit=code, status=status))
    await record_event(uow, council, clock, "member.joined", member=member.id, name=member.name,
                  unit=code, status=member.status.value)
    return member


async def import_roster(uow: UnitOfWork, clock: Clock, council: Council, units: Sequence[RosterUnit]) -> Council:
    """Load the property register: units, owners and areas replace the council's unit list."""
    await uow.councils.lock(council.id)
    await uow.units.replace_roster(council.id, [Unit(u.code, u.owner, u.area_cm2) for u in units])
    council = replace(council, has_roster=True)
    await record_event(uow, council, clock, "roster.imported", units=len(units),
                  owners=len({u.owner for u in units}), total_area_cm2=sum(u.area_cm2 for u in units))
    return council


def require_chair(actor: Actor) -> None:
    if not actor.is_chair:
        raise errors.RoleRequired(role="chair")


def require_member(actor: Actor) -> Member:
    if actor.member is None:
        raise errors.NotAMember()
    if actor.member.status is MemberStatus.PENDING:
        raise errors.PendingApproval(unit=actor.member.unit or "")
    return actor.member


async def find_member(uow: UnitOfWork, council: Council, handle: str | int) -> Member:
    """A member named by @username or display name, or by member id (from a button)."""
    if isinstance(handle, int):
        member = await uow.members.get(handle)
        member = member if member is not None and member.council_id == council.id else None
    else:
        member = await uow.members.find(council.id, handle.strip().lstrip("@")) if handle.strip() else None
    if member is None:
        raise errors.MemberNotFound(handle=handle)
    return member


async def approve(uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, handle: str | int) -> Member:
    require_chair(actor)
    await uow.councils.lock(council.id)
    member = await find_member(uow, council, handle)
    if member.active:
        raise errors.AlreadyMember(unit=member.unit or "")
    member = replace(member, status=MemberStatus.ACTIVE)
    await uow.members.update(member)
    await record_event(uow, council, clock, "member.approved", member=member.id, name=member.name, by=actor.name)
    return member


async def assign_role(uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, handle: str,
                      role: Role) -> Member:
    require_chair(actor)
    await uow.councils.lock(council.id)
    member = await find_member(uow, council, handle)
    member = replace(member, roles=member.roles | {role}, status=MemberStatus.ACTIVE)
    await uow.members.update(member)
    await record_event(uow, council, clock, "role.assigned", member=member.id, name=member.name,
                  role=role.value, by=actor.name)
    return member


# ---- motions ----------------------------------------------------------------------------------

def _check_text(text: str, limit: int) -> str:
    text = (text or "").strip()
    if not text:
        raise errors.TextEmpty()
    if len(text) > limit:
        raise errors.TextTooLong(limit=limit, length=len(text))
    return text


async def _motion(uow: UnitOfWork, council: Council, number: int | None,
                  states: frozenset[MotionState] | None = None) -> Motion:
    """The numbered motion, or the only one open in `states` when no number is given."""
    if number is not None:
        motion = await uow.motions.by_number(council.id, number)
        if motion is None:
            raise errors.MotionNotFound(number=number)
        return motion
    candidates = [m for m in await uow.motions.all(council.id)
                  if m.state not in TERMINAL and (states is None or m.state in states)]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise errors.MotionNotFound(number="")
    raise errors.MotionNumberRequired(open=", ".join(f"#{m.number}" for m in candidates))


async def raise_motion(uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, text: str, *,
                       kind: MotionKind = MotionKind.MAIN, parent_number: int | None = None,
                       postponed_until: datetime | None = None, referred_to: str | None = None) -> Motion:
    """Raise a motion (or an amendment / subsidiary motion on `parent_number`); it waits for a second."""
    member = require_member(actor)
    text = _check_text(text, council.rules.motion_max_chars)
    await uow.councils.lock(council.id)
    parent = None
    if kind is not MotionKind.MAIN:
        parent = await _motion(uow, council, parent_number, OPEN_FOR_DEBATE)
        if parent.state not in OPEN_FOR_DEBATE and not (kind is MotionKind.REFER and parent.state is MotionState.POSTPONED):
            raise errors.NotAmendable(number=parent.number, state=parent.state.value)
        if kind is MotionKind.AMENDMENT and parent.kind is not MotionKind.MAIN:
            raise errors.NotAmendable(number=parent.number, state=parent.state.value)
    now = clock()
    motion = await uow.motions.add(Motion(
        0, council.id, await uow.motions.next_number(council.id), kind, text, member.id,
        MotionState.PROPOSED, now, now + council.rules.second_deadline,
        parent_id=parent.id if parent else None, postponed_until=postponed_until, referred_to=referred_to))
    await record_event(uow, council, clock, "motion.raised", number=motion.number, kind=kind.value, text=text,
                  mover=member.id, mover_name=member.name, parent=parent.number if parent else None,
                  second_deadline=_iso(motion.second_deadline),
                  postponed_until=_iso(postponed_until) if postponed_until else None, referred_to=referred_to)
    return motion


async def second_motion(uow: UnitOfWork, clock: Clock, council: Council, actor: Actor,
                        number: int | None = None) -> Motion:
    member = require_member(actor)
    await uow.councils.lock(council.id)
    motion = await _motion(uow, council, number, frozenset({MotionState.PROPOSED}))
    state = next_state(motion.state, Action.SECOND, number=motion.number)
    if motion.mover_id == member.id:
        raise errors.CannotSecondOwn(number=motion.number)
    motion = replace(motion, state=state, seconder_id=member.id)
    await uow.motions.update(motion)
    await record_event(uow, council, clock, "motion.seconded", number=motion.number, seconder=member.id,
                  seconder_name=member.name)
    return motion


async def speak(uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, number: int | None,
                side: Side | None, text: str) -> tuple[Speech, int]:
    """Record a debate speech; return it with the speeches the speaker has left."""
    member = require_member(actor)
    await uow.councils.lock(council.id)
    motion = await _motion(uow, council, number, OPEN_FOR_DEBATE)
    earlier = await uow.speeches.for_motion(motion.id)
    left = check_speech(council.rules, motion, member.id, speaker_is_chair=actor.is_chair, side=side,
                        text=text.strip(), earlier=earlier,
                        warnings=await uow.speeches.warnings(motion.id, member.id))
    motion = replace(motion, state=next_state(motion.state, Action.SPEAK, number=motion.number))
    await uow.motions.update(motion)
    speech = await uow.speeches.add(Speech(motion.id, member.id, side, text.strip(), clock()))
    await record_event(uow, council, clock, "speech.recorded", number=motion.number, member=member.id,
                  name=member.name, side=side.value, text=speech.text)
    return speech, left


async def warn(uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, handle: str,
               number: int | None = None, reason: str = "") -> tuple[Member, Motion, int]:
    """The chair warns a member on a motion (off-topic, personal attack); the limit silences them there."""
    require_chair(actor)
    await uow.councils.lock(council.id)
    target = await find_member(uow, council, handle)
    motion = await _motion(uow, council, number, OPEN_FOR_DEBATE)
    by_id = actor.member.id if actor.member else 0
    count = await uow.speeches.add_warning(motion.id, target.id, by_id, reason.strip()[:200], clock())
    await record_event(uow, council, clock, "member.warned", number=motion.number, member=target.id,
                  name=target.name, reason=reason.strip()[:200], count=count)
    return target, motion, count


async def withdraw(uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, number: int | None) -> Motion:
    member = require_member(actor)
    await uow.councils.lock(council.id)
    motion = await _motion(uow, council, number)
    state = next_state(motion.state, Action.WITHDRAW, number=motion.number)
    if motion.mover_id != member.id:
        raise errors.OnlyMoverMayWithdraw(number=motion.number)
    motion = replace(motion, state=state)
    await uow.motions.update(motion)
    await record_event(uow, council, clock, "motion.withdrawn", number=motion.number, by=member.name)
    return motion


async def lapse(uow: UnitOfWork, clock: Clock, council: Council, motion_id: int) -> Motion | None:
    """The clock: a motion still unseconded at its deadline lapses. Returns None when nothing changed."""
    await uow.councils.lock(council.id)
    motion = await uow.motions.get(motion_id)
    if motion.state is not MotionState.PROPOSED or (motion.second_deadline and motion.second_deadline > clock()):
        return None
    motion = replace(motion, state=next_state(motion.state, Action.LAPSE, number=motion.number))
    await uow.motions.update(motion)
    await record_event(uow, council, clock, "motion.lapsed", number=motion.number)
    return motion


async def resume(uow: UnitOfWork, clock: Clock, council: Council, motion_id: int) -> Motion | None:
    """The clock: a postponed motion comes back as seconded when its time has come."""
    await uow.councils.lock(council.id)
    motion = await uow.motions.get(motion_id)
    if motion.state is not MotionState.POSTPONED or (motion.postponed_until and motion.postponed_until > clock()):
        return None
    motion = replace(motion, state=next_state(motion.state, Action.RESUME, number=motion.number),
                     postponed_until=None, debate_closed=False)
    await uow.motions.update(motion)
    await record_event(uow, council, clock, "motion.resumed", number=motion.number)
    return motion


# ---- ballots -----------------------------------------------------------------------------------

def _voter_may_vote(council: Council, actor_member: Member, chair: bool) -> None:
    if chair and not council.rules.chair_votes:
        raise errors.NotEligible(reason="chair")
    if council.rules.weighted and actor_member.unit is None:
        raise errors.NotEligible(reason="unit")


async def _electorate(uow: UnitOfWork, council: Council) -> tuple[Electorate, int]:
    """The denominators frozen when a ballot opens, and how many voters can still vote."""
    members = [m for m in await uow.members.all(council.id) if m.active]
    if not council.rules.chair_votes:
        members = [m for m in members if not m.has(Role.CHAIR)]
    if council.rules.weighted:
        units = await uow.units.all(council.id)
        owner_of = {u.code: u.owner for u in units}
        voters = {owner_of[m.unit] for m in members if m.unit in owner_of}
        owners = {u.owner for u in units}
        return Electorate(members=len(owners), total_area_cm2=sum(u.area_cm2 for u in units),
                          total_owners=len(owners)), len(voters)
    return Electorate(members=len(members)), len(members)


async def put_question(uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, number: int | None,
                       duration: timedelta | None = None, *, secret: bool = False, major: bool = False,
                       present: int | None = None) -> tuple[Motion, Ballot]:
    """The chair puts the question: the motion goes to a ballot that closes after `duration`."""
    require_chair(actor)
    await uow.councils.lock(council.id)
    motion = await _motion(uow, council, number, OPEN_FOR_DEBATE)
    state = next_state(motion.state, Action.PUT_QUESTION, number=motion.number)
    pending = [c for c in await uow.motions.children(motion.id) if c.state not in TERMINAL]
    if pending:
        raise errors.AmendmentPending(number=motion.number, amendment=pending[0].number)
    threshold = Threshold.ORDINARY
    if motion.kind is MotionKind.CLOSE_DEBATE:
        threshold = Threshold.TWO_THIRDS
    elif major and council.rules.weighted:
        threshold = Threshold.MAJOR
    electorate, eligible = await _electorate(uow, council)
    now = clock()
    duration = duration or (council.rules.meeting_ballot_duration if present else council.rules.ballot_duration)
    motion = replace(motion, state=state, major=major)
    await uow.motions.update(motion)
    ballot = await uow.ballots.add(Ballot(
        0, council.id, motion.id, now, now + duration, threshold.value, secret, eligible,
        electorate.members, electorate.total_area_cm2, electorate.total_owners, present))
    await record_event(uow, council, clock, "ballot.opened", number=motion.number, ballot=ballot.id,
                  secret=secret, threshold=threshold.value, closes_at=_iso(ballot.closes_at),
                  eligible=eligible, members=electorate.members, total_area_cm2=electorate.total_area_cm2,
                  total_owners=electorate.total_owners, present=present, by=actor.name)
    return motion, ballot


@dataclass(frozen=True)
class VoteRecorded:
    ballot: Ballot
    motion: Motion
    choice: Choice
    previous: Choice | None
    voted: int
    closed: ClosedBallot | None = None
    counts: dict | None = None  # choice -> votes, for the live tally of an open (not secret) ballot


@dataclass(frozen=True)
class ClosedBallot:
    ballot: Ballot
    motion: Motion
    outcome: Outcome
    parent: Motion | None = None  # the main motion an adopted amendment/subsidiary changed


async def _ballot(uow: UnitOfWork, council: Council, ballot_id: int) -> Ballot:
    ballot = await uow.ballots.get(ballot_id)
    if ballot is None or ballot.council_id != council.id:
        raise errors.BallotNotFound(ballot=ballot_id)
    return ballot


async def ballot_for(uow: UnitOfWork, council: Council, number: int | None, actor: Actor | None = None) -> Ballot:
    """The open ballot of the numbered motion (or of the only motion being voted on).

    With `actor`, a voter: non-members are told so before anything about the motion.
    """
    if actor is not None:
        require_member(actor)
    motion = await _motion(uow, council, number, frozenset({MotionState.VOTING}))
    ballot = await uow.ballots.open_for_motion(motion.id)
    if ballot is None:
        raise errors.BallotNotOpen(number=motion.number)
    return ballot


async def cast_vote(uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, ballot_id: int,
                    choice: Choice) -> VoteRecorded:
    """Record (or change) a vote; the ballot closes at once when every eligible voter has voted."""
    require_member(actor)
    [recorded] = await _record_votes(uow, clock, council, [(actor, ballot_id, choice)], read_all_choices=False)
    if isinstance(recorded, errors.DeliberationError):
        raise recorded
    return recorded


class _OpenBallot:
    """One ballot while a run of votes is recorded: what the transaction already knows of it."""

    __slots__ = ("ballot", "motion", "choices")

    def __init__(self, ballot: Ballot, motion: Motion, choices: dict[str, Choice] | None) -> None:
        self.ballot, self.motion, self.choices = ballot, motion, choices


async def cast_votes(uow: UnitOfWork, clock: Clock, council: Council,
                     votes: Sequence[tuple[Actor, int, Choice]]) -> list[VoteRecorded | errors.DeliberationError]:
    """Record a run of votes (actor, ballot id, choice) of one council in order, in the caller's transaction.

    Each vote meets exactly the rules of a single `cast_vote`; one that breaks them gets its refusal in
    the result list and changes nothing, the others are kept. The council is locked once, each ballot
    read once with all its choices so far, and the rows and events are written together. A ballot that
    every eligible voter has voted on closes at that vote; later votes on it in the run are refused as
    for a closed ballot.
    """
    return await _record_votes(uow, clock, council, votes, read_all_choices=True)


async def _record_votes(uow: UnitOfWork, clock: Clock, council: Council, votes: Sequence[tuple[Actor, int, Choice]],
                        *, read_all_choices: bool) -> list[VoteRecorded | errors.DeliberationError]:
    # One vote reads just its voter's choice and the counts; a run reads every choice of a ballot once.
    results: list[VoteRecorded | errors.DeliberationError] = []
    if not votes:
        return results
    await uow.councils.lock(council.id)
    open_ballots: dict[int, _OpenBallot] = {}
    units: Sequence[Unit] | None = None
    rows: list[tuple[int, str, int, Choice, int, datetime]] = []
    events: list[tuple[str, datetime, dict]] = []

    async def flush() -> None:
        await uow.votes.upsert_many(rows)
        await uow.events.append_many(council.id, events)
        rows.clear()
        events.clear()

    for actor, ballot_id, choice in votes:
        try:
            member = require_member(actor)
            state = open_ballots.get(ballot_id)
            if state is None:
                ballot = await _ballot(uow, council, ballot_id)
                motion = await uow.motions.get(ballot.motion_id)
                choices = await uow.votes.choices(ballot.id) if read_all_choices and ballot.open else None
                state = open_ballots[ballot_id] = _OpenBallot(ballot, motion, choices)
            ballot, motion = state.ballot, state.motion
            if not ballot.open or ballot.closes_at <= clock():
                raise errors.BallotNotOpen(number=motion.number)
            _voter_may_vote(council, member, actor.is_chair and member.has(Role.CHAIR))
            voter, area = f"m{member.id}", 0
            if council.rules.weighted:
                if units is None:
                    units = await uow.units.all(council.id)
                owner = next((u.owner for u in units if u.code == member.unit), None)
                if owner is None:
                    raise errors.NotEligible(reason="unit")
                voter, area = f"o:{owner}", sum(u.area_cm2 for u in units if u.owner == owner)
        except errors.DeliberationError as refusal:
            results.append(refusal)
            continue
        if state.choices is None:
            previous = await uow.votes.choice_of(ballot.id, voter)
        else:
            previous = state.choices.get(voter)
        rows.append((ballot.id, voter, member.id, choice, area, clock()))
        payload = {"number": motion.number, "ballot": ballot.id, "name": member.name}
        if not ballot.secret:
            payload.update(choice=choice.value, voter=voter, area_cm2=area)
        events.append(("vote.cast", clock(), payload))
        if state.choices is None:
            await flush()
            counts = await uow.votes.counts(ballot.id)
        else:
            rows[:] = [r for r in rows[:-1] if r[:2] != (ballot.id, voter)] + rows[-1:]  # one row per voter
            state.choices[voter] = choice
            counts = {c: 0 for c in Choice}
            for chosen in state.choices.values():
                counts[chosen] += 1
        voted = sum(counts.values())
        closed = None
        if voted >= ballot.eligible_voters > 0:
            await flush()
            closed = await _close(uow, clock, council, ballot, motion, early=True)
            state.ballot, state.motion = closed.ballot, closed.motion
        results.append(VoteRecorded(closed.ballot if closed else ballot, motion, choice, previous, voted, closed,
                                    None if ballot.secret else counts))
    if any(isinstance(r, VoteRecorded) for r in results):
        await flush()
    return results


async def close_ballot(uow: UnitOfWork, clock: Clock, council: Council, ballot_id: int,
                       actor: Actor | None = None) -> ClosedBallot | None:
    """Close a ballot: by the chair (`actor`) at any time, by the clock (`actor=None`) at its deadline.

    Returns None when the clock finds the ballot already closed or not yet due.
    """
    if actor is not None:
        require_chair(actor)
    await uow.councils.lock(council.id)
    ballot = await _ballot(uow, council, ballot_id)
    motion = await uow.motions.get(ballot.motion_id)
    if not ballot.open:
        if actor is None:
            return None
        raise errors.BallotNotOpen(number=motion.number)
    if actor is None and ballot.closes_at > clock():
        return None
    closed = await _close(uow, clock, council, ballot, motion, early=False)
    return closed


def outcome_json(outcome: Outcome) -> dict:
    t = outcome.tally
    fractions = {"approval_heads": outcome.approval_heads, "approval_area": outcome.approval_area,
                 "participation_heads": outcome.participation_heads,
                 "participation_area": outcome.participation_area}
    return {"passed": outcome.passed, "quorum_met": outcome.quorum_met, "rule": outcome.rule,
            "preset": str(outcome.preset), "threshold": str(outcome.threshold),
            "yes": t.yes, "no": t.no, "abstain": t.abstain,
            "yes_area_cm2": t.yes_area_cm2, "no_area_cm2": t.no_area_cm2,
            "abstain_area_cm2": t.abstain_area_cm2,
            **{k: (None if v is None else f"{v.numerator}/{v.denominator}") for k, v in fractions.items()}}


async def _close(uow: UnitOfWork, clock: Clock, council: Council, ballot: Ballot, motion: Motion,
                 *, early: bool) -> ClosedBallot:
    rows = await uow.votes.all(ballot.id)
    votes = [counting.CastVote(voter, choice, area) for voter, _member, choice, area in rows]
    electorate = Electorate(members=ballot.members, total_area_cm2=ballot.total_area_cm2,
                            total_owners=ballot.total_owners, present=ballot.present)
    outcome = counting.decide(council.rules.preset, votes, electorate, Threshold(ballot.threshold),
                              council.rules.quorum)
    if not outcome.quorum_met:
        action = Action.FAIL_QUORUM
    else:
        action = Action.ADOPT if outcome.passed else Action.REJECT
    motion = replace(motion, state=next_state(motion.state, action, number=motion.number))
    await uow.motions.update(motion)
    result = outcome_json(outcome)
    ballot = replace(ballot, closed_at=clock(), result=result)
    await uow.ballots.update(ballot)
    if ballot.secret:
        await uow.votes.forget_choices(ballot.id)
    await record_event(uow, council, clock, "ballot.closed", number=motion.number, ballot=ballot.id,
                  state=motion.state.value, early=early, secret=ballot.secret, **result)
    parent = await _apply_to_parent(uow, clock, council, motion) if motion.state is MotionState.ADOPTED else None
    return ClosedBallot(ballot, motion, outcome, parent)


async def _apply_to_parent(uow: UnitOfWork, clock: Clock, council: Council, motion: Motion) -> Motion | None:
    """An adopted amendment or subsidiary motion acts on its parent."""
    if motion.parent_id is None:
        return None
    parent = await uow.motions.get(motion.parent_id)
    if motion.kind is MotionKind.AMENDMENT:
        parent = replace(parent, text=motion.text, original_text=parent.original_text or parent.text)
        await record_event(uow, council, clock, "motion.amended", number=parent.number, amendment=motion.number,
                      text=motion.text)
    elif motion.kind is MotionKind.CLOSE_DEBATE:
        parent = replace(parent, debate_closed=True)
        await record_event(uow, council, clock, "debate.closed", number=parent.number)
    elif motion.kind is MotionKind.POSTPONE and parent.state in OPEN_FOR_DEBATE:
        parent = replace(parent, state=next_state(parent.state, Action.POSTPONE, number=parent.number),
                         postponed_until=motion.postponed_until)
        await record_event(uow, council, clock, "motion.postponed", number=parent.number,
                      until=_iso(motion.postponed_until) if motion.postponed_until else None)
    elif motion.kind is MotionKind.REFER and parent.state not in TERMINAL:
        parent = replace(parent, state=next_state(parent.state, Action.REFER, number=parent.number),
                         referred_to=motion.referred_to)
        await record_event(uow, council, clock, "motion.referred", number=parent.number, to=motion.referred_to)
    else:
        return None
    await uow.motions.update(parent)
    return parent


# ---- reading -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class MotionHistory:
    motion: Motion
    mover: Member | None
    seconder: Member | None
    children: Sequence[Motion]
    speeches: Sequence[tuple[Speech, str]]
    ballots: Sequence[Ballot]
    voted: int


async def motion_history(uow: UnitOfWork, council: Council, number: int | None) -> MotionHistory:
    motion = await _motion(uow, council, number)
    names = {m.id: m for m in await uow.members.all(council.id)}
    ballots = await uow.ballots.for_motion(motion.id)
    open_ballot = next((b for b in ballots if b.open), None)
    return MotionHistory(
        motion, names.get(motion.mover_id), names.get(motion.seconder_id or 0),
        await uow.motions.children(motion.id),
        [(s, names[s.member_id].name if s.member_id in names else "?")
         for s in await uow.speeches.for_motion(motion.id)],
        ballots, await uow.votes.count(open_ballot.id) if open_ballot else 0)


async def open_items(uow: UnitOfWork, council: Council) -> Sequence[Motion]:
    return [m for m in await uow.motions.all(council.id) if m.state not in TERMINAL]


def speeches_left(rules: Rules, speeches: Sequence[Speech], member_id: int) -> int:
    return max(rules.speeches_per_member - sum(1 for s in speeches if s.member_id == member_id), 0)

