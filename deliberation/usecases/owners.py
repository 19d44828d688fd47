"""Owners' decisions (civil278): the register as the electorate, paper slips, progress toward 2/3.

Queries only: they read and change nothing (the register import is `council.import_roster`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .. import errors
from ..channels import receipt_code, slip_code
from ..electorate import Owner, owners_of
from ..model import Actor, Ballot, Council, Motion, Unit
from ..ports import UnitOfWork
from ..progress import Progress, participation
from ..publication import require_recorder
from .steps import find_motion, require_member


@dataclass(frozen=True)
class Register:
    """The council's register as it stands, owner by owner."""

    units: Sequence[Unit]
    owners: Sequence[Owner]

    @property
    def total_area_cm2(self) -> int:
        return sum(u.area_cm2 for u in self.units)


async def register_now(uow: UnitOfWork, council: Council) -> Register:
    """`/roster`: the imported register (empty when none was imported)."""
    units = await uow.units.all(council.id) if council.has_roster else ()
    return Register(units, owners_of(units))


@dataclass(frozen=True)
class OwnersBallot:
    """A civil278 ballot with the register it counts on (frozen when it opened)."""

    motion: Motion
    ballot: Ballot
    owners: Sequence[Owner]
    frozen: bool  # False: an older ballot that froze no register; the current one stands in


async def owners_ballot(uow: UnitOfWork, council: Council, number: int | None) -> OwnersBallot:
    """The latest ballot of motion `number`, which must be a civil278 ballot, and its owners."""
    motion = await find_motion(uow, council, number)
    ballots = await uow.ballots.for_motion(motion.id)
    if not ballots:
        raise errors.BallotNotOpen(number=motion.number)
    ballot = ballots[-1]
    if not ballot.rules_under(council.rules).weighted:
        raise errors.NotWeighted(number=motion.number)
    frozen = await uow.ballots.register(ballot.id)
    units = frozen if frozen is not None else await uow.units.all(council.id)
    return OwnersBallot(motion, ballot, owners_of(units), frozen is not None)


@dataclass(frozen=True)
class Slip:
    """One owner's paper 表决票: the code on it names the ballot and the owner (deliberation.channels), and the
    stub carries the receipt the owner's counted vote will have, whatever the channel."""

    owner: Owner
    code: str
    receipt: str


async def paper_slips(
    uow: UnitOfWork, council: Council, actor: Actor, number: int | None
) -> tuple[OwnersBallot, list[Slip]]:
    """`/ballots N`: one slip per owner of the frozen register, for an open civil278 ballot (chair, secretary)."""
    require_recorder(actor)
    found = await owners_ballot(uow, council, number)
    if not found.ballot.open:
        raise errors.BallotNotOpen(number=found.motion.number)
    ballot = found.ballot
    return found, [
        Slip(owner, slip_code(ballot.id, owner.name), receipt_code(ballot.id, ballot.opened_at, owner.name))
        for owner in found.owners
    ]


@dataclass(frozen=True)
class BallotProgress:
    found: OwnersBallot
    progress: Progress

    @property
    def secret(self) -> bool:
        return self.found.ballot.secret


async def ballot_progress(
    uow: UnitOfWork, council: Council, number: int | None, actor: Actor | None = None
) -> BallotProgress:
    """`/progress N` (any member; `actor=None` for the daily post): participation against 2/3.

    Who has not voted is participation, not choice; a secret ballot still shows counts only (spec §5: its
    reminders name no units), so the caller must not list `progress.not_voted` for one.
    """
    if actor is not None and not (actor.is_chair or actor.is_secretary):
        require_member(actor)
    found = await owners_ballot(uow, council, number)
    return BallotProgress(found, participation(found.owners, await uow.votes.voters(found.ballot.id)))
