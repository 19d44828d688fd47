"""What a ballot's result may show: shares as counted (never reduced), and a small secret ballot sealed.

Policy (issue 13): a secret ballot shows its per-choice heads and areas only when every choice that received
votes holds at least SEAL_BELOW voters (owners under civil278). Otherwise a reader could match a choice's area
to the unit areas of a small building and see who voted what: only the verdict, the participation (heads and
area) and the approval shares the rule needs are shown, and the detailed count is sealed for the tellers.
An open (roll-call) ballot names its voters anyway, so it is always shown in full.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol

SEAL_BELOW = 3  # a choice held by fewer voters than this would be traceable to them


class Counts(Protocol):
    """Anything that carries a ballot's heads per choice (BallotResult, MinutesVote)."""

    @property
    def yes(self) -> int: ...
    @property
    def no(self) -> int: ...
    @property
    def abstain(self) -> int: ...


def disclosable(result: Counts, secret: bool) -> bool:
    """True when the per-choice heads and areas may be shown: always for an open ballot; for a secret one
    only when every choice that received votes holds at least SEAL_BELOW voters."""
    if not secret:
        return True
    return all(heads >= SEAL_BELOW for heads in (result.yes, result.no, result.abstain) if heads > 0)


@dataclass(frozen=True)
class Count:
    """A share as counted: `part` of `whole` (6 of 8 owners, 8097500 of 8859500 cm²), never reduced."""

    part: int
    whole: int

    @property
    def share(self) -> Fraction | None:
        return Fraction(self.part, self.whole) if self.whole else None


@dataclass(frozen=True)
class Civil278Counts:
    """The four figures civil278 decides on, each as counted."""

    participation_heads: Count  # owners who voted / all owners
    participation_area: Count  # area that voted / the building's area (cm²)
    approval_heads: Count  # owners for / owners who voted
    approval_area: Count  # area for / area that voted (cm²)


def civil278_counts(
    *, yes: int, cast: int, yes_area_cm2: int, cast_area_cm2: int, owners: int, total_area_cm2: int
) -> Civil278Counts:
    """The counted figures behind the stored fractions (the same shares `counting` decided on)."""
    return Civil278Counts(
        participation_heads=Count(cast, owners),
        participation_area=Count(cast_area_cm2, total_area_cm2),
        approval_heads=Count(yes, cast),
        approval_area=Count(yes_area_cm2, cast_area_cm2),
    )
