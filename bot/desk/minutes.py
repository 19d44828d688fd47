"""Minutes in words for the chat: the draft, the 公示 post and the chain verdict, over the domain's use cases.

The use cases (draft, publish, versions, end of 公示, verify) are `deliberation.minutes.publishing`;
files are `bot.minutes_files`. These functions only add the catalogue's words, and keep the names the
chat commands, the command line and the H5 pages call. They take the caller's unit of work and never
commit. A council is named by its id (int) or its chat key (str).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from deliberation.chain import Verdict
from deliberation.minutes import Minutes, MinutesVersion, Scope, publishing
from deliberation.model import Actor, Council
from deliberation.ports import UnitOfWork

from ..i18n import Translator, moments, translate
from ..minutes_files import to_markdown, to_text
from ..minutes_files.export import export_minutes, place

CouncilRef = publishing.CouncilRef


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
    return now if now is not None else datetime.now(UTC)


def _local(t: Translator, council: Council, moment: datetime | None) -> str:
    return moments.spell(t.locale, moment, council.timezone)


async def draft(
    uow: UnitOfWork,
    council: CouncilRef,
    scope: Scope | str | None = None,
    *,
    now: datetime | None = None,
    locale: str | None = None,
) -> Draft:
    """`/minutes [N|today|meeting|period]`: the minutes as they would be published now (nothing stored)."""
    drafted = await publishing.draft(uow, council, scope, now=_now(now), place=place(locale))
    language = locale or drafted.council.locale
    text = translate(language, "minutes.draft.header") + "\n" + to_text(drafted.minutes, language)
    return Draft(drafted.council, drafted.scope, drafted.minutes, text)


async def publish(
    uow: UnitOfWork,
    council: CouncilRef,
    scope: Scope | str | None = None,
    *,
    now: datetime | None = None,
    actor: Actor | None = None,
    locale: str | None = None,
) -> Publication:
    """`/publish`: store a new version and start its 公示 period (the use case), worded for the group.

    Post `announcement` + `text` and pin the message. When nothing has changed since the last version of
    the same scope, no version is added and `unchanged` is True.
    """
    done = await publishing.publish(
        uow,
        council,
        scope,
        now=_now(now),
        actor=actor,
        place=place(locale),
        markdown=lambda found, minutes: to_markdown(minutes, locale or found.locale),
    )
    found, language = done.council, locale or done.council.locale
    t = Translator(language)
    version_label = t("minutes.version", version=done.version.version)
    lines = [
        t(
            "minutes.publish.post",
            title=t("minutes.title", council=done.minutes.council_name or found.title),
            version=version_label,
            ends=_local(t, found, done.ends_at),
        )
    ]
    if done.unchanged:
        lines.append(t("minutes.publish.unchanged", version=version_label))
    elif done.previous is not None:
        lines.append(t("minutes.publish.correction", previous=t("minutes.version", version=done.previous.version)))
    return Publication(
        found,
        done.version,
        done.minutes,
        "\n".join(lines),
        to_text(done.minutes, language),
        done.ends_at,
        done.previous,
        done.unchanged,
    )


async def versions(
    uow: UnitOfWork, council: CouncilRef, scope: Scope | str | None = None, *, now: datetime | None = None
) -> Sequence[MinutesVersion]:
    """Every stored version (all scopes when `scope` is None), oldest first; none is ever overwritten."""
    return await publishing.versions(uow, council, scope, now=_now(now))


async def publications_ended(uow: UnitOfWork, *, now: datetime | None = None) -> Sequence[PublicationEnded]:
    """Every 公示 period that has ended and is not announced yet, claimed and worded."""
    worded: list[PublicationEnded] = []
    for ended in await publishing.publications_ended(uow, now=_now(now)):
        council, version = ended.council, ended.version
        t = Translator(council.locale)
        worded.append(
            PublicationEnded(
                council,
                version,
                t(
                    "minutes.publication.ended",
                    title=t("minutes.title", council=version.minutes.council_name or council.title),
                    version=t("minutes.version", version=version.version),
                    when=_local(t, council, version.publication_ends_at),
                ),
            )
        )
    return worded


async def export(
    uow: UnitOfWork,
    council: CouncilRef,
    fmt: str,
    period: Scope | str | None = None,
    *,
    now: datetime | None = None,
    locale: str | None = None,
    version: int | None = None,
    actor: Actor | None = None,
    public_base_url: str = "",
    docx_template: bytes | None = None,
) -> tuple[str, bytes]:
    """`/export md|docx|pdf|xlsx|csv|json|notice [period]` and `yishi export`: (file name, file bytes)."""
    return await export_minutes(
        uow,
        council,
        fmt,
        period,
        now=_now(now),
        locale=locale,
        version=version,
        actor=actor,
        public_base_url=public_base_url,
        docx_template=docx_template,
    )


async def verify(uow: UnitOfWork, council: CouncilRef) -> Verdict:
    """`/verify` and `yishi verify`: the chain recomputed from the stored events (the use case)."""
    return await publishing.verify_chain(uow, council)


def verdict_text(verdict: Verdict, locale: str | None = None) -> str:
    """The verdict in words: OK with the head, or which event broke the chain and how."""
    t = Translator(locale)
    if verdict.ok:
        return t("minutes.verify.ok", count=verdict.count, head=verdict.head)
    return t(f"minutes.verify.{verdict.reason or 'hash'}", seq=verdict.broken_seq)


__all__ = [
    "Draft",
    "Publication",
    "PublicationEnded",
    "draft",
    "export",
    "publications_ended",
    "publish",
    "verdict_text",
    "verify",
    "versions",
]
