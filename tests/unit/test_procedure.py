"""Issue 11, procedure through the use cases: adjourning during a vote, /show's whole story, reminders under the
ballot's frozen rules, one owner's household, and a vote without a number while two ballots are open."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from deliberation import errors, turnout
from deliberation.counting import Choice, Preset
from deliberation.delivery import AssignmentState, MeetingState, Rating, plan_ballot
from deliberation.lifecycle import MotionState
from deliberation.model import Member, MemberStatus, Rules, Side
from deliberation.usecases import (
    adjourn,
    assign,
    ballot_for,
    cast_vote,
    close_ballot,
    close_rating,
    motion_history,
    open_meeting,
    open_rating,
    put_question,
    raise_motion,
    rate,
    report,
    second_motion,
    speak,
)
from tests.fakes.fake_uow import FakeUnitOfWork

from .usecase_helpers import Clock

PEOPLE = ["alice", "bob", "carol"]


async def _seconded(uow: FakeUnitOfWork, clock: Clock, text: str = "装声控灯") -> int:
    motion = await raise_motion(uow, clock, uow.council, uow.actor("alice"), text)
    await second_motion(uow, clock, uow.council, uow.actor("bob"), motion.number)
    return motion.number


# ---- 11. no adjournment while a ballot of the meeting is open ----------------------------------------


async def test_the_chair_may_not_adjourn_while_a_ballot_of_the_meeting_is_open() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    chair = uow.actor("chair")
    number = await _seconded(uow, clock)
    await open_meeting(uow, clock, uow.council, chair, "月度议事会")
    _, ballot = await put_question(uow, clock, uow.council, chair, number)
    before = uow.snapshot()
    with pytest.raises(errors.BallotOpenAtAdjourn) as refused:
        await adjourn(uow, clock, uow.council, chair)
    assert refused.value.params == {"meeting": 1, "ballots": f"#{number}", "first": number}
    assert uow.snapshot() == before  # the meeting is still open, nothing recorded
    # The edge: the moment the ballot is closed, the meeting may adjourn.
    await close_ballot(uow, clock, uow.council, ballot.id, chair)
    summary = await adjourn(uow, clock, uow.council, chair)
    assert summary.meeting.state is MeetingState.ADJOURNED


async def test_a_ballot_closed_by_its_last_vote_no_longer_holds_the_meeting() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    chair = uow.actor("chair")
    number = await _seconded(uow, clock)
    await open_meeting(uow, clock, uow.council, chair, "月度议事会")
    _, ballot = await put_question(uow, clock, uow.council, chair, number)
    for name in PEOPLE[:-1]:
        await cast_vote(uow, clock, uow.council, uow.actor(name), ballot.id, Choice.YES)
    with pytest.raises(errors.BallotOpenAtAdjourn):  # one vote short: still open
        await adjourn(uow, clock, uow.council, chair)
    await cast_vote(uow, clock, uow.council, uow.actor(PEOPLE[-1]), ballot.id, Choice.YES)
    assert (await adjourn(uow, clock, uow.council, chair)).meeting.state is MeetingState.ADJOURNED


async def test_a_ballot_opened_before_the_meeting_does_not_hold_it() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    chair = uow.actor("chair")
    number = await _seconded(uow, clock)
    _, ballot = await put_question(uow, clock, uow.council, chair, number)  # asynchronous, 48 h
    clock.tick(minutes=1)
    await open_meeting(uow, clock, uow.council, chair, "月度议事会")
    summary = await adjourn(uow, clock, uow.council, chair)
    assert summary.meeting.state is MeetingState.ADJOURNED
    assert (await uow.ballots.get(ballot.id)).open  # it keeps running to its own deadline


# ---- /show: the whole story, delivery included ---------------------------------------------------


async def test_the_history_of_a_motion_carries_its_delivery() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    chair = uow.actor("chair")
    number = await _seconded(uow, clock)
    await speak(uow, clock, uow.council, uow.actor("alice"), number, Side.FOR, "楼道太暗")
    _, ballot = await put_question(uow, clock, uow.council, chair, number)
    for name in PEOPLE:
        await cast_vote(uow, clock, uow.council, uow.actor(name), ballot.id, Choice.YES)
    h = await motion_history(uow, uow.council, number)
    assert (h.assignment, list(h.reports), h.rated) == (None, [], 0)  # adopted, not yet handed on
    await assign(uow, clock, uow.council, chair, number, "@bob", clock() + timedelta(days=3))
    await report(uow, clock, uow.council, uow.actor("bob"), number, "已联系物业")
    await report(uow, clock, uow.council, uow.actor("bob"), number, "灯已装好", done=True)
    a = await open_rating(uow, clock, uow.council, chair, number)
    await rate(uow, clock, uow.council, uow.actor("alice"), a.id, Rating.SATISFIED)
    h = await motion_history(uow, uow.council, number)
    assert h.assignment is not None and h.assignment.assignee_name == "bob"
    assert [(r.text, r.done) for r in h.reports] == [("已联系物业", False), ("灯已装好", True)]
    assert (h.assignment.state, h.rated) == (AssignmentState.RATING, 1)
    await close_rating(uow, clock, uow.council, a.id, chair)
    h = await motion_history(uow, uow.council, number)
    assert h.assignment is not None and h.assignment.result == {"satisfied": 1, "basic": 0, "unsatisfied": 0}
    assert [s.text for s, _name in h.speeches] == ["楼道太暗"] and len(h.ballots) == 1


# ---- ballot reminders read the ballot's frozen rules -----------------------------------------------


async def test_who_has_not_voted_is_read_under_the_ballots_frozen_rules() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    number = await _seconded(uow, clock)
    _, ballot = await put_question(uow, clock, uow.council, uow.actor("chair"), number)  # nantang: chair abstains
    await cast_vote(uow, clock, uow.council, uow.actor("alice"), ballot.id, Choice.YES)
    assert await turnout.not_voted(uow, uow.council, ballot) == ["102", "103"]
    robert = replace(uow.council, rules=Rules.for_preset(Preset.ROBERT))  # the chair votes under robert
    assert await turnout.not_voted(uow, robert, ballot) == ["102", "103"]  # not the chair: nantang was frozen


async def test_a_civil278_reminder_stays_per_owner_after_the_council_rules_change() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE, preset=Preset.CIVIL278), Clock()
    number = await _seconded(uow, clock)
    _, ballot = await put_question(uow, clock, uow.council, uow.actor("chair"), number)
    await cast_vote(uow, clock, uow.council, uow.actor("alice"), ballot.id, Choice.YES)
    nantang = replace(uow.council, rules=Rules.for_preset(Preset.NANTANG))
    assert await turnout.not_voted(uow, nantang, ballot) == ["102", "103"]  # alice's unit voted, as its owner


async def test_a_ballots_reminder_is_timed_by_the_rules_it_opened_with() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    number = await _seconded(uow, clock)
    _, ballot = await put_question(uow, clock, uow.council, uow.actor("chair"), number, timedelta(hours=48))
    later = replace(uow.council.rules, ballot_reminder_before=timedelta(hours=6))  # changed after it opened
    reminder, _close = plan_ballot(ballot, later)
    assert reminder.due_at == ballot.closes_at - timedelta(hours=1)


# ---- civil278: two people of one owner -----------------------------------------------------------


async def test_civil278_two_people_of_one_owner_neither_close_the_ballot_nor_count_twice() -> None:
    """Two owners: alice (101, where her husband lives too) and bob. The husband's vote is not a second one."""
    uow, clock = FakeUnitOfWork.with_council(members=["alice", "bob"], preset=Preset.CIVIL278), Clock()
    husband = Member(uow.state.new_id(), uow.council.id, "u:husband", "husband", "husband", "101", MemberStatus.ACTIVE)
    uow.state.members[husband.id] = husband
    number = await _seconded(uow, clock)
    _, ballot = await put_question(uow, clock, uow.council, uow.actor("chair"), number)
    assert ballot.eligible_voters == 2
    await cast_vote(uow, clock, uow.council, uow.actor("alice"), ballot.id, Choice.YES)
    with pytest.raises(errors.OwnerAlreadyVoted):
        await cast_vote(uow, clock, uow.council, uow.actor("husband"), ballot.id, Choice.YES)
    assert (await uow.ballots.get(ballot.id)).open  # one owner of two has voted: not closed early
    assert [(v, a) for v, _m, _c, a in await uow.votes.all(ballot.id)] == [("o:alice", 80 * 10_000)]
    last = await cast_vote(uow, clock, uow.council, uow.actor("bob"), ballot.id, Choice.NO)
    assert last.closed is not None  # the second owner is the last one
    tally = last.closed.outcome.tally
    assert (tally.yes, tally.no, tally.yes_area_cm2, tally.no_area_cm2) == (1, 1, 80 * 10_000, 80 * 10_000)


# ---- two ballots open: a vote must name its motion -------------------------------------------------


async def test_with_two_ballots_open_a_vote_without_a_number_is_refused_and_records_nothing() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    uow.council = replace(uow.council, rules=replace(uow.council.rules, one_matter=False))  # not 一事一议: two at once
    chair = uow.actor("chair")
    first = await _seconded(uow, clock, "装声控灯")
    second = await _seconded(uow, clock, "修门禁")
    await put_question(uow, clock, uow.council, chair, first)
    assert (await ballot_for(uow, uow.council, None, uow.actor("carol"))).motion_id  # the only one: found
    await put_question(uow, clock, uow.council, chair, second)
    before = uow.snapshot()
    with pytest.raises(errors.MotionNumberRequired) as refused:
        await ballot_for(uow, uow.council, None, uow.actor("carol"))
    assert refused.value.params == {"open": f"#{first}, #{second}"}
    assert uow.snapshot() == before
    assert (await uow.motions.by_number(uow.council.id, first)).state is MotionState.VOTING
