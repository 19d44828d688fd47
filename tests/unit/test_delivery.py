"""The reminder plan and the delivery records: which reminders exist, when they are due, which ring."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deliberation.delivery import (
    Assignment,
    AssignmentState,
    Meeting,
    MeetingState,
    Planned,
    Rating,
    ReminderKind,
    Verdict,
    ballot_reminder_at,
    decide,
    follow_up_times,
    meeting_quorum,
    plan_assignment,
    plan_ballot,
    plan_meeting,
    plan_motion,
    plan_publication,
    plan_rating,
    rating_from_text,
    tally_ratings,
)
from deliberation.lifecycle import MotionState
from deliberation.model import Ballot, Motion, MotionKind, Rules
from deliberation.usecases import split_done

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)
K = ReminderKind


def motion(state=MotionState.PROPOSED, created=NOW, deadline=NOW + 24 * H, postponed=None) -> Motion:
    return Motion(7, 1, 3, MotionKind.MAIN, "装灯", 1, state, created, deadline, postponed_until=postponed)


def ballot(duration: timedelta, closed=False) -> Ballot:
    return Ballot(9, 1, 7, NOW, NOW + duration, "ordinary", closed_at=NOW + duration if closed else None)


def meeting(start: datetime, created=NOW, state=MeetingState.SCHEDULED) -> Meeting:
    return Meeting(4, 1, 2, "电梯", state, created, start)


def assignment(due=NOW + 10 * 24 * H, state=AssignmentState.ASSIGNED, last_report=None, rating_closes=None):
    return Assignment(5, 1, 7, 3, 2, "bob", due, NOW, state, last_report_at=last_report, rating_closes_at=rating_closes)


def kinds(plan) -> list[tuple[ReminderKind, datetime]]:
    return [(p.kind, p.due_at) for p in plan]


# ---- motions --------------------------------------------------------------------------------


def test_an_unseconded_motion_is_reminded_at_half_time_and_lapses_at_the_deadline():
    plan = plan_motion(motion())
    assert kinds(plan) == [(K.SECOND_REMINDER, NOW + 12 * H), (K.LAPSE, NOW + 24 * H)]
    assert plan[0].expires_at == NOW + 24 * H  # a half-time reminder after the deadline is pointless


@pytest.mark.parametrize(
    "state",
    [MotionState.SECONDED, MotionState.DEBATING, MotionState.WITHDRAWN, MotionState.LAPSED, MotionState.ADOPTED],
)
def test_a_seconded_or_settled_motion_needs_no_reminder(state):
    assert plan_motion(motion(state)) == ()


def test_a_postponed_motion_comes_back_at_its_time():
    assert kinds(plan_motion(motion(MotionState.POSTPONED, postponed=NOW + 3 * H))) == [(K.RESUME, NOW + 3 * H)]


@given(st.integers(min_value=1, max_value=366 * 24 * 60))
def test_the_second_reminder_always_falls_between_raising_and_the_deadline(minutes):
    half, lapse = plan_motion(motion(deadline=NOW + timedelta(minutes=minutes)))
    assert NOW < half.due_at < lapse.due_at
    assert half.due_at - NOW == lapse.due_at - half.due_at


# ---- ballots --------------------------------------------------------------------------------


def test_a_long_ballot_is_reminded_an_hour_before_it_closes():
    assert ballot_reminder_at(ballot(48 * H), Rules()) == NOW + 47 * H


def test_a_short_ballot_is_reminded_at_half_time():
    assert ballot_reminder_at(ballot(timedelta(minutes=10)), Rules()) == NOW + timedelta(minutes=5)
    assert ballot_reminder_at(ballot(90 * timedelta(minutes=1)), Rules()) == NOW + 45 * timedelta(minutes=1)


def test_at_exactly_twice_the_lead_both_rules_agree():
    assert ballot_reminder_at(ballot(2 * H), Rules()) == NOW + H


def test_the_reminder_lead_is_a_rule():
    rules = Rules(ballot_reminder_before=timedelta(hours=6))
    assert ballot_reminder_at(ballot(48 * H), rules) == NOW + 42 * H


def test_an_open_ballot_plans_its_reminder_and_its_close_a_closed_one_nothing():
    plan = plan_ballot(ballot(48 * H), Rules())
    assert kinds(plan) == [(K.BALLOT_REMINDER, NOW + 47 * H), (K.BALLOT_CLOSE, NOW + 48 * H)]
    assert plan[0].expires_at == NOW + 48 * H and plan[1].expires_at is None
    assert plan_ballot(ballot(48 * H, closed=True), Rules()) == ()


# ---- meetings --------------------------------------------------------------------------------


def test_a_meeting_days_ahead_gets_both_announcements_and_the_start():
    start = NOW + 72 * H
    plan = plan_meeting(meeting(start))
    assert kinds(plan) == [(K.MEETING_24H, start - 24 * H), (K.MEETING_1H, start - H), (K.MEETING_START, start)]
    assert plan[0].expires_at == start - H  # once T-1h has come, "tomorrow" is wrong


def test_a_meeting_scheduled_for_tonight_skips_the_24h_notice():
    assert [p.kind for p in plan_meeting(meeting(NOW + 5 * H))] == [K.MEETING_1H, K.MEETING_START]
    assert [p.kind for p in plan_meeting(meeting(NOW + 30 * timedelta(minutes=1)))] == [K.MEETING_START]


@pytest.mark.parametrize("state", [MeetingState.CANCELLED, MeetingState.OPEN, MeetingState.ADJOURNED])
def test_only_a_scheduled_meeting_is_announced(state):
    assert plan_meeting(meeting(NOW + 72 * H, state=state)) == ()


@pytest.mark.parametrize(
    ("preset", "members", "needed"),
    [
        ("nantang", 10, 0),
        ("robert", 10, 6),
        ("robert", 9, 5),
        ("resident_meeting", 10, 6),
        ("resident_meeting", 1, 1),
        ("civil278", 9, 6),
        ("civil278", 10, 7),
        ("robert", 0, 0),
    ],
)
def test_meeting_quorum_per_preset(preset, members, needed):
    assert meeting_quorum(Rules.for_preset(preset), members) == needed


def test_a_council_quorum_setting_overrides_the_preset():
    assert meeting_quorum(Rules(quorum=Fraction(1, 3)), 10) == 4
    assert meeting_quorum(Rules(quorum=Fraction(1, 2)), 10) == 5


# ---- assignments -----------------------------------------------------------------------------


def test_follow_ups_at_half_way_and_a_day_before_the_due_date():
    assert follow_up_times(NOW, NOW + 10 * 24 * H) == (NOW + 5 * 24 * H, NOW + 9 * 24 * H)
    # a short deadline gets one follow-up only
    assert follow_up_times(NOW, NOW + 24 * H) == (NOW + 12 * H,)


def test_an_open_assignment_is_followed_up_then_flagged_overdue():
    due = NOW + 10 * 24 * H
    assert kinds(plan_assignment(assignment(due))) == [
        (K.FOLLOW_UP, NOW + 5 * 24 * H),
        (K.FOLLOW_UP, NOW + 9 * 24 * H),
        (K.OVERDUE, due),
    ]


def test_a_progress_report_answers_the_next_follow_up_only():
    due = NOW + 10 * 24 * H
    plan = plan_assignment(assignment(due, last_report=NOW + 24 * H))
    assert kinds(plan) == [(K.FOLLOW_UP, NOW + 9 * 24 * H), (K.OVERDUE, due)]
    # a report after the first follow-up answers the second one
    plan = plan_assignment(assignment(due, last_report=NOW + 6 * 24 * H))
    assert kinds(plan) == [(K.OVERDUE, due)]


@pytest.mark.parametrize("state", [AssignmentState.DONE, AssignmentState.RATING, AssignmentState.CLOSED])
def test_a_finished_item_is_neither_followed_up_nor_overdue(state):
    assert plan_assignment(assignment(state=state)) == ()


def test_a_rating_closes_at_its_deadline():
    closes = NOW + 48 * H
    assert kinds(plan_rating(assignment(state=AssignmentState.RATING, rating_closes=closes))) == [
        (K.RATING_CLOSE, closes)
    ]
    assert plan_rating(assignment(state=AssignmentState.CLOSED, rating_closes=closes)) == ()


def test_publication_end_is_announced_once():
    assert kinds(plan_publication(3, NOW + 7 * 24 * H, False)) == [(K.PUBLICATION_END, NOW + 7 * 24 * H)]
    assert plan_publication(3, NOW + 7 * 24 * H, True) == ()
    assert plan_publication(3, None, False) == ()


# ---- what a ringing alarm does -----------------------------------------------------------------


def test_a_due_reminder_in_the_plan_fires():
    plan = plan_motion(motion())
    assert decide(K.SECOND_REMINDER, NOW + 12 * H, plan, NOW + 12 * H) is Verdict.FIRE


def test_an_alarm_that_rings_early_waits():
    plan = plan_motion(motion())
    assert decide(K.LAPSE, NOW + 24 * H, plan, NOW + 23 * H) is Verdict.WAIT


def test_a_reminder_whose_subject_moved_on_is_dropped():
    assert (
        decide(K.SECOND_REMINDER, NOW + 12 * H, plan_motion(motion(MotionState.SECONDED)), NOW + 12 * H) is Verdict.DROP
    )
    assert (
        decide(K.BALLOT_REMINDER, NOW + 47 * H, plan_ballot(ballot(48 * H, closed=True), Rules()), NOW + 47 * H)
        is Verdict.DROP
    )


def test_a_reminder_missed_past_its_moment_is_dropped_an_action_is_not():
    plan = plan_motion(motion())
    late = NOW + 30 * H  # the bot was down over the deadline
    assert decide(K.SECOND_REMINDER, NOW + 12 * H, plan, late) is Verdict.DROP
    assert decide(K.LAPSE, NOW + 24 * H, plan, late) is Verdict.FIRE


def test_a_missed_reminder_still_relevant_fires_on_start_up():
    plan = plan_ballot(ballot(48 * H), Rules())
    assert decide(K.BALLOT_REMINDER, NOW + 47 * H, plan, NOW + 47 * H + timedelta(minutes=20)) is Verdict.FIRE


def test_a_re_assignment_drops_the_old_follow_ups():
    old = plan_assignment(assignment(NOW + 10 * 24 * H))
    new = plan_assignment(assignment(NOW + 20 * 24 * H))
    assert decide(K.FOLLOW_UP, old[0].due_at, new, old[0].due_at) is Verdict.DROP


def test_plans_are_keyed_by_kind_subject_and_time():
    p = Planned(K.LAPSE, 7, NOW)
    assert p.key == ("motion.lapse", 7, NOW)
    assert K.RATING_CLOSE.subject == "assignment" and K.PUBLICATION_END.subject == "minutes"


# ---- ratings and reports -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rating"),
    [
        ("满意", Rating.SATISFIED),
        ("基本满意", Rating.BASIC),
        ("不满意", Rating.UNSATISFIED),
        ("s", Rating.SATISFIED),
        ("滿意", Rating.SATISFIED),
        ("Unsatisfied", Rating.UNSATISFIED),
        (" b ", Rating.BASIC),
        ("很好", None),
    ],
)
def test_ratings_as_typed(text, rating):
    assert rating_from_text(text) is rating


@given(st.lists(st.sampled_from(list(Rating))))
def test_the_rating_tally_counts_every_choice_once(choices):
    tally = tally_ratings(choices)
    assert tally.total == len(choices)
    assert tally.satisfied == choices.count(Rating.SATISFIED)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("done 灯已装好", ("灯已装好", True)),
        ("灯已装好 完成", ("灯已装好", True)),
        ("已联系物业", ("已联系物业", False)),
        ("done", ("", True)),
        ("DONE all good", ("all good", True)),
        ("完成了 灯亮了", ("灯亮了", True)),
    ],
)
def test_a_report_marks_completion_with_a_word_first_or_last(text, expected):
    assert split_done(text) == expected
