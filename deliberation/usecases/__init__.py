"""Use cases: one function per thing a person (or the clock) does; each takes a unit of work and a clock.

Every use case locks the council, checks the rules, changes the records and appends to the event
chain, all in the caller's transaction: use cases never commit (the desk or the alarm commits once
for the whole update). A refusal raises a DeliberationError before anything is written that the
caller would keep; the caller rolls back. The modules hold one area each; everything callers use is
named here, so `usecases.second_motion(...)` reads the same wherever it is written.
"""

from __future__ import annotations

from .ballots import ClosedBallot, VoteRecorded, cast_vote, cast_votes, close_ballot, find_ballot, put_question
from .council import import_roster, parse_preset, set_language, setup_council
from .evidence import EvidenceRecord, evidence_record, evidence_sections
from .evidence_channels import channel_sections
from .follow_up import (
    RatingClosed,
    RatingRecorded,
    assign,
    assignment_for,
    close_rating,
    open_rating,
    rate,
    report,
    split_done,
)
from .matters import MotionQueued, is_queued, matter_before, open_next, queue
from .meetings import (
    EARLY_OPEN,
    LATE_OPEN,
    MeetingSummary,
    Presence,
    adjourn,
    cancel_meeting,
    open_meeting,
    record_presence,
    schedule_meeting,
    upcoming_meetings,
)
from .membership import (
    MAX_AREA_CM2,
    approve,
    assign_role,
    join,
    mark_left,
    may_vote,
    parse_area,
    reject,
    remove_member,
    revoke_chair,
    voting_refusal,
)
from .motions import (
    REFERRAL_MAX,
    Warned,
    lapse,
    raise_motion,
    referral_target,
    resume,
    second_motion,
    speak,
    warn,
    withdraw,
)
from .nantang import Called, QuestionOpened, RuleSet, call_question, open_called_question, set_rule
from .owners import (
    BallotProgress,
    OwnersBallot,
    Register,
    Slip,
    ballot_progress,
    owners_ballot,
    paper_slips,
    register_now,
)
from .presence import present_count
from .reading import MotionHistory, ballot_for, ballot_for_typed_vote, motion_history, open_items, speeches_left
from .steps import find_member, find_motion, record_event, require_chair, require_member

__all__ = [
    "EARLY_OPEN",
    "LATE_OPEN",
    "MAX_AREA_CM2",
    "REFERRAL_MAX",
    "BallotProgress",
    "Called",
    "ClosedBallot",
    "EvidenceRecord",
    "OwnersBallot",
    "Register",
    "Slip",
    "ballot_progress",
    "evidence_record",
    "evidence_sections",
    "channel_sections",
    "owners_ballot",
    "paper_slips",
    "register_now",
    "MeetingSummary",
    "MotionHistory",
    "MotionQueued",
    "Presence",
    "QuestionOpened",
    "RatingClosed",
    "RatingRecorded",
    "RuleSet",
    "VoteRecorded",
    "Warned",
    "adjourn",
    "approve",
    "assign",
    "assign_role",
    "assignment_for",
    "ballot_for",
    "ballot_for_typed_vote",
    "call_question",
    "cancel_meeting",
    "cast_vote",
    "cast_votes",
    "close_ballot",
    "close_rating",
    "find_ballot",
    "find_member",
    "find_motion",
    "import_roster",
    "is_queued",
    "join",
    "lapse",
    "mark_left",
    "matter_before",
    "may_vote",
    "motion_history",
    "open_called_question",
    "open_items",
    "open_meeting",
    "open_next",
    "open_rating",
    "parse_area",
    "parse_preset",
    "present_count",
    "put_question",
    "queue",
    "raise_motion",
    "rate",
    "record_event",
    "record_presence",
    "reject",
    "remove_member",
    "referral_target",
    "report",
    "require_chair",
    "require_member",
    "resume",
    "revoke_chair",
    "schedule_meeting",
    "second_motion",
    "set_language",
    "set_rule",
    "setup_council",
    "speak",
    "speeches_left",
    "split_done",
    "upcoming_meetings",
    "voting_refusal",
    "warn",
    "withdraw",
]
