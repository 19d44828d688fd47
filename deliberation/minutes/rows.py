"""The minutes as flat rows with stable English keys: one per motion and one per ballot outcome."""

from __future__ import annotations

from typing import Any

from .model import Minutes, MinutesMotion, MinutesVote, iso

ROW_FIELDS = (
    "record",
    "number",
    "kind",
    "parent",
    "text",
    "original_text",
    "mover",
    "state",
    "raised_at",
    "decided_at",
    "amendments",
    "speeches_for",
    "speeches_against",
    "ballot",
    "secret",
    "threshold",
    "rule",
    "opened_at",
    "closed_at",
    "eligible",
    "members",
    "present",
    "yes",
    "no",
    "abstain",
    "yes_area_m2",
    "no_area_m2",
    "abstain_area_m2",
    "total_area_m2",
    "total_owners",
    "participation_heads",
    "participation_area",
    "approval_heads",
    "approval_area",
    "quorum_met",
    "passed",
    "roll_call",
    "assignee",
    "due",
    "done",
)


def area_m2(cm2: int) -> str:
    """Whole square centimetres as an exact decimal of square metres: 895000 -> "89.5"."""
    whole, rest = divmod(int(cm2), 10_000)
    return f"{whole}.{rest:04d}".rstrip("0") if rest else str(whole)


def motion_row(minutes: Minutes, motion: MinutesMotion) -> dict[str, Any]:
    """A motion's row, with who carries it out when it was assigned."""
    assignment = next((a for a in minutes.assignments if a.number == motion.number), None)
    row: dict[str, Any] = dict.fromkeys(ROW_FIELDS)
    row.update(
        record="motion",
        number=motion.number,
        kind=motion.kind,
        parent=motion.parent,
        text=motion.text,
        original_text=motion.original_text,
        mover=motion.mover,
        state=motion.state,
        raised_at=iso(motion.raised_at),
        decided_at=iso(motion.decided_at) or None,
        amendments="; ".join(f"#{a.number} {a.state}" for a in motion.amendments) or None,
        speeches_for=motion.speeches_for,
        speeches_against=motion.speeches_against,
    )
    if assignment is not None:
        row.update(assignee=assignment.assignee, due=assignment.due, done=assignment.done)
    return row


def ballot_row(vote: MinutesVote, text: str = "") -> dict[str, Any]:
    """A ballot outcome's row; areas only for a weighted ballot, names only for an open one."""
    row: dict[str, Any] = dict.fromkeys(ROW_FIELDS)
    row.update(
        record="ballot",
        number=vote.number,
        text=text,
        state=vote.state,
        ballot=vote.ballot,
        secret=vote.secret,
        threshold=vote.threshold,
        rule=vote.rule,
        opened_at=iso(vote.opened_at),
        closed_at=iso(vote.closed_at) or None,
        eligible=vote.eligible,
        members=vote.members,
        present=vote.present,
        yes=vote.yes,
        no=vote.no,
        abstain=vote.abstain,
        quorum_met=vote.quorum_met,
        passed=vote.passed,
        participation_heads=vote.participation_heads,
        approval_heads=vote.approval_heads,
    )
    if vote.weighted:
        row.update(
            yes_area_m2=area_m2(vote.yes_area_cm2),
            no_area_m2=area_m2(vote.no_area_cm2),
            abstain_area_m2=area_m2(vote.abstain_area_cm2),
            total_area_m2=area_m2(vote.total_area_cm2),
            total_owners=vote.total_owners,
            participation_area=vote.participation_area,
            approval_area=vote.approval_area,
        )
    if not vote.secret and vote.roll_call:
        row["roll_call"] = "; ".join(f"{r.name}:{r.choice}" for r in vote.roll_call)
    return row


def minutes_rows(minutes: Minutes) -> list[dict[str, Any]]:
    """One row per motion, each followed by one row per ballot outcome on it."""
    rows: list[dict[str, Any]] = []
    for motion in minutes.motions:
        rows.append(motion_row(minutes, motion))
        rows.extend(ballot_row(vote, motion.text) for vote in motion.votes)
    return rows
