"""The transition table: every legal move, every refusal, and the diagram beside it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deliberation.errors import IllegalTransition
from deliberation.lifecycle import TERMINAL, TRANSITIONS, Action, MotionState, allowed, next_state

LEGAL = [(s, a, t) for s, moves in TRANSITIONS.items() for a, t in moves.items()]
ILLEGAL = [(s, a) for s in MotionState for a in Action if a not in TRANSITIONS[s]]


@pytest.mark.parametrize(("state", "action", "target"), LEGAL)
def test_every_legal_move(state, action, target):
    assert allowed(state, action)
    assert next_state(state, action) is target


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_every_illegal_move_is_refused_with_a_reason(state, action):
    with pytest.raises(IllegalTransition) as refused:
        next_state(state, action, number=7)
    assert refused.value.params == {"number": 7, "state": state.value, "action": action.value}


def test_every_state_is_in_the_table_and_terminal_states_are_final():
    assert set(TRANSITIONS) == set(MotionState)
    assert TERMINAL == {
        MotionState.ADOPTED,
        MotionState.REJECTED,
        MotionState.WITHDRAWN,
        MotionState.LAPSED,
        MotionState.REFERRED,
        MotionState.FAILED_QUORUM,
    }


def test_the_mermaid_diagram_matches_the_table():
    text = (Path(__file__).parents[2] / "deliberation" / "lifecycle.md").read_text(encoding="utf-8")
    edges = set(re.findall(r"^\s+(\w+) --> (\w+): (\w+)$", text, re.M))
    table = {(s.value, t.value, a.value) for s, a, t in LEGAL}
    assert edges == table


def test_withdraw_only_before_voting():
    assert allowed(MotionState.DEBATING, Action.WITHDRAW)
    assert not allowed(MotionState.VOTING, Action.WITHDRAW)


@given(st.lists(st.sampled_from(list(Action)), max_size=30))
def test_any_sequence_of_moves_stays_in_the_table(actions):
    state = MotionState.PROPOSED
    for action in actions:
        if allowed(state, action):
            state = next_state(state, action)
        else:
            with pytest.raises(IllegalTransition):
                next_state(state, action)
        assert state in TRANSITIONS
    if state is MotionState.VOTING:
        assert Action.PUT_QUESTION in actions
