"""What each reminder does when it rings: call one use case, then let the views word it.

Every action has the same typed signature (`Action`): the ringing reminder's unit of work, the clock,
the council, its translator and the subject's id; it returns the replies to queue (an `Edit` changes a
message posted before). Actions never commit: `bot.alarm.ring` claims, acts and commits once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

from deliberation import turnout, usecases
from deliberation.delivery import ReminderKind
from deliberation.minutes import publishing
from deliberation.model import Council, Role
from deliberation.ports import Clock, UnitOfWork

from .desk.matters import next_matter
from .desk.messages import Edit, Reply
from .desk.outbox_rows import Outbox, enqueue_drop_buttons
from .desk.refusals import refusal_text
from .desk.views import owners as owner_views
from .desk.views import reminders as views
from .desk.views.ballots import ballot_edit, ballot_reply, closed_announcements, shown_counts
from .desk.views.motions import card_edit, motion_card
from .desk.views.ratings import rating_result_reply
from .desk.views.receipts import receipts_reply
from .i18n import Translator


class RingWork(UnitOfWork, Protocol):
    """The unit of work a reminder rings in: every repository, and the outbox its replies are queued in."""

    outbox: Outbox


class Action(Protocol):
    """(unit of work, clock, council, translator, subject id) -> the replies to queue, in that order."""

    async def __call__(
        self, uow: RingWork, clock: Clock, council: Council, t: Translator, subject_id: int, /
    ) -> Sequence[Reply | Edit]: ...


async def _second_reminder(
    uow: RingWork, clock: Clock, council: Council, t: Translator, subject_id: int
) -> list[Reply]:
    return [views.second_reminder(t, council, await uow.motions.get(subject_id))]


async def _lapse(uow: RingWork, clock: Clock, council: Council, t: Translator, subject_id: int) -> list[Reply]:
    motion = await usecases.lapse(uow, clock, council, subject_id)
    return [] if motion is None else [views.lapsed(t, motion), *await next_matter(uow, clock, council, t)]


async def _resume(uow: RingWork, clock: Clock, council: Council, t: Translator, subject_id: int) -> list[Reply]:
    motion = await usecases.resume(uow, clock, council, subject_id)
    return [] if motion is None else [views.resumed(t, motion)]


async def _ballot_reminder(
    uow: RingWork, clock: Clock, council: Council, t: Translator, subject_id: int
) -> list[Reply]:
    ballot = await uow.ballots.get(subject_id)
    assert ballot is not None  # the plan was checked against the ballot in this transaction
    motion = await uow.motions.get(ballot.motion_id)
    if ballot.secret:
        missing = max(ballot.eligible_voters - await uow.votes.count(ballot.id), 0)
        reminder = views.ballot_reminder(t, council, motion, ballot, missing=missing)
    else:
        units = await turnout.not_voted(uow, council, ballot)
        reminder = views.ballot_reminder(t, council, motion, ballot, units=units)
    if ballot.rules_under(council.rules).weighted:  # art. 278: how far from 2/3, with the reminder
        shown = await usecases.ballot_progress(uow, council, motion.number)
        reminder = replace(reminder, text=reminder.text + "\n\n" + owner_views.progress_text(t, council, shown))
    return [reminder]


async def _ballot_progress(
    uow: RingWork, clock: Clock, council: Council, t: Translator, subject_id: int
) -> list[Reply]:
    """The daily post of an open civil278 ballot: participation by owners and by area against 2/3."""
    ballot = await uow.ballots.get(subject_id)
    assert ballot is not None  # the plan was checked against the ballot in this transaction
    motion = await uow.motions.get(ballot.motion_id)
    shown = await usecases.ballot_progress(uow, council, motion.number)
    return [Reply(owner_views.progress_text(t, council, shown), title=t("progress.title"))]


async def _ballot_close(
    uow: RingWork, clock: Clock, council: Council, t: Translator, subject_id: int
) -> list[Reply | Edit]:
    closed = await usecases.close_ballot(uow, clock, council, subject_id)
    if closed is None:
        return []
    # The same messages as a ballot closed by its last vote: the ballot loses its buttons first (an edit
    # through the outbox), then the result and the parent's notice; a reminder posted for it loses its buttons.
    shown = closed_announcements(t, council, closed, await uow.votes.count(closed.ballot.id))
    await enqueue_drop_buttons(
        uow, chat_key=council.chat_key, subject=shown.reminder, at=clock(), council_id=council.id
    )
    receipts = await receipts_reply(t, uow, closed.motion, closed.ballot)  # civil278: the codes counted
    return [
        shown.ballot,
        *shown.replies,
        *([receipts] if receipts is not None else []),
        *await next_matter(uow, clock, council, t),
    ]


async def _open_question(
    uow: RingWork, clock: Clock, council: Council, t: Translator, subject_id: int
) -> list[Reply | Edit]:
    """南塘 11: nobody spoke during the quiet spell after the question was called; the ballot opens."""
    opened = await usecases.open_called_question(uow, clock, council, subject_id)
    if opened is None:
        return []
    if opened.ballot is None:
        assert opened.refused is not None
        why = refusal_text(t, opened.refused.key, opened.refused.params)
        return [Reply(t("nantang.question_dropped", number=opened.motion.number, why=why))]
    counts = await shown_counts(uow, opened.ballot)
    mover = await uow.members.get(opened.motion.mover_id)
    parent = await uow.motions.get(opened.motion.parent_id) if opened.motion.parent_id else None
    name = mover.name if mover else "?"
    card = motion_card(t, council, opened.motion, name, parent.number if parent else None)  # now 表决中
    return [ballot_reply(ballot_edit(t, council, opened.motion, opened.ballot, 0, counts)), card_edit(card)]


def _meeting_notice(key: str) -> Action:
    """The action for one of the three meeting notices (catalogue key `key`)."""

    async def notice(uow: RingWork, clock: Clock, council: Council, t: Translator, subject_id: int) -> list[Reply]:
        meeting = await uow.meetings.get(subject_id)
        assert meeting is not None  # the plan was checked against the meeting in this transaction
        members = [m for m in await uow.members.all(council.id) if m.active]
        return [views.meeting_notice(t, council, meeting, members, key)]

    return notice


async def _follow_up(uow: RingWork, clock: Clock, council: Council, t: Translator, subject_id: int) -> list[Reply]:
    a = await uow.assignments.get(subject_id)
    assert a is not None  # the plan was checked against the assignment in this transaction
    assignee = await uow.members.get(a.assignee_id)
    return [views.follow_up(t, council, a, assignee, await uow.motions.get(a.motion_id))]


async def _overdue(uow: RingWork, clock: Clock, council: Council, t: Translator, subject_id: int) -> list[Reply]:
    a = await uow.assignments.get(subject_id)
    assert a is not None  # the plan was checked against the assignment in this transaction
    chairs = [m for m in await uow.members.all(council.id) if m.has(Role.CHAIR)]
    return [views.overdue(t, council, a, chairs)]


async def _rating_close(uow: RingWork, clock: Clock, council: Council, t: Translator, subject_id: int) -> list[Reply]:
    closed = await usecases.close_rating(uow, clock, council, subject_id)
    return [] if closed is None else [rating_result_reply(t, closed)]


async def announce_publication_end(
    uow: RingWork, clock: Clock, council: Council, t: Translator, version_id: int
) -> list[Reply]:
    """The 公示 period of minutes version `version_id` has ended: claim it and say so in the group.

    The scan plans a `publication.end` reminder for every version published and not yet announced;
    the claim and the event are the minutes use case's (`end_publication`), in this reminder's transaction.
    """
    version = await publishing.end_publication(uow, council, version_id, clock())
    return [] if version is None else [views.publication_ended(t, version)]


ACTIONS: dict[ReminderKind, Action] = {
    ReminderKind.SECOND_REMINDER: _second_reminder,
    ReminderKind.LAPSE: _lapse,
    ReminderKind.RESUME: _resume,
    ReminderKind.BALLOT_REMINDER: _ballot_reminder,
    ReminderKind.BALLOT_CLOSE: _ballot_close,
    ReminderKind.BALLOT_PROGRESS: _ballot_progress,
    ReminderKind.MEETING_24H: _meeting_notice("sched.meeting.remind_24h"),
    ReminderKind.MEETING_1H: _meeting_notice("sched.meeting.remind_1h"),
    ReminderKind.MEETING_START: _meeting_notice("sched.meeting.start"),
    ReminderKind.FOLLOW_UP: _follow_up,
    ReminderKind.OVERDUE: _overdue,
    ReminderKind.RATING_CLOSE: _rating_close,
    ReminderKind.PUBLICATION_END: announce_publication_end,
    ReminderKind.QUESTION_OPEN: _open_question,
}
