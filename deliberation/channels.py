"""One vote per owner from any channel (civil278, spec §4a): the channels, the conflict rule, paper-slip
codes, receipt codes, tellers and proxies.

The conflict rule (shown in /rules and the minutes): a signed paper slip, entered alike by two tellers,
prevails over every electronic vote; the owner's own electronic vote (button, typed, H5 page) prevails
over a proxy's; within the same rank the latest attempt counts. A lower-ranked attempt after a
higher-ranked one is refused and changes nothing; a higher-ranked one after a lower-ranked one takes
its place, and both stay in the attempts ledger as a conflict for the tellers.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from . import errors
from .counting import Choice

CONFLICT_RULE = "paper_over_own_over_proxy_latest_within"  # the catalogue names it: rules.conflict


class Channel(StrEnum):
    BUTTON = "button"
    TYPED = "typed"
    WEB = "web"  # the H5 ballot page
    PAPER = "paper"  # a 表决票 entered alike by two tellers
    PROXY = "proxy"  # a recorded proxy holder's vote (委托投票)


OWN_ELECTRONIC = frozenset({Channel.BUTTON, Channel.TYPED, Channel.WEB})


def rank(channel: Channel) -> int:
    """The conflict rule as a number: the higher rank prevails; within one rank the latest counts."""
    if channel is Channel.PAPER:
        return 2
    if channel in OWN_ELECTRONIC:
        return 1
    return 0


class TellerRole(StrEnum):
    COUNTER = "counter"  # 计票人
    SCRUTINEER = "scrutineer"  # 监票人


_ROLE_WORDS = {
    "计票人": TellerRole.COUNTER,
    "計票人": TellerRole.COUNTER,
    "计票": TellerRole.COUNTER,
    "counter": TellerRole.COUNTER,
    "监票人": TellerRole.SCRUTINEER,
    "監票人": TellerRole.SCRUTINEER,
    "监票": TellerRole.SCRUTINEER,
    "scrutineer": TellerRole.SCRUTINEER,
}

_CHOICE_WORDS = {
    "赞成": Choice.YES,
    "贊成": Choice.YES,
    "同意": Choice.YES,
    "yes": Choice.YES,
    "反对": Choice.NO,
    "反對": Choice.NO,
    "不同意": Choice.NO,
    "no": Choice.NO,
    "弃权": Choice.ABSTAIN,
    "棄權": Choice.ABSTAIN,
    "abstain": Choice.ABSTAIN,
}


def parse_teller_role(text: str) -> TellerRole:
    role = _ROLE_WORDS.get(unicodedata.normalize("NFKC", text).strip().casefold())
    if role is None:
        raise errors.BadTellerRole(given=text)
    return role


def parse_choice(text: str) -> Choice:
    choice = _CHOICE_WORDS.get(unicodedata.normalize("NFKC", text).strip().casefold())
    if choice is None:
        raise errors.BadSlipChoice(given=text)
    return choice


# ---- codes -----------------------------------------------------------------------------------------

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32: no I, L, O, U to misread
_SLIP = re.compile(r"^YS-([0-9]{1,9})-([0-9A-Z]{6})([0-9A-Z])$")


def _base32(digest: bytes, length: int) -> str:
    number = int.from_bytes(digest[:8], "big")
    out = []
    for _ in range(length):
        number, rest = divmod(number, 32)
        out.append(_ALPHABET[rest])
    return "".join(out)


def _check(text: str) -> str:
    return _ALPHABET[sum((i + 1) * ord(c) for i, c in enumerate(text)) % 32]


def owner_code(owner: str) -> str:
    """Six characters that stand for an owner of the register on a printed slip (no name on the QR)."""
    return _base32(hashlib.sha256(f"yishi-owner|{owner}".encode()).digest(), 6)


def slip_code(ballot_id: int, owner: str) -> str:
    """The text of a slip's QR code: ballot and owner codes and a check character, e.g. `YS-12-K7M2QD5`."""
    body = f"YS-{ballot_id}-{owner_code(owner)}"
    return body + _check(body)


@dataclass(frozen=True)
class SlipCode:
    ballot_id: int
    owner_code: str


def looks_like_slip_code(text: str) -> bool:
    return unicodedata.normalize("NFKC", text).strip().upper().startswith("YS-")


def parse_slip_code(text: str) -> SlipCode:
    """A slip code as typed or scanned; a misread character fails the check and is refused, never guessed."""
    code = unicodedata.normalize("NFKC", text).strip().upper()
    match = _SLIP.match(code)
    if match is None or _check(code[:-1]) != code[-1]:
        raise errors.BadSlipCode(given=text)
    return SlipCode(int(match.group(1)), match.group(2))


def owner_for_code(code: str, owners: Iterable[str]) -> str | None:
    return next((o for o in owners if owner_code(o) == code), None)


def receipt_code(ballot_id: int, opened_at: datetime, owner: str) -> str:
    """The receipt of an owner's counted vote on a ballot, the same whatever the channel, so the slip's stub
    can carry it before the vote: `XXXX-XXXX`. It names a counted vote, never a choice."""
    digest = hashlib.sha256(f"yishi-receipt|{ballot_id}|{opened_at.isoformat()}|{owner}".encode()).digest()
    code = _base32(digest, 8)
    return f"{code[:4]}-{code[4:]}"


# ---- the records -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """One vote attempt in the ledger. `choice` is None once a secret ballot has closed (the link is destroyed)."""

    ballot_id: int
    owner: str
    channel: Channel
    at: datetime
    choice: Choice | None
    by: str  # who acted: the owner's household member, the proxy holder, or "计票人/监票人" for paper
    member_id: int | None = None
    counted: bool = False
    id: int = 0


@dataclass(frozen=True)
class PaperEntry:
    """One teller's entry of a returned slip; `replaced` when the same teller re-entered it (a mismatch)."""

    ballot_id: int
    owner: str
    teller_id: int
    teller: str
    role: TellerRole
    choice: Choice | None
    at: datetime
    replaced: bool = False
    id: int = 0


@dataclass(frozen=True)
class Teller:
    council_id: int
    member_id: int
    name: str
    role: TellerRole
    appointed_at: datetime
    removed_at: datetime | None = None
    id: int = 0

    def served(self, opened_at: datetime, closed_at: datetime | None) -> bool:
        """A teller of a ballot: appointed before it closed and not removed before it opened."""
        appointed = closed_at is None or self.appointed_at <= closed_at
        return appointed and (self.removed_at is None or self.removed_at > opened_at)


@dataclass(frozen=True)
class Proxy:
    """A written proxy (委托书): the holder casts the owner's vote until `until` (None: until revoked)."""

    council_id: int
    owner: str
    unit: str
    holder_id: int
    holder: str
    granted_by: str
    via: str  # "owner" (typed by the owner) or "secretary" (from a photo of the signed 委托书)
    created_at: datetime
    until: datetime | None = None
    file_id: str | None = None
    file_sha256: str | None = None
    revoked_at: datetime | None = None
    id: int = 0

    def active(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.until is None or now < self.until)


def counted_attempt(attempts: Sequence[Attempt]) -> Attempt | None:
    """The one attempt that counts for an owner: highest rank, then the latest."""
    with_choice = [a for a in attempts if a.choice is not None or a.counted]
    if not with_choice:
        return None
    return max(with_choice, key=lambda a: (rank(a.channel), a.at, a.id))


def conflicts(attempts: Sequence[Attempt]) -> dict[str, list[Attempt]]:
    """Owners whose attempts came through channels of different rank (paper and button, owner and proxy)."""
    by_owner: dict[str, list[Attempt]] = {}
    for attempt in attempts:
        by_owner.setdefault(attempt.owner, []).append(attempt)
    return {
        owner: sorted(found, key=lambda a: (a.at, a.id))
        for owner, found in by_owner.items()
        if len({rank(a.channel) for a in found}) > 1
    }


@dataclass(frozen=True)
class SlipState:
    """Where a returned slip stands: the current entries, and whether they agree."""

    entries: tuple[PaperEntry, ...]

    def by(self, role: TellerRole) -> PaperEntry | None:
        return next((e for e in self.entries if e.role is role and not e.replaced), None)

    @property
    def agreed(self) -> Choice | None:
        counter, scrutineer = self.by(TellerRole.COUNTER), self.by(TellerRole.SCRUTINEER)
        if counter is None or scrutineer is None or counter.choice is None:
            return None
        return counter.choice if counter.choice == scrutineer.choice else None

    @property
    def mismatch(self) -> bool:
        counter, scrutineer = self.by(TellerRole.COUNTER), self.by(TellerRole.SCRUTINEER)
        return counter is not None and scrutineer is not None and counter.choice != scrutineer.choice
