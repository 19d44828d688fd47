"""The receipts 公示 of a closed civil278 ballot: the codes counted; unit and choice only for an open ballot."""

from __future__ import annotations

from deliberation.model import Ballot, Motion
from deliberation.ports import UnitOfWork
from deliberation.usecases import ledger

from ...i18n import Translator
from ..messages import Reply


async def receipts_reply(t: Translator, uow: UnitOfWork, motion: Motion, ballot: Ballot) -> Reply | None:
    """The list of receipt codes counted, or None for a ballot without an attempts ledger (not civil278)."""
    lines = await ledger.counted_receipts(uow, ballot)
    if not lines:
        return None
    text = "\n".join(
        t("channels.receipts.line_secret", receipt=line.receipt)
        if ballot.secret
        else t(
            "channels.receipts.line",
            receipt=line.receipt,
            units=line.units,
            choice="—" if line.choice is None else t(f"choice.{line.choice.value}"),
        )
        for line in lines
    )
    return Reply(text, title=t("channels.receipts.title", number=motion.number, count=len(lines)))
