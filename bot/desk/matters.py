"""一事一议 in the chat: when the matter before the council settles, the first 待议 motion comes up."""

from __future__ import annotations

from dataclasses import replace

from deliberation import usecases
from deliberation.model import Council
from deliberation.ports import Clock, UnitOfWork

from ..i18n import Translator
from .messages import Reply
from .views.motions import motion_card


async def next_matter(uow: UnitOfWork, clock: Clock, council: Council, t: Translator) -> list[Reply]:
    """The first 待议 motion, if nothing is before the council now: its card, with its second button."""
    motion = await usecases.open_next(uow, clock, council)
    if motion is None:
        return []
    mover = await uow.members.get(motion.mover_id)
    card = motion_card(t, council, motion, mover.name if mover else "?")
    return [replace(card, text=t("nantang.dequeued", number=motion.number) + "\n" + card.text)]


def dedupe_key(council: Council, reply: Reply) -> str:
    """One announcement per motion coming up (a retried update queues it once)."""
    return f"dequeued:{council.id}:{reply.subject}"
