"""The alarm clock: when a reminder rings and who leads; APScheduler rings, each reminder is acted on once.

The database is the truth. A short scan derives each open subject's reminder plan
(deliberation.delivery.plan_*) from the motions, ballots, meetings, assignments and published
minutes, and writes it into `reminders` (idempotently: one row per kind, subject and due time).
APScheduler, with its in-memory job store, only rings: one date job per pending row, rebuilt
from the table at start-up. A ringing job claims its row (`UPDATE ... SET sent_at WHERE sent_at
IS NULL`) in the same transaction as what it does (bot.reminder_actions: lapse, close, resume, through
the use cases) and the announcement it queues in the outbox, so a job that rings twice, or in two
processes, acts once. A reminder that no longer fits its subject's plan (motion seconded, ballot
closed, meeting cancelled) or whose moment has passed is marked and dropped without a word.

New deadlines reach the alarm by the periodic scan (every `scan_interval` seconds; this is how a
deadline made in another worker process is found) or at once by `alarm.poke()` from the process
that made it. With PostgreSQL one process leads (a session advisory lock on a dedicated
connection, storage.leader); the others wait and take over when the leader's connection goes.

`python -m bot.alarm_process --database URL --sender-log FILE` (built by bot/main.py) runs the alarm and
the outbox with a sender that appends each announcement to a file (for tests and for trying it out).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from deliberation.delivery import (
    Planned,
    ReminderKind,
    Verdict,
    decide,
    plan_assignment,
    plan_ballot,
    plan_meeting,
    plan_motion,
    plan_publication,
    plan_question,
    plan_rating,
)
from deliberation.model import Council
from deliberation.ports import Clock

from .desk import subjects
from .desk.desk import utc_now
from .desk.messages import Edit
from .desk.outbox_rows import enqueue, enqueue_edit
from .i18n import Translator
from .reminder_actions import ACTIONS

log = logging.getLogger(__name__)

SCAN_BATCH = 500

NewUnitOfWork = Callable[[], AbstractAsyncContextManager[Any]]  # storage.uow.uow_factory(sessions)


class Leadership(Protocol):
    """storage.leader: who rings (PostgreSQL: the advisory lock's holder; SQLite: this process)."""

    writers: int

    async def try_lead(self) -> bool: ...
    async def still_leading(self) -> bool: ...
    async def release(self) -> None: ...


@dataclass(frozen=True)
class Rung:
    """What one alarm did: for tests, logs and the benchmark."""

    reminder_id: int
    kind: str
    due_at: datetime
    rang: datetime  # when APScheduler called the job
    started: datetime  # when it got its turn (SQLite: one at a time)
    finished: datetime
    outcome: str  # fired, dropped, taken (someone else had it), wait, gone, failed


async def _plan_now(uow: Any, council: Council, kind: ReminderKind, subject_id: int) -> Sequence[Planned]:
    """The subject's reminder plan as its records stand now (empty when the subject is gone)."""
    subject = kind.subject
    if subject == "motion":
        motion = await uow.motions.find(subject_id)
        return plan_motion(motion) if motion else ()
    if subject == "ballot":
        ballot = await uow.ballots.get(subject_id)
        return plan_ballot(ballot, council.rules) if ballot else ()
    if subject == "meeting":
        meeting = await uow.meetings.get(subject_id)
        return plan_meeting(meeting) if meeting else ()
    if subject == "assignment":
        assignment = await uow.assignments.get(subject_id)
        if assignment is None:
            return ()
        return plan_rating(assignment) if kind is ReminderKind.RATING_CLOSE else plan_assignment(assignment)
    if subject == "minutes":
        version = await uow.minutes.get(subject_id)
        if version is None:
            return ()
        return plan_publication(subject_id, version.publication_ends_at, version.publication_announced_at is not None)
    if subject == "question":
        called = await uow.questions.get(subject_id)
        return plan_question(called.id, called.opens_at, called.state == "waiting") if called else ()
    return ()


# ---- ringing: one reminder, claimed, acted on and committed once ---------------------------------


async def ring(new_uow: NewUnitOfWork, reminder_id: int, clock: Clock = utc_now) -> tuple[str, datetime | None]:
    """Handle one reminder exactly once: claim it, act, queue the announcement, commit together.

    The actions call use cases, which never commit: the claim, the effect, its events and the outbox
    rows are this function's one commit. Returns (outcome, when to ring again for "wait").
    """
    async with new_uow() as uow:
        now = clock()
        # Claim first: a second ringer (another process) waits on this row, then finds it taken.
        claimed = await uow.reminders.claim_due(reminder_id, now)
        if claimed is None:
            row = await uow.reminders.get(reminder_id)
            if row is None or row.sent_at is not None:
                return "gone", None
            return "wait", row.due_at
        kind, subject_id, due_at, council_id = ReminderKind(claimed[0]), claimed[1], claimed[2], claimed[3]
        council = await uow.councils.get_active(council_id)
        if council is None:
            await uow.reminders.set_outcome(reminder_id, "dropped")
            await uow.commit()
            return "dropped", None
        await uow.councils.lock(council.id)
        verdict = decide(kind, due_at, await _plan_now(uow, council, kind, subject_id), now)
        if verdict is Verdict.WAIT:  # not reachable through claim_due; kept for a clock that goes back
            return "wait", due_at
        if verdict is Verdict.DROP:
            await uow.reminders.set_outcome(reminder_id, "dropped")
            await uow.commit()
            return "dropped", None
        t = Translator(council.locale)
        replies = await ACTIONS[kind](uow, clock, council, t, subject_id)
        for reply in replies:
            if isinstance(reply, Edit):  # a message posted before changes (the closed ballot's buttons go)
                await enqueue_edit(uow, chat_key=council.chat_key, edit=reply, at=now, council_id=council.id)
                continue
            if reply.subject is None:
                reply = replace(reply, subject=subjects.encode(subjects.Reminder(kind, subject_id)))
            # No dedupe key: the claim above already makes this transaction the only one that queues it.
            await enqueue(uow, chat_key=council.chat_key, reply=reply, at=now, council_id=council.id)
        if not replies:
            await uow.reminders.set_outcome(reminder_id, "noop")
        await uow.commit()
        return ("fired" if replies else "noop"), None


# ---- planning: derive reminder rows from the records -----------------------------------------


async def plan_subjects(new_uow: NewUnitOfWork, clock: Clock = utc_now, *, publications: bool = True) -> int:
    """Write the plan of every open subject that has none yet; returns how many reminders were added."""
    added = 0
    scans = [_scan_motions, _scan_ballots, _scan_meetings, _scan_assignments, _scan_questions]
    if publications:
        scans.append(_scan_publications)
    for scan in scans:
        while True:
            async with new_uow() as uow:
                plans = await scan(uow)
                for council_id, plan in plans:
                    added += await uow.reminders.add_plan(council_id, plan, clock())
                await uow.commit()
            if len(plans) < SCAN_BATCH:
                break
    return added


async def _scan_motions(uow: Any) -> list[tuple[int, Sequence[Planned]]]:
    return [(m.council_id, plan_motion(m)) for m in await uow.reminders.unplanned_motions(SCAN_BATCH)]


async def _scan_ballots(uow: Any) -> list[tuple[int, Sequence[Planned]]]:
    ballots = await uow.reminders.unplanned_ballots(SCAN_BATCH)
    councils = await uow.reminders.councils({b.council_id for b in ballots})
    return [(b.council_id, plan_ballot(b, councils[b.council_id].rules)) for b in ballots]


async def _scan_meetings(uow: Any) -> list[tuple[int, Sequence[Planned]]]:
    return [(m.council_id, plan_meeting(m)) for m in await uow.reminders.unplanned_meetings(SCAN_BATCH)]


async def _scan_assignments(uow: Any) -> list[tuple[int, Sequence[Planned]]]:
    return [
        (a.council_id, plan_assignment(a) + plan_rating(a))
        for a in await uow.reminders.unplanned_assignments(SCAN_BATCH)
    ]


async def _scan_questions(uow: Any) -> list[tuple[int, Sequence[Planned]]]:
    # A speech moved `opens_at`: the new time is a new reminder; the old one no longer fits and is dropped.
    return [(q.council_id, plan_question(q.id, q.opens_at, True)) for q in await uow.questions.unplanned(SCAN_BATCH)]


async def _scan_publications(uow: Any) -> list[tuple[int, Sequence[Planned]]]:
    return [
        (council_id, plan_publication(version_id, ends_at, False))
        for version_id, council_id, ends_at in await uow.reminders.unplanned_publications(SCAN_BATCH)
    ]


# ---- the alarm -------------------------------------------------------------------------------------


class Alarm:
    """Rings every pending reminder at its time; rebuilt from the database whenever it (re)starts leading.

    `poke()` asks for a scan now (call it after a use case made a deadline in this process);
    otherwise new deadlines are found by the scan every `scan_interval` seconds.
    """

    def __init__(
        self,
        new_uow: NewUnitOfWork,
        leadership: Leadership,
        *,
        clock: Clock = utc_now,
        scan_interval: float = 5.0,
        resync_interval: float = 60.0,
        leader_retry: float = 2.0,
        concurrency: int | None = None,
        on_rung: Callable[[Rung], None] | None = None,
        on_announce: Callable[[], None] | None = None,
    ) -> None:
        self.new_uow = new_uow
        self.leadership = leadership
        self.clock = clock
        self.scan_interval = scan_interval
        self.resync_interval = resync_interval
        self.leader_retry = leader_retry
        # SQLite has one writer at a time: more than one ringer only adds lock waits (and its busy-wait sleeps).
        self.concurrency = concurrency or leadership.writers
        self.gate = asyncio.Semaphore(self.concurrency)
        self.on_rung = on_rung
        self.on_announce = on_announce
        self.leading = False
        self.scheduler: AsyncIOScheduler | None = None
        self._known: set[int] = set()
        self._max_seen = 0
        self._last_resync = 0.0
        self._failures: dict[int, int] = {}
        self._poked = asyncio.Event()
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self._publications: bool | None = None

    # -- life cycle

    async def start(self) -> None:
        self.scheduler = AsyncIOScheduler(
            timezone=UTC, job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1}
        )
        self.scheduler.start(paused=True)
        self._stopping.clear()
        if await self.leadership.try_lead():
            await self._become_leader()
        self._tasks = [
            asyncio.create_task(self._lead_loop(), name="alarm-lead"),
            asyncio.create_task(self._scan_loop(), name="alarm-scan"),
        ]

    async def stop(self) -> None:
        self._stopping.set()
        self._poked.set()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.remove_all_jobs()
            self.scheduler.shutdown(wait=False)
            await asyncio.sleep(0)
        await self.leadership.release()
        self.leading = False

    def _started(self) -> AsyncIOScheduler:
        assert self.scheduler is not None, "the alarm rings only between start() and stop()"
        return self.scheduler

    def poke(self) -> None:
        """A deadline was just made here: scan now rather than at the next interval."""
        self._poked.set()

    # -- leadership: storage.leader (PostgreSQL: an advisory lock on its own connection; SQLite: always)

    async def _become_leader(self) -> None:
        self.leading = True
        log.info("scheduler: leading (pid %s)", os.getpid())
        self._known.clear()
        self._max_seen = 0
        try:
            await self.plan_from_database()
        except Exception:
            log.exception("scheduler: could not rebuild the alarms; stepping down to try again")
            await self._step_down()
            return
        self._started().resume()

    async def _step_down(self) -> None:
        self.leading = False
        self._started().pause()
        self._started().remove_all_jobs()
        self._known.clear()
        await self.leadership.release()
        log.warning("scheduler: stepped down (pid %s)", os.getpid())

    async def _lead_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=self.leader_retry)
                return
            except TimeoutError:
                pass
            try:
                if self.leading and not await self.leadership.still_leading():
                    await self._step_down()
                elif not self.leading and await self.leadership.try_lead():
                    await self._become_leader()
            except Exception:
                log.exception("scheduler: leadership check failed")

    async def _scan_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                await asyncio.wait_for(self._poked.wait(), timeout=self.scan_interval)
            except TimeoutError:
                pass
            self._poked.clear()
            if self._stopping.is_set():
                return
            if not self.leading:
                continue
            try:
                full = time.monotonic() - self._last_resync >= self.resync_interval
                await self.plan_from_database(full=full)
            except Exception:
                log.exception("scheduler: scan failed; trying again")

    # -- planning and ringing

    async def plan_from_database(self, *, full: bool = True) -> int:
        """Derive missing plans, then give every pending reminder an alarm; returns how many were added.

        `full=False` only looks at reminders added since the last look (the periodic scan); a full
        look also catches anything the quick one could not see, and runs every `resync_interval`.
        """
        if self._publications is None:
            async with self.new_uow() as uow:
                self._publications = await uow.minutes.available()
        await plan_subjects(self.new_uow, self.clock, publications=self._publications)
        async with self.new_uow() as uow:
            rows = await uow.reminders.pending(0 if full else self._max_seen)
        if full:
            self._last_resync = time.monotonic()
        fresh = [(i, k, d) for i, k, d in rows if i not in self._known]
        self._schedule(fresh)
        if rows:
            self._max_seen = max(self._max_seen, rows[-1][0])
        return len(fresh)

    def _schedule(self, rows: Sequence[tuple[int, str, datetime]]) -> None:
        if not rows or self.scheduler is None:
            return
        running = self.scheduler.state == 1  # STATE_RUNNING: pause so adding many does not wake it each time
        if running:
            self.scheduler.pause()
        try:
            for reminder_id, kind, due_at in rows:
                self._known.add(reminder_id)
                self._add_job(reminder_id, kind, due_at)
        finally:
            if running:
                self.scheduler.resume()

    def _add_job(self, reminder_id: int, kind: str, due_at: datetime) -> None:
        self._started().add_job(
            self._ring,
            DateTrigger(run_date=due_at, timezone=UTC),
            args=(reminder_id, kind, due_at),
            id=f"r{reminder_id}",
            replace_existing=True,
        )

    async def _ring(self, reminder_id: int, kind: str, due_at: datetime) -> None:
        rang = self.clock()
        async with self.gate:
            if not self.leading:
                return
            started = self.clock()
            try:
                outcome, again = await ring(self.new_uow, reminder_id, self.clock)
            except Exception:
                log.exception("scheduler: reminder %s (%s) failed; will retry", reminder_id, kind)
                failures = self._failures[reminder_id] = self._failures.get(reminder_id, 0) + 1
                again = self.clock() + timedelta(seconds=min(5 * 2 ** (failures - 1), 300))
                outcome = "failed"
            finished = self.clock()
            if outcome in ("wait", "failed") and again is not None:
                self._add_job(reminder_id, kind, again if outcome == "failed" else max(again, finished))
            else:
                self._known.discard(reminder_id)
                self._failures.pop(reminder_id, None)
            if outcome == "fired" and self.on_announce is not None:
                self.on_announce()
            if self.on_rung is not None:
                self.on_rung(Rung(reminder_id, kind, due_at, rang, started, finished, outcome))
