"""Publishing minutes (公示): who may publish or export, when a new version is due, the period and its end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from . import errors
from .minutes import MinutesVersion
from .model import Actor, Rules

PUBLICATION_ENDED = "publication.ended"  # event type: the 公示 period of a version ended


def require_recorder(actor: Actor | None) -> None:
    """Publishing and exporting belong to the secretary or the chair (None: the command line, trusted)."""
    if actor is not None and not (actor.is_chair or actor.is_secretary):
        raise errors.RoleRequired(role="secretary_or_chair")


def publication_end(rules: Rules, published_at: datetime) -> datetime:
    """When the 公示 period of minutes published at `published_at` ends."""
    return published_at + timedelta(days=rules.publication_days)


def shown_version(latest: MinutesVersion | None, same_content: bool) -> int:
    """The version number a draft or export carries: the latest's when it says the same, else the next one."""
    if latest is None:
        return 1
    return latest.version if same_content else latest.version + 1


@dataclass(frozen=True)
class NewVersion:
    """A version to store and publish now; it supersedes (ends the 公示 of) the previous one, if any."""

    number: int
    published_at: datetime
    ends_at: datetime
    supersedes: MinutesVersion | None


def next_publication(
    latest: MinutesVersion | None, same_content: bool, rules: Rules, now: datetime
) -> NewVersion | None:
    """What `/publish` stores; None when the latest published version already says exactly this.

    A version is never rewritten: a correction is a new version with its own full period, and the
    version it corrects stays readable while its period ends at once (the correction's post says so).
    """
    if latest is not None and latest.published and same_content:
        return None
    return NewVersion(shown_version(latest, False), now, publication_end(rules, now), latest)


def publication_ended_event(version: MinutesVersion) -> tuple[str, dict[str, Any]]:
    """The chain event recorded when a version's 公示 period ends (type, payload)."""
    return PUBLICATION_ENDED, {"version": version.version, "scope": version.scope}
