"""Counting votes: tallies and pass/fail decisions for each preset, in exact arithmetic."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

__all__ = ["CastVote", "Choice", "Electorate", "Outcome", "Preset", "Tally", "Threshold", "decide", "percent", "tally"]

_HALF = Fraction(1, 2)
_TWO_THIRDS = Fraction(2, 3)
_THREE_QUARTERS = Fraction(3, 4)


class Choice(StrEnum):
    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


class Preset(StrEnum):
    NANTANG = "nantang"
    ROBERT = "robert"
    RESIDENT_MEETING = "resident_meeting"
    CIVIL278 = "civil278"


class Threshold(StrEnum):
    ORDINARY = "ordinary"
    MAJOR = "major"  # civil278 重大事项: 3/4 of participating area and owners
    TWO_THIRDS = "two_thirds"  # closing debate (previous question)


@dataclass(frozen=True)
class CastVote:
    """One voter's ballot; under civil278 the voter is an owner carrying the area of all their units."""

    voter: str
    choice: Choice
    area_cm2: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "choice", Choice(self.choice))
        # Areas are whole square centimetres so that no float ever reaches a comparison.
        if not isinstance(self.area_cm2, int) or isinstance(self.area_cm2, bool):
            raise TypeError(f"area_cm2 must be an int, got {self.area_cm2!r}")
        if self.area_cm2 < 0:
            raise ValueError(f"area_cm2 must not be negative, got {self.area_cm2}")


@dataclass(frozen=True)
class Electorate:
    """The denominators, frozen when the ballot opens."""

    members: int
    total_area_cm2: int = 0
    total_owners: int = 0
    present: int | None = None

    def __post_init__(self) -> None:
        for name in ("members", "total_area_cm2", "total_owners", "present"):
            value = getattr(self, name)
            if value is None:
                continue
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"{name} must be an int, got {value!r}")
            if value < 0:
                raise ValueError(f"{name} must not be negative, got {value}")


@dataclass(frozen=True)
class Tally:
    yes: int
    no: int
    abstain: int
    yes_area_cm2: int
    no_area_cm2: int
    abstain_area_cm2: int

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.abstain

    @property
    def participating_area_cm2(self) -> int:
        return self.yes_area_cm2 + self.no_area_cm2 + self.abstain_area_cm2


def percent(share: Fraction, places: int = 2) -> str:
    """Format a share as e.g. "66.67%", rounding half up (away from zero) like decimal.ROUND_HALF_UP.

    The rounding is done on the exact fraction in integers, so no denominator can cause
    a double rounding the way a finite-precision division could.
    """
    scaled = Fraction(share) * 100 * 10**places
    whole, rest = divmod(abs(scaled.numerator), scaled.denominator)
    if rest * 2 >= scaled.denominator:
        whole += 1
    sign = "-" if scaled < 0 and whole else ""
    if places == 0:
        return f"{sign}{whole}%"
    unit = 10**places
    return f"{sign}{whole // unit}.{whole % unit:0{places}d}%"


@dataclass(frozen=True)
class Outcome:
    preset: Preset
    threshold: Threshold  # the threshold actually applied (MAJOR becomes ORDINARY outside civil278)
    passed: bool
    quorum_met: bool
    tally: Tally
    rule: str  # stable key naming the rule applied, e.g. "civil278.major"; a translation key
    approval_area: Fraction | None
    approval_heads: Fraction
    participation_area: Fraction | None
    participation_heads: Fraction

    percent = staticmethod(percent)


def tally(votes: Iterable[CastVote]) -> Tally:
    """Count heads and area per choice; a voter key appearing twice is a bug upstream, so it raises."""
    seen: set[str] = set()
    heads = dict.fromkeys(Choice, 0)
    areas = dict.fromkeys(Choice, 0)
    for vote in votes:
        if vote.voter in seen:
            raise ValueError(f"duplicate vote from voter {vote.voter!r}")
        seen.add(vote.voter)
        heads[vote.choice] += 1
        areas[vote.choice] += vote.area_cm2
    return Tally(
        yes=heads[Choice.YES],
        no=heads[Choice.NO],
        abstain=heads[Choice.ABSTAIN],
        yes_area_cm2=areas[Choice.YES],
        no_area_cm2=areas[Choice.NO],
        abstain_area_cm2=areas[Choice.ABSTAIN],
    )


def decide(
    preset: Preset | str,
    votes: Iterable[CastVote],
    electorate: Electorate,
    threshold: Threshold | str = Threshold.ORDINARY,
    quorum: Fraction | None = None,
) -> Outcome:
    """Decide whether a ballot carries under a preset.

    Member presets (nantang, robert, resident_meeting):
    - "present" is ``electorate.present`` in a live meeting, otherwise everyone who cast
      any vote, abstentions included.
    - ORDINARY: nantang and robert pass when yes > no (abstentions ignored, a tie fails);
      resident_meeting passes when yes > 1/2 of those present.
    - TWO_THIRDS (closing debate): yes >= 2/3 of yes + no, abstentions excluded, for every
      member preset alike; no votes either way fails.
    - MAJOR is a civil278 notion (重大事项); under a member preset it is applied as ORDINARY
      and the Outcome reports ORDINARY.
    - Quorum: nantang has none unless ``quorum`` is given; robert requires more than half of
      members present unless ``quorum`` replaces that; resident_meeting always requires more
      than half of members present (居委会组织法 art. 9), and a given ``quorum`` can only add to it.
      A given ``quorum`` is inclusive: present >= quorum * members.

    civil278 (民法典 art. 278; "以上" includes the bound):
    - Participating means cast any vote, abstentions included; ``electorate.present`` is not used.
    - Quorum: participating area >= 2/3 of total area AND participating owners >= 2/3 of
      total owners. A given ``quorum`` adds a further owner-count floor; it cannot lower the statute.
    - ORDINARY: yes area > 1/2 of participating area AND yes owners > 1/2 of participating owners.
    - MAJOR: >= 3/4 of both; TWO_THIRDS: >= 2/3 of both.
    - The owner denominator is ``total_owners`` (``members`` when that is 0); when both are
      set they must agree. Zero totals fail the quorum rather than divide by zero.

    A ballot that misses quorum never passes, whatever the counts.
    """
    preset = Preset(preset)
    threshold = Threshold(threshold)
    quorum = _checked_quorum(quorum)
    counted = tally(votes)
    if preset is Preset.CIVIL278:
        return _decide_civil278(counted, electorate, threshold, quorum)
    return _decide_members(preset, counted, electorate, threshold, quorum)


def _checked_quorum(quorum: Fraction | None) -> Fraction | None:
    if quorum is None:
        return None
    if isinstance(quorum, float):
        raise TypeError("quorum must be exact (Fraction, int or 'p/q'), not float")
    quorum = Fraction(quorum)
    if not 0 <= quorum <= 1:
        raise ValueError(f"quorum must lie between 0 and 1, got {quorum}")
    return quorum


def _share(part: int, whole: int) -> Fraction:
    return Fraction(part, whole) if whole else Fraction(0)


def _at_least(part: int, whole: int, bound: Fraction) -> bool:
    """part >= bound * whole, in integers."""
    return part * bound.denominator >= bound.numerator * whole


def _more_than(part: int, whole: int, bound: Fraction) -> bool:
    """part > bound * whole, in integers."""
    return part * bound.denominator > bound.numerator * whole


def _decide_members(
    preset: Preset, counted: Tally, electorate: Electorate, threshold: Threshold, quorum: Fraction | None
) -> Outcome:
    if threshold is Threshold.MAJOR:
        threshold = Threshold.ORDINARY
    # Whoever voted was present (组织法 art. 9: 出席人), whatever the roll says.
    present = counted.cast if electorate.present is None else max(electorate.present, counted.cast)
    quorum_met = _member_quorum_met(preset, present, electorate.members, quorum)

    decided = counted.yes + counted.no
    if threshold is Threshold.TWO_THIRDS:
        rule = f"{preset.value}.two_thirds"
        carried = decided > 0 and _at_least(counted.yes, decided, _TWO_THIRDS)
        if preset is Preset.RESIDENT_MEETING:  # every decision also needs more than half the present (art. 9)
            carried = carried and _more_than(counted.yes, present, _HALF)
        approval = _share(counted.yes, decided)
    elif preset is Preset.RESIDENT_MEETING:
        rule = "resident_meeting.majority_present"
        carried = _more_than(counted.yes, present, _HALF)
        approval = _share(counted.yes, present)
    else:
        rule = "robert.majority_cast" if preset is Preset.ROBERT else "nantang.yes_gt_no"
        carried = counted.yes > counted.no
        approval = _share(counted.yes, decided)

    return Outcome(
        preset=preset,
        threshold=threshold,
        passed=quorum_met and carried,
        quorum_met=quorum_met,
        tally=counted,
        rule=rule,
        approval_area=None,
        approval_heads=approval,
        participation_area=None,
        participation_heads=_share(present, electorate.members),
    )


def _member_quorum_met(preset: Preset, present: int, members: int, quorum: Fraction | None) -> bool:
    majority_present = _more_than(present, members, _HALF)
    configured = quorum is None or _at_least(present, members, quorum)
    if preset is Preset.RESIDENT_MEETING:
        # The statute's quorum is a floor a community may raise but not lower.
        return majority_present and configured
    if preset is Preset.ROBERT:
        return majority_present if quorum is None else configured
    return configured


def _owner_count(electorate: Electorate) -> int:
    owners, members = electorate.total_owners, electorate.members
    if owners and members and owners != members:
        raise ValueError(f"civil278 electorate disagrees with itself: total_owners={owners}, members={members}")
    return owners or members


def _decide_civil278(counted: Tally, electorate: Electorate, threshold: Threshold, quorum: Fraction | None) -> Outcome:
    total_owners = _owner_count(electorate)
    total_area = electorate.total_area_cm2
    owners = counted.cast
    area = counted.participating_area_cm2

    quorum_met = (
        total_area > 0
        and total_owners > 0
        and _at_least(area, total_area, _TWO_THIRDS)
        and _at_least(owners, total_owners, _TWO_THIRDS)
        and (quorum is None or _at_least(owners, total_owners, quorum))
    )

    if threshold is Threshold.ORDINARY:
        carried = _more_than(counted.yes_area_cm2, area, _HALF) and _more_than(counted.yes, owners, _HALF)
    else:
        bound = _THREE_QUARTERS if threshold is Threshold.MAJOR else _TWO_THIRDS
        carried = (
            area > 0
            and owners > 0
            and _at_least(counted.yes_area_cm2, area, bound)
            and _at_least(counted.yes, owners, bound)
        )

    return Outcome(
        preset=Preset.CIVIL278,
        threshold=threshold,
        passed=quorum_met and carried,
        quorum_met=quorum_met,
        tally=counted,
        rule=f"civil278.{threshold.value}",
        approval_area=_share(counted.yes_area_cm2, area),
        approval_heads=_share(counted.yes, owners),
        participation_area=_share(area, total_area),
        participation_heads=_share(owners, total_owners),
    )
