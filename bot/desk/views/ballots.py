"""The ballot message (live tally or turnout), the result, and what a closed ballot announces.

A ballot closed by its last vote, by /close or by its deadline (the alarm) gets the same messages
from `closed_announcements`. `Ballot.result` is read here only, in `figures`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from deliberation import usecases
from deliberation.counting import Choice
from deliberation.disclosure import SEAL_BELOW, civil278_counts, disclosable
from deliberation.model import Ballot, Council, Motion
from deliberation.nantang import CalledQuestion
from deliberation.ports import UnitOfWork

from ...i18n import Translator
from ...i18n import figures as figures_text
from .. import buttons, subjects
from ..messages import Button, Edit, Reply
from .motions import kind_label
from .notices import area_m2, local_time, parent_notice


@dataclass(frozen=True)
class Figures:
    """A closed ballot's result, as the views show it."""

    passed: bool
    quorum_met: bool
    rule: str
    counts: dict[Choice, int]
    areas_cm2: dict[Choice, int]
    participation_area: Fraction | None
    participation_heads: Fraction | None
    approval_area: Fraction | None
    approval_heads: Fraction | None


def figures(ballot: Ballot) -> Figures:
    """The one place that reads `Ballot.result` (a closed ballot's record of its outcome)."""
    r = ballot.result
    assert r is not None  # only a closed ballot has figures
    return Figures(
        passed=r.passed,
        quorum_met=r.quorum_met,
        rule=r.rule,
        counts={Choice.YES: r.yes, Choice.NO: r.no, Choice.ABSTAIN: r.abstain},
        areas_cm2={Choice.YES: r.yes_area_cm2, Choice.NO: r.no_area_cm2, Choice.ABSTAIN: r.abstain_area_cm2},
        participation_area=r.participation_area,
        participation_heads=r.participation_heads,
        approval_area=r.approval_area,
        approval_heads=r.approval_heads,
    )


def vote_buttons(t: Translator, ballot: Ballot) -> tuple[tuple[Button, ...], ...]:
    yes, no, abstain = (buttons.encode(buttons.Vote(ballot.id, c)) for c in (Choice.YES, Choice.NO, Choice.ABSTAIN))
    row: tuple[Button, ...] = (Button(t("button.yes"), yes), Button(t("button.no"), no))
    row += (Button(t("button.abstain"), abstain),)
    if ballot.rules is not None and not ballot.rules.abstain_choice:  # 南塘 12: 赞成/反对 only
        row = row[:2]
    return (row,)


async def shown_counts(uow: UnitOfWork, ballot: Ballot) -> dict[Choice, int] | None:
    """The running count an open ballot shows: none when secret or when the tally is hidden (turnout only)."""
    if ballot.secret or (ballot.rules is not None and not ballot.rules.tally_live):
        return None
    return await uow.votes.counts(ballot.id)


def question_called(t: Translator, council: Council, motion: Motion, called: CalledQuestion) -> Reply:
    """南塘 11: "还有人要发言吗？" — when the ballot opens if nobody speaks."""
    minutes = int(called.quiet.total_seconds() // 60)
    return Reply(
        t("nantang.question_called", number=motion.number, minutes=minutes, when=local_time(council, called.opens_at))
    )


def ballot_message(
    t: Translator, council: Council, motion: Motion, ballot: Ballot, *, voted: int, tally: dict[Choice, int] | None
) -> tuple[str, str]:
    """(title, text) of the ballot message: live tally when open, only the turnout when secret."""
    title = t("ballot.title", number=motion.number, kind=kind_label(t, motion))
    lines = [motion.text, t(f"ballot.rule.{ballot.rules_under(council.rules).preset}.{ballot.threshold}")]
    if ballot.secret:
        lines.append(t("ballot.secret"))
    lines.append(t("ballot.closes", when=local_time(council, ballot.closes_at)))
    if ballot.secret or tally is None:
        lines.append(t("ballot.turnout", voted=voted, eligible=ballot.eligible_voters))
    else:
        lines.append(
            t(
                "ballot.tally",
                yes=tally.get(Choice.YES, 0),
                no=tally.get(Choice.NO, 0),
                abstain=tally.get(Choice.ABSTAIN, 0),
                voted=voted,
                eligible=ballot.eligible_voters,
            )
        )
    if ballot.open:
        lines.append(t("ballot.hint", number=motion.number))
    return title, "\n".join(lines)


def ballot_edit(
    t: Translator, council: Council, motion: Motion, ballot: Ballot, voted: int, counts: dict[Choice, int] | None
) -> Edit:
    """The ballot message as it reads now: with its buttons while open, the final count once closed."""
    if not ballot.open and ballot.result:
        counts = None if ballot.secret else figures(ballot).counts
    title, text = ballot_message(t, council, motion, ballot, voted=voted, tally=None if ballot.secret else counts)
    keyboard = vote_buttons(t, ballot) if ballot.open else ()
    return Edit(subjects.encode(subjects.BallotMessage(ballot.id)), text, title, keyboard)


def ballot_reply(edit: Edit) -> Reply:
    """The ballot message posted for the first time (later versions of it are edits of this one)."""
    return Reply(edit.text, title=edit.title, buttons=edit.buttons, subject=edit.subject)


def result_message(t: Translator, council: Council, motion: Motion, ballot: Ballot) -> Reply:
    """The result as counted; a small secret ballot shows only its verdict, participation and approval shares."""
    f = figures(ballot)
    r = ballot.result
    assert r is not None  # figures() checked it
    verdict = t("result.failed_quorum") if not f.quorum_met else t("result.passed" if f.passed else "result.failed")
    shown = disclosable(r, ballot.secret)
    yes, no, abstain = f.counts[Choice.YES], f.counts[Choice.NO], f.counts[Choice.ABSTAIN]
    lines = [motion.text]
    if shown:
        lines.append(t("result.counts", yes=yes, no=no, abstain=abstain))
    lines.append(t("result.rule", rule=t(f"rule.{f.rule}")))
    rules = ballot.rules_under(council.rules)
    if ballot.rules is not None:
        lines.append(t("result.frozen_rules", preset=t(f"preset.{rules.preset.value}.name")))
    if rules.weighted:
        counted = civil278_counts(
            yes=yes,
            cast=yes + no + abstain,
            yes_area_cm2=f.areas_cm2[Choice.YES],
            cast_area_cm2=sum(f.areas_cm2.values()),
            owners=ballot.total_owners or ballot.members,
            total_area_cm2=ballot.total_area_cm2,
        )
        if shown:
            lines.append(
                t(
                    "result.area",
                    yes=area_m2(f.areas_cm2[Choice.YES]),
                    no=area_m2(f.areas_cm2[Choice.NO]),
                    abstain=area_m2(f.areas_cm2[Choice.ABSTAIN]),
                    total=area_m2(ballot.total_area_cm2),
                )
            )
        lines.append(
            t(
                "result.civil278",
                participation_heads=figures_text.heads(t.locale, counted.participation_heads),
                participation_area=figures_text.area(t.locale, counted.participation_area),
                approval_heads=figures_text.heads(t.locale, counted.approval_heads)
                if shown
                else figures_text.share(f.approval_heads),
                approval_area=figures_text.area(t.locale, counted.approval_area)
                if shown
                else figures_text.share(f.approval_area),
            )
        )
    else:
        lines.append(t("result.members", present=yes + no + abstain, members=ballot.members))
        if not shown:
            lines.append(t("result.approval_share", share=figures_text.share(f.approval_heads)))
    if not shown:
        lines.append(t("result.sealed", least=SEAL_BELOW))
    lines.append(verdict)
    return Reply(
        "\n".join(lines),
        title=t("result.title", number=motion.number, kind=kind_label(t, motion)),
        subject=subjects.encode(subjects.BallotResult(ballot.id)),
    )


@dataclass(frozen=True)
class ClosedAnnouncements:
    """What the group gets when a ballot closes, in this order."""

    ballot: Edit  # the final ballot text, without buttons
    replies: tuple[Reply, ...]  # the result, then the parent motion's notice
    reminder: str  # the subject of the ballot's reminder, whose buttons go


def closed_announcements(
    t: Translator, council: Council, closed: usecases.ClosedBallot, voted: int
) -> ClosedAnnouncements:
    """The messages of a closed ballot: the same whether its last vote, /close or its deadline closed it."""
    replies = [result_message(t, council, closed.motion, closed.ballot)]
    if closed.parent is not None:
        replies.append(parent_notice(t, closed.motion, closed.parent))
    return ClosedAnnouncements(
        ballot_edit(t, council, closed.motion, closed.ballot, voted, None),
        tuple(replies),
        subjects.encode(subjects.BallotReminder(closed.ballot.id)),
    )
