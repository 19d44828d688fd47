"""The monthly ledger assembled from the store: each council's events replayed (deliberation.ledger)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from deliberation.community import Community
from deliberation.ledger import Ledger, Month, council_ledger


async def build_ledger(uow: Any, community: Community, month: Month, now: datetime) -> Ledger:
    """The ledger of `community` for `month`: one part per council, replayed from its hash-chained events."""
    councils = await uow.communities.councils(community.id)
    ids = [c.id for c in councils]
    events = await uow.communities.events_of(ids)
    versions = await uow.communities.versions_of(ids)
    parts = [
        council_ledger(
            council_id=c.id,
            council=c.title,
            timezone=c.timezone,
            events=events[c.id],
            versions=versions[c.id],
            month=month,
            now=now,
        )
        for c in councils
    ]
    return Ledger(community.name, month, now, parts)
