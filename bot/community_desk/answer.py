"""The council's group is told a community secretary's answer to its request to join, through the outbox (in
the same transaction as the decision, as other announcements are)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from deliberation.community import Community, JoinRequest

from ..desk.messages import Reply
from ..desk.outbox_rows import enqueue
from ..i18n import Translator


async def tell_council(uow: Any, found: Community, decided: JoinRequest, now: datetime) -> bool:
    """Queue the answer for the council's chat, in its language; False when the council is gone."""
    council = await uow.councils.get_optional(decided.council_id)
    if council is None:
        return False
    t = Translator(council.locale)
    key = "community.told.approved" if decided.state == "approved" else "community.told.refused"
    return await enqueue(
        uow,
        chat_key=council.chat_key,
        reply=Reply(t(key, name=found.name)),
        at=now,
        council_id=council.id,
        dedupe_key=f"community-answer:{decided.id}",
    )
