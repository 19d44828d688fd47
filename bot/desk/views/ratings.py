"""The satisfaction rating of an assignment: its poll message and its result."""

from __future__ import annotations

from deliberation import usecases as delivery
from deliberation.delivery import Assignment, Rating
from deliberation.model import Council

from ...i18n import Translator
from .. import buttons, subjects
from ..messages import Button, Edit, Reply
from .notices import clip, local_time


def rating_buttons(t: Translator, assignment: Assignment) -> tuple[tuple[Button, ...], ...]:
    return tuple(
        (Button(t(f"delivery.rating.choice.{rating.value}"), buttons.encode(buttons.Rate(assignment.id, rating))),)
        for rating in Rating
    )


def rating_poll(
    t: Translator,
    council: Council,
    assignment: Assignment,
    motion_text: str,
    rated: int,
    members: int,
    *,
    open_: bool = True,
) -> Edit:
    """The rating message (as an Edit: the same subject is posted once and then updated)."""
    assert assignment.rating_closes_at is not None
    text = t(
        "delivery.rating.open",
        number=assignment.number,
        text=clip(motion_text, 80),
        when=local_time(council, assignment.rating_closes_at),
        rated=rated,
        members=members,
    )
    return Edit(
        subjects.encode(subjects.RatingPoll(assignment.id)),
        text,
        t("delivery.rating.title", number=assignment.number),
        rating_buttons(t, assignment) if open_ else (),
    )


def rating_result_reply(t: Translator, closed: delivery.RatingClosed) -> Reply:
    tally = closed.tally
    return Reply(
        t(
            "delivery.rating.result",
            number=closed.assignment.number,
            satisfied=tally.satisfied,
            basic=tally.basic,
            unsatisfied=tally.unsatisfied,
            rated=tally.total,
            members=closed.members,
        ),
        title=t("delivery.rating.result_title", number=closed.assignment.number),
        subject=subjects.encode(subjects.RatingResult(closed.assignment.id)),
    )
