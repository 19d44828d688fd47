"""deliberation.disclosure: which ballot counts may be shown, and shares as counted."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import pytest

from deliberation.disclosure import SEAL_BELOW, Count, civil278_counts, disclosable


@dataclass(frozen=True)
class Heads:
    yes: int
    no: int
    abstain: int


@pytest.mark.parametrize(
    ("yes", "no", "abstain", "secret", "shown"),
    [
        (3, 3, 0, True, True),  # the edge: every choice that got votes holds 3
        (3, 2, 0, True, False),  # one choice under 3: sealed
        (4, 0, 1, True, False),  # a lone abstention is as traceable as a lone no
        (2, 0, 0, True, False),  # unanimity of two still names both
        (5, 0, 0, True, True),  # choices nobody took do not seal
        (0, 0, 0, True, True),  # nothing cast, nothing to hide
        (1, 1, 1, False, True),  # an open ballot names its voters anyway
    ],
)
def test_disclosable_at_the_edge(yes: int, no: int, abstain: int, secret: bool, shown: bool) -> None:
    assert SEAL_BELOW == 3
    assert disclosable(Heads(yes, no, abstain), secret) is shown


def test_counts_are_kept_as_counted() -> None:
    counted = civil278_counts(
        yes=5, cast=6, yes_area_cm2=6_747_500, cast_area_cm2=8_097_500, owners=8, total_area_cm2=8_859_500
    )
    assert counted.participation_heads == Count(6, 8) and counted.participation_heads.share == Fraction(3, 4)
    assert counted.participation_area == Count(8_097_500, 8_859_500)
    assert counted.approval_heads == Count(5, 6) and counted.approval_area == Count(6_747_500, 8_097_500)
    assert Count(0, 0).share is None


def test_a_version_stored_before_sealing_is_sealed_when_read() -> None:
    from deliberation.minutes import minutes_from_dict, minutes_to_dict
    from tests.unit.minutes_chain import minutes_of, scripted_chain

    events = scripted_chain("nantang")
    stored = minutes_to_dict(minutes_of(events, events[-1].seq, events[-1].hash))
    vote = next(v for m in stored["motions"] for v in m["votes"] if v["secret"])
    vote.update(sealed=False, yes=2, no=1, abstain=1)  # as a version written before issue 13 kept it
    read = next(v for v in minutes_from_dict(stored).votes if v.secret)
    assert read.sealed and (read.yes, read.no, read.abstain, read.voted) == (0, 0, 0, 4)
