"""Where a card or ballot was posted in a chat, so that its message can be edited later."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..database import dialect_insert
from ..models import PostRow


class PostRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def ref(self, chat_key: str, subject: str) -> str | None:
        """The platform's reference to the message posted for `subject` ("ballot:4") in the chat."""
        return (
            await self.session.execute(
                select(PostRow.message_ref).where(PostRow.chat_key == chat_key, PostRow.subject == subject)
            )
        ).scalar_one_or_none()

    async def record(self, chat_key: str, subject: str, message_ref: str, rendered: str | None, at: datetime) -> None:
        """Remember (or replace) the message posted for `subject`, whatever the races."""
        stmt = dialect_insert(self.session, PostRow).values(
            chat_key=chat_key, subject=subject, message_ref=message_ref, rendered=rendered, updated_at=at
        )
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["chat_key", "subject"],
                set_={
                    "message_ref": stmt.excluded.message_ref,
                    "rendered": stmt.excluded.rendered,
                    "updated_at": stmt.excluded.updated_at,
                },
            )
        )

    async def forget_chat(self, chat_key: str) -> None:
        """Message references belong to one chat: after a move they could name other messages."""
        await self.session.execute(delete(PostRow).where(PostRow.chat_key == chat_key))
