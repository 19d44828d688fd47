"""Telegram's chat realities in the database: where cards were posted, migrated groups, removed bots."""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import async_sessionmaker

from deliberation.model import Council
from storage.models import CouncilRow, OutboxRow, PostRow
from storage.uow import SqlUnitOfWork

log = logging.getLogger(__name__)

PLATFORM = "telegram"


def chat_key(chat_id: int | str) -> str:
    return f"{PLATFORM}:{chat_id}"


def chat_id_of(key: str) -> int | None:
    """"telegram:-100123" -> -100123; a key of another platform -> None."""
    platform, _, chat = key.partition(":")
    if platform != PLATFORM:
        return None
    try:
        return int(chat)
    except ValueError:
        return None


def _now() -> datetime:
    return datetime.now(timezone.utc)


class TelegramChats:
    """Remembers posted messages per subject and follows a council when its chat changes."""

    def __init__(self, sessions: async_sessionmaker) -> None:
        self.sessions = sessions

    # ---- posts: "ballot:4" in a chat -> the Telegram message to edit --------------------------

    async def post_ref(self, chat_id: int, subject: str) -> int | None:
        async with self.sessions() as session:
            ref = (await session.execute(select(PostRow.message_ref).where(
                PostRow.chat_key == chat_key(chat_id), PostRow.subject == subject))).scalar_one_or_none()
        try:
            return int(ref) if ref else None
        except ValueError:
            return None

    async def record_post(self, chat_id: int, subject: str, message_id: int, rendered: str | None = None) -> None:
        async with self.sessions() as session:
            dialect = session.bind.dialect.name
            insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(PostRow)
            stmt = insert.values(chat_key=chat_key(chat_id), subject=subject, message_ref=str(message_id),
                                 rendered=rendered, updated_at=_now())
            await session.execute(stmt.on_conflict_do_update(
                index_elements=["chat_key", "subject"],
                set_={"message_ref": stmt.excluded.message_ref, "rendered": stmt.excluded.rendered,
                      "updated_at": stmt.excluded.updated_at}))
            await session.commit()

    # ---- councils --------------------------------------------------------------------------------

    async def council(self, chat_id: int) -> Council | None:
        async with SqlUnitOfWork(self.sessions) as uow:
            return await uow.councils.by_chat(chat_key(chat_id))

    async def migrate(self, old_chat_id: int, new_chat_id: int) -> Council | None:
        """A group became a supergroup: the council, its queued announcements and posts follow.

        Returns the moved council, or None when there was nothing to move (already moved, or no
        council). Posts are forgotten rather than moved: message ids belong to one chat, so an
        old id could name a different message in the new chat; the next edit posts afresh.
        """
        old_key, new_key = chat_key(old_chat_id), chat_key(new_chat_id)
        async with SqlUnitOfWork(self.sessions) as uow:
            session = uow.session
            await session.execute(update(OutboxRow).where(
                OutboxRow.chat_key == old_key, OutboxRow.sent_at.is_(None)).values(chat_key=new_key))
            await session.execute(delete(PostRow).where(PostRow.chat_key == old_key))
            moved = None
            taken = (await session.execute(select(CouncilRow.id).where(CouncilRow.chat_key == new_key))).first()
            row = (await session.execute(select(CouncilRow.id, CouncilRow.active).where(
                CouncilRow.chat_key == old_key))).first()
            if row is not None and taken is None:
                await uow.councils.lock(row.id)
                # Conditional, so that two workers hearing of the same migration move it once.
                result = await session.execute(update(CouncilRow).where(
                    CouncilRow.id == row.id, CouncilRow.chat_key == old_key).values(chat_key=new_key))
                if result.rowcount == 1:
                    await uow.events.append(row.id, "council.moved", _now(),
                                            {"from": old_key, "to": new_key, "reason": "supergroup"})
                    moved = await uow.councils.get(row.id) if row.active else None
            await uow.commit()
        if moved is not None:
            log.info("council %s moved from %s to %s", moved.id, old_key, new_key)
        return moved

    async def retire(self, chat_id: int, reason: str) -> Council | None:
        """The bot left the group (removed, kicked, forbidden): deactivate its council, drop its queue."""
        key = chat_key(chat_id)
        async with SqlUnitOfWork(self.sessions) as uow:
            council = await uow.councils.by_chat(key)
            await uow.session.execute(delete(OutboxRow).where(OutboxRow.chat_key == key, OutboxRow.sent_at.is_(None)))
            if council is not None:
                await uow.councils.lock(council.id)
                await uow.councils.deactivate(council.id)
                await uow.events.append(council.id, "council.retired", _now(), {"chat": key, "reason": reason})
            await uow.commit()
        if council is not None:
            log.warning("council %s in %s deactivated: %s", council.id, key, reason)
        return council

    async def restore(self, chat_id: int) -> Council | None:
        """The bot was added back to a group that had a council: the council resumes."""
        key = chat_key(chat_id)
        async with SqlUnitOfWork(self.sessions) as uow:
            council_id = (await uow.session.execute(select(CouncilRow.id).where(
                CouncilRow.chat_key == key, CouncilRow.active.is_(False)))).scalar_one_or_none()
            if council_id is None:
                return None
            await uow.session.execute(update(CouncilRow).where(CouncilRow.id == council_id).values(active=True))
            await uow.events.append(council_id, "council.restored", _now(), {"chat": key})
            council = await uow.councils.get(council_id)
            await uow.commit()
            return council
