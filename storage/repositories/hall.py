"""The hall's sign-in records: each council's slug, one-time passes and device sessions (bot.hall.signin)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from deliberation.model import Council

from ..mapping import council_from_row
from ..models import CouncilRow, HallPassRow, HallRow, HallSessionRow, HallWeChatRow

SLUG_LIMIT = 32


@dataclass(frozen=True)
class HallPass:
    kind: str  # "link" (a member's personal link) or "invite" (a unit's invite code)
    council_id: int
    member_id: int | None
    unit: str | None
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class HallSession:
    council_id: int
    member_id: int
    csrf: str
    expires_at: datetime
    revoked_at: datetime | None
    flash: str | None
    flash_refused: bool


class HallRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # ---- the address ------------------------------------------------------------------------------

    async def slug_of(self, council_id: int) -> str:
        """The council's hall slug, made now if it has none yet."""
        slug = (
            await self.session.execute(select(HallRow.slug).where(HallRow.council_id == council_id))
        ).scalar_one_or_none()
        if slug is None:
            slug = secrets.token_urlsafe(12)
            self.session.add(HallRow(council_id=council_id, slug=slug))
            await self.session.flush()
        return slug

    async def council_at(self, slug: str) -> Council | None:
        if not slug or len(slug) > SLUG_LIMIT:
            return None
        row = (
            await self.session.execute(
                select(CouncilRow)
                .join(HallRow, HallRow.council_id == CouncilRow.id)
                .where(HallRow.slug == slug, CouncilRow.active.is_(True))
            )
        ).scalar_one_or_none()
        return None if row is None else council_from_row(row)

    # ---- one-time passes --------------------------------------------------------------------------

    async def add_pass(
        self,
        token_hash: str,
        *,
        kind: str,
        council_id: int,
        at: datetime,
        expires_at: datetime,
        member_id: int | None = None,
        unit: str | None = None,
    ) -> None:
        self.session.add(
            HallPassRow(
                token_hash=token_hash,
                kind=kind,
                council_id=council_id,
                member_id=member_id,
                unit=unit,
                created_at=at,
                expires_at=expires_at,
            )
        )
        await self.session.flush()

    async def find_pass(self, token_hash: str) -> HallPass | None:
        row = await self.session.get(HallPassRow, token_hash)
        if row is None:
            return None
        return HallPass(row.kind, row.council_id, row.member_id, row.unit, row.expires_at, row.used_at, row.revoked_at)

    async def use_pass(self, token_hash: str, at: datetime) -> bool:
        """Mark an unused, unrevoked pass used; False when another request used it first."""
        done = await self.session.execute(
            update(HallPassRow)
            .where(
                HallPassRow.token_hash == token_hash, HallPassRow.used_at.is_(None), HallPassRow.revoked_at.is_(None)
            )
            .values(used_at=at)
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]

    async def revoke_member(self, council_id: int, member_id: int, at: datetime) -> int:
        """Revoke a member's unused links and every session: how many were revoked."""
        links = await self.session.execute(
            update(HallPassRow)
            .where(
                HallPassRow.council_id == council_id,
                HallPassRow.member_id == member_id,
                HallPassRow.revoked_at.is_(None),
                HallPassRow.used_at.is_(None),
            )
            .values(revoked_at=at)
        )
        sessions = await self.session.execute(
            update(HallSessionRow)
            .where(
                HallSessionRow.council_id == council_id,
                HallSessionRow.member_id == member_id,
                HallSessionRow.revoked_at.is_(None),
            )
            .values(revoked_at=at)
        )
        return int(links.rowcount) + int(sessions.rowcount)  # type: ignore[attr-defined]

    # ---- device sessions --------------------------------------------------------------------------

    async def add_session(
        self, token_hash: str, *, council_id: int, member_id: int, csrf: str, at: datetime, expires_at: datetime
    ) -> None:
        self.session.add(
            HallSessionRow(
                token_hash=token_hash,
                council_id=council_id,
                member_id=member_id,
                csrf=csrf,
                created_at=at,
                expires_at=expires_at,
                flash_refused=False,
            )
        )
        await self.session.flush()

    async def find_session(self, token_hash: str) -> HallSession | None:
        row = await self.session.get(HallSessionRow, token_hash)
        if row is None:
            return None
        return HallSession(
            row.council_id, row.member_id, row.csrf, row.expires_at, row.revoked_at, row.flash, bool(row.flash_refused)
        )

    async def set_flash(self, token_hash: str, text: str | None, refused: bool = False) -> None:
        await self.session.execute(
            update(HallSessionRow)
            .where(HallSessionRow.token_hash == token_hash)
            .values(flash=text, flash_refused=refused)
        )

    async def revoke_session(self, token_hash: str, at: datetime) -> None:
        await self.session.execute(
            update(HallSessionRow).where(HallSessionRow.token_hash == token_hash).values(revoked_at=at)
        )

    # ---- WeChat Official Account users --------------------------------------------------------------

    async def wechat_member(self, council_id: int, openid: str) -> int | None:
        row = await self.session.get(HallWeChatRow, (council_id, openid))
        return None if row is None else row.member_id

    async def bind_wechat(self, council_id: int, openid: str, member_id: int, at: datetime) -> None:
        """Recognise this openid as this member from now on (a later binding replaces an earlier one)."""
        row = await self.session.get(HallWeChatRow, (council_id, openid))
        if row is None:
            self.session.add(HallWeChatRow(council_id=council_id, openid=openid, member_id=member_id, created_at=at))
        else:
            row.member_id = member_id
        await self.session.flush()
