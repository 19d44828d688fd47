"""The minutes_versions table: every drafted-and-published version of a council's minutes, kept forever."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, UTCDateTime


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
