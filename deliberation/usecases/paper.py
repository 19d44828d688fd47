"""Tellers and paper slips (civil278, spec §4a): the chair appoints 计票人 and 监票人; each enters a returned slip.

A slip counts when the 计票人's and the 监票人's entries agree. When they differ the slip counts for nothing
and both are told; either of them resolves it by entering the slip again (their new entry replaces their
own). Tellers are appointed per council and serve every ballot until removed (`tellers_of` names those of
one ballot, for the minutes).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace

from .. import errors, events
from ..channels import (
    Channel,
    PaperEntry,
    SlipState,
    Teller,
    TellerRole,
    looks_like_slip_code,
    owner_for_code,
    parse_choice,
    parse_slip_code,
    parse_teller_role,
)
from ..model import Actor, Ballot, Council
from ..ports import Clock, UnitOfWork
from ..roster import normalise_unit_code
from .ballots import ClosedBallot, count_owner_vote
from .ledger import Admitted, admit, area_of_owner, owner_of_unit
from .steps import find_member, find_motion, record_event, require_chair

REMOVE_WORDS = frozenset({"撤销", "撤銷", "取消", "remove"})


async def appoint_teller(
    uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, handle: str, role_text: str
) -> Teller:
    """`/teller @user 计票人|监票人` by the chair; a new role replaces the person's old one.

    `/teller @user 撤销` ends the appointment (returns the appointment that ended).
    """
    require_chair(actor)
    removing = unicodedata.normalize("NFKC", role_text).strip().casefold() in REMOVE_WORDS
    role = None if removing else parse_teller_role(role_text)
    await uow.councils.lock(council.id)
    member = await find_member(uow, council, handle)
    now = clock()
    current = [t for t in await uow.tellers.all(council.id) if t.member_id == member.id and t.removed_at is None]
    for old in current:
        await uow.tellers.remove(old.id, now)
    if role is None:
        if not current:
            raise errors.TellerRequired()
        await record_event(uow, council, clock, events.TELLER_REMOVED, name=member.name, by=actor.name)
        return replace(current[0], removed_at=now)
    if not member.active:
        raise errors.NotAMember()
    teller = await uow.tellers.add(Teller(council.id, member.id, member.name, role, now))
    await record_event(uow, council, clock, events.TELLER_APPOINTED, name=member.name, role=role.value, by=actor.name)
    return teller


async def current_tellers(uow: UnitOfWork, council: Council) -> list[Teller]:
    return [t for t in await uow.tellers.all(council.id) if t.removed_at is None]


async def tellers_of(uow: UnitOfWork, ballot: Ballot) -> list[Teller]:
    """The tellers who served a ballot (for the minutes' signature lines and the evidence pack)."""
    return [t for t in await uow.tellers.all(ballot.council_id) if t.served(ballot.opened_at, ballot.closed_at)]


@dataclass(frozen=True)
class SlipEntered:
    ballot: Ballot
    number: int
    unit: str
    owner: str
    entry: PaperEntry
    state: SlipState
    counted: Admitted | None = None  # both entries agree: the slip counted
    voted: int = 0
    closed: ClosedBallot | None = None

    @property
    def other(self) -> PaperEntry | None:
        """The other role's entry (to tell its teller about a mismatch)."""
        other = TellerRole.SCRUTINEER if self.entry.role is TellerRole.COUNTER else TellerRole.COUNTER
        return self.state.by(other)


async def enter_slip(
    uow: UnitOfWork,
    clock: Clock,
    council: Council,
    actor: Actor,
    number: int | None,
    slip: str,
    choice_text: str,
    *,
    in_group: bool = False,
) -> SlipEntered:
    """`/paper N <unit or slip code> 赞成|反对|弃权` by a teller; a secret ballot's slips only in a private chat."""
    member = actor.member
    teller = next(
        (t for t in await current_tellers(uow, council) if member is not None and t.member_id == member.id), None
    )
    if teller is None or member is None or not member.active:
        raise errors.TellerRequired()
    if not council.rules.weighted:
        raise errors.Civil278Only()
    choice = parse_choice(choice_text)
    await uow.councils.lock(council.id)
    motion = await find_motion(uow, council, number)
    ballot = await uow.ballots.open_for_motion(motion.id)
    if ballot is None or ballot.closes_at <= clock():
        raise errors.BallotNotOpen(number=motion.number)
    if not ballot.rules_under(council.rules).weighted:
        raise errors.Civil278Only()
    if ballot.secret and in_group:
        raise errors.SecretVoteTyped(number=motion.number)
    units = await uow.units.all(council.id)
    if looks_like_slip_code(slip):
        code = parse_slip_code(slip)
        if code.ballot_id != ballot.id:
            raise errors.SlipCodeOtherBallot(number=motion.number)
        owner = owner_for_code(code.owner_code, {u.owner for u in units})
        if owner is None:
            raise errors.BadSlipCode(given=slip)
        unit = ", ".join(sorted(u.code for u in units if u.owner == owner))
    else:
        unit = normalise_unit_code(slip)
        found = owner_of_unit(units, unit)
        if found is None:
            raise errors.UnitNotInRoster(unit=unit)
        owner = found
    if owner_of_unit(units, member.unit) == owner:
        raise errors.TellerIsOwner(unit=unit)
    if any(a.channel is Channel.PAPER and a.counted for a in await uow.ballot_attempts.for_owner(ballot.id, owner)):
        raise errors.SlipAlreadyCounted(unit=unit)
    before = SlipState(tuple(await uow.paper_entries.for_slip(ballot.id, owner)))
    mine = before.by(teller.role)
    if mine is not None:
        if mine.teller_id != member.id or not before.mismatch:
            raise errors.SlipEnteredTwice(unit=unit, name=mine.teller)
        await uow.paper_entries.replace(mine.id)  # a re-entry resolves a mismatch: the new entry replaces it
    now = clock()
    entry = await uow.paper_entries.add(PaperEntry(ballot.id, owner, member.id, member.name, teller.role, choice, now))
    state = SlipState(tuple(await uow.paper_entries.for_slip(ballot.id, owner)))
    await record_event(
        uow,
        council,
        clock,
        events.SLIP_ENTERED,
        number=motion.number,
        ballot=ballot.id,
        unit=unit,
        teller=member.name,
        role=teller.role.value,
        **({} if ballot.secret else {"choice": choice.value}),
        mismatch=state.mismatch,
    )
    agreed = state.agreed
    if agreed is None:
        return SlipEntered(ballot, motion.number, unit, owner, entry, state)
    by = " / ".join(e.teller for e in (state.by(TellerRole.COUNTER), state.by(TellerRole.SCRUTINEER)) if e)
    admitted = await admit(uow, ballot, owner, Channel.PAPER, agreed, by, None, now)
    voted, closed = await count_owner_vote(
        uow,
        clock,
        council,
        ballot,
        motion,
        owner,
        area_of_owner(units, owner),
        agreed,
        name=owner,
        channel=Channel.PAPER,
    )
    return SlipEntered(ballot, motion.number, unit, owner, entry, state, admitted, voted, closed)
