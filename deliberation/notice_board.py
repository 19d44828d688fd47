"""The 公示栏 (public notice board): a council's minutes are shown there only once a chair chose to publish
there, at an address nobody can guess (`/p/<slug>`), never one found by counting council numbers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from . import errors
from .model import Actor, Council


@dataclass(frozen=True)
class NoticeBoard:
    """A council's place on the board: its unguessable slug, and whether it publishes there."""

    slug: str
    published: bool

    @property
    def path(self) -> str:
        return f"/p/{self.slug}"


class NoticeBoards(Protocol):
    """The storage's side (storage.repositories.notice_boards.NoticeBoardRepository)."""

    async def of_council(self, council_id: int) -> NoticeBoard: ...
    async def set_published(self, council_id: int, published: bool) -> None: ...
    async def council_at(self, slug: str) -> Council | None:
        """The active council that publishes at `slug`; None for any other slug."""


class HasNoticeBoards(Protocol):
    notice_boards: NoticeBoards


async def publish_on_board(uow: HasNoticeBoards, council: Council, actor: Actor, publish: bool) -> NoticeBoard:
    """A chair turns the council's notice board on (or off); the board as it now is. Never commits."""
    if not actor.is_chair:
        raise errors.RoleRequired(role="chair")
    board = await uow.notice_boards.of_council(council.id)
    if board.published != publish:
        await uow.notice_boards.set_published(council.id, publish)
    return NoticeBoard(board.slug, publish)


async def board_of(uow: HasNoticeBoards, council: Council) -> NoticeBoard:
    """Where the council's board is, and whether it is shown (for a chair asking)."""
    return await uow.notice_boards.of_council(council.id)
