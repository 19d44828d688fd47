"""Who is looking at the desk: the seam (`Resolver`) and the personal link that fills it until a shared web
sign-in exists. A personal link is random; only its SHA-256 is stored, and `yishi community revoke` ends it."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiohttp import web

COOKIE = "yishi_desk"

# The signed-in person's key (e.g. "telegram:12345") for this community, or None: the one seam the desk
# signs in through. `pass_resolver` reads the personal link's cookie; a shared web session can replace it.
Resolver = Callable[[web.Request, int], Awaitable[str | None]]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def new_pass(store: Any, community_id: int, user_key: str, now: datetime) -> str:
    token = secrets.token_urlsafe(24)
    await store.add_pass(token_hash(token), community_id, user_key, now)
    return token


def pass_resolver(new_uow: Callable[[], Any]) -> Resolver:
    async def resolve(request: web.Request, community_id: int) -> str | None:
        token = request.cookies.get(COOKIE)
        if not token:
            return None
        async with new_uow() as uow:
            holder = await uow.communities.pass_holder(token_hash(token))
        if holder is None or holder[0] != community_id:
            return None
        return holder[1]

    return resolve


async def holder_of(new_uow: Callable[[], Any], token: str) -> tuple[int, str] | None:
    async with new_uow() as uow:
        holder: tuple[int, str] | None = await uow.communities.pass_holder(token_hash(token))
        return holder
