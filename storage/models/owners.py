"""Tables of owners' votes from every channel (civil278, spec §4a)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import NAMING, Base, UTCDateTime  # noqa: F401

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
