"""Names of the events in a council's chain, and whose vote a vote is: each written once."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .model import BallotResult, Member, Rules

COUNCIL_SETUP = "council.setup"
COUNCIL_RULES = "council.rules"
COUNCIL_RULE_SET = "council.rule_set"  # /set: one rule changed {rule, value, by}
COUNCIL_LANGUAGE = "council.language"
COUNCIL_MOVED = "council.moved"
COUNCIL_RETIRED = "council.retired"
COUNCIL_RESTORED = "council.restored"
ROSTER_IMPORTED = "roster.imported"
COUNCIL_NAMED = "council.named"  # the council's formal name (/name), used in the record instead of the chat title

MEMBER_JOINED = "member.joined"
MEMBER_APPROVED = "member.approved"
MEMBER_REJECTED = "member.rejected"  # a chair refused a pending join
ROLE_ASSIGNED = "role.assigned"
ROLE_REVOKED = "role.revoked"
MEMBER_REMOVED = "member.removed"  # by a chair
MEMBER_LEFT = "member.left"  # the platform said the person left (or was banned from) the group
MEMBER_WARNED = "member.warned"

MOTION_RAISED = "motion.raised"
MOTION_SECONDED = "motion.seconded"
SPEECH_RECORDED = "speech.recorded"
MOTION_WITHDRAWN = "motion.withdrawn"
MOTION_LAPSED = "motion.lapsed"
MOTION_RESUMED = "motion.resumed"
MOTION_AMENDED = "motion.amended"
DEBATE_CLOSED = "debate.closed"
MOTION_POSTPONED = "motion.postponed"
MOTION_REFERRED = "motion.referred"
MOTION_QUEUED = "motion.queued"  # 一事一议: raised while another matter is before the council; waits as 待议
MOTION_DEQUEUED = "motion.dequeued"  # the matter before it settled: the waiting motion comes up
QUESTION_CALLED = "question.called"  # 南塘 11: "还有人要发言吗？" — the ballot opens after a quiet spell

BALLOT_OPENED = "ballot.opened"
VOTE_CAST = "vote.cast"
BALLOT_CLOSED = "ballot.closed"
TELLER_APPOINTED = "teller.appointed"  # civil278 channels (deliberation.channels)
TELLER_REMOVED = "teller.removed"
SLIP_ENTERED = "slip.entered"  # a teller's entry of a paper slip; no choice for a secret ballot
PROXY_GRANTED = "proxy.granted"

MEETING_SCHEDULED = "meeting.scheduled"
MEETING_CANCELLED = "meeting.cancelled"
MEETING_OPENED = "meeting.opened"
ATTENDANCE_RECORDED = "attendance.recorded"
MEETING_ADJOURNED = "meeting.adjourned"
MEETING_PLACE = "meeting.place"  # where a meeting sits (/place)
AGENDA_ADDED = "agenda.added"  # one item on a meeting's agenda (/agenda)
MINUTES_APPROVED = "minutes.approved"  # a meeting approved the previous meeting's minutes (/minutes approve)
ORDER_RAISED = "order.raised"  # a point of order (/order)
ORDER_RULED = "order.ruled"  # the chair's ruling on it, with the reason or rule cited (/ruling)
TELLER_APPOINTED = "teller.appointed"  # a 计票人 or 监票人 (/teller)

ASSIGNMENT_MADE = "assignment.made"
REPORT_RECORDED = "report.recorded"
RATING_OPENED = "rating.opened"
RATING_CAST = "rating.cast"
RATING_CLOSED = "rating.closed"

PUBLICATION_ENDED = "publication.ended"  # the 公示 period of a minutes version ended


def voter_key(rules: Rules, member: Member, owner: str | None = None) -> str:
    """Whose vote it is: one per owner under civil278 (art. 278 counts owners), one per member otherwise.

    `owner` is the owner of the member's unit; a weighted council cannot count a vote without one.
    """
    if rules.weighted:
        if owner is None:
            raise ValueError(f"member {member.id} has no owner to vote for")
        return owner_voter_key(owner)
    return f"m{member.id}"


def owner_voter_key(owner: str) -> str:
    """The voter key of an owner's one vote under civil278, whoever cast it (a paper slip has no member)."""
    return f"o:{owner}"


def _fraction(value: Fraction | None) -> str | None:
    return None if value is None else f"{value.numerator}/{value.denominator}"


def ballot_result_payload(result: BallotResult) -> dict[str, Any]:
    """The figures of a closed ballot as the `ballot.closed` event carries them (fractions as "n/d")."""
    return {
        "passed": result.passed,
        "quorum_met": result.quorum_met,
        "rule": result.rule,
        "preset": str(result.preset),
        "threshold": str(result.threshold),
        "yes": result.yes,
        "no": result.no,
        "abstain": result.abstain,
        "yes_area_cm2": result.yes_area_cm2,
        "no_area_cm2": result.no_area_cm2,
        "abstain_area_cm2": result.abstain_area_cm2,
        "approval_heads": _fraction(result.approval_heads),
        "approval_area": _fraction(result.approval_area),
        "participation_heads": _fraction(result.participation_heads),
        "participation_area": _fraction(result.participation_area),
    }
