"""Minutes use cases: draft, publish (公示), list versions, end the period, choose what to export, verify the chain.

Each takes the caller's unit of work and never commits: the desk (or the alarm, or the command line)
commits once. The policy (who may publish, the period, when a version is new) is `deliberation.publication`.
A council is named by its id (int) or its chat key (str). Wording and files are the caller's: the place
line and the Markdown kept with each version come in as arguments.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from .. import errors, publication
from ..chain import Event, Verdict, verify
from ..delivery import meeting_quorum
from ..model import Actor, Council
from ..ports import UnitOfWork
from .errors import ChainBroken, EmptyScope, MeetingNotFound, NothingPublished
from .model import Minutes
from .replay import build_minutes
from .scope import Scope, parse_scope
from .versions import MinutesVersion, content_key, minutes_to_dict

CouncilRef = int | str
MEETING_OPENED = "meeting.opened"  # the event that names the latest meeting


@dataclass(frozen=True)
class Drafted:
    """The minutes as they would be published now (nothing stored), with the version they would carry."""

    council: Council
    scope: Scope
    minutes: Minutes


@dataclass(frozen=True)
class Published:
    """What `/publish` stored (or found unchanged), and the version it corrects, if any."""

    council: Council
    version: MinutesVersion
    minutes: Minutes
    previous: MinutesVersion | None
    unchanged: bool  # nothing changed since `version`: no new version was made

    @property
    def ends_at(self) -> datetime:
        ends_at = self.version.publication_ends_at
        assert ends_at is not None  # a published version always has its period
        return ends_at


@dataclass(frozen=True)
class Ended:
    """A version whose 公示 period ended and was claimed for announcement now."""

    council: Council
    version: MinutesVersion


async def find_council(uow: UnitOfWork, ref: CouncilRef) -> Council:
    """The council by id, or by chat key (a chat key made of digits falls back to the id)."""
    council = None if isinstance(ref, int) else await uow.councils.by_chat(ref)
    if council is None and (isinstance(ref, int) or ref.strip().isdigit()):
        council = await uow.councils.get_optional(int(ref))
    if council is None:
        raise errors.CouncilMissing(council=ref)
    return council


# Nothing typed after /minutes, /publish or /export: the latest meeting, or, for a council that never met,
# the current month so far. Never everything: a record that grows with every publication files nowhere.
DEFAULT = Scope("default")


def resolve_scope(scope: Scope | str | None, council: Council, now: datetime) -> Scope:
    """The scope as given, or parsed from the command's words in the council's time zone."""
    if isinstance(scope, Scope):
        return scope
    if scope is None or not scope.strip():
        return DEFAULT
    return parse_scope(scope, now=now, tz=council.timezone)


def concrete(scope: Scope, events: Sequence[Event], council: Council, now: datetime) -> Scope:
    """The scope with "the latest meeting" and the default made definite, as stored with a version."""
    if scope.kind == "default":
        try:
            return Scope("meeting", meeting=latest_meeting(events))
        except MeetingNotFound:
            return parse_scope("month", now=now, tz=council.timezone)
    if scope.kind == "meeting" and scope.meeting is None:
        return Scope("meeting", meeting=latest_meeting(events))
    return scope


def latest_meeting(events: Sequence[Event]) -> int:
    """The number of the meeting opened last; MeetingNotFound when none was."""
    numbers = [e.payload.get("meeting") for e in events if e.type == MEETING_OPENED]
    if not numbers or numbers[-1] is None:
        raise MeetingNotFound(meeting="")
    return int(numbers[-1])


async def build(uow: UnitOfWork, council: Council, scope: Scope, now: datetime, place: str) -> tuple[Scope, Minutes]:
    """The minutes of `scope` replayed from the stored events (version 1; the caller numbers them)."""
    events = await uow.events.all(council.id)
    seq, head = await uow.events.head(council.id)
    scope = concrete(scope, events, council, now)
    minutes = build_minutes(
        events,
        council_name=council.title,
        place=place,
        period_start=scope.start,
        period_end=scope.end,
        motion_numbers=scope.motions if scope.kind == "motions" else None,
        meeting_id=scope.meeting if scope.kind == "meeting" else None,
        chain_head=head,
        chain_seq=seq,
        version=1,
        generated_at=now,
        timezone=council.timezone,
        quorum=lambda expected: meeting_quorum(council.rules, expected),
    )
    return scope, minutes


def is_empty(scope: Scope, minutes: Minutes) -> bool:
    """Nothing to record: no event in the scope, or none of the motions it names."""
    return minutes.events == 0 or (scope.kind == "motions" and not minutes.motions)


async def require_intact(uow: UnitOfWork, council: Council) -> None:
    """ChainBroken, naming the first broken event, unless the stored record matches its chain."""
    verdict = await verify_chain(uow, council.id)
    if not verdict.ok:
        raise ChainBroken(seq=verdict.broken_seq, reason=verdict.reason)


async def _numbered(uow: UnitOfWork, council: Council, scope: Scope, minutes: Minutes) -> Minutes:
    """The minutes with the version they would carry: the latest's when they say the same, else the next."""
    latest = await uow.minutes.latest(council.id, scope.text)
    same = latest is not None and content_key(latest.minutes) == content_key(minutes)
    return replace(minutes, version=publication.shown_version(latest, same))


async def draft(
    uow: UnitOfWork, council: CouncilRef, scope: Scope | str | None, *, now: datetime, place: Callable[[Council], str]
) -> Drafted:
    """`/minutes [N|today|meeting|period]`: the minutes as they would be published now (nothing stored)."""
    found = await find_council(uow, council)
    chosen, minutes = await build(uow, found, resolve_scope(scope, found, now), now, place(found))
    return Drafted(found, chosen, await _numbered(uow, found, chosen, minutes))


async def publish(
    uow: UnitOfWork,
    council: CouncilRef,
    scope: Scope | str | None,
    *,
    now: datetime,
    actor: Actor | None,
    place: Callable[[Council], str],
    markdown: Callable[[Council, Minutes], str],
) -> Published:
    """`/publish`: store a new version of the minutes and start its 公示 period, in the caller's transaction.

    When nothing has changed since the last version of the same scope, no version is added and
    `unchanged` is True. A correction supersedes (ends the period of) the version it corrects.
    """
    publication.require_recorder(actor)
    found = await find_council(uow, council)
    await uow.councils.lock(found.id)
    await require_intact(uow, found)
    chosen, minutes = await build(uow, found, resolve_scope(scope, found, now), now, place(found))
    if is_empty(chosen, minutes):
        raise EmptyScope(scope=chosen.text)
    latest = await uow.minutes.latest(found.id, chosen.text)
    same = latest is not None and content_key(latest.minutes) == content_key(minutes)
    new = publication.next_publication(latest, same, found.rules, now)
    if new is None:
        assert latest is not None
        return Published(found, latest, latest.minutes, None, True)
    minutes = replace(minutes, version=new.number)
    stored = await uow.minutes.add(
        found.id,
        chosen.text,
        new.number,
        minutes_to_dict(minutes),
        markdown(found, minutes),
        chain_head=minutes.chain_head,
        chain_seq=minutes.chain_seq,
        created_at=now,
        created_by=actor.name if actor else None,
        published_at=new.published_at,
        publication_ends_at=new.ends_at,
    )
    if new.supersedes is not None:
        await uow.minutes.supersede(new.supersedes.id, now)
    return Published(found, stored, stored.minutes, new.supersedes, False)


async def record_pin(uow: UnitOfWork, version_id: int, message_ref: str) -> None:
    """Remember which message carries the published version (to unpin or edit it later)."""
    await uow.minutes.set_pinned(version_id, message_ref)


async def versions(
    uow: UnitOfWork, council: CouncilRef, scope: Scope | str | None = None, *, now: datetime
) -> Sequence[MinutesVersion]:
    """Every stored version (all scopes when `scope` is None), oldest first; none is ever overwritten."""
    found = await find_council(uow, council)
    text = None if scope is None else resolve_scope(scope, found, now).text
    return await uow.minutes.versions(found.id, text)


async def for_export(
    uow: UnitOfWork,
    council: CouncilRef,
    scope: Scope | str | None,
    *,
    now: datetime,
    actor: Actor | None,
    place: Callable[[Council], str],
    version: int | None = None,
) -> tuple[Council, Minutes]:
    """The minutes to export: the stored `version` of the scope exactly as published, or built from the log
    as it stands, numbered as a draft would be."""
    publication.require_recorder(actor)
    found = await find_council(uow, council)
    chosen = resolve_scope(scope, found, now)
    await require_intact(uow, found)
    if version is None:
        chosen, minutes = await build(uow, found, chosen, now, place(found))
        return found, await _numbered(uow, found, chosen, minutes)
    chosen = concrete(chosen, await uow.events.all(found.id), found, now)
    stored = await uow.minutes.find(found.id, chosen.text, version)
    if stored is None:
        raise NothingPublished(version=version)
    return found, stored.minutes


async def end_publication(uow: UnitOfWork, council: Council, version_id: int, now: datetime) -> MinutesVersion | None:
    """The 公示 period of this version has ended: claim its announcement (exactly once, in the caller's
    transaction) and record the event; None when it was announced (or superseded) before."""
    if not await uow.minutes.mark_announced(version_id, now):
        return None
    version = await uow.minutes.get(version_id)
    if version is None:
        return None
    kind, payload = publication.publication_ended_event(version)
    await uow.events.append(council.id, kind, now, payload)
    return version


async def publications_ended(uow: UnitOfWork, *, now: datetime) -> Sequence[Ended]:
    """Every 公示 period that has ended and is not announced yet, claimed (`end_publication`)."""
    ended: list[Ended] = []
    for due in await uow.minutes.publication_ended(now):
        council = await uow.councils.get(due.council_id)
        version = await end_publication(uow, council, due.id, now)
        if version is not None:
            ended.append(Ended(council, version))
    return ended


async def publications_pending(uow: UnitOfWork) -> Sequence[MinutesVersion]:
    """Published versions whose end is still to be announced."""
    return await uow.minutes.publications_pending()


async def verify_chain(uow: UnitOfWork, council: CouncilRef) -> Verdict:
    """`/verify`: recompute the chain from the stored events; name the first bad one.

    Besides each event's hash and link, the chain must end where the council's stored head says,
    so deleting the newest events is caught too.
    """
    found = await find_council(uow, council)
    events = await uow.events.readable(found.id)
    seq, head = await uow.events.head(found.id)
    verdict = verify(events)
    if not verdict.ok:
        return verdict
    if verdict.count < seq:
        return Verdict(False, verdict.head, verdict.count, verdict.count + 1, "gap")
    if verdict.count != seq or verdict.head != head:
        return Verdict(False, verdict.head, verdict.count, min(seq, verdict.count) or 1, "head")
    return verdict
