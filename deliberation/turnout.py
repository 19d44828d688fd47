"""Who has yet to vote on an open ballot: the units (or names) a ballot reminder lists."""

from __future__ import annotations

from .events import voter_key
from .model import Ballot, Council, Role
from .ports import UnitOfWork


async def not_voted(uow: UnitOfWork, council: Council, ballot: Ballot) -> list[str]:
    """Units (or names, for members without a unit) that have not voted on an open ballot.

    Who may vote is read from the rules the ballot opened with, never the council's current ones.
    """
    rules = ballot.rules_under(council.rules)
    voters = set(await uow.votes.voters(ballot.id))
    members = [m for m in await uow.members.all(council.id) if m.active]
    if not rules.chair_votes:
        members = [m for m in members if not m.has(Role.CHAIR)]
    if rules.weighted:
        owner_of = {u.code: u.owner for u in await uow.units.all(council.id)}
        return sorted(
            {m.unit for m in members if m.unit in owner_of and voter_key(rules, m, owner_of[m.unit]) not in voters}
        )
    return [m.unit or m.name for m in members if voter_key(rules, m) not in voters]
