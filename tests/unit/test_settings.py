"""Issue 11, settings: a preset is the start, `/set` changes one rule; bad input changes nothing."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

import pytest

from deliberation import errors, events
from deliberation.counting import Choice, Preset
from deliberation.model import BEFORE_SETTINGS, Rules
from deliberation.settings import SETTINGS, BadSetting, BadSettingValue, apply_setting
from deliberation.usecases import cast_vote, close_ballot, put_question, raise_motion, second_motion, set_rule
from tests.fakes.fake_uow import FakeUnitOfWork

from .usecase_helpers import Clock

PEOPLE = ["alice", "bob", "carol"]


@pytest.mark.parametrize(
    ("name", "value", "field", "expected"),
    [
        ("quorum", "1/2", "quorum", Fraction(1, 2)),
        ("quorum", "60%", "quorum", Fraction(3, 5)),
        ("quorum", "none", "quorum", None),
        ("approval", "on", "approval_required", True),
        ("second_deadline", "12h", "second_deadline", timedelta(hours=12)),
        ("speeches", "3", "speeches_per_member", 3),
        ("speech_length", "500", "speech_max_chars", 500),
        ("alternation", "off", "alternation_wait", None),
        ("正反轮流", "15分钟", "alternation_wait", timedelta(minutes=15)),
        ("quiet", "0", "quiet_before_vote", timedelta(0)),
        ("quiet_before_vote", "3m", "quiet_before_vote", timedelta(minutes=3)),
        ("tally", "live", "tally_live", True),
        ("chair_votes", "yes", "chair_votes_last", False),
        ("one_matter", "关", "one_matter", False),
        ("ballot_duration", "3天", "ballot_duration", timedelta(days=3)),
        ("abstain", "on", "abstain_choice", True),
        ("questions", "on", "motion_must_act", False),
        ("proxy_cap", "5", "proxy_cap", 5),
        ("委托上限", "1", "proxy_cap", 1),
    ],
)
def test_each_setting_reads_its_value(name: str, value: str, field: str, expected: object) -> None:
    _setting, rules = apply_setting(Rules(), name, value)
    assert getattr(rules, field) == expected
    assert Rules.from_json(rules.to_json()) == rules  # kept and read back as set


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("quorum", "3/2"),
        ("quorum", "abc"),
        ("speeches", "0"),
        ("speeches", "11"),
        ("speech_length", "49"),
        ("speech_length", "2001"),
        ("quiet", "soon"),
        ("second_deadline", "0"),
        ("tally", "maybe"),
        ("chair_votes", "sometimes"),
        ("one_matter", ""),
        ("proxy_cap", "0"),
        ("proxy_cap", "11"),
    ],
)
def test_a_value_out_of_range_is_refused(name: str, value: str) -> None:
    with pytest.raises(BadSettingValue):
        apply_setting(Rules(), name, value)


def test_the_edges_of_the_ranges_are_accepted() -> None:
    assert apply_setting(Rules(), "speeches", "1")[1].speeches_per_member == 1
    assert apply_setting(Rules(), "speeches", "10")[1].speeches_per_member == 10
    assert apply_setting(Rules(), "speech_length", "50")[1].speech_max_chars == 50
    assert apply_setting(Rules(), "quorum", "1")[1].quorum == Fraction(1)
    assert apply_setting(Rules(), "proxy_cap", "10")[1].proxy_cap == 10


def test_every_setting_has_a_value_and_a_source_under_every_preset() -> None:
    for preset in Preset:
        rules = Rules.for_preset(preset)
        for setting in SETTINGS:
            key, _params = setting.value(rules)
            assert key.startswith("set.value.")
            assert setting.source(rules).kind in {"nantang", "ronr", "organic", "civil", "council"}


def test_the_nantang_settings_are_on_under_nantang_and_off_under_robert() -> None:
    nantang, robert = Rules.for_preset(Preset.NANTANG), Rules.for_preset(Preset.ROBERT)
    assert nantang.quiet_before_vote == timedelta(minutes=5) and robert.quiet_before_vote == timedelta(0)
    assert nantang.alternation_wait == timedelta(minutes=10) and robert.alternation_wait is None
    assert (nantang.abstain_choice, nantang.one_matter, nantang.tally_live) == (False, True, False)
    assert (robert.abstain_choice, robert.one_matter, robert.tally_live) == (True, False, True)


async def test_the_chair_sets_one_rule_and_the_chain_records_it() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    done = await set_rule(uow, clock, uow.council, uow.actor("chair"), "quiet", "3m")
    assert done.changed and done.council.rules.quiet_before_vote == timedelta(minutes=3)
    assert (await uow.councils.get(uow.council.id)).rules == done.council.rules  # type: ignore[union-attr]
    event = uow.events.recorded[-1]
    assert event.type == events.COUNCIL_RULE_SET
    assert event.payload == {"rule": "quiet", "value": "3m", "fields": {"quiet_before_vote": 180}, "by": "chair"}
    again = await set_rule(uow, clock, done.council, uow.actor("chair"), "quiet", "3m")
    assert not again.changed and uow.events.recorded[-1] is event  # the same value records nothing


async def test_a_member_may_not_set_and_a_bad_value_or_name_changes_nothing() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    before = uow.snapshot()
    with pytest.raises(errors.RoleRequired):
        await set_rule(uow, clock, uow.council, uow.actor("alice"), "quiet", "3m")
    with pytest.raises(BadSettingValue):
        await set_rule(uow, clock, uow.council, uow.actor("chair"), "quiet", "soon")
    with pytest.raises(BadSetting):
        await set_rule(uow, clock, uow.council, uow.actor("chair"), "tallies", "live")
    assert uow.snapshot() == before


async def test_a_setting_never_applies_to_an_open_ballot() -> None:
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE), Clock()
    motion = await raise_motion(uow, clock, uow.council, uow.actor("alice"), "在楼道安装感应灯")
    await second_motion(uow, clock, uow.council, uow.actor("bob"), motion.number)
    _, ballot = await put_question(uow, clock, uow.council, uow.actor("chair"), motion.number, timedelta(hours=1))
    done = await set_rule(uow, clock, uow.council, uow.actor("chair"), "abstain", "on")
    with pytest.raises(errors.DeliberationError):  # the ballot opened with 赞成/反对 only, and keeps it
        await cast_vote(uow, clock, done.council, uow.actor("alice"), ballot.id, Choice.ABSTAIN)
    await set_rule(uow, clock, done.council, uow.actor("chair"), "quorum", "1")
    council = await uow.councils.get(uow.council.id)
    assert council is not None
    await cast_vote(uow, clock, council, uow.actor("alice"), ballot.id, Choice.YES)
    clock.tick(hours=1)
    closed = await close_ballot(uow, clock, council, ballot.id)
    assert closed is not None and closed.outcome.quorum_met and closed.outcome.passed  # counted as it opened


def test_a_ballot_frozen_before_the_settings_existed_keeps_its_abstain_button_and_live_tally() -> None:
    stored = {k: v for k, v in Rules().to_json().items() if k not in BEFORE_SETTINGS and k != "quiet_before_vote"}
    old = Rules.from_json(stored, absent=BEFORE_SETTINGS)
    assert (old.abstain_choice, old.tally_live, old.chair_votes_last) == (True, True, False)
    assert Rules.from_json(Rules().to_json(), absent=BEFORE_SETTINGS) == Rules()  # stored fields win
