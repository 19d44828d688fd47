"""Who is who on the web: device sessions in a cookie, CSRF tokens, and the ways in (a reusable module).

A session is a random cookie; the database keeps its SHA-256 with the member, the council, the CSRF token and
the one notice to show after a POST-redirect-GET. Nothing lives in a process: any worker serves any request,
and revoking a member's sessions in the database signs them out everywhere. Other web pages built on the same
server (a community desk) use `SignIn.visitor` and `SignIn.csrf_ok` as the hall does.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from aiohttp import web

from deliberation.model import Council, Member, MemberStatus

from .passes import digest, invite_digest, new_secret

COOKIE = "yishi_hall"
GONE = frozenset({MemberStatus.LEFT, MemberStatus.REMOVED})  # their sessions no longer count
SESSION_TTL = timedelta(days=365)  # a resident's phone stays signed in; the chair revokes when needed


class Refused(StrEnum):
    """Why a way in was refused (a catalogue key suffix: hall.refused.<value>)."""

    FORGED = "forged"  # no such link or code (made up, altered, or cut short)
    EXPIRED = "expired"
    REVOKED = "revoked"
    USED = "used"
    ELSEWHERE = "elsewhere"  # a link of another council


@dataclass(frozen=True)
class Visitor:
    """A signed-in device: the member it belongs to and the session's CSRF token and pending notice."""

    session_hash: str
    member: Member
    csrf: str
    flash: str | None
    flash_refused: bool

    @property
    def active(self) -> bool:
        return self.member.status is MemberStatus.ACTIVE


class SignIn:
    """`SignIn(new_uow, clock, secure=...)`: sessions and one-time passes over the hall tables."""

    def __init__(self, new_uow: Callable[[], Any], clock: Callable[[], datetime], *, secure: bool) -> None:
        self.new_uow = new_uow
        self.clock = clock
        self.secure = secure  # the cookie only over HTTPS (PUBLIC_BASE_URL is https://)

    async def visitor(self, request: web.Request, council: Council) -> Visitor | None:
        """The member this device is signed in as, in this council; None for a stranger or a revoked session."""
        token = request.cookies.get(COOKIE)
        if not token or len(token) > 100:
            return None
        token_hash = digest("session", token)
        async with self.new_uow() as uow:
            found = await uow.hall.find_session(token_hash)
            if found is None or found.council_id != council.id or found.revoked_at is not None:
                return None
            if found.expires_at <= self.clock():
                return None
            member = await uow.members.get(found.member_id)
        if member is None or member.council_id != council.id or member.status in GONE:
            return None
        return Visitor(token_hash, member, found.csrf, found.flash, found.flash_refused)

    @staticmethod
    def csrf_ok(visitor: Visitor | None, sent: object) -> bool:
        return visitor is not None and isinstance(sent, str) and hmac.compare_digest(visitor.csrf, sent)

    async def start(self, uow: Any, response: web.StreamResponse, council_id: int, member_id: int, path: str) -> str:
        """A new device session for this member, in `uow` (the caller commits), its cookie on `response`;
        returns the session's key."""
        token = new_secret()
        now = self.clock()
        session = digest("session", token)
        await uow.hall.add_session(
            session,
            council_id=council_id,
            member_id=member_id,
            csrf=secrets.token_urlsafe(24),
            at=now,
            expires_at=now + SESSION_TTL,
        )
        response.set_cookie(
            COOKIE,
            token,
            max_age=int(SESSION_TTL.total_seconds()),
            path=path,
            httponly=True,
            secure=self.secure,
            samesite="Lax",
        )
        return session

    async def flash(self, visitor: Visitor, text: str | None, refused: bool = False) -> None:
        async with self.new_uow() as uow:
            await uow.hall.set_flash(visitor.session_hash, text, refused)
            await uow.commit()

    async def check_link(self, uow: Any, council: Council, token: str) -> tuple[Refused | None, int | None]:
        """Is this personal link good for this council? (refusal, member id); nothing is changed."""
        found = await uow.hall.find_pass(digest("link", token)) if 0 < len(token) <= 100 else None
        if found is None or found.kind != "link":
            return Refused.FORGED, None
        if found.council_id != council.id:
            return Refused.ELSEWHERE, None
        if found.revoked_at is not None:
            return Refused.REVOKED, None
        if found.used_at is not None:
            return Refused.USED, None
        if found.expires_at <= self.clock():
            return Refused.EXPIRED, None
        return None, found.member_id

    async def use_link(self, uow: Any, token: str) -> bool:
        return bool(await uow.hall.use_pass(digest("link", token), self.clock()))

    async def check_invite(self, uow: Any, council: Council, unit: str, code: str) -> Refused | None:
        found = await uow.hall.find_pass(invite_digest(council.id, unit, code)) if unit and code else None
        if found is None or found.kind != "invite":
            return Refused.FORGED
        if found.revoked_at is not None:
            return Refused.REVOKED
        if found.used_at is not None:
            return Refused.USED
        if found.expires_at <= self.clock():
            return Refused.EXPIRED
        return None

    async def use_invite(self, uow: Any, council: Council, unit: str, code: str) -> bool:
        return bool(await uow.hall.use_pass(invite_digest(council.id, unit, code), self.clock()))
