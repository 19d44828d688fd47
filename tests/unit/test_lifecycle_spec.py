"""The motion lifecycle as PRODUCT.md §3 states it, written out by hand (never read from the code's table).

Adding a move to `deliberation.lifecycle.TRANSITIONS` or taking one out fails these tests, first on the
pure `next_state`, then through the use cases a resident's command calls.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from deliberation.counting import Choice, Preset
from deliberation.errors import IllegalTransition
from deliberation.lifecycle import Action, MotionState, next_state
from deliberation.model import MotionKind, Side
from deliberation.usecases import (
    cast_vote,
    close_ballot,
    lapse,
    put_question,
    raise_motion,
    second_motion,
    speak,
    withdraw,
)
from tests.fakes.fake_uow import FakeUnitOfWork

from .usecase_helpers import Clock

# (state, action) -> the state after it; every pair not written here is refused.
SPEC: dict[tuple[str, str], str] = {
    # raised, waiting for a second: seconded, withdrawn by its mover, or lapsed at the second deadline
    ("proposed", "second"): "seconded",
    ("proposed", "withdraw"): "withdrawn",
    ("proposed", "lapse"): "lapsed",
    # seconded: debate opens with the first speech; the chair may put the question; subsidiaries apply
    ("seconded", "speak"): "debating",
    ("seconded", "put_question"): "voting",
    ("seconded", "withdraw"): "withdrawn",
    ("seconded", "postpone"): "postponed",
    ("seconded", "refer"): "referred",
    # under debate: the same, and further speeches keep it under debate
    ("debating", "speak"): "debating",
    ("debating", "put_question"): "voting",
    ("debating", "withdraw"): "withdrawn",
    ("debating", "postpone"): "postponed",
    ("debating", "refer"): "referred",
    # on the ballot: only the count decides; no withdrawal once voting has begun
    ("voting", "adopt"): "adopted",
    ("voting", "reject"): "rejected",
    ("voting", "fail_quorum"): "failed_quorum",
    # postponed: it comes back as seconded at its time; before that the mover may withdraw it, or it is referred
    ("postponed", "resume"): "seconded",
    ("postponed", "withdraw"): "withdrawn",
    ("postponed", "refer"): "referred",
    # adopted, rejected, withdrawn, lapsed, referred, failed_quorum: final, every move refused
}

STATES = [
    "proposed",
    "seconded",
    "debating",
    "voting",
    "adopted",
    "rejected",
    "withdrawn",
    "lapsed",
    "postponed",
    "referred",
    "failed_quorum",
]
ACTIONS = [
    "second",
    "speak",
    "put_question",
    "adopt",
    "reject",
    "fail_quorum",
    "withdraw",
    "lapse",
    "postpone",
    "resume",
    "refer",
]
PAIRS = [(s, a) for s in STATES for a in ACTIONS]


def test_the_spec_names_every_state_and_action_of_the_code() -> None:
    assert sorted(STATES) == sorted(s.value for s in MotionState)
    assert sorted(ACTIONS) == sorted(a.value for a in Action)


@pytest.mark.parametrize(("state", "action"), PAIRS)
def test_each_move_is_legal_or_refused_as_the_spec_says(state: str, action: str) -> None:
    expected = SPEC.get((state, action))
    if expected is None:
        with pytest.raises(IllegalTransition) as refused:
            next_state(MotionState(state), Action(action), number=7)
        assert refused.value.params == {"number": 7, "state": state, "action": action}
    else:
        assert next_state(MotionState(state), Action(action)) is MotionState(expected)


# ---- the same moves through the use cases a resident's command calls --------------------------------

PEOPLE = ["alice", "bob", "carol"]  # robert: the chair votes too, four voters; quorum a majority of them


async def _vote_all(uow: FakeUnitOfWork, clock: Clock, number: int, choice: Choice | None) -> None:
    _, ballot = await put_question(uow, clock, uow.council, uow.actor("chair"), number)
    if choice is None:  # nobody votes: the chair closes it without a quorum
        await close_ballot(uow, clock, uow.council, ballot.id, uow.actor("chair"))
        return
    for name in ["chair", *PEOPLE]:
        await cast_vote(uow, clock, uow.council, uow.actor(name), ballot.id, choice)


async def _subsidiary(uow: FakeUnitOfWork, clock: Clock, parent: int, kind: MotionKind) -> None:
    extra = {"postponed_until": clock() + timedelta(days=7)} if kind is MotionKind.POSTPONE else {"referred_to": "物业"}
    sub = await raise_motion(
        uow, clock, uow.council, uow.actor("carol"), "附属动议", kind=kind, parent_number=parent, **extra
    )
    await second_motion(uow, clock, uow.council, uow.actor("bob"), sub.number)
    await _vote_all(uow, clock, sub.number, Choice.YES)


async def _motion_in(state: str) -> tuple[FakeUnitOfWork, Clock, int]:
    """A robert council and alice's motion #1, brought to `state` by the use cases alone."""
    uow, clock = FakeUnitOfWork.with_council(members=PEOPLE, preset=Preset.ROBERT), Clock()
    number = (await raise_motion(uow, clock, uow.council, uow.actor("alice"), "装声控灯")).number
    if state == "lapsed":
        clock.tick(hours=24)
        await lapse(uow, clock, uow.council, (await uow.motions.by_number(uow.council.id, number)).id)
    elif state == "withdrawn":
        await withdraw(uow, clock, uow.council, uow.actor("alice"), number)
    elif state != "proposed":
        await second_motion(uow, clock, uow.council, uow.actor("bob"), number)
    if state == "debating":
        await speak(uow, clock, uow.council, uow.actor("alice"), number, Side.FOR, "楼道太暗")
    elif state == "voting":
        await put_question(uow, clock, uow.council, uow.actor("chair"), number)
    elif state in ("adopted", "rejected", "failed_quorum"):
        await _vote_all(uow, clock, number, {"adopted": Choice.YES, "rejected": Choice.NO}.get(state))
    elif state in ("postponed", "referred"):
        await _subsidiary(uow, clock, number, MotionKind.POSTPONE if state == "postponed" else MotionKind.REFER)
    motion = await uow.motions.by_number(uow.council.id, number)
    assert motion is not None and motion.state.value == state
    return uow, clock, number


async def _act(uow: FakeUnitOfWork, clock: Clock, number: int, action: str) -> None:
    council = uow.council
    if action == "second":
        await second_motion(uow, clock, council, uow.actor("bob"), number)
    elif action == "speak":
        await speak(uow, clock, council, uow.actor("carol"), number, Side.AGAINST, "先算清费用")
    elif action == "put_question":
        await put_question(uow, clock, council, uow.actor("chair"), number)
    else:
        await withdraw(uow, clock, council, uow.actor("alice"), number)


@pytest.mark.parametrize(
    ("state", "action"), [(s, a) for s in STATES for a in ("second", "speak", "put_question", "withdraw")]
)
async def test_each_residents_move_through_the_use_cases_follows_the_spec(state: str, action: str) -> None:
    uow, clock, number = await _motion_in(state)
    expected = SPEC.get((state, action))
    if expected is None:
        before = uow.snapshot()
        with pytest.raises(IllegalTransition):
            await _act(uow, clock, number, action)
        assert uow.snapshot() == before
    else:
        await _act(uow, clock, number, action)
        motion = await uow.motions.by_number(uow.council.id, number)
        assert motion is not None and motion.state is MotionState(expected)
