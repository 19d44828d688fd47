"""The motion lifecycle: every state and every legal move, in one table (diagram: lifecycle.md)."""

from __future__ import annotations

from enum import StrEnum

from .errors import IllegalTransition


class MotionState(StrEnum):
    PROPOSED = "proposed"
    SECONDED = "seconded"
    DEBATING = "debating"
    VOTING = "voting"
    ADOPTED = "adopted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    LAPSED = "lapsed"
    POSTPONED = "postponed"
    REFERRED = "referred"
    FAILED_QUORUM = "failed_quorum"


class Action(StrEnum):
    SECOND = "second"
    SPEAK = "speak"
    PUT_QUESTION = "put_question"
    ADOPT = "adopt"
    REJECT = "reject"
    FAIL_QUORUM = "fail_quorum"
    WITHDRAW = "withdraw"
    LAPSE = "lapse"
    POSTPONE = "postpone"
    RESUME = "resume"
    REFER = "refer"


S, A = MotionState, Action

# The whole procedure. A move not listed here is refused with the state it was tried in.
TRANSITIONS: dict[MotionState, dict[Action, MotionState]] = {
    S.PROPOSED: {A.SECOND: S.SECONDED, A.WITHDRAW: S.WITHDRAWN, A.LAPSE: S.LAPSED},
    S.SECONDED: {
        A.SPEAK: S.DEBATING,
        A.PUT_QUESTION: S.VOTING,
        A.WITHDRAW: S.WITHDRAWN,
        A.POSTPONE: S.POSTPONED,
        A.REFER: S.REFERRED,
    },
    S.DEBATING: {
        A.SPEAK: S.DEBATING,
        A.PUT_QUESTION: S.VOTING,
        A.WITHDRAW: S.WITHDRAWN,
        A.POSTPONE: S.POSTPONED,
        A.REFER: S.REFERRED,
    },
    S.VOTING: {A.ADOPT: S.ADOPTED, A.REJECT: S.REJECTED, A.FAIL_QUORUM: S.FAILED_QUORUM},
    S.POSTPONED: {A.RESUME: S.SECONDED, A.WITHDRAW: S.WITHDRAWN, A.REFER: S.REFERRED},
    S.ADOPTED: {},
    S.REJECTED: {},
    S.WITHDRAWN: {},
    S.LAPSED: {},
    S.REFERRED: {},
    S.FAILED_QUORUM: {},
}

TERMINAL = frozenset(state for state, moves in TRANSITIONS.items() if not moves)
OPEN_FOR_DEBATE = frozenset({S.SECONDED, S.DEBATING})


def allowed(state: MotionState, action: Action) -> bool:
    return action in TRANSITIONS[state]


def next_state(state: MotionState, action: Action, *, number: int = 0) -> MotionState:
    """The state after `action`, or IllegalTransition naming the motion, state and action."""
    try:
        return TRANSITIONS[state][action]
    except KeyError:
        raise IllegalTransition(number=number, state=state.value, action=action.value) from None
