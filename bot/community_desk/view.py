"""What the desk shows, read in a handful of bulk queries whatever the number of councils."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from deliberation.community import Community
from deliberation.ledger import outcome_of

from . import charts
from .xlsx import Words

HISTORY_MONTHS = 6
PARTICIPATION_DAYS = 90
_FAR = datetime.max.replace(tzinfo=ZoneInfo("UTC"))


@dataclass
class CouncilCard:
    id: int
    title: str
    timezone: str
    hall: str | None  # /h/<slug> when the hall has made the council's address
    open_items: list[Any] = field(default_factory=list)  # storage OpenItem rows, closing soon first
    overdue: list[Any] = field(default_factory=list)
    last_published: datetime | None = None
    publicity_ends: datetime | None = None

    @property
    def publicity_running(self) -> bool:
        return self.publicity_ends is not None

    @property
    def next_close(self) -> datetime:
        closing = [i.closes_at for i in self.open_items if i.closes_at is not None]
        return min(closing) if closing else _FAR


@dataclass
class DeskView:
    community: Community
    now: datetime
    timezone: str
    cards: list[CouncilCard]
    participation: list[tuple[datetime, str, int, int]]
    outcomes: dict[str, dict[str, int]]
    delivery: dict[str, int]
    satisfaction: dict[str, tuple[int, int, int]]
    requests: list[tuple[int, str, str, datetime]] = field(default_factory=list)  # council id, title, by, when

    def charts(self, w: Words) -> list[charts.Chart]:
        return [
            charts.participation(self.participation, w),
            charts.outcomes(self.outcomes, w),
            charts.delivery(self.delivery, w),
            charts.satisfaction(self.satisfaction, w),
        ]


def delivery_state(due_at: datetime, done_at: datetime | None, now: datetime) -> str:
    """As the ledger counts it: done by the due time, done late, overdue, or still in time."""
    if done_at is not None:
        return "on_time" if done_at <= due_at else "late"
    return "overdue" if due_at < now else "in_progress"


def _months_back(now: datetime, zone: ZoneInfo, count: int) -> list[str]:
    local = now.astimezone(zone)
    year, month = local.year, local.month
    found = []
    for _ in range(count):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return sorted(found)


async def desk_view(uow: Any, community: Community, now: datetime) -> DeskView:
    store = uow.communities
    councils = await store.councils(community.id)
    ids = [c.id for c in councils]
    zone_name = councils[0].timezone if councils else "Asia/Shanghai"
    zone = ZoneInfo(zone_name)
    halls = await store.hall_slugs(ids)
    cards = {c.id: CouncilCard(c.id, c.title, c.timezone, halls.get(c.id)) for c in councils}
    for item in await store.open_items(ids):
        cards[item.council_id].open_items.append(item)
    states: Counter[str] = Counter()
    for due in await store.assignments_of(ids):
        state = delivery_state(due.due_at, due.done_at, now)
        states[state] += 1
        if state == "overdue":
            cards[due.council_id].overdue.append(due)
    for council_id, (at, ends, _scope) in (await store.last_published(ids)).items():
        card = cards[council_id]
        card.last_published = at
        card.publicity_ends = ends if ends is not None and ends > now else None
    for card in cards.values():
        card.open_items.sort(key=lambda i: (i.closes_at is None, i.closes_at or now, i.number))
        card.overdue.sort(key=lambda d: d.due_at)
    ordered = sorted(cards.values(), key=lambda c: (c.next_close, -len(c.overdue), c.title, c.id))

    titles = {c.id: c.title for c in councils}
    points = [
        (b.closed_at, f"{titles[b.council_id]} #{b.number}", b.voted, b.eligible)
        for b in await store.closed_ballots(ids, now - timedelta(days=PARTICIPATION_DAYS))
    ]
    months = _months_back(now, zone, HISTORY_MONTHS)
    start = datetime.fromisoformat(months[0] + "-01").replace(tzinfo=zone)
    by_month: dict[str, dict[str, int]] = {m: {} for m in months}
    for raised_at, state in await store.outcomes_by_month(ids, start):
        key = raised_at.astimezone(zone).strftime("%Y-%m")
        if key in by_month:
            outcome = outcome_of(state)
            by_month[key][outcome] = by_month[key].get(outcome, 0) + 1
    ratings = await store.ratings_of(ids)
    satisfaction = {titles[c]: (r.get("s", 0), r.get("b", 0), r.get("u", 0)) for c, r in ratings.items() if c in titles}
    requests = []
    for request in await store.pending(community.id):
        council = await uow.councils.get_optional(request.council_id)
        if council is not None:
            requests.append((council.id, council.title, request.requested_by, request.requested_at))
    return DeskView(community, now, zone_name, ordered, points, by_month, dict(states), satisfaction, requests)
