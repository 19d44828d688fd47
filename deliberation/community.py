"""Communities (社区): a community groups building councils; a council belongs to at most one.

A chair asks to join with the community's code (`/community <code>`); one of the community's secretaries
approves. These are the rules; storage keeps the rows and the CLI, the chat and the desk call them.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from .errors import DeliberationError
from .model import Actor, Council

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by elderly chairs
CODE_LENGTH = 6
NAME_LIMIT = 100


@dataclass(frozen=True)
class Community:
    id: int
    name: str
    slug: str  # the desk is at /c/<slug>
    code: str  # what a chair types after /community to ask to join
    created_at: datetime


@dataclass(frozen=True)
class JoinRequest:
    id: int
    community_id: int
    council_id: int
    requested_by: str  # the chair's name
    requested_at: datetime
    state: str = "pending"  # "pending" | "approved" | "refused"


class CommunityNameBad(DeliberationError):
    key = "community.error.name"


class CommunityMissing(DeliberationError):
    key = "community.error.missing"


class AlreadyInCommunity(DeliberationError):
    key = "community.error.already"


class NotChairForCommunity(DeliberationError):
    key = "community.error.not_chair"


class NotCommunitySecretary(DeliberationError):
    key = "community.error.not_secretary"


class NoJoinRequest(DeliberationError):
    key = "community.error.no_request"


class Communities(Protocol):
    async def add(self, name: str, slug: str, code: str, at: datetime) -> Community: ...
    async def find(self, ref: str | int) -> Community | None:
        """By id, slug or join code."""

    async def community_of(self, council_id: int) -> Community | None: ...
    async def add_council(self, community_id: int, council_id: int, at: datetime) -> bool:
        """False when the council already belongs to a community (kept as it was)."""

    async def request(self, community_id: int, council_id: int, by: str, at: datetime) -> JoinRequest: ...
    async def pending(self, community_id: int, council_id: int | None = None) -> Sequence[JoinRequest]: ...
    async def decide(self, request_id: int, state: str, by: str, at: datetime) -> None: ...
    async def is_secretary(self, community_id: int, user_key: str) -> bool: ...


def clean_name(name: str) -> str:
    text = " ".join(unicodedata.normalize("NFKC", name or "").split())
    if not text or len(text) > NAME_LIMIT:
        raise CommunityNameBad(limit=NAME_LIMIT)
    return text


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def new_slug(name: str) -> str:
    """A short address: the name's Latin letters when it has some, and a random tail so names may repeat."""
    latin = re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", name).lower()).strip("-")[:24]
    tail = "".join(secrets.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(6))
    return f"{latin}-{tail}" if latin else tail


def read_code(text: str) -> str:
    """A join code as typed: full-width, lower case, spaces and dashes are all read."""
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", text or "")).upper()


async def create(store: Communities, name: str, now: datetime) -> Community:
    clean = clean_name(name)
    return await store.add(clean, new_slug(clean), new_code(), now)


async def add_council(store: Communities, community: Community, council: Council, now: datetime) -> None:
    """Put the council in the community (the secretary's own act: no request needed)."""
    current = await store.community_of(council.id)
    if current is not None:
        raise AlreadyInCommunity(name=current.name)
    if not await store.add_council(community.id, council.id, now):
        raise AlreadyInCommunity(name=community.name)


async def ask_to_join(store: Communities, council: Council, actor: Actor, code: str, now: datetime) -> JoinRequest:
    """A chair asks for the council to join the community with this code; a secretary decides."""
    if not actor.is_chair:
        raise NotChairForCommunity()
    community = await store.find(read_code(code)) if code.strip() else None
    if community is None or community.code != read_code(code):
        raise CommunityMissing(code=code.strip())
    current = await store.community_of(council.id)
    if current is not None:
        raise AlreadyInCommunity(name=current.name)
    waiting = await store.pending(community.id, council.id)
    if waiting:
        return waiting[0]
    return await store.request(community.id, council.id, actor.name, now)


async def decide(
    store: Communities, community: Community, council_id: int, *, approve: bool, by: str, now: datetime
) -> JoinRequest:
    """A secretary of the community approves (the council joins) or refuses a pending request."""
    if not await store.is_secretary(community.id, by):
        raise NotCommunitySecretary()
    waiting = await store.pending(community.id, council_id)
    if not waiting:
        raise NoJoinRequest(council=council_id)
    request = waiting[0]
    if approve:
        current = await store.community_of(council_id)
        if current is not None:
            raise AlreadyInCommunity(name=current.name)
        await store.add_council(community.id, council_id, now)
    state = "approved" if approve else "refused"
    await store.decide(request.id, state, by, now)
    return JoinRequest(request.id, request.community_id, council_id, request.requested_by, request.requested_at, state)
