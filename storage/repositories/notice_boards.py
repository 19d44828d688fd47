"""The 公示栏 columns of the councils table: each council's unguessable slug and whether it publishes there."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from deliberation.model import Council
from deliberation.notice_board import NoticeBoard

from ..mapping import council_from_row
from ..models import CouncilRow

SLUG_LIMIT = 32  # the column's width: a longer path names no council


class NoticeBoardRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of_council(self, council_id: int) -> NoticeBoard:
        slug, published = (
            await self.session.execute(
                select(CouncilRow.board_slug, CouncilRow.on_board).where(CouncilRow.id == council_id)
            )
        ).one()
        return NoticeBoard(slug, bool(published))

    async def set_published(self, council_id: int, published: bool) -> None:
        await self.session.execute(update(CouncilRow).where(CouncilRow.id == council_id).values(on_board=published))

    async def council_at(self, slug: str) -> Council | None:
        """The active council publishing at `slug`; None for any other slug (a number, an unpublished one)."""
        if not slug or len(slug) > SLUG_LIMIT:
            return None
        row = (
            await self.session.execute(
                select(CouncilRow).where(
                    CouncilRow.board_slug == slug, CouncilRow.on_board.is_(True), CouncilRow.active.is_(True)
                )
            )
        ).scalar_one_or_none()
        return None if row is None else council_from_row(row)
