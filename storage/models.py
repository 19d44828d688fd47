"""Every table on one Base (Alembic sees the whole schema). Times are stored as naive UTC, read back aware."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, whatever the database keeps."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    # Every model maps one plain table, so the repositories' Core statements may take `Model.__table__`.
    __table__: ClassVar[Table]


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


# ---- the hall (议事厅): web sign-in ------------------------------------------------------------------


class HallRow(Base):
    """A council's hall address: `/h/<slug>`, an unguessable slug made when the hall is first asked for."""

    __tablename__ = "hall_councils"
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id", ondelete="CASCADE"), primary_key=True)
    slug: Mapped[str] = mapped_column(String(32), unique=True)


class HallPassRow(Base):
    """A one-time way in: a personal link (`kind` "link", for a member) or a unit's invite code ("invite").

    Only the SHA-256 of the secret is kept; a pass is used once, expires and can be revoked.
    """

    __tablename__ = "hall_passes"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    unit: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class HallSessionRow(Base):
    """A device signed in to a council's hall (the cookie's SHA-256), its CSRF token and its next notice."""

    __tablename__ = "hall_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(Integer, index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    flash: Mapped[str | None] = mapped_column(Text, nullable=True)  # shown once after POST-redirect-GET
    flash_refused: Mapped[bool] = mapped_column(Boolean, default=False)


class HallWeChatRow(Base):
    """A WeChat Official Account user (their openid for the account) recognised as a member of a council."""

    __tablename__ = "hall_wechat"
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id", ondelete="CASCADE"), primary_key=True)
    openid: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


# ---- civil278 channels (spec §4a): tellers, paper entries, the attempts ledger, proxies --------------------


class TellerRow(Base):
    """A teller of the council (计票人 or 监票人), appointed by the chair; serves every ballot until removed."""

    __tablename__ = "tellers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    appointed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class PaperEntryRow(Base):
    """One teller's entry of a returned paper slip; a secret ballot's choice is sealed and destroyed at close."""

    __tablename__ = "paper_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"), index=True)
    owner: Mapped[str] = mapped_column(String(255))
    teller_id: Mapped[int] = mapped_column(Integer)
    teller: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    choice: Mapped[str | None] = mapped_column(String(8), nullable=True)
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary(64), nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    replaced: Mapped[bool] = mapped_column(Boolean, default=False)


class BallotAttemptRow(Base):
    """Every accepted vote attempt with its channel and time; `counted` marks the one that counts per owner."""

    __tablename__ = "ballot_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"), index=True)
    owner: Mapped[str] = mapped_column(String(255))
    channel: Mapped[str] = mapped_column(String(16))
    by: Mapped[str] = mapped_column(String(255))
    member_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    choice: Mapped[str | None] = mapped_column(String(8), nullable=True)  # open ballots only
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary(64), nullable=True)  # a secret ballot's, until close
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    counted: Mapped[bool] = mapped_column(Boolean, default=False)


class ProxyRow(Base):
    """A written proxy (委托书): the holder votes for the owner; the signed paper's photo kept when given."""

    __tablename__ = "proxies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    owner: Mapped[str] = mapped_column(String(255))
    unit: Mapped[str] = mapped_column(String(64))
    holder_id: Mapped[int] = mapped_column(Integer)
    holder: Mapped[str] = mapped_column(String(255))
    granted_by: Mapped[str] = mapped_column(String(255))
    via: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    file_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    file_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    file_bytes: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


# ---- communities (社区) and their desk --------------------------------------------------------------


class CommunityRow(Base):
    """A community groups councils; its desk is at /c/<slug>; a chair asks to join with its code."""

    __tablename__ = "communities"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CommunityCouncilRow(Base):
    """A council in a community: the council is the key, so it belongs to at most one."""

    __tablename__ = "community_councils"
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id", ondelete="CASCADE"), primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CommunitySecretaryRow(Base):
    __tablename__ = "community_secretaries"
    __table_args__ = (UniqueConstraint("community_id", "user_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    user_key: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(255))


class CommunityRequestRow(Base):
    """A chair's request for the council to join a community, until a secretary decides."""

    __tablename__ = "community_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    requested_by: Mapped[str] = mapped_column(String(255))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    decided_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class DeskPassRow(Base):
    """A secretary's personal link to the desk: only the SHA-256 of its secret is kept; it can be revoked."""

    __tablename__ = "desk_passes"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    user_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
