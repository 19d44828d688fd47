"""Plain-text renderings of motions, ballots and results, in the council's language."""
from __future__ import annotations

from fractions import Fraction

from deliberation.counting import Choice
from deliberation.counting import percent as exact_percent
from deliberation.model import Ballot, Council, Motion, MotionKind, Rules

from .conversation import Button, Reply
from .desk import buttons, subjects
from .i18n import Translator


def percent(value: str | Fraction | None) -> str:
    """An exact fraction ("2/3") as a percentage, rounded half up without floats."""
    return "—" if value is None else exact_percent(Fraction(value))


def fraction_text(value: Fraction | None) -> str:
    """An exact fraction as the notices quote it beside its percentage: "2/3" ("—" when there is none)."""
    return "—" if value is None else f"{value.numerator}/{value.denominator}"


def area_m2(cm2: int) -> str:
    whole, rest = divmod(int(cm2), 10_000)
    return f"{whole}.{rest:04d}".rstrip("0").rstrip(".") + "㎡" if rest else f"{whole}㎡"


def kind_label(t: Translator, motion: Motion) -> str:
    return t(f"kind.{motion.kind.value}")


def motion_card(t: Translator, motion: Motion, mover: str, parent_number: int | None = None) -> Reply:
    title = t("motion.card.title", number=motion.number, kind=kind_label(t, motion))
    lines = [motion.text, t("motion.card.mover", name=mover)]
    if parent_number is not None:
        lines.append(t("motion.card.parent", number=parent_number))
    if motion.postponed_until is not None and motion.kind is MotionKind.POSTPONE:
        lines.append(t("motion.card.until", when=motion.postponed_until.strftime("%Y-%m-%d %H:%M UTC")))
    lines.append(t("motion.card.hint", number=motion.number))
    return Reply("\n".join(lines), title=title, subject=subjects.encode(subjects.MotionCard(motion.id)),
                 buttons=((Button(t("button.second"), buttons.encode(buttons.Second(motion.id))),),))


def vote_buttons(t: Translator, ballot: Ballot) -> tuple[tuple[Button, ...], ...]:
    yes, no, abstain = (buttons.encode(buttons.Vote(ballot.id, c)) for c in (Choice.YES, Choice.NO, Choice.ABSTAIN))
    return ((Button(t("button.yes"), yes), Button(t("button.no"), no), Button(t("button.abstain"), abstain)),)


def ballot_message(t: Translator, council: Council, motion: Motion, ballot: Ballot, *, voted: int,
                   tally: dict[Choice, int] | None) -> tuple[str, str]:
    """(title, text) of the ballot message: live tally when open, only the turnout when secret."""
    title = t("ballot.title", number=motion.number, kind=kind_label(t, motion))
    lines = [motion.text, t(f"ballot.rule.{council.rules.preset}.{ballot.threshold}")]
    if ballot.secret:
        lines.append(t("ballot.secret"))
    lines.append(t("ballot.closes", when=local_time(council, ballot.closes_at)))
    if ballot.secret or tally is None:
        lines.append(t("ballot.turnout", voted=voted, eligible=ballot.eligible_voters))
    else:
        lines.append(t("ballot.tally", yes=tally.get(Choice.YES, 0), no=tally.get(Choice.NO, 0),
                       abstain=tally.get(Choice.ABSTAIN, 0), voted=voted, eligible=ballot.eligible_voters))
    if ballot.open:
        lines.append(t("ballot.hint", number=motion.number))
    return title, "\n".join(lines)


def local_time(council: Council, moment) -> str:
    from zoneinfo import ZoneInfo
    return moment.astimezone(ZoneInfo(council.timezone)).strftime("%Y-%m-%d %H:%M")


def result_message(t: Translator, council: Council, motion: Motion, ballot: Ballot) -> Reply:
    r = ballot.result
    assert r is not None  # only a closed ballot has a result message
    verdict = t("result.failed_quorum") if not r.quorum_met else t("result.passed" if r.passed else "result.failed")
    lines = [motion.text,
             t("result.counts", yes=r.yes, no=r.no, abstain=r.abstain),
             t("result.rule", rule=t(f"rule.{r.rule}"))]
    if council.rules.weighted:
        lines.append(t("result.area", yes=area_m2(r.yes_area_cm2), no=area_m2(r.no_area_cm2),
                       abstain=area_m2(r.abstain_area_cm2), total=area_m2(ballot.total_area_cm2)))
        lines.append(t("result.civil278", participation_area=percent(r.participation_area),
                       participation_area_fraction=fraction_text(r.participation_area),
                       participation_heads=percent(r.participation_heads),
                       participation_heads_fraction=fraction_text(r.participation_heads),
                       approval_area=percent(r.approval_area), approval_area_fraction=fraction_text(r.approval_area),
                       approval_heads=percent(r.approval_heads),
                       approval_heads_fraction=fraction_text(r.approval_heads)))
    else:
        lines.append(t("result.members", present=r.cast, members=ballot.members))
    lines.append(verdict)
    return Reply("\n".join(lines), title=t("result.title", number=motion.number, kind=kind_label(t, motion)),
                 subject=subjects.encode(subjects.BallotResult(ballot.id)))


def rules_text(t: Translator, rules: Rules) -> str:
    hours = int(rules.second_deadline.total_seconds() // 3600)
    return "\n".join([
        t(f"preset.{rules.preset}.name"),
        t(f"preset.{rules.preset}.summary"),
        t("rules.speeches", count=rules.speeches_per_member, chars=rules.speech_max_chars),
        t("rules.second_deadline", hours=hours),
        t("rules.chair_votes" if rules.chair_votes else "rules.chair_no_vote"),
        t("rules.approval" if rules.approval_required else "rules.no_approval"),
    ])
