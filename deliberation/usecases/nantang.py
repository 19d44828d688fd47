"""Use cases of the settings and of 南塘 11: /set, and the question called once debate is exhausted."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from .. import errors, events
from ..lifecycle import OPEN_FOR_DEBATE, MotionState, next_state
from ..lifecycle import Action as Move
from ..model import Actor, Ballot, Council, Motion
from ..nantang import CalledQuestion, CallState, quiet_opening
from ..ports import Clock, UnitOfWork
from ..settings import Setting, apply_setting
from .ballots import put_question
from .steps import find_motion, iso, record_event, require_chair

# ---- /set -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleSet:
    council: Council
    setting: Setting
    changed: bool  # False: the rule already had that value (nothing recorded)


async def set_rule(uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, name: str, value: str) -> RuleSet:
    """The chair changes one rule. Open ballots keep the rules they opened with (frozen on the ballot)."""
    require_chair(actor)
    setting, rules = apply_setting(council.rules, name, value)
    await uow.councils.lock(council.id)
    if rules == council.rules:
        return RuleSet(council, setting, changed=False)
    before = council.rules.to_json()
    council = replace(council, rules=rules)
    await uow.councils.update(council)
    fields = {k: v for k, v in rules.to_json().items() if before.get(k) != v}
    await record_event(
        uow,
        council,
        clock,
        events.COUNCIL_RULE_SET,
        rule=setting.name,
        value=value.strip()[:30],
        fields=fields,
        by=actor.name,
    )
    return RuleSet(council, setting, changed=True)


# ---- 南塘 11: the question is put when debate is exhausted ----------------------------------------


@dataclass(frozen=True)
class Called:
    """What `/vote` did: opened the ballot at once, or called the question and waits (`waiting`)."""

    motion: Motion
    ballot: Ballot | None = None
    waiting: CalledQuestion | None = None


async def call_question(
    uow: UnitOfWork,
    clock: Clock,
    council: Council,
    actor: Actor,
    number: int | None,
    duration: timedelta | None = None,
    *,
    secret: bool = False,
    major: bool = False,
) -> Called:
    """The chair puts the question. Right after a speech (within `quiet_before_vote`) the bot first asks
    "还有人要发言吗？" and the ballot opens after that quiet spell with no new speech; a speech restarts it."""
    require_chair(actor)
    if council.rules.weighted and not council.has_roster:
        raise errors.RegisterRequired(council=council.id)
    await uow.councils.lock(council.id)
    motion = await find_motion(uow, council, number, OPEN_FOR_DEBATE)
    next_state(motion.state, Move.PUT_QUESTION, number=motion.number)
    seconded = [c for c in await uow.motions.children(motion.id) if c.state in OPEN_FOR_DEBATE | {MotionState.VOTING}]
    if seconded:  # refused now rather than when the quiet spell ends
        raise errors.AmendmentPending(number=motion.number, amendment=seconded[0].number)
    already = await uow.questions.waiting_for(motion.id)
    if already is not None:
        return Called(motion, waiting=already)
    speeches = await uow.speeches.for_motion(motion.id)
    now = clock()
    opens_at = quiet_opening(council.rules, now, speeches[-1].at if speeches else None, motion.debate_closed)
    if opens_at is None:
        motion, ballot = await put_question(
            uow, clock, council, actor, motion.number, duration, secret=secret, major=major
        )
        return Called(motion, ballot)
    called = await uow.questions.add(
        CalledQuestion(
            0,
            council.id,
            motion.id,
            now,
            opens_at,
            council.rules.quiet_before_vote,
            duration,
            secret,
            major,
            actor.name,
        )
    )
    await record_event(
        uow, council, clock, events.QUESTION_CALLED, number=motion.number, opens_at=iso(opens_at), by=actor.name
    )
    return Called(motion, waiting=called)


@dataclass(frozen=True)
class QuestionOpened:
    motion: Motion
    ballot: Ballot | None = None
    refused: errors.DeliberationError | None = None  # the ballot could not open: said in the group


async def open_called_question(
    uow: UnitOfWork, clock: Clock, council: Council, called_id: int
) -> QuestionOpened | None:
    """The clock: a called question's quiet spell passed with no new speech; its ballot opens now.

    None when there is nothing to do (already opened or dropped, or not yet due).
    """
    await uow.councils.lock(council.id)
    called = await uow.questions.get(called_id)
    if called is None or called.state is not CallState.WAITING or called.opens_at > clock():
        return None
    motion = await uow.motions.get(called.motion_id)
    chair = Actor(user_key="", name=called.called_by, platform_admin=True)  # the chair's call, opened on time
    try:
        motion, ballot = await put_question(
            uow, clock, council, chair, motion.number, called.duration, secret=called.secret, major=called.major
        )
    except errors.DeliberationError as refused:
        await uow.questions.update(replace(called, state=CallState.DROPPED))
        return QuestionOpened(motion, refused=refused)
    await uow.questions.update(replace(called, state=CallState.OPENED))
    return QuestionOpened(motion, ballot)
