"""Minutes as a service: draft, publish (公示), export and verify, straight from the stored event log.

Plain async functions taking the caller's unit of work, for the chat commands (/minutes, /publish,
/export, /verify: the desk's), the CLI (`yishi export`, `yishi verify`: one it opens) and the alarm (end
of 公示: the reminder's). They never commit; the caller commits once. The publishing policy is
deliberation.publication. A council is named by its id (int) or its chat key (str).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

from sqlalchemy.exc import NoResultFound
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from deliberation import errors, publication
from deliberation.chain import Verdict
from deliberation.chain import verify as verify_chain
from deliberation.minutes import (
    BadFormat, MeetingNotFound, Minutes, MinutesVersion, NothingPublished, Scope, build_minutes, content_key,
    minutes_to_dict, parse_scope,
)
from deliberation.model import Actor, Council
from storage.minutes_repository import MinutesRepository, read_chain
from storage.uow import SqlUnitOfWork

from .i18n import Translator, translate
from .minutes_files import FORMATS, render, to_markdown, to_text

CouncilRef = int | str


@dataclass(frozen=True)
class Draft:
    council: Council
    scope: Scope
    minutes: Minutes
    text: str  # plain text for the chat, in the council's (or the asker's) language


@dataclass(frozen=True)
class Publication:
    """What to post and pin in the group, and the stored version it came from."""

    council: Council
    version: MinutesVersion
    minutes: Minutes
    announcement: str  # 【公示】 title, version, end of the period (and what it corrects)
    text: str  # the minutes themselves, plain text
    ends_at: datetime
    previous: MinutesVersion | None  # the version this one corrects, if any
    unchanged: bool  # nothing changed since `version`: no new version was made

    @property
    def chat_key(self) -> str:
        return self.council.chat_key


@dataclass(frozen=True)
class PublicationEnded:
    council: Council
    version: MinutesVersion
    text: str


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(timezone.utc)


def _session(uow: SqlUnitOfWork) -> AsyncSession:
    assert uow.session is not None, "use the unit of work inside its `async with`"
    return uow.session


def _stored(uow: SqlUnitOfWork) -> MinutesRepository:
    """The stored minutes versions, in the caller's transaction."""
    return MinutesRepository(_session(uow))


async def _council(uow: SqlUnitOfWork, ref: CouncilRef) -> Council:
    """The council by id, or by chat key (a chat key made of digits falls back to the id)."""
    council = None if isinstance(ref, int) else await uow.councils.by_chat(ref)
    if council is None and (isinstance(ref, int) or ref.strip().isdigit()):
        try:
            council = await uow.councils.get(int(ref))
        except NoResultFound:
            council = None
    if council is None:
        raise errors.CouncilMissing(council=ref)
    return council


def _scope(scope: Scope | str | None, council: Council, now: datetime) -> Scope:
    if isinstance(scope, Scope):
        return scope
    return parse_scope(scope, now=now, tz=council.timezone)


def _latest_meeting(events) -> int:
    numbers = [e.payload.get("meeting") for e in events if e.type == "meeting.opened"]
    if not numbers or numbers[-1] is None:
        raise MeetingNotFound(meeting="")
    return int(numbers[-1])


async def _build(uow: SqlUnitOfWork, council: Council, scope: Scope, now: datetime, version: int,
                 locale: str) -> tuple[Scope, Minutes]:
    events = await uow.events.all(council.id)
    seq, head = await uow.events.head(council.id)
    if scope.kind == "meeting" and scope.meeting is None:
        scope = Scope("meeting", meeting=_latest_meeting(events))
    minutes = build_minutes(
        events, council_name=council.title, place=translate(locale, "minutes.place.chat", title=council.title),
        period_start=scope.start, period_end=scope.end,
        motion_numbers=scope.motions if scope.kind == "motions" else None,
        meeting_id=scope.meeting if scope.kind == "meeting" else None,
        chain_head=head, chain_seq=seq, version=version, generated_at=now, timezone=council.timezone)
    return scope, minutes


async def draft(uow: SqlUnitOfWork, council: CouncilRef, scope: Scope | str | None = None, *,
                now: datetime | None = None, locale: str | None = None) -> Draft:
    """`/minutes [N|today|meeting|period]`: the minutes as they would be published now (nothing stored)."""
    now = _now(now)
    found = await _council(uow, council)
    scope = _scope(scope, found, now)
    language = locale or found.locale
    scope, minutes = await _build(uow, found, scope, now, 1, language)
    latest = await _stored(uow).latest(found.id, scope.text)
    same = latest is not None and content_key(latest.minutes) == content_key(minutes)
    minutes = _with_version(minutes, publication.shown_version(latest, same))
    text = translate(language, "minutes.draft.header") + "\n" + to_text(minutes, language)
    return Draft(found, scope, minutes, text)


def _with_version(minutes: Minutes, version: int) -> Minutes:
    return replace(minutes, version=version)


async def publish(uow: SqlUnitOfWork, council: CouncilRef, scope: Scope | str | None = None, *,
                  now: datetime | None = None, actor: Actor | None = None,
                  locale: str | None = None) -> Publication:
    """`/publish`: store a new version of the minutes and start its 公示 period, in the caller's transaction.

    Post `announcement` + `text`, pin the message, then call `record_pin`. When nothing has changed
    since the last version of the same scope, no version is added and `unchanged` is True.
    """
    publication.require_recorder(actor)
    now = _now(now)
    found = await _council(uow, council)
    await uow.councils.lock(found.id)
    language = locale or found.locale
    scope = _scope(scope, found, now)
    repo = _stored(uow)
    scope, minutes = await _build(uow, found, scope, now, 1, language)
    latest = await repo.latest(found.id, scope.text)
    new = publication.next_publication(latest, latest is not None and content_key(latest.minutes) == content_key(
        minutes), found.rules, now)
    if new is None:
        assert latest is not None
        stored, previous, unchanged = latest, None, True
    else:
        minutes = _with_version(minutes, new.number)
        stored = await repo.add(found.id, scope.text, new.number, minutes_to_dict(minutes),
                                to_markdown(minutes, language), chain_head=minutes.chain_head,
                                chain_seq=minutes.chain_seq, created_at=now,
                                created_by=actor.name if actor else None, published_at=new.published_at,
                                publication_ends_at=new.ends_at)
        previous, unchanged = new.supersedes, False
        if new.supersedes is not None:
            await repo.supersede(new.supersedes.id, now)
    shown = stored.minutes
    t = Translator(language)
    title = t("minutes.title", council=found.title)
    version_label = t("minutes.version", version=stored.version)
    ends_at = stored.publication_ends_at
    assert ends_at is not None  # a published version always has its period
    lines = [t("minutes.publish.post", title=title, version=version_label, ends=_local(t, found, ends_at))]
    if unchanged:
        lines.append(t("minutes.publish.unchanged", version=version_label))
    elif previous is not None:
        lines.append(t("minutes.publish.correction", previous=t("minutes.version", version=previous.version)))
    return Publication(found, stored, shown, "\n".join(lines), to_text(shown, language), ends_at, previous,
                       unchanged)


def _local(t: Translator, council: Council, moment: datetime | None) -> str:
    from zoneinfo import ZoneInfo
    if moment is None:
        return "—"
    local = moment.astimezone(ZoneInfo(council.timezone))
    return t("minutes.datetime", year=local.year, month=local.month, day=local.day, mm=f"{local.month:02d}",
             dd=f"{local.day:02d}", hour=f"{local.hour:02d}", minute=f"{local.minute:02d}")


async def record_pin(sessions: async_sessionmaker, version_id: int, message_ref: str) -> None:
    """Remember which message carries the published version (to unpin or edit it later).

    The one function here with its own unit of work, which it commits: the pin is known only after the
    post was delivered, long after the desk's transaction that stored the version has committed.
    """
    async with SqlUnitOfWork(sessions) as uow:
        await _stored(uow).set_pinned(version_id, message_ref)
        await uow.commit()


async def versions(uow: SqlUnitOfWork, council: CouncilRef,
                   scope: Scope | str | None = None, *, now: datetime | None = None) -> Sequence[MinutesVersion]:
    """Every stored version (all scopes when `scope` is None), oldest first; none is ever overwritten."""
    found = await _council(uow, council)
    text = None if scope is None else _scope(scope, found, _now(now)).text
    return await _stored(uow).versions(found.id, text)


async def end_publication(uow: SqlUnitOfWork, council: Council, version_id: int,
                          now: datetime) -> MinutesVersion | None:
    """The alarm: the 公示 period of this version has ended. Claim its announcement (exactly once, in the
    caller's transaction) and record the event; None when it was announced (or superseded) before."""
    repo = _stored(uow)
    if not await repo.mark_announced(version_id, now):
        return None
    version = await repo.get(version_id)
    if version is None:
        return None
    kind, payload = publication.publication_ended_event(version)
    await uow.events.append(council.id, kind, now, payload)
    return version


async def publications_ended(uow: SqlUnitOfWork, *, now: datetime | None = None) -> Sequence[PublicationEnded]:
    """Every 公示 period that has ended and is not announced yet, claimed (`end_publication`) and worded."""
    now = _now(now)
    ended: list[PublicationEnded] = []
    for due in await _stored(uow).publication_ended(now):
        council = await uow.councils.get(due.council_id)
        version = await end_publication(uow, council, due.id, now)
        if version is None:
            continue
        t = Translator(council.locale)
        ended.append(PublicationEnded(council, version, t(
            "minutes.publication.ended", title=t("minutes.title", council=council.title),
            version=t("minutes.version", version=version.version),
            when=_local(t, council, version.publication_ends_at))))
    return ended


async def publications_pending(uow: SqlUnitOfWork) -> Sequence[MinutesVersion]:
    """Published versions whose end is still to be announced: the scheduler rebuilds its jobs from these."""
    return await _stored(uow).publications_pending()


def _slug(text: str, limit: int = 40) -> str:
    cleaned = re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("._")
    return cleaned[:limit] or "council"


def _scope_slug(minutes: Minutes) -> str:
    if minutes.scope == "period" and minutes.period_start is not None and minutes.period_end is not None:
        first = minutes.period_start.strftime("%Y%m%d")
        last = (minutes.period_end - timedelta(seconds=1)).strftime("%Y%m%d")
        return first if first == last else f"{first}-{last}"
    if minutes.scope == "meeting":
        return f"meeting{minutes.meeting}"
    if minutes.scope == "motions":
        return "motion" + "-".join(str(n) for n in minutes.motion_numbers)
    return minutes.generated_at.strftime("%Y%m%d")


async def export(uow: SqlUnitOfWork, council: CouncilRef, fmt: str,
                 period: Scope | str | None = None, *, now: datetime | None = None, locale: str | None = None,
                 version: int | None = None, actor: Actor | None = None) -> tuple[str, bytes]:
    """`/export md|docx|pdf|csv|json [period]` and `yishi export`: (file name, file bytes).

    Built from the log as it stands, unless `version` names a stored version of that scope,
    which is then rendered exactly as it was published.
    """
    publication.require_recorder(actor)
    fmt = (fmt or "").strip().lower().lstrip(".")
    fmt = "md" if fmt == "markdown" else fmt
    if fmt not in FORMATS:
        raise BadFormat(format=fmt, formats=", ".join(FORMATS))
    now = _now(now)
    found = await _council(uow, council)
    language = locale or found.locale
    scope = _scope(period, found, now)
    repo = _stored(uow)
    if version is not None:
        if scope.kind == "meeting" and scope.meeting is None:
            scope = Scope("meeting", meeting=_latest_meeting(await uow.events.all(found.id)))
        stored = await repo.find(found.id, scope.text, version)
        if stored is None:
            raise NothingPublished(version=version)
        minutes = stored.minutes
    else:
        scope, minutes = await _build(uow, found, scope, now, 1, language)
        latest = await repo.latest(found.id, scope.text)
        same = latest is not None and content_key(latest.minutes) == content_key(minutes)
        minutes = _with_version(minutes, publication.shown_version(latest, same))
    name = (f"{translate(language, 'minutes.filename')}_{_slug(found.title)}_{_scope_slug(minutes)}"
            f"_v{minutes.version}.{fmt}")
    return name, render(minutes, fmt, language)


async def verify(uow: SqlUnitOfWork, council: CouncilRef) -> Verdict:
    """`/verify` and `yishi verify`: recompute the chain from the stored events; name the first bad one.

    Besides each event's hash and link, the chain must end where the council's stored head says,
    so deleting the newest events is caught too.
    """
    found = await _council(uow, council)
    events = await read_chain(_session(uow), found.id)
    seq, head = await uow.events.head(found.id)
    verdict = verify_chain(events)
    if not verdict.ok:
        return verdict
    if verdict.count < seq:
        return Verdict(False, verdict.head, verdict.count, verdict.count + 1, "gap")
    if verdict.count != seq or verdict.head != head:
        return Verdict(False, verdict.head, verdict.count, min(seq, verdict.count) or 1, "head")
    return verdict


def verdict_text(verdict: Verdict, locale: str | None = None) -> str:
    """The verdict in words: OK with the head, or which event broke the chain and how."""
    t = Translator(locale)
    if verdict.ok:
        return t("minutes.verify.ok", count=verdict.count, head=verdict.head)
    return t(f"minutes.verify.{verdict.reason or 'hash'}", seq=verdict.broken_seq)


__all__ = [
    "Draft", "Publication", "PublicationEnded", "draft", "end_publication", "export", "publications_ended",
    "publications_pending",
    "publish", "record_pin", "verdict_text", "verify", "versions",
]
