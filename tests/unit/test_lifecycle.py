"""The transition table's shape and the diagram beside it.

Which moves are legal is tested from the spec, written out by hand, in test_lifecycle_spec.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deliberation.errors import IllegalTransition
from deliberation.lifecycle import TERMINAL, TRANSITIONS, Action, MotionState, allowed, next_state

LEGAL = [(s, a, t) for s, moves in TRANSITIONS.items() for a, t in moves.items()]


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
