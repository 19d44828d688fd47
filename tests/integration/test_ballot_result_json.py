"""A closed ballot's result: the stored JSON reads back as the typed record, and is the JSON stored before."""

from __future__ import annotations

from fractions import Fraction

from deliberation import events
from deliberation.counting import Preset, Threshold
from deliberation.model import BallotResult
from storage.mapping import ballot_result_from_json, ballot_result_json

# As `outcome_json` wrote it before the result was typed: rows stored then must still read.
STORED = {
    "passed": True,
    "quorum_met": True,
    "rule": "civil278.ordinary",
    "preset": "civil278",
    "threshold": "ordinary",
    "yes": 3,
    "no": 1,
    "abstain": 0,
    "yes_area_cm2": 2_400_000,
    "no_area_cm2": 800_000,
    "abstain_area_cm2": 0,
    "approval_heads": "3/4",
    "approval_area": "3/4",
    "participation_heads": "4/5",
    "participation_area": "4/5",
}


def test_a_stored_result_reads_as_the_typed_record_and_writes_back_the_same() -> None:
    result = ballot_result_from_json(STORED)
    assert result == BallotResult(
        True,
        True,
        "civil278.ordinary",
        Preset.CIVIL278,
        Threshold.ORDINARY,
        3,
        1,
        0,
        2_400_000,
        800_000,
        0,
        Fraction(3, 4),
        Fraction(3, 4),
        Fraction(4, 5),
        Fraction(4, 5),
    )
    assert ballot_result_json(result) == STORED
    assert events.ballot_result_payload(result) == STORED  # the ballot.closed event carries the same figures


def test_an_open_ballot_has_no_result() -> None:
    assert ballot_result_from_json({}) is None and ballot_result_from_json(None) is None
    assert ballot_result_json(None) == {}


def test_fractions_keep_their_written_form() -> None:
    result = ballot_result_from_json({**STORED, "approval_heads": "2/1", "approval_area": None})
    assert result is not None and result.approval_area is None
    assert ballot_result_json(result)["approval_heads"] == "2/1"
