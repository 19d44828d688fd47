"""Tests for deliberation.counting: worked examples per preset, and Hypothesis properties."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from deliberation.counting import (
    CastVote,
    Choice,
    Electorate,
    Outcome,
    Preset,
    Tally,
    Threshold,
    decide,
    percent,
    tally,
)

YES, NO, ABSTAIN = Choice.YES, Choice.NO, Choice.ABSTAIN
MEMBER_PRESETS = [Preset.NANTANG, Preset.ROBERT, Preset.RESIDENT_MEETING]

# Pure functions over small inputs: no deadline, so a slow CI box cannot make them flaky.
quick = settings(max_examples=150, deadline=None)


def members_voting(yes: int = 0, no: int = 0, abstain: int = 0) -> list[CastVote]:
    choices = [YES] * yes + [NO] * no + [ABSTAIN] * abstain
    return [CastVote(f"m{i}", choice) for i, choice in enumerate(choices)]


def owners_voting(*ballots: tuple[Choice, int]) -> list[CastVote]:
    return [CastVote(f"o{i}", choice, area) for i, (choice, area) in enumerate(ballots)]


def with_choice(votes: list[CastVote], index: int, choice: Choice) -> list[CastVote]:
    changed = list(votes)
    changed[index] = CastVote(votes[index].voter, choice, votes[index].area_cm2)
    return changed


def with_area(votes: list[CastVote], index: int, delta: int) -> list[CastVote]:
    changed = list(votes)
    changed[index] = CastVote(votes[index].voter, votes[index].choice, votes[index].area_cm2 + delta)
    return changed


def ceil_share(whole: int, bound: Fraction) -> int:
    """The least integer n with n >= bound * whole."""
    return -(-whole * bound.numerator // bound.denominator)


def full_house(votes: list[CastVote]) -> Electorate:
    """A civil278 electorate in which every owner voted: only the approval rule can fail."""
    area = sum(v.area_cm2 for v in votes)
    return Electorate(members=len(votes), total_area_cm2=area, total_owners=len(votes))


# ---------------------------------------------------------------------------------------------
# Strategies

choices = st.sampled_from(list(Choice))
presets = st.sampled_from(list(Preset))
thresholds = st.sampled_from(list(Threshold))
quorums = st.none() | st.fractions(min_value=0, max_value=1, max_denominator=12)


@st.composite
def ballots(draw: st.DrawFn, max_size: int = 25) -> list[CastVote]:
    picks = draw(st.lists(st.tuples(choices, st.integers(0, 50_000_000)), max_size=max_size))
    return [CastVote(f"v{i}", choice, area) for i, (choice, area) in enumerate(picks)]


@st.composite
def electorates(draw: st.DrawFn, votes: list[CastVote], preset: Preset) -> Electorate:
    """Denominators near the turnout, so that quorum is sometimes met and sometimes not."""
    cast = len(votes)
    if preset is Preset.CIVIL278:
        owners = cast + draw(st.integers(0, cast // 2 + 2))
        area = sum(v.area_cm2 for v in votes)
        total_area = area + draw(st.integers(0, area // 2 + 2))
        return Electorate(members=owners, total_area_cm2=total_area, total_owners=owners)
    members = cast + draw(st.integers(0, cast + 2))
    # A live meeting's attendance includes everyone who voted in it.
    present = draw(st.none() | st.integers(cast, members))
    return Electorate(members=members, present=present)


@st.composite
def ballot_cases(draw: st.DrawFn, preset_strategy=presets):
    preset = draw(preset_strategy)
    votes = draw(ballots())
    electorate = draw(electorates(votes, preset))
    return preset, votes, electorate, draw(thresholds), draw(quorums)


def expected_pass(preset: Preset, threshold: Threshold, votes, electorate: Electorate, quorum):
    """PRODUCT.md §4 restated with Fraction comparisons, independently of the module's integer code."""
    yes = sum(v.choice is YES for v in votes)
    no = sum(v.choice is NO for v in votes)
    if preset is Preset.CIVIL278:
        owners = len(votes)
        area = sum(v.area_cm2 for v in votes)
        yes_area = sum(v.area_cm2 for v in votes if v.choice is YES)
        if electorate.total_area_cm2 == 0 or electorate.total_owners == 0:
            return False
        if Fraction(area, electorate.total_area_cm2) < Fraction(2, 3):
            return False
        if Fraction(owners, electorate.total_owners) < Fraction(2, 3):
            return False
        if quorum is not None and Fraction(owners, electorate.total_owners) < quorum:
            return False
        if owners == 0 or area == 0:
            return False
        area_share, head_share = Fraction(yes_area, area), Fraction(yes, owners)
        if threshold is Threshold.ORDINARY:
            return area_share > Fraction(1, 2) and head_share > Fraction(1, 2)
        bound = Fraction(3, 4) if threshold is Threshold.MAJOR else Fraction(2, 3)
        return area_share >= bound and head_share >= bound

    present = len(votes) if electorate.present is None else electorate.present
    members = electorate.members
    majority_present = present > Fraction(members, 2)
    configured = quorum is None or present >= quorum * members
    if preset is Preset.NANTANG:
        quorum_met = configured
    elif preset is Preset.ROBERT:
        quorum_met = majority_present if quorum is None else configured
    else:
        quorum_met = majority_present and configured
    if not quorum_met:
        return False
    # resident_meeting (组织法 art. 9): every decision, closing debate included, needs more than half the present
    half_present = preset is not Preset.RESIDENT_MEETING or yes > Fraction(present, 2)
    if threshold is Threshold.TWO_THIRDS:
        return yes + no > 0 and Fraction(yes, yes + no) >= Fraction(2, 3) and half_present
    if preset is Preset.RESIDENT_MEETING:
        return half_present
    return yes > no


# ---------------------------------------------------------------------------------------------
# tally


def test_tally_counts_heads_and_area_per_choice():
    counted = tally(owners_voting((YES, 100), (YES, 50), (NO, 70), (ABSTAIN, 9)))
    assert counted == Tally(yes=2, no=1, abstain=1, yes_area_cm2=150, no_area_cm2=70, abstain_area_cm2=9)
    assert counted.cast == 4
    assert counted.participating_area_cm2 == 229


def test_tally_rejects_a_voter_counted_twice():
    with pytest.raises(ValueError, match="duplicate"):
        tally([CastVote("alice", YES), CastVote("bob", NO), CastVote("alice", NO)])


def test_tally_consumes_a_generator_once():
    counted = tally(CastVote(f"m{i}", YES) for i in range(3))
    assert counted.yes == 3


def test_cast_vote_accepts_choice_strings_and_rejects_inexact_or_negative_area():
    assert CastVote("m1", "yes").choice is YES
    with pytest.raises(ValueError):
        CastVote("m1", "maybe")
    with pytest.raises(ValueError):
        CastVote("o1", YES, -1)
    with pytest.raises(TypeError):
        CastVote("o1", YES, 1.5)


def test_electorate_rejects_negative_denominators():
    with pytest.raises(ValueError):
        Electorate(members=-1)
    with pytest.raises(ValueError):
        Electorate(members=3, present=-1)


@quick
@given(votes=ballots())
def test_tally_heads_add_up_to_cast_and_areas_to_participating_area(votes):
    counted = tally(votes)
    assert counted.yes + counted.no + counted.abstain == counted.cast == len(votes)
    assert counted.yes == sum(v.choice is YES for v in votes)
    assert counted.abstain == sum(v.choice is ABSTAIN for v in votes)
    assert counted.yes_area_cm2 + counted.no_area_cm2 + counted.abstain_area_cm2 == sum(v.area_cm2 for v in votes)
    assert counted.participating_area_cm2 == sum(v.area_cm2 for v in votes)
    assert counted.no_area_cm2 == sum(v.area_cm2 for v in votes if v.choice is NO)


# ---------------------------------------------------------------------------------------------
# nantang


def test_nantang_passes_on_more_yes_than_no_and_ignores_abstentions():
    outcome = decide(Preset.NANTANG, members_voting(yes=2, no=1, abstain=10), Electorate(members=30))
    assert outcome.passed and outcome.quorum_met
    assert outcome.rule == "nantang.yes_gt_no"
    assert outcome.approval_heads == Fraction(2, 3)
    assert outcome.approval_area is None and outcome.participation_area is None
    assert outcome.participation_heads == Fraction(13, 30)


def test_nantang_tie_fails():
    outcome = decide("nantang", members_voting(yes=4, no=4, abstain=1), Electorate(members=9))
    assert outcome.quorum_met and not outcome.passed


def test_nantang_has_no_quorum_unless_one_is_set():
    assert decide(Preset.NANTANG, members_voting(yes=1), Electorate(members=100)).passed
    outcome = decide(Preset.NANTANG, members_voting(yes=1), Electorate(members=100), quorum=Fraction(1, 2))
    assert not outcome.quorum_met and not outcome.passed


def test_nantang_quorum_counts_abstainers_as_present_in_an_asynchronous_ballot():
    votes = members_voting(yes=2, no=1, abstain=2)
    assert decide(Preset.NANTANG, votes, Electorate(members=10), quorum=Fraction(1, 2)).quorum_met
    assert not decide(Preset.NANTANG, votes[:-1], Electorate(members=10), quorum=Fraction(1, 2)).quorum_met


def test_live_meeting_attendance_is_what_quorum_counts():
    votes = members_voting(yes=3)
    live = decide(Preset.NANTANG, votes, Electorate(members=10, present=5), quorum=Fraction(1, 2))
    assert live.quorum_met and live.passed
    assert live.participation_heads == Fraction(1, 2)
    thin = decide(Preset.NANTANG, votes, Electorate(members=10, present=4), quorum=Fraction(1, 2))
    assert not thin.quorum_met and not thin.passed


@quick
@given(k=st.integers(0, 200), abstain=st.integers(0, 50))
def test_nantang_tie_fails_and_one_more_yes_passes(k, abstain):
    electorate = Electorate(members=2 * k + 1 + abstain)
    assert not decide(Preset.NANTANG, members_voting(yes=k, no=k, abstain=abstain), electorate).passed
    assert decide(Preset.NANTANG, members_voting(yes=k + 1, no=k, abstain=abstain), electorate).passed


@quick
@given(members=st.integers(1, 300), quorum=st.fractions(min_value=0, max_value=1, max_denominator=20))
def test_nantang_configured_quorum_is_inclusive_at_its_exact_edge(members, quorum):
    needed = ceil_share(members, quorum)
    at_edge = decide(Preset.NANTANG, [], Electorate(members=members, present=needed), quorum=quorum)
    assert at_edge.quorum_met
    if needed > 0:
        short = decide(Preset.NANTANG, [], Electorate(members=members, present=needed - 1), quorum=quorum)
        assert not short.quorum_met


@quick
@given(votes=ballots(), extra_members=st.integers(0, 30), quorum=quorums, present=st.none() | st.integers(0, 80))
def test_an_abstention_never_changes_a_nantang_outcome_once_quorum_is_met(votes, extra_members, quorum, present):
    electorate = Electorate(members=len(votes) + 1 + extra_members, present=present)
    before = decide(Preset.NANTANG, votes, electorate, quorum=quorum)
    assume(before.quorum_met)
    after = decide(Preset.NANTANG, [*votes, CastVote("late abstainer", ABSTAIN)], electorate, quorum=quorum)
    assert after.quorum_met
    assert after.passed == before.passed
    assert after.approval_heads == before.approval_heads
    assert after.rule == before.rule


# ---------------------------------------------------------------------------------------------
# robert


def test_robert_needs_a_majority_of_votes_cast_with_abstentions_excluded():
    electorate = Electorate(members=10)
    outcome = decide(Preset.ROBERT, members_voting(yes=3, no=2, abstain=4), electorate)
    assert outcome.passed and outcome.rule == "robert.majority_cast"
    assert outcome.approval_heads == Fraction(3, 5)
    assert not decide(Preset.ROBERT, members_voting(yes=3, no=3, abstain=4), electorate).passed


def test_robert_default_quorum_is_more_than_half_the_members():
    assert not decide(Preset.ROBERT, members_voting(yes=5), Electorate(members=10)).quorum_met
    assert decide(Preset.ROBERT, members_voting(yes=5, abstain=1), Electorate(members=10)).passed


def test_robert_quorum_can_be_set_by_the_community():
    outcome = decide(Preset.ROBERT, members_voting(yes=3), Electorate(members=12), quorum=Fraction(1, 4))
    assert outcome.quorum_met and outcome.passed


def test_robert_two_thirds_closes_debate():
    electorate = Electorate(members=9, present=9)
    exact = decide(Preset.ROBERT, members_voting(yes=4, no=2, abstain=3), electorate, Threshold.TWO_THIRDS)
    assert exact.passed and exact.rule == "robert.two_thirds"
    assert exact.threshold is Threshold.TWO_THIRDS
    assert not decide(Preset.ROBERT, members_voting(yes=4, no=3), electorate, Threshold.TWO_THIRDS).passed


def test_two_thirds_with_no_votes_either_way_fails():
    outcome = decide(Preset.ROBERT, members_voting(abstain=5), Electorate(members=5), Threshold.TWO_THIRDS)
    assert outcome.quorum_met and not outcome.passed
    assert outcome.approval_heads == 0


@quick
@given(preset=st.sampled_from(MEMBER_PRESETS), k=st.integers(1, 150), abstain=st.integers(0, 3))
def test_two_thirds_of_votes_cast_passes_at_its_exact_edge_under_every_member_preset(preset, k, abstain):
    members = 3 * k + 1 + abstain
    if preset is Preset.RESIDENT_MEETING:
        assume(2 * k * 2 > members)  # there the yes must also be more than half of those present (art. 9)
    electorate = Electorate(members=members, present=members)
    exact = decide(preset, members_voting(yes=2 * k, no=k, abstain=abstain), electorate, Threshold.TWO_THIRDS)
    assert exact.passed
    assert exact.approval_heads == Fraction(2, 3)
    one_more_no = members_voting(yes=2 * k, no=k + 1, abstain=abstain)
    assert not decide(preset, one_more_no, electorate, Threshold.TWO_THIRDS).passed
    one_fewer_yes = members_voting(yes=2 * k - 1, no=k, abstain=abstain)
    assert not decide(preset, one_fewer_yes, electorate, Threshold.TWO_THIRDS).passed


@quick
@given(preset=st.sampled_from([Preset.ROBERT, Preset.RESIDENT_MEETING]), members=st.integers(1, 400))
def test_majority_of_members_quorum_edge(preset, members):
    half = members // 2
    unanimous_half = decide(preset, members_voting(yes=half), Electorate(members=members))
    assert not unanimous_half.quorum_met and not unanimous_half.passed
    assert decide(preset, members_voting(yes=half + 1), Electorate(members=members)).passed


def test_major_is_treated_as_ordinary_under_member_presets():
    for preset in MEMBER_PRESETS:
        votes = members_voting(yes=3, no=2)
        electorate = Electorate(members=5)
        outcome = decide(preset, votes, electorate, Threshold.MAJOR)
        ordinary = decide(preset, votes, electorate, Threshold.ORDINARY)
        assert outcome == ordinary
        assert outcome.threshold is Threshold.ORDINARY
        assert outcome.passed


# ---------------------------------------------------------------------------------------------
# resident_meeting


def test_resident_meeting_needs_more_than_half_of_those_present():
    electorate = Electorate(members=15, present=10)
    short = decide(Preset.RESIDENT_MEETING, members_voting(yes=5, no=1), electorate)
    assert short.quorum_met and not short.passed
    assert short.rule == "resident_meeting.majority_present"
    assert short.approval_heads == Fraction(1, 2)
    assert decide(Preset.RESIDENT_MEETING, members_voting(yes=6, no=4), electorate).passed


def test_resident_meeting_abstentions_weigh_against_where_nantang_ignores_them():
    votes = members_voting(yes=3, no=1, abstain=2)
    electorate = Electorate(members=8)
    assert decide(Preset.NANTANG, votes, electorate).passed
    assert not decide(Preset.RESIDENT_MEETING, votes, electorate).passed


def test_resident_meeting_statutory_quorum_can_be_raised_but_not_lowered():
    votes = members_voting(yes=10)
    lowered = decide(Preset.RESIDENT_MEETING, votes, Electorate(members=21), quorum=Fraction(1, 10))
    assert not lowered.quorum_met
    raised = decide(Preset.RESIDENT_MEETING, members_voting(yes=11), Electorate(members=21), quorum=Fraction(2, 3))
    assert not raised.quorum_met
    assert decide(Preset.RESIDENT_MEETING, members_voting(yes=14), Electorate(members=21), quorum=Fraction(2, 3)).passed


@quick
@given(present=st.integers(1, 400))
def test_resident_meeting_majority_of_present_edge(present):
    electorate = Electorate(members=present, present=present)
    half = present // 2
    assert not decide(Preset.RESIDENT_MEETING, members_voting(yes=half), electorate).passed
    assert decide(Preset.RESIDENT_MEETING, members_voting(yes=half + 1), electorate).passed


def test_missing_quorum_fails_even_a_unanimous_ballot():
    for preset in (Preset.ROBERT, Preset.RESIDENT_MEETING):
        outcome = decide(preset, members_voting(yes=4), Electorate(members=10))
        assert outcome.passed is False and outcome.quorum_met is False
        assert outcome.tally.yes == 4


# ---------------------------------------------------------------------------------------------
# civil278

M2 = 10_000  # square centimetres in a square metre


def test_civil278_worked_example_ordinary_and_major():
    # Six owners, 600 m² in all; five vote (one of them owns two flats, summed into one key).
    electorate = Electorate(members=6, total_area_cm2=600 * M2, total_owners=6)
    votes = [
        CastVote("owner-a", YES, 180 * M2),  # two units
        CastVote("owner-b", YES, 90 * M2),
        CastVote("owner-c", YES, 90 * M2),
        CastVote("owner-d", NO, 90 * M2),
        CastVote("owner-e", ABSTAIN, 60 * M2),
    ]
    ordinary = decide(Preset.CIVIL278, votes, electorate)
    assert ordinary.quorum_met and ordinary.passed
    assert ordinary.rule == "civil278.ordinary"
    assert ordinary.participation_area == Fraction(510, 600)
    assert ordinary.participation_heads == Fraction(5, 6)
    assert ordinary.approval_area == Fraction(360, 510)
    assert ordinary.approval_heads == Fraction(3, 5)
    assert percent(ordinary.approval_area) == "70.59%"
    assert Outcome.percent(ordinary.approval_heads) == "60.00%"

    major = decide(Preset.CIVIL278, votes, electorate, Threshold.MAJOR)
    assert major.quorum_met and not major.passed
    assert major.rule == "civil278.major"


def test_civil278_abstentions_count_towards_participation_and_against_approval():
    electorate = Electorate(members=4, total_area_cm2=400, total_owners=4)
    votes = owners_voting((YES, 100), (YES, 100), (ABSTAIN, 100))
    outcome = decide(Preset.CIVIL278, votes, electorate)
    assert outcome.quorum_met and outcome.passed
    blocked = owners_voting((YES, 100), (ABSTAIN, 100), (ABSTAIN, 100))
    assert not decide(Preset.CIVIL278, blocked, electorate).passed


def test_civil278_ordinary_needs_more_than_half_of_both_area_and_owners():
    # Exactly half the area fails; one cm² more passes.
    half_area = owners_voting((YES, 500), (YES, 1), (NO, 501))
    assert not decide(Preset.CIVIL278, half_area, full_house(half_area)).passed
    votes = owners_voting((YES, 251), (YES, 250), (NO, 500))
    assert decide(Preset.CIVIL278, votes, full_house(votes)).passed
    # Exactly half the owners fails even with most of the area.
    votes = owners_voting((YES, 900), (NO, 50), (YES, 25), (NO, 25))
    outcome = decide(Preset.CIVIL278, votes, full_house(votes))
    assert outcome.approval_area > Fraction(3, 4) and not outcome.passed


def test_civil278_two_thirds_threshold():
    votes = owners_voting((YES, 200), (YES, 200), (NO, 200))
    outcome = decide(Preset.CIVIL278, votes, full_house(votes), Threshold.TWO_THIRDS)
    assert outcome.passed and outcome.rule == "civil278.two_thirds"
    assert not decide(Preset.CIVIL278, with_area(votes, 0, -1), full_house(votes), Threshold.TWO_THIRDS).passed


def test_civil278_zero_totals_fail_cleanly():
    votes = owners_voting((YES, 100))
    for electorate in (
        Electorate(members=0),
        Electorate(members=1, total_area_cm2=0, total_owners=1),
        Electorate(members=0, total_area_cm2=100, total_owners=0),
    ):
        outcome = decide(Preset.CIVIL278, votes, electorate, Threshold.MAJOR)
        assert not outcome.quorum_met and not outcome.passed
    empty = decide(Preset.CIVIL278, [], Electorate(members=0))
    assert empty.approval_area == empty.approval_heads == empty.participation_area == 0


def test_civil278_owner_denominator_falls_back_to_members_and_must_agree():
    votes = owners_voting((YES, 100), (YES, 100))
    assert decide(Preset.CIVIL278, votes, Electorate(members=3, total_area_cm2=300)).passed
    with pytest.raises(ValueError, match="total_owners"):
        decide(Preset.CIVIL278, votes, Electorate(members=5, total_area_cm2=300, total_owners=3))


def test_civil278_ignores_live_attendance_and_a_quorum_only_adds_a_floor():
    votes = owners_voting((YES, 100), (YES, 100))
    electorate = Electorate(members=3, total_area_cm2=300, total_owners=3, present=1)
    assert decide(Preset.CIVIL278, votes, electorate).passed
    assert not decide(Preset.CIVIL278, votes, electorate, quorum=Fraction(1)).quorum_met
    low = decide(Preset.CIVIL278, votes[:1], electorate, quorum=Fraction(0))
    assert not low.quorum_met


@quick
@given(owners=st.integers(3, 60), area_per_owner=st.integers(3, 200_000), remainder=st.integers(0, 2))
@example(owners=3, area_per_owner=3, remainder=0)
@example(owners=30, area_per_owner=99, remainder=0)
def test_civil278_participation_edge_two_thirds_of_area_and_of_owners(owners, area_per_owner, remainder):
    total_area = owners * area_per_owner * 3 + remainder
    needed_owners = ceil_share(owners, Fraction(2, 3))
    needed_area = ceil_share(total_area, Fraction(2, 3))
    assert needed_area * 3 >= total_area * 2 > (needed_area - 1) * 3  # the edge really is the edge
    electorate = Electorate(members=owners, total_area_cm2=total_area, total_owners=owners)
    # Everyone votes yes, so only participation can fail; the last voter carries the spare area.
    votes = owners_voting(*[(YES, 1)] * (needed_owners - 1), (YES, needed_area - (needed_owners - 1)))

    at_edge = decide(Preset.CIVIL278, votes, electorate, Threshold.MAJOR)
    assert at_edge.quorum_met and at_edge.passed
    if remainder == 0 and owners % 3 == 0:
        assert at_edge.participation_area == at_edge.participation_heads == Fraction(2, 3)

    one_cm2_less = decide(Preset.CIVIL278, with_area(votes, -1, -1), electorate, Threshold.MAJOR)
    assert not one_cm2_less.quorum_met and not one_cm2_less.passed

    # One owner fewer, same area: the last two voters' area in one hand.
    merged = with_area(votes[:-1], -1, votes[-1].area_cm2)
    assert sum(v.area_cm2 for v in merged) == needed_area
    one_owner_less = decide(Preset.CIVIL278, merged, electorate, Threshold.MAJOR)
    assert not one_owner_less.quorum_met and not one_owner_less.passed


@quick
@given(
    threshold=st.sampled_from([Threshold.MAJOR, Threshold.TWO_THIRDS]),
    owners=st.integers(4, 40),
    quarter=st.integers(40, 1_000_000),
    remainder=st.integers(0, 3),
)
@example(threshold=Threshold.MAJOR, owners=4, quarter=40, remainder=0)
@example(threshold=Threshold.TWO_THIRDS, owners=4, quarter=42, remainder=0)
def test_civil278_approval_area_edge(threshold, owners, quarter, remainder):
    bound = Fraction(3, 4) if threshold is Threshold.MAJOR else Fraction(2, 3)
    area = 4 * quarter + remainder
    yes_area = ceil_share(area, bound)
    # All owners but one vote yes (enough heads for 3/4 when owners >= 4); the one no voter
    # holds what area is left, so the area share sits exactly on its edge.
    small_yes = owners - 2
    votes = owners_voting(*[(YES, 1)] * small_yes, (YES, yes_area - small_yes), (NO, area - yes_area))
    at_edge = decide(Preset.CIVIL278, votes, full_house(votes), threshold)
    assert at_edge.passed
    if area * bound.numerator % bound.denominator == 0:
        assert at_edge.approval_area == bound
    # Move one square centimetre from the largest yes holding to the no voter.
    shifted = with_area(with_area(votes, -2, -1), -1, +1)
    one_cm2_less = decide(Preset.CIVIL278, shifted, full_house(shifted), threshold)
    assert one_cm2_less.quorum_met and not one_cm2_less.passed


@quick
@given(
    threshold=st.sampled_from([Threshold.MAJOR, Threshold.TWO_THIRDS]),
    owners=st.integers(2, 80),
    extra=st.integers(1, 1_000_000),
)
@example(threshold=Threshold.MAJOR, owners=4, extra=1)
@example(threshold=Threshold.MAJOR, owners=40, extra=1)
@example(threshold=Threshold.TWO_THIRDS, owners=3, extra=1)
def test_civil278_approval_owner_edge(threshold, owners, extra):
    bound = Fraction(3, 4) if threshold is Threshold.MAJOR else Fraction(2, 3)
    yes_owners = ceil_share(owners, bound)
    # One yes owner holds enough area to clear the area bound alone, so only heads can fail.
    whale = 3 * (owners - 1) + extra
    votes = owners_voting((YES, whale), *[(YES, 1)] * (yes_owners - 1), *[(NO, 1)] * (owners - yes_owners))
    at_edge = decide(Preset.CIVIL278, votes, full_house(votes), threshold)
    assert at_edge.passed
    if owners * bound.numerator % bound.denominator == 0:
        assert at_edge.approval_heads == bound
    one_owner_less = with_choice(votes, 1, NO)
    outcome = decide(Preset.CIVIL278, one_owner_less, full_house(one_owner_less), threshold)
    assert outcome.approval_area >= bound  # area still clears; the head count is what fails
    assert outcome.quorum_met and not outcome.passed


# ---------------------------------------------------------------------------------------------
# Properties over every preset


@quick
@given(case=ballot_cases(), data=st.data())
def test_vote_order_does_not_matter(case, data):
    preset, votes, electorate, threshold, quorum = case
    shuffled = data.draw(st.permutations(votes))
    assert decide(preset, shuffled, electorate, threshold, quorum) == decide(
        preset, votes, electorate, threshold, quorum
    )


@quick
@given(case=ballot_cases())
def test_decide_agrees_with_the_spec_restated_in_fractions(case):
    preset, votes, electorate, threshold, quorum = case
    outcome = decide(preset, votes, electorate, threshold, quorum)
    applied = Threshold.ORDINARY if preset is not Preset.CIVIL278 and threshold is Threshold.MAJOR else threshold
    assert outcome.passed == expected_pass(preset, applied, votes, electorate, quorum)
    assert outcome.tally == tally(votes)
    assert outcome.preset is preset and outcome.threshold is applied
    assert outcome.rule.startswith(f"{preset.value}.")


@quick
@given(case=ballot_cases())
def test_a_ballot_that_misses_quorum_never_passes(case):
    outcome = decide(*case)
    assert outcome.quorum_met or not outcome.passed


@quick
@given(case=ballot_cases(), data=st.data())
def test_turning_a_no_into_a_yes_never_turns_a_pass_into_a_fail(case, data):
    preset, votes, electorate, threshold, quorum = case
    noes = [i for i, v in enumerate(votes) if v.choice is NO]
    assume(noes)
    index = data.draw(st.sampled_from(noes))
    before = decide(preset, votes, electorate, threshold, quorum)
    after = decide(preset, with_choice(votes, index, YES), electorate, threshold, quorum)
    assert after.quorum_met == before.quorum_met
    assert after.passed or not before.passed
    assert after.approval_heads >= before.approval_heads


@quick
@given(case=ballot_cases())
def test_shares_are_exact_fractions_between_zero_and_one_for_a_consistent_electorate(case):
    preset, votes, electorate, threshold, quorum = case
    outcome = decide(preset, votes, electorate, threshold, quorum)
    shares = [outcome.approval_heads, outcome.participation_heads]
    if preset is Preset.CIVIL278:
        shares += [outcome.approval_area, outcome.participation_area]
    else:
        assert outcome.approval_area is None and outcome.participation_area is None
    for share in shares:
        assert isinstance(share, Fraction)
        assert 0 <= share <= 1


# ---------------------------------------------------------------------------------------------
# decide's arguments


def test_decide_accepts_preset_and_threshold_names():
    outcome = decide("robert", members_voting(yes=2, no=1), Electorate(members=3), "two_thirds")
    assert outcome.preset is Preset.ROBERT and outcome.threshold is Threshold.TWO_THIRDS


def test_decide_rejects_unknown_presets_and_bad_quorums():
    with pytest.raises(ValueError):
        decide("majority_rule", [], Electorate(members=1))
    with pytest.raises(ValueError):
        decide(Preset.NANTANG, [], Electorate(members=1), quorum=Fraction(3, 2))
    with pytest.raises(TypeError):
        decide(Preset.NANTANG, [], Electorate(members=1), quorum=0.5)


def test_decide_rejects_duplicate_voters():
    with pytest.raises(ValueError, match="duplicate"):
        decide(Preset.NANTANG, [CastVote("m1", YES), CastVote("m1", YES)], Electorate(members=2))


# ---------------------------------------------------------------------------------------------
# percent


@pytest.mark.parametrize(
    ("share", "text"),
    [
        (Fraction(2, 3), "66.67%"),
        (Fraction(1, 3), "33.33%"),
        (Fraction(1, 2), "50.00%"),
        (Fraction(0), "0.00%"),
        (Fraction(1), "100.00%"),
        (Fraction(1, 800), "0.13%"),  # 0.125 %: half up, where banker's rounding would give 0.12
        (Fraction(3, 4), "75.00%"),
        (Fraction(-1, 800), "-0.13%"),
    ],
)
def test_percent_rounds_half_up(share, text):
    assert percent(share) == text


def test_percent_places():
    assert percent(Fraction(2, 3), places=0) == "67%"
    assert percent(Fraction(2, 3), places=4) == "66.6667%"


@quick
@given(share=st.fractions(min_value=-2, max_value=2, max_denominator=10**9))
def test_percent_matches_decimal_round_half_up(share):
    with localcontext() as ctx:
        ctx.prec = 60  # ample for these denominators: the division is exact to far past the rounding digit
        exact = Decimal(share.numerator) * 100 / Decimal(share.denominator)
        expected = exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if expected == 0:
        expected = abs(expected)
    assert percent(share) == f"{expected}%"


def test_resident_meeting_two_thirds_also_needs_more_than_half_of_those_present():
    # 6 present: 3 yes of 4 decided is 2/3 but not more than 3; 4 yes of 5 decided is both
    electorate = Electorate(members=6, present=6)
    short = decide(Preset.RESIDENT_MEETING, members_voting(yes=3, no=1, abstain=2), electorate, Threshold.TWO_THIRDS)
    assert short.quorum_met and not short.passed
    edge = decide(Preset.RESIDENT_MEETING, members_voting(yes=4, no=1, abstain=1), electorate, Threshold.TWO_THIRDS)
    assert edge.passed
