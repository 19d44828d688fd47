"""The notice that tells a council's chairs an announcement could not be delivered (an outbox dead letter)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from deliberation.model import Role

from .desk.messages import Reply
from .desk.outbox_rows import reply_to_json
from .i18n import Translator

NOTICE_KEY = "dead-letter:"  # dedupe key prefix: one notice per dead row, and none about a notice
ABOUT_LIMIT = 60


class QueuedRow(Protocol):
    """An outbox row as the drainer reads it (storage.repositories.outbox.Queued)."""

    @property
    def id(self) -> int: ...
    @property
    def chat_key(self) -> str: ...
    @property
    def payload(self) -> dict[str, Any]: ...
    @property
    def attempts(self) -> int: ...
    @property
    def next_attempt_at(self) -> datetime: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def council_id(self) -> int | None: ...
    @property
    def dedupe_key(self) -> str | None: ...


async def queue_dead_letter_notice(uow: Any, row: QueuedRow, now: datetime) -> int | None:
    """Queue, in `uow`'s transaction, the notice to the council's chat naming its chairs; its row id.

    None when the row belongs to no council (or one that is gone), when it was itself such a notice (the
    chat is unreachable: a notice about the notice would fail the same way), or when it was told before.
    """
    if row.council_id is None or (row.dedupe_key or "").startswith(NOTICE_KEY):
        return None
    council = await uow.councils.get_active(row.council_id)
    if council is None:
        return None
    t = Translator(council.locale)
    members = await uow.members.all(council.id)
    chairs = "、".join(m.name for m in members if m.has(Role.CHAIR)) or "—"
    reply = Reply(
        t("outbox.dead_letter", chairs=chairs, about=await _about(uow, council.id, row, t)),
        title=t("outbox.dead_letter_title"),
    )
    return await uow.outbox.add(
        chat_key=council.chat_key,
        payload=reply_to_json(reply),
        at=now,
        council_id=council.id,
        dedupe_key=f"{NOTICE_KEY}{row.id}",
    )


async def _about(uow: Any, council_id: int, row: QueuedRow, t: Translator) -> str:
    """What the lost message was about, in a few words; never a private message's content (a ballot link)."""
    payload = row.payload
    if payload.get("private"):
        member = await uow.members.by_user(council_id, row.chat_key)
        return t("outbox.dead_letter.private", name=member.name if member else "—")
    if payload.get("drop_buttons") or not (payload.get("title") or payload.get("text")):
        return t("outbox.dead_letter.edit")
    words = str(payload.get("title") or payload.get("text")).strip().splitlines()[0]
    return words if len(words) <= ABOUT_LIMIT else words[: ABOUT_LIMIT - 1] + "…"
