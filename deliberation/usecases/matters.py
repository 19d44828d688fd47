"""一事一议: one matter before the council at a time; a new main motion waits as 待议 and comes up in order.

Also the speech side of 南塘 11: a speech restarts the quiet spell of a question called on its motion.
"""

from __future__ import annotations

from dataclasses import replace

from .. import errors, events
from ..lifecycle import MotionState
from ..model import Council, Motion, MotionKind
from ..nantang import CalledQuestion
from ..ports import Clock, UnitOfWork
from .steps import iso, record_event


async def restart_quiet(uow: UnitOfWork, clock: Clock, motion: Motion) -> CalledQuestion | None:
    """A speech on a motion whose question was called: the quiet spell starts again from now."""
    called = await uow.questions.waiting_for(motion.id)
    if called is None:
        return None
    called = replace(called, opens_at=clock() + called.quiet)
    await uow.questions.update(called)
    return called


BEFORE_THE_COUNCIL = frozenset({MotionState.PROPOSED, MotionState.SECONDED, MotionState.DEBATING, MotionState.VOTING})


def is_queued(motion: Motion) -> bool:
    """A main motion waiting as 待议: raised while another matter was before the council (no second clock yet)."""
    return motion.kind is MotionKind.MAIN and motion.state is MotionState.PROPOSED and motion.second_deadline is None


async def matter_before(uow: UnitOfWork, council: Council) -> Motion | None:
    """The main motion the council is dealing with now (proposed, seconded, under debate or vote), if any."""
    for motion in await uow.motions.all(council.id):
        if motion.kind is MotionKind.MAIN and motion.state in BEFORE_THE_COUNCIL and not is_queued(motion):
            return motion
    return None


async def queue(uow: UnitOfWork, council: Council) -> list[Motion]:
    """The 待议 motions, in the order they will come up."""
    return sorted((m for m in await uow.motions.all(council.id) if is_queued(m)), key=lambda m: m.number)


class MotionQueued(errors.DeliberationError):
    """A 待议 motion is not before the council yet (params: number, current)."""

    key = "nantang.error.queued"


async def refuse_if_queued(uow: UnitOfWork, council: Council, motion: Motion) -> None:
    if is_queued(motion):
        current = await matter_before(uow, council)
        raise MotionQueued(number=motion.number, current=f"#{current.number}" if current else "—")


async def open_next(uow: UnitOfWork, clock: Clock, council: Council) -> Motion | None:
    """When nothing is before the council, the first 待议 motion comes up: its second deadline starts now."""
    await uow.councils.lock(council.id)
    if await matter_before(uow, council) is not None:
        return None
    waiting = await queue(uow, council)
    if not waiting:
        return None
    now = clock()
    motion = replace(waiting[0], second_deadline=now + council.rules.second_deadline)
    await uow.motions.update(motion)
    assert motion.second_deadline is not None
    await record_event(
        uow, council, clock, events.MOTION_DEQUEUED, number=motion.number, second_deadline=iso(motion.second_deadline)
    )
    return motion
