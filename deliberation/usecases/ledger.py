"""The attempts ledger of a civil278 ballot: every accepted attempt kept, exactly one counted per owner.

`admit` applies the conflict rule of `deliberation.channels` (paper > the owner's own electronic vote >
a proxy's; the latest within a rank). The votes table keeps the counted choice per owner, as for every ballot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .. import errors
from ..channels import Attempt, Channel, Proxy, conflicts, rank, receipt_code
from ..counting import Choice
from ..electorate import unit_sort_key
from ..model import Ballot, Council, Member, Unit
from ..ports import UnitOfWork
from ..roster import normalise_unit_code


@dataclass(frozen=True)
class Admitted:
    attempt: Attempt
    replaced: Attempt | None  # the attempt that counted before (a conflict when its channel ranks lower)
    receipt: str

    @property
    def conflict(self) -> Attempt | None:
        """The replaced attempt when it came through a channel of another rank (listed for the tellers)."""
        if self.replaced is None or rank(self.replaced.channel) == rank(self.attempt.channel):
            return None
        return self.replaced


async def admit(
    uow: UnitOfWork,
    ballot: Ballot,
    owner: str,
    channel: Channel,
    choice: Choice,
    by: str,
    member_id: int | None,
    at: datetime,
) -> Admitted:
    """Keep the attempt and make it the owner's counted one, or refuse it (nothing kept) when it cannot prevail."""
    current = next((a for a in await uow.ballot_attempts.for_owner(ballot.id, owner) if a.counted), None)
    if current is not None:
        if rank(channel) < rank(current.channel):
            if current.channel is Channel.PAPER:
                raise errors.PaperPrevails(owner=owner)
            raise errors.OwnerVotedHimself(owner=owner)
        if rank(channel) == rank(current.channel) == rank(Channel.BUTTON) and current.member_id != member_id:
            # one owner, one vote: another person of the household does not change it
            raise errors.OwnerAlreadyVoted(owner=owner, name=current.by)
    attempt = await uow.ballot_attempts.add(Attempt(ballot.id, owner, channel, at, choice, by, member_id, True))
    if current is not None:
        await uow.ballot_attempts.set_counted(ballot.id, owner, attempt.id)
    return Admitted(attempt, current, receipt_code(ballot.id, ballot.opened_at, owner))


def owner_of_unit(units: Sequence[Unit], code: str | None) -> str | None:
    return next((u.owner for u in units if u.code == code), None)


def area_of_owner(units: Sequence[Unit], owner: str) -> int:
    return sum(u.area_cm2 for u in units if u.owner == owner)


async def active_proxy(uow: UnitOfWork, council: Council, owner: str, now: datetime) -> Proxy | None:
    return next((p for p in await uow.proxies.all(council.id) if p.owner == owner and p.active(now)), None)


async def proxy_owner(
    uow: UnitOfWork, council: Council, member: Member, unit_text: str, units: Sequence[Unit], now: datetime
) -> str | None:
    """The owner a member votes for when naming a unit: None for their own household; a recorded proxy otherwise.

    A household member who is not the unit's owner in the register votes for another unit only as a recorded proxy.
    """
    code = normalise_unit_code(unit_text)
    owner = owner_of_unit(units, code)
    if owner is None:
        raise errors.UnitNotInRoster(unit=code)
    if owner == owner_of_unit(units, member.unit):
        return None
    proxy = await active_proxy(uow, council, owner, now)
    if proxy is None or proxy.holder_id != member.id:
        raise errors.NoProxy(unit=code)
    return owner


async def owners_voted(uow: UnitOfWork, ballot_id: int) -> set[str]:
    return {a.owner for a in await uow.ballot_attempts.for_ballot(ballot_id) if a.counted}


@dataclass(frozen=True)
class CountedReceipt:
    """A line of the 公示: the receipt of a counted vote; unit and choice only for an open ballot."""

    receipt: str
    units: str | None
    choice: Choice | None
    channel: Channel | None


async def counted_receipts(uow: UnitOfWork, ballot: Ballot) -> list[CountedReceipt]:
    """The receipts of the votes counted: an open ballot lists unit and choice, a secret one only the codes
    (sorted by code, so the order says nothing of who voted when)."""
    units = await uow.units.all(ballot.council_id)
    counted = [a for a in await uow.ballot_attempts.for_ballot(ballot.id) if a.counted]
    if ballot.secret:
        codes = sorted(receipt_code(ballot.id, ballot.opened_at, a.owner) for a in counted)
        return [CountedReceipt(code, None, None, None) for code in codes]
    lines = [
        CountedReceipt(
            receipt_code(ballot.id, ballot.opened_at, a.owner),
            ", ".join(sorted(u.code for u in units if u.owner == a.owner)),
            a.choice,
            a.channel,
        )
        for a in counted
    ]
    return sorted(lines, key=lambda line: unit_sort_key((line.units or "").split(", ")[0]))  # 2-01 before 10-01


async def ballot_conflicts(uow: UnitOfWork, ballot: Ballot) -> dict[str, list[Attempt]]:
    """Owners whose attempts came through channels of different rank, for the tellers to check."""
    return conflicts(await uow.ballot_attempts.for_ballot(ballot.id))


async def receipts_payload(uow: UnitOfWork, ballot: Ballot) -> dict[str, object]:
    """What `ballot.closed` records of the receipts counted, for the minutes (公示): nothing for a ballot without
    an attempts ledger; a secret ballot's codes alone, sorted; an open ballot's with unit and choice."""
    lines = await counted_receipts(uow, ballot)
    if not lines:
        return {}
    if ballot.secret:
        return {"receipts": [line.receipt for line in lines]}
    return {
        "receipts": [
            {"receipt": line.receipt, "units": line.units, "choice": line.choice.value if line.choice else None}
            for line in lines
        ]
    }
