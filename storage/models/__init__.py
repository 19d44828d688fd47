"""Every table on one Base (Alembic sees the whole schema). Times are stored as naive UTC, read back aware."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import NAMING, Base, UTCDateTime

# Tables kept in their own modules, named here too: every table is reachable as storage.models.<Row>.
from .owners import BallotAttemptRow, PaperEntryRow, ProxyRow, TellerRow
from .web import (
    CommunityCouncilRow,
    CommunityRequestRow,
    CommunityRow,
    CommunitySecretaryRow,
    DeskPassRow,
    HallPassRow,
    HallRow,
    HallSessionRow,
    HallWeChatRow,
)


class CouncilRow(Base):
    __tablename__ = "councils"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_key: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(255))
    preset: Mapped[str] = mapped_column(String(32))
    rules: Mapped[dict] = mapped_column(JSON)
    locale: Mapped[str] = mapped_column(String(16))
    timezone: Mapped[str] = mapped_column(String(64))
    has_roster: Mapped[bool] = mapped_column(Boolean, default=False)
    chain_seq: Mapped[int] = mapped_column(Integer, default=0)
    chain_head: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The 公示栏 is at /p/<board_slug>, and only once a chair chose to publish there (never by sequential id).
    board_slug: Mapped[str] = mapped_column(String(32), unique=True, default=lambda: secrets.token_urlsafe(12))
    on_board: Mapped[bool] = mapped_column(Boolean, default=False)


class MemberRow(Base):
    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("council_id", "user_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    user_key: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(255))
    username: Mapped[str | None] = mapped_column(String(255), nullable=True)
    unit: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    roles: Mapped[str] = mapped_column(String(64), default="")


class UnitRow(Base):
    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("council_id", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    owner: Mapped[str] = mapped_column(String(255))
    area_cm2: Mapped[int] = mapped_column(BigInteger)
    from_roster: Mapped[bool] = mapped_column(Boolean, default=False)


class MotionRow(Base):
    __tablename__ = "motions"
    __table_args__ = (UniqueConstraint("council_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    original_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    mover_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    seconder_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("motions.id"), nullable=True, index=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    second_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    debate_closed: Mapped[bool] = mapped_column(Boolean, default=False)
    postponed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    referred_to: Mapped[str | None] = mapped_column(String(255), nullable=True)
    major: Mapped[bool] = mapped_column(Boolean, default=False)


class SpeechRow(Base):
    __tablename__ = "speeches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    motion_id: Mapped[int] = mapped_column(ForeignKey("motions.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    side: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class WarningRow(Base):
    __tablename__ = "warnings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    motion_id: Mapped[int] = mapped_column(ForeignKey("motions.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    by_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class BallotRow(Base):
    __tablename__ = "ballots"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    motion_id: Mapped[int] = mapped_column(ForeignKey("motions.id", ondelete="CASCADE"), index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    threshold: Mapped[str] = mapped_column(String(16))
    secret: Mapped[bool] = mapped_column(Boolean, default=False)
    eligible_voters: Mapped[int] = mapped_column(Integer)
    members: Mapped[int] = mapped_column(Integer)
    total_area_cm2: Mapped[int] = mapped_column(BigInteger, default=0)
    total_owners: Mapped[int] = mapped_column(Integer, default=0)
    present: Mapped[int | None] = mapped_column(Integer, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    rules: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # the council's rules when it opened


class VoteRow(Base):
    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("ballot_id", "voter"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"), index=True)
    voter: Mapped[str] = mapped_column(String(255))
    member_id: Mapped[int] = mapped_column(Integer)
    choice: Mapped[str | None] = mapped_column(String(8), nullable=True)  # open ballots only
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary(64), nullable=True)  # a secret ballot's, sealed
    area_cm2: Mapped[int] = mapped_column(BigInteger, default=0)
    cast_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class BallotRegisterRow(Base):
    """The property register a civil278 ballot counts on, frozen when it opened (deliberation.electorate)."""

    __tablename__ = "ballot_registers"
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True)
    units: Mapped[list] = mapped_column(JSON)  # register_json(...): unit, owner, area_cm2
    digest: Mapped[str] = mapped_column(String(64))  # register_digest(...), also in the chain's ballot.opened


class BallotKeyRow(Base):
    """The key that seals an open secret ballot's choices (storage.sealing); deleted when the ballot closes."""

    __tablename__ = "ballot_keys"
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[bytes] = mapped_column(LargeBinary(32))


class EventRow(Base):
    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("council_id", "seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(64))
    at: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON, exactly as hashed
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class ProcessedUpdateRow(Base):
    """Updates already handled: a re-delivered update is recognised here and ignored."""

    __tablename__ = "processed_updates"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class OutboxRow(Base):
    """Messages to the group, kept until the platform has accepted them."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    council_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    chat_key: Mapped[str] = mapped_column(String(200))
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    message_ref: Mapped[str | None] = mapped_column(String(100), nullable=True)
    dead_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # given up: never sent


class PostRow(Base):
    """Where a card or ballot was posted, so its message can be edited later."""

    __tablename__ = "posts"
    __table_args__ = (UniqueConstraint("chat_key", "subject"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_key: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(100))  # "motion:12", "ballot:4"
    message_ref: Mapped[str] = mapped_column(String(100))
    rendered: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


# ---- meetings, follow-up and reminders ----------------------------------------------------------


class MeetingRow(Base):
    __tablename__ = "meetings"
    __table_args__ = (UniqueConstraint("council_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    adjourned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AttendanceRow(Base):
    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class AssignmentRow(Base):
    __tablename__ = "assignments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    motion_id: Mapped[int] = mapped_column(ForeignKey("motions.id", ondelete="CASCADE"), unique=True)
    number: Mapped[int] = mapped_column(Integer)
    assignee_id: Mapped[int] = mapped_column(Integer)
    assignee_name: Mapped[str] = mapped_column(String(255))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16), index=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_report_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    rating_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    result: Mapped[dict | None] = mapped_column(JSON, nullable=True)


class ReportRow(Base):
    __tablename__ = "reports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class RatingRow(Base):
    __tablename__ = "ratings"
    __table_args__ = (UniqueConstraint("assignment_id", "member_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(Integer)
    choice: Mapped[str] = mapped_column(String(1))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReminderRow(Base):
    """One alarm: the database is the truth; `sent_at` is set exactly once, by whoever claims it first."""

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("kind", "subject_id", "due_at"), Index("ix_reminders_pending", "sent_at", "id"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)  # fired, dropped


class CalledQuestionRow(Base):
    """南塘 11: a question the chair called while debate was still warm; the ballot opens after a quiet spell."""

    __tablename__ = "called_questions"
    __table_args__ = (Index("ix_called_questions_waiting", "state", "opens_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    motion_id: Mapped[int] = mapped_column(ForeignKey("motions.id", ondelete="CASCADE"))
    called_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    quiet_seconds: Mapped[int] = mapped_column(Integer)
    duration_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    secret: Mapped[bool] = mapped_column(Boolean, default=False)
    major: Mapped[bool] = mapped_column(Boolean, default=False)
    called_by: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16))  # waiting, opened, dropped


# ---- minutes --------------------------------------------------------------------------------------


class MinutesVersionRow(Base):
    """One version of the minutes for one scope; a correction adds a row, never rewrites one."""

    __tablename__ = "minutes_versions"
    __table_args__ = (UniqueConstraint("council_id", "scope", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(200))  # deliberation.minutes.Scope.text
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict] = mapped_column(JSON)  # minutes_to_dict(...): re-rendered in any format or language
    markdown: Mapped[str] = mapped_column(Text)  # as drafted, in the council's language
    chain_head: Mapped[str] = mapped_column(String(64))
    chain_seq: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str | None] = mapped_column(String(255), nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    publication_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    publication_announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    pinned_message_ref: Mapped[str | None] = mapped_column(String(100), nullable=True)


__all__ = [
    "AssignmentRow",
    "AttendanceRow",
    "BallotAttemptRow",
    "BallotKeyRow",
    "BallotRegisterRow",
    "BallotRow",
    "Base",
    "CalledQuestionRow",
    "CommunityCouncilRow",
    "CommunityRequestRow",
    "CommunityRow",
    "CommunitySecretaryRow",
    "CouncilRow",
    "DeskPassRow",
    "EventRow",
    "HallPassRow",
    "HallRow",
    "HallSessionRow",
    "HallWeChatRow",
    "MeetingRow",
    "MemberRow",
    "MinutesVersionRow",
    "MotionRow",
    "NAMING",
    "OutboxRow",
    "PaperEntryRow",
    "PostRow",
    "ProcessedUpdateRow",
    "ProxyRow",
    "RatingRow",
    "ReminderRow",
    "ReportRow",
    "SpeechRow",
    "TellerRow",
    "UTCDateTime",
    "UnitRow",
    "VoteRow",
    "WarningRow",
]
