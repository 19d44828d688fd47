"""/show: one motion's whole story, from its text to the members' rating of what was done."""

from __future__ import annotations

from datetime import datetime

from deliberation import usecases
from deliberation.delivery import AssignmentState, is_overdue
from deliberation.lifecycle import MotionState
from deliberation.model import Ballot, Council, Motion, MotionKind

from ...i18n import Translator, moments
from .ballots import result_message
from .motions import history_lines
from .notices import local_time


def _when(t: Translator, council: Council, moment: datetime | None) -> str:
    return local_time(council, moment, t.locale)


def ballot_lines(t: Translator, council: Council, motion: Motion, ballot: Ballot, voted: int) -> list[str]:
    """One ballot: its turnout and deadline while open; when it ran and its result as announced once closed."""
    if ballot.open:
        return [
            t("show.ballot_open", voted=voted, eligible=ballot.eligible_voters),
            t("ballot.closes", when=_when(t, council, ballot.closes_at)),
        ]
    closed = _when(t, council, ballot.closed_at)
    if ballot.closed_at is not None and moments.spell_day(t.locale, ballot.opened_at, council.timezone) == (
        moments.spell_day(t.locale, ballot.closed_at, council.timezone)
    ):
        closed = moments.clock(ballot.closed_at, council.timezone)  # the same day: its hour alone
    held = t("show.ballot_held", opened=_when(t, council, ballot.opened_at), closed=closed)
    # The result as the group read it when the ballot closed, without the motion's text (said above).
    return [held, *result_message(t, council, motion, ballot).text.split("\n")[1:]]


def delivery_lines(t: Translator, council: Council, h: usecases.MotionHistory, now: datetime) -> list[str]:
    """落实: who carries the decision out and by when, every report, and the members' rating."""
    a = h.assignment
    if a is None:
        adopted_main = h.motion.state is MotionState.ADOPTED and h.motion.kind is MotionKind.MAIN
        return [t("show.not_assigned", number=h.motion.number)] if adopted_main else []
    lines = [
        t(
            "show.delivery",
            name=a.assignee_name,
            due=_when(t, council, a.due_at),
            state=t(f"delivery.state.{a.state.value}"),
            overdue=t("delivery.tasks.overdue") if is_overdue(a, now) else "",
        )
    ]
    for r in h.reports:
        key = "show.report_done" if r.done else "show.report"
        lines.append(t(key, when=_when(t, council, r.at), name=r.name, text=r.text or "—"))
    if a.state is AssignmentState.RATING:
        lines.append(t("show.rating_open", rated=h.rated, when=_when(t, council, a.rating_closes_at)))
    elif a.state is AssignmentState.CLOSED and a.result is not None:
        tally = {k: int(a.result.get(k, 0)) for k in ("satisfied", "basic", "unsatisfied")}
        lines.append(t("show.rating_result", rated=sum(tally.values()), **tally))
    return lines


def show_text(t: Translator, council: Council, h: usecases.MotionHistory, now: datetime) -> str:
    """The whole of /show N: text, mover and seconder, amendments, speeches, ballots, delivery."""
    lines = history_lines(t, h)
    for ballot in h.ballots:
        lines += ballot_lines(t, council, h.motion, ballot, h.voted)
    lines += delivery_lines(t, council, h, now)
    return "\n".join(lines)
