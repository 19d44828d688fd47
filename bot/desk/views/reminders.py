"""What the alarm clock says: reminders, deadlines, meeting notices and the end of 公示, in the council's words."""

from __future__ import annotations

from collections.abc import Sequence

from deliberation.delivery import Assignment, Meeting
from deliberation.minutes import MinutesVersion
from deliberation.model import Ballot, Council, Member, Motion

from ...i18n import Translator
from .. import buttons, subjects
from ..messages import Button, Reply
from .ballots import vote_buttons
from .notices import clip, local_time

MAX_MENTIONS = 50  # a longer list is cut, with "and N more": one message must stay readable


def mention(member: Member) -> str:
    return f"@{member.username}" if member.username else member.name


def mention_list(t: Translator, members: Sequence[Member]) -> str:
    names = [mention(m) for m in members]
    if len(names) > MAX_MENTIONS:
        return " ".join(names[:MAX_MENTIONS]) + " " + t("sched.mentions.more", count=len(names) - MAX_MENTIONS)
    return " ".join(names)


def second_reminder(t: Translator, council: Council, motion: Motion) -> Reply:
    """A motion still waits for a seconder: its deadline and the second button."""
    return Reply(
        t(
            "sched.remind.second",
            number=motion.number,
            text=clip(motion.text, 80),
            when=local_time(council, motion.second_deadline),
        ),
        buttons=((Button(t("button.second"), buttons.encode(buttons.Second(motion.id))),),),
    )


def lapsed(t: Translator, motion: Motion) -> Reply:
    return Reply(t("sched.lapsed", number=motion.number, text=clip(motion.text, 80)))


def resumed(t: Translator, motion: Motion) -> Reply:
    return Reply(t("sched.resumed", number=motion.number, text=clip(motion.text, 80)))


def ballot_reminder(
    t: Translator,
    council: Council,
    motion: Motion,
    ballot: Ballot,
    *,
    missing: int | None = None,
    units: Sequence[str] = (),
) -> Reply:
    """A ballot is about to close: how many have not voted (secret ballots) or which units, with the buttons."""
    when = local_time(council, ballot.closes_at)
    if missing is not None:
        body = t("sched.remind.ballot_secret", number=motion.number, when=when, count=missing)
    else:
        shown = t("sched.list_sep").join(units[:MAX_MENTIONS])
        if len(units) > MAX_MENTIONS:
            shown += " " + t("sched.mentions.more", count=len(units) - MAX_MENTIONS)
        body = t("sched.remind.ballot", number=motion.number, when=when, count=len(units), units=shown or "—")
    return Reply(body, buttons=vote_buttons(t, ballot), subject=subjects.encode(subjects.BallotReminder(ballot.id)))


def meeting_notice(t: Translator, council: Council, meeting: Meeting, members: Sequence[Member], key: str) -> Reply:
    """A meeting notice (`key`: 24 hours before, one hour before, starting now) that mentions every member."""
    return Reply(
        t(
            key,
            number=meeting.number,
            title=meeting.title,
            when=local_time(council, meeting.starts_at),
            members=mention_list(t, members),
        ),
        title=t("sched.meeting.notice_title"),
    )


def follow_up(
    t: Translator, council: Council, assignment: Assignment, assignee: Member | None, motion: Motion
) -> Reply:
    """The assignee is reminded of a resolution to carry out, and by when."""
    who = mention(assignee) if assignee else assignment.assignee_name
    return Reply(
        t(
            "sched.remind.follow_up",
            who=who,
            number=assignment.number,
            text=clip(motion.text, 60),
            due=local_time(council, assignment.due_at),
        )
    )


def overdue(t: Translator, council: Council, assignment: Assignment, chairs: Sequence[Member]) -> Reply:
    """The chairs hear that an assignment is past its due time."""
    return Reply(
        t(
            "sched.remind.overdue",
            chairs=mention_list(t, chairs) or t("role.chair"),
            number=assignment.number,
            name=assignment.assignee_name,
            due=local_time(council, assignment.due_at),
        )
    )


def publication_ended(t: Translator, version: MinutesVersion) -> Reply:
    """The 公示 period of a minutes version has ended."""
    return Reply(t("sched.publication_end", scope=version.scope, version=version.version))


__all__ = [
    "MAX_MENTIONS",
    "ballot_reminder",
    "clip",
    "follow_up",
    "lapsed",
    "meeting_notice",
    "mention",
    "mention_list",
    "overdue",
    "publication_ended",
    "resumed",
    "second_reminder",
]
