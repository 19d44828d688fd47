"""Use cases of a ballot: put the question, cast votes (one or a run), close by the chair or the clock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from .. import counting, errors, events
from ..channels import Attempt, Channel
from ..counting import Choice, Electorate, Outcome, Threshold
from ..lifecycle import OPEN_FOR_DEBATE, TERMINAL, Action, MotionState, next_state
from ..model import Actor, Ballot, BallotResult, Council, Motion, MotionKind, Role, Unit
from ..nantang import check_chair_last, check_choice_offered
from ..ports import Clock, UnitOfWork
from . import ledger
from .membership import voting_refusal
from .motions import fall_with
from .presence import present_at_close, present_count
from .steps import find_motion, iso, record_event, require_chair, require_member


async def _electorate(uow: UnitOfWork, council: Council) -> tuple[Electorate, int, Sequence[Unit]]:
    """The denominators frozen when a ballot opens, how many voters can still vote, and the register (civil278)."""
    members = [m for m in await uow.members.all(council.id) if m.active]
    if not council.rules.chair_votes:
        members = [m for m in members if not m.has(Role.CHAIR)]
    if council.rules.weighted:
        # Every owner of the register can vote (a paper slip reaches those who are not in the chat).
        units = await uow.units.all(council.id)
        owners = {u.owner for u in units}
        electorate = Electorate(
            members=len(owners), total_area_cm2=sum(u.area_cm2 for u in units), total_owners=len(owners)
        )
        return electorate, len(owners), units
    return Electorate(members=len(members)), len(members), ()


async def put_question(
    uow: UnitOfWork,
    clock: Clock,
    council: Council,
    actor: Actor,
    number: int | None,
    duration: timedelta | None = None,
    *,
    secret: bool = False,
    major: bool = False,
) -> tuple[Motion, Ballot]:
    """The chair puts the question: the motion goes to a ballot that closes after `duration`.

    During a live meeting its attendance counts as present, and the ballot is the short meeting ballot.
    """
    require_chair(actor)
    if council.rules.weighted and not council.has_roster:
        # Art. 278 counts every unit and owner of the building: only the imported register knows them.
        raise errors.RegisterRequired(council=council.id)
    await uow.councils.lock(council.id)
    motion = await find_motion(uow, council, number, OPEN_FOR_DEBATE)
    state = next_state(motion.state, Action.PUT_QUESTION, number=motion.number)
    children = [c for c in await uow.motions.children(motion.id) if c.state not in TERMINAL]
    pending = [c for c in children if c.state is not MotionState.PROPOSED]
    if pending:
        raise errors.AmendmentPending(number=motion.number, amendment=pending[0].number)
    if motion.parent_id is not None:
        siblings = await uow.motions.children(motion.parent_id)
        voting = [m for m in siblings if m.state is MotionState.VOTING]
        if voting:  # one question at a time on a motion
            raise errors.SubsidiaryBallotOpen(number=motion.number, open=", ".join(f"#{m.number}" for m in voting))
    threshold = Threshold.ORDINARY
    if motion.kind is MotionKind.CLOSE_DEBATE:
        threshold = Threshold.TWO_THIRDS
    elif major and council.rules.weighted:
        threshold = Threshold.MAJOR
    present = await present_count(uow, council)
    electorate, eligible, register = await _electorate(uow, council)
    now = clock()
    duration = duration or (council.rules.meeting_ballot_duration if present else council.rules.ballot_duration)
    if motion.kind is MotionKind.POSTPONE and motion.postponed_until is not None:
        if motion.postponed_until <= now + duration:
            raise errors.PostponeEndsTooSoon(number=motion.number)
    for unseconded in children:  # nobody seconded them: they are not before the meeting and lapse
        lapsed = replace(unseconded, state=next_state(unseconded.state, Action.LAPSE, number=unseconded.number))
        await uow.motions.update(lapsed)
        await record_event(uow, council, clock, events.MOTION_LAPSED, number=lapsed.number, parent=motion.number)
    motion = replace(motion, state=state, major=major)
    await uow.motions.update(motion)
    ballot = await uow.ballots.add(
        Ballot(
            0,
            council.id,
            motion.id,
            now,
            now + duration,
            threshold.value,
            secret,
            eligible,
            electorate.members,
            electorate.total_area_cm2,
            electorate.total_owners,
            present,
            rules=council.rules,
        )
    )
    # The register is the electorate: kept as it stands now, its fingerprint in the chain (the evidence pack's check).
    digest = await uow.ballots.freeze_register(ballot.id, register) if register else None
    await record_event(
        uow,
        council,
        clock,
        events.BALLOT_OPENED,
        number=motion.number,
        ballot=ballot.id,
        secret=secret,
        threshold=threshold.value,
        closes_at=iso(ballot.closes_at),
        eligible=eligible,
        members=electorate.members,
        total_area_cm2=electorate.total_area_cm2,
        total_owners=electorate.total_owners,
        present=present,
        by=actor.name,
        **({"register_sha256": digest} if digest else {}),
    )
    return motion, ballot


@dataclass(frozen=True)
class ClosedBallot:
    ballot: Ballot
    motion: Motion
    outcome: Outcome
    parent: Motion | None = None  # the main motion an adopted amendment/subsidiary changed


@dataclass(frozen=True)
class VoteRecorded:
    ballot: Ballot
    motion: Motion
    choice: Choice
    previous: Choice | None
    voted: int
    closed: ClosedBallot | None = None
    counts: dict[Choice, int] | None = None  # choice -> votes, for the live tally of an open (not secret) ballot
    receipt: str | None = None  # civil278: the owner's receipt code, sent privately
    owner: str | None = None  # civil278: whose vote it is
    proxy: bool = False  # cast by the owner's recorded proxy holder
    replaced: Attempt | None = None  # the attempt of another channel it took the place of (a conflict)


async def find_ballot(uow: UnitOfWork, council: Council, ballot_id: int) -> Ballot:
    ballot = await uow.ballots.get(ballot_id)
    if ballot is None or ballot.council_id != council.id:
        raise errors.BallotNotFound(ballot=ballot_id)
    return ballot


async def cast_vote(
    uow: UnitOfWork,
    clock: Clock,
    council: Council,
    actor: Actor,
    ballot_id: int,
    choice: Choice,
    *,
    channel: Channel = Channel.BUTTON,
    unit: str | None = None,
) -> VoteRecorded:
    """Record (or change) a vote; the ballot closes at once when every eligible voter has voted.

    Under civil278 `channel` says how it came (button, typed, H5 page) and `unit` names another owner's unit
    the actor votes for as that owner's recorded proxy.
    """
    require_member(actor)
    [recorded] = await _record_votes(
        uow, clock, council, [(actor, ballot_id, choice)], read_all_choices=False, channel=channel, unit=unit
    )
    if isinstance(recorded, errors.DeliberationError):
        raise recorded
    return recorded


class _OpenBallot:
    """One ballot while a run of votes is recorded: what the transaction already knows of it."""

    __slots__ = ("ballot", "motion", "choices")

    def __init__(self, ballot: Ballot, motion: Motion, choices: dict[str, Choice] | None) -> None:
        self.ballot, self.motion, self.choices = ballot, motion, choices


async def cast_votes(
    uow: UnitOfWork, clock: Clock, council: Council, votes: Sequence[tuple[Actor, int, Choice]]
) -> list[VoteRecorded | errors.DeliberationError]:
    """Record a run of votes (actor, ballot id, choice) of one council in order, in the caller's transaction.

    Each vote meets exactly the rules of a single `cast_vote`; one that breaks them gets its refusal in
    the result list and changes nothing, the others are kept. The council is locked once, each ballot
    read once with all its choices so far, and the rows and events are written together. A ballot that
    every eligible voter has voted on closes at that vote; later votes on it in the run are refused as
    for a closed ballot.
    """
    return await _record_votes(uow, clock, council, votes, read_all_choices=True)


async def _record_votes(
    uow: UnitOfWork,
    clock: Clock,
    council: Council,
    votes: Sequence[tuple[Actor, int, Choice]],
    *,
    read_all_choices: bool,
    channel: Channel = Channel.BUTTON,
    unit: str | None = None,
) -> list[VoteRecorded | errors.DeliberationError]:
    # One vote reads just its voter's choice and the counts; a run reads every choice of a ballot once.
    results: list[VoteRecorded | errors.DeliberationError] = []
    if not votes:
        return results
    await uow.councils.lock(council.id)
    open_ballots: dict[int, _OpenBallot] = {}
    units: Sequence[Unit] | None = None
    rows: list[tuple[int, str, int, Choice, int, datetime]] = []
    pending: list[tuple[str, datetime, dict[str, Any]]] = []

    async def flush() -> None:
        await uow.votes.upsert_many(rows)
        await uow.events.append_many(council.id, pending)
        rows.clear()
        pending.clear()

    for actor, ballot_id, choice in votes:
        try:
            member = require_member(actor)
            state = open_ballots.get(ballot_id)
            if state is None:
                found = await find_ballot(uow, council, ballot_id)
                choices = await uow.votes.choices(found.id) if read_all_choices and found.open else None
                state = open_ballots[ballot_id] = _OpenBallot(found, await uow.motions.get(found.motion_id), choices)
            ballot, motion = state.ballot, state.motion
            if not ballot.open or ballot.closes_at <= clock():
                raise errors.BallotNotOpen(number=motion.number)
            rules = ballot.rules_under(council.rules)
            refusal = voting_refusal(rules, member)
            if refusal is not None:
                raise refusal
            check_choice_offered(rules, choice is Choice.ABSTAIN, motion.number)
            owner, area, admitted, by_proxy, used = None, 0, None, False, channel
            if rules.weighted:
                if units is None:
                    units = await uow.units.all(council.id)
                owner = ledger.owner_of_unit(units, member.unit)
                if owner is None:
                    raise errors.NotEligible(reason="unit")
                if unit is not None:
                    represented = await ledger.proxy_owner(uow, council, member, unit, units, clock())
                    owner, by_proxy = represented or owner, represented is not None
                area = ledger.area_of_owner(units, owner)
                used = Channel.PROXY if by_proxy else channel
                admitted = await ledger.admit(uow, ballot, owner, used, choice, member.name, member.id, clock())
            voter = events.voter_key(rules, member, owner)
            if member.has(Role.CHAIR) and rules.chair_votes_last:
                check_chair_last(
                    rules,
                    is_chair=True,
                    others_voted=await _others_voted(uow, state, voter, rows),
                    eligible=ballot.eligible_voters,
                    closes_at=ballot.closes_at,
                    now=clock(),
                    number=motion.number,
                )
        except errors.DeliberationError as refused:
            results.append(refused)
            continue
        if state.choices is None:
            previous = await uow.votes.choice_of(ballot.id, voter)
        else:
            previous = state.choices.get(voter)
        rows.append((ballot.id, voter, member.id, choice, area, clock()))
        if not ballot.secret:
            # A secret ballot's single votes leave nothing in the chain (no name, no time): its
            # `ballot.closed` carries the counts, and the votes table who took part.
            payload = {"number": motion.number, "ballot": ballot.id, "name": member.name, "choice": choice.value}
            if admitted is not None:
                payload.update(channel=used.value, owner=owner)
            pending.append((events.VOTE_CAST, clock(), {**payload, "voter": voter, "area_cm2": area}))
        if state.choices is None:
            await flush()
            # a secret ballot shows only its turnout: its sealed choices are not opened for every vote
            counts = None if ballot.secret else await uow.votes.counts(ballot.id)
            voted = await uow.votes.count(ballot.id) if counts is None else sum(counts.values())
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
        results.append(
            VoteRecorded(
                closed.ballot if closed else ballot,
                motion,
                choice,
                previous,
                voted,
                closed,
                None if ballot.secret or not rules.tally_live else counts,
                admitted.receipt if admitted else None,
                owner,
                by_proxy,
                admitted.conflict if admitted else None,
            )
        )
    if any(isinstance(r, VoteRecorded) for r in results):
        await flush()
    return results


async def _others_voted(
    uow: UnitOfWork, state: _OpenBallot, voter: str, rows: Sequence[tuple[int, str, int, Choice, int, datetime]]
) -> int:
    """How many voters other than `voter` have voted on the ballot so far (this run's votes included)."""
    ballot_id = state.ballot.id
    if state.choices is not None:
        return sum(1 for v in state.choices if v != voter)
    stored = {v for v, _member, _choice, _area in await uow.votes.all(ballot_id)}
    stored |= {v for b, v, *_ in rows if b == ballot_id}
    return len(stored - {voter})


async def count_owner_vote(
    uow: UnitOfWork,
    clock: Clock,
    council: Council,
    ballot: Ballot,
    motion: Motion,
    owner: str,
    area: int,
    choice: Choice,
    *,
    name: str,
    channel: Channel,
) -> tuple[int, ClosedBallot | None]:
    """An owner's vote that came without a member (a paper slip the tellers agreed on): counted, and the
    ballot closes when every owner has voted. Returns (owners voted, the closed ballot or None)."""
    voter = events.owner_voter_key(owner)
    await uow.votes.upsert(ballot.id, voter, 0, choice, area, clock())
    if not ballot.secret:
        await record_event(
            uow,
            council,
            clock,
            events.VOTE_CAST,
            number=motion.number,
            ballot=ballot.id,
            name=name,
            choice=choice.value,
            voter=voter,
            area_cm2=area,
            channel=channel.value,
            owner=owner,
        )
    voted = await uow.votes.count(ballot.id)
    closed = None
    if voted >= ballot.eligible_voters > 0:
        closed = await _close(uow, clock, council, ballot, motion, early=True)
    return voted, closed


async def close_ballot(
    uow: UnitOfWork, clock: Clock, council: Council, ballot_id: int, actor: Actor | None = None
) -> ClosedBallot | None:
    """Close a ballot: by the chair (`actor`) at any time, by the clock (`actor=None`) at its deadline.

    Returns None when the clock finds the ballot already closed or not yet due.
    """
    if actor is not None:
        require_chair(actor)
    await uow.councils.lock(council.id)
    ballot = await find_ballot(uow, council, ballot_id)
    motion = await uow.motions.get(ballot.motion_id)
    if not ballot.open:
        if actor is None:
            return None
        raise errors.BallotNotOpen(number=motion.number)
    if actor is None and ballot.closes_at > clock():
        return None
    return await _close(uow, clock, council, ballot, motion, early=False)


async def _close(
    uow: UnitOfWork, clock: Clock, council: Council, ballot: Ballot, motion: Motion, *, early: bool
) -> ClosedBallot:
    rows = await uow.votes.all(ballot.id)
    votes = [counting.CastVote(voter, choice, area) for voter, _member, choice, area in rows]
    rules = ballot.rules_under(council.rules)
    electorate = Electorate(
        members=ballot.members,
        total_area_cm2=ballot.total_area_cm2,
        total_owners=ballot.total_owners,
        present=await present_at_close(uow, council, ballot, rules, {member for _v, member, _c, _a in rows}),
    )
    outcome = counting.decide(rules.preset, votes, electorate, Threshold(ballot.threshold), rules.quorum)
    if not outcome.quorum_met:
        action = Action.FAIL_QUORUM
    else:
        action = Action.ADOPT if outcome.passed else Action.REJECT
    motion = replace(motion, state=next_state(motion.state, action, number=motion.number))
    await uow.motions.update(motion)
    result = BallotResult.of(outcome)
    ballot = replace(ballot, closed_at=clock(), result=result)
    await uow.ballots.update(ballot)
    if ballot.secret:
        await uow.ballot_attempts.forget_choices(ballot.id)
        await uow.votes.forget_choices(ballot.id)
    receipts = await ledger.receipts_payload(uow, ballot) if rules.weighted else {}  # civil278: for the 公示
    await record_event(
        uow,
        council,
        clock,
        events.BALLOT_CLOSED,
        number=motion.number,
        ballot=ballot.id,
        state=motion.state.value,
        early=early,
        secret=ballot.secret,
        **events.ballot_result_payload(result),
        **receipts,
    )
    parent = await _apply_to_parent(uow, clock, council, motion) if motion.state is MotionState.ADOPTED else None
    return ClosedBallot(ballot, motion, outcome, parent)


async def _apply_to_parent(uow: UnitOfWork, clock: Clock, council: Council, motion: Motion) -> Motion | None:
    """An adopted amendment or subsidiary motion acts on its parent."""
    if motion.parent_id is None:
        return None
    parent = await uow.motions.get(motion.parent_id)
    if motion.kind is MotionKind.AMENDMENT and parent.state not in TERMINAL:
        parent = replace(
            parent,
            text=motion.text,
            original_text=parent.original_text or parent.text,
            postponed_until=motion.postponed_until or parent.postponed_until,
            referred_to=motion.referred_to or parent.referred_to,
        )
        await record_event(
            uow, council, clock, events.MOTION_AMENDED, number=parent.number, amendment=motion.number, text=motion.text
        )
    elif motion.kind is MotionKind.CLOSE_DEBATE:
        parent = replace(parent, debate_closed=True)
        await record_event(uow, council, clock, events.DEBATE_CLOSED, number=parent.number)
    elif motion.kind is MotionKind.POSTPONE and parent.state in OPEN_FOR_DEBATE:
        parent = replace(
            parent,
            state=next_state(parent.state, Action.POSTPONE, number=parent.number),
            postponed_until=motion.postponed_until,
        )
        await record_event(
            uow,
            council,
            clock,
            events.MOTION_POSTPONED,
            number=parent.number,
            until=iso(motion.postponed_until) if motion.postponed_until else None,
        )
        await fall_with(uow, clock, council, parent)
    elif motion.kind is MotionKind.REFER and parent.state not in TERMINAL:
        parent = replace(
            parent, state=next_state(parent.state, Action.REFER, number=parent.number), referred_to=motion.referred_to
        )
        await record_event(uow, council, clock, events.MOTION_REFERRED, number=parent.number, to=motion.referred_to)
        await fall_with(uow, clock, council, parent)
    else:
        return None
    await uow.motions.update(parent)
    return parent
