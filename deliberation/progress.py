"""How far an open civil278 ballot is from art. 278's participation: 2/3 of the owners AND 2/3 of the area.

Pure figures over the register frozen when the ballot opened and the owners who have voted so far.
"以上" includes the bound (art. 1259): exactly 2/3 is enough. Integers only: the bounds are rounded up
to whole owners and whole square centimetres, so "还差 0 户" means the bound is reached, never nearly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .electorate import Owner

PART, WHOLE = 2, 3  # art. 278: two thirds


def rounded_up(cm2: int) -> int:
    """An area still needed, rounded up to 0.01 m² (100 cm²) for reading: reaching what is shown always suffices."""
    return -(-cm2 // 100) * 100


def needed(total: int) -> int:
    """The least whole count that is at least 2/3 of `total`."""
    return -(-total * PART // WHOLE)


@dataclass(frozen=True)
class Progress:
    voted_owners: int
    total_owners: int
    voted_area_cm2: int
    total_area_cm2: int
    not_voted: tuple[Owner, ...]  # the owners still to vote, in register order

    @property
    def needed_owners(self) -> int:
        return needed(self.total_owners)

    @property
    def needed_area_cm2(self) -> int:
        return needed(self.total_area_cm2)

    @property
    def missing_owners(self) -> int:
        return max(self.needed_owners - self.voted_owners, 0)

    @property
    def missing_area_cm2(self) -> int:
        return max(self.needed_area_cm2 - self.voted_area_cm2, 0)

    @property
    def reached(self) -> bool:
        """Both bounds met: the ballot can count, whatever it decides."""
        return self.missing_owners == 0 and self.missing_area_cm2 == 0


def participation(owners: Sequence[Owner], voters: Iterable[str]) -> Progress:
    """The ballot's participation: `owners` of the frozen register, `voters` the voter keys that voted."""
    voted = set(voters)
    done = [o for o in owners if o.voter in voted]
    return Progress(
        len(done),
        len(owners),
        sum(o.area_cm2 for o in done),
        sum(o.area_cm2 for o in owners),
        tuple(o for o in owners if o.voter not in voted),
    )
