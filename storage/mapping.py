"""Rows to domain records and back: the one place that knows how a record is laid out in its table."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

from deliberation.chain import Event
from deliberation.counting import Preset, Threshold
from deliberation.delivery import Assignment, AssignmentState, Meeting, MeetingState, Report
from deliberation.lifecycle import MotionState
from deliberation.minutes import MinutesVersion
from deliberation.model import (
    BEFORE_SETTINGS,
    Ballot,
    BallotResult,
    Council,
    Member,
    MemberStatus,
    Motion,
    MotionKind,
    Role,
    Rules,
    Side,
    Speech,
    Unit,
)

from .models import (
    AssignmentRow,
    BallotRow,
    CouncilRow,
    EventRow,
    MeetingRow,
    MemberRow,
    MinutesVersionRow,
    MotionRow,
    ReportRow,
    SpeechRow,
    UnitRow,
)


def council_from_row(row: CouncilRow) -> Council:
    return Council(
        row.id, row.chat_key, row.title, Rules.from_json(row.rules), row.locale, row.timezone, row.has_roster
    )


def council_values(council: Council) -> dict[str, Any]:
    """The columns a council record owns (the chain and `active` are kept by the storage itself)."""
    return {
        "chat_key": council.chat_key,
        "title": council.title,
        "preset": council.rules.preset,
        "rules": council.rules.to_json(),
        "locale": council.locale,
        "timezone": council.timezone,
        "has_roster": council.has_roster,
    }


def roles_text(member: Member) -> str:
    return ",".join(sorted(member.roles))


def member_from_row(row: MemberRow) -> Member:
    roles = frozenset(Role(r) for r in row.roles.split(",") if r)
    return Member(
        row.id, row.council_id, row.user_key, row.name, row.username, row.unit, MemberStatus(row.status), roles
    )


def unit_from_row(row: UnitRow) -> Unit:
    return Unit(row.code, row.owner, row.area_cm2)


def motion_from_row(row: MotionRow) -> Motion:
    return Motion(
        row.id,
        row.council_id,
        row.number,
        MotionKind(row.kind),
        row.text,
        row.mover_id,
        MotionState(row.state),
        row.created_at,
        row.second_deadline,
        row.parent_id,
        row.seconder_id,
        row.original_text,
        row.debate_closed,
        row.postponed_until,
        row.referred_to,
        row.major,
    )


def speech_from_row(row: SpeechRow) -> Speech:
    return Speech(row.motion_id, row.member_id, Side(row.side), row.text, row.at, row.id)


def ballot_from_row(row: BallotRow) -> Ballot:
    return Ballot(
        row.id,
        row.council_id,
        row.motion_id,
        row.opened_at,
        row.closes_at,
        row.threshold,
        row.secret,
        row.eligible_voters,
        row.members,
        row.total_area_cm2,
        row.total_owners,
        row.present,
        row.closed_at,
        ballot_result_from_json(row.result),
        None if row.rules is None else Rules.from_json(row.rules, absent=BEFORE_SETTINGS),
    )


def _fraction(text: str | None) -> Fraction | None:
    return None if text is None else Fraction(text)


def ballot_result_from_json(data: dict[str, Any] | None) -> BallotResult | None:
    """The `ballots.result` column (written by `ballot_result_json`) as a record; None while the ballot is open."""
    if not data:
        return None
    return BallotResult(
        passed=bool(data["passed"]),
        quorum_met=bool(data["quorum_met"]),
        rule=data["rule"],
        preset=Preset(data["preset"]),
        threshold=Threshold(data["threshold"]),
        yes=int(data["yes"]),
        no=int(data["no"]),
        abstain=int(data["abstain"]),
        yes_area_cm2=int(data.get("yes_area_cm2") or 0),
        no_area_cm2=int(data.get("no_area_cm2") or 0),
        abstain_area_cm2=int(data.get("abstain_area_cm2") or 0),
        approval_heads=_fraction(data.get("approval_heads")),
        approval_area=_fraction(data.get("approval_area")),
        participation_heads=_fraction(data.get("participation_heads")),
        participation_area=_fraction(data.get("participation_area")),
    )


def _fraction_text(value: Fraction | None) -> str | None:
    return None if value is None else f"{value.numerator}/{value.denominator}"


def ballot_result_json(result: BallotResult | None) -> dict[str, Any]:
    """A closed ballot's result as the `ballots.result` column holds it ({} while open); fractions as "n/d"."""
    if result is None:
        return {}
    return {
        "passed": result.passed,
        "quorum_met": result.quorum_met,
        "rule": result.rule,
        "preset": result.preset.value,
        "threshold": result.threshold.value,
        "yes": result.yes,
        "no": result.no,
        "abstain": result.abstain,
        "yes_area_cm2": result.yes_area_cm2,
        "no_area_cm2": result.no_area_cm2,
        "abstain_area_cm2": result.abstain_area_cm2,
        "approval_heads": _fraction_text(result.approval_heads),
        "approval_area": _fraction_text(result.approval_area),
        "participation_heads": _fraction_text(result.participation_heads),
        "participation_area": _fraction_text(result.participation_area),
    }


def event_from_row(row: EventRow) -> Event:
    return Event(row.council_id, row.seq, row.type, row.at, json.loads(row.payload), row.prev_hash, row.hash)


def meeting_from_row(row: MeetingRow) -> Meeting:
    return Meeting(
        row.id,
        row.council_id,
        row.number,
        row.title,
        MeetingState(row.state),
        row.created_at,
        row.starts_at,
        row.opened_at,
        row.adjourned_at,
    )


def assignment_from_row(row: AssignmentRow) -> Assignment:
    return Assignment(
        row.id,
        row.council_id,
        row.motion_id,
        row.number,
        row.assignee_id,
        row.assignee_name,
        row.due_at,
        row.assigned_at,
        AssignmentState(row.state),
        row.done_at,
        row.last_report_at,
        row.rating_closes_at,
        row.closed_at,
        row.result,
    )


def report_from_row(row: ReportRow) -> Report:
    return Report(row.assignment_id, row.member_id, row.name, row.text, row.done, row.at)


def minutes_version_from_row(row: MinutesVersionRow) -> MinutesVersion:
    return MinutesVersion(
        row.id,
        row.council_id,
        row.scope,
        row.version,
        dict(row.body),
        row.markdown,
        row.chain_head,
        row.chain_seq,
        row.created_at,
        row.published_at,
        row.publication_ends_at,
        row.publication_announced_at,
        row.pinned_message_ref,
        row.created_by,
    )
