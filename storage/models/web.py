"""Tables of the web pages: the hall's sign-in and the communities with their desk."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import NAMING, Base, UTCDateTime  # noqa: F401

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
