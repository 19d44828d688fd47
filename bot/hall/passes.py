"""One-time ways into a council's hall: a member's personal link and a unit's invite code.

Neither is kept in the clear: the database holds only SHA-256 digests, so a copy of the database lets nobody
in. A pass is used once, expires, and a member's unused links and sessions are revoked together. This module
needs only a unit of work with `hall` (storage.repositories.hall): the desk's `/web` and `/invites` use it too.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

LINK_TTL = timedelta(days=7)
INVITE_TTL = timedelta(days=90)
# Invite codes are typed by elderly residents: 8 characters, no 0/O, 1/I/L look-alikes.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def digest(*parts: object) -> str:
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(24)


def invite_digest(council_id: int, unit: str, code: str) -> str:
    """An invite code counts only for its own council and unit; typed case and spaces do not matter."""
    return digest("invite", council_id, unit.strip(), code.replace(" ", "").upper())


def hall_url(base_url: str, slug: str) -> str:
    return f"{base_url.rstrip('/')}/h/{slug}"


async def personal_link(uow: Any, base_url: str, council_id: int, member_id: int, at: datetime) -> str:
    """A new personal link for this member (the database keeps only its digest)."""
    slug = await uow.hall.slug_of(council_id)
    token = new_secret()
    await uow.hall.add_pass(
        digest("link", token), kind="link", council_id=council_id, member_id=member_id, at=at, expires_at=at + LINK_TTL
    )
    return f"{hall_url(base_url, slug)}/in/{token}"


@dataclass(frozen=True)
class Invite:
    unit: str
    code: str
    url: str  # the join page with unit and code filled in (the QR code's content)


async def invites(uow: Any, base_url: str, council_id: int, units: list[str], at: datetime) -> list[Invite]:
    """A fresh one-time invite code for each unit."""
    slug = await uow.hall.slug_of(council_id)
    made = []
    for unit in units:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        await uow.hall.add_pass(
            invite_digest(council_id, unit, code),
            kind="invite",
            council_id=council_id,
            unit=unit,
            at=at,
            expires_at=at + INVITE_TTL,
        )
        made.append(Invite(unit, code, f"{hall_url(base_url, slug)}/join?unit={_q(unit)}&code={code}"))
    return made


def _q(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")
