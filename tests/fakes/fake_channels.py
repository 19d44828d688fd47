"""The civil278 channel repositories in memory (attempts ledger, paper entries, tellers, proxies) for FakeUnitOfWork."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from deliberation.channels import Attempt, PaperEntry, Proxy, Teller


@dataclass
class ChannelState:
    attempts: list[Attempt] = field(default_factory=list)
    entries: list[PaperEntry] = field(default_factory=list)
    tellers: list[Teller] = field(default_factory=list)
    proxies: list[Proxy] = field(default_factory=list)
    files: dict[int, bytes | None] = field(default_factory=dict)


class _ChannelRepository:
    def __init__(self, uow: Any) -> None:
        self._uow = uow

    @property
    def s(self) -> ChannelState:
        return self._uow.state.channels

    def new_id(self) -> int:
        return self._uow.state.new_id()


class FakeBallotAttempts(_ChannelRepository):
    async def add(self, attempt: Attempt) -> Attempt:
        attempt = replace(attempt, id=self.new_id())
        self.s.attempts.append(attempt)
        return attempt

    async def for_ballot(self, ballot_id: int) -> Sequence[Attempt]:
        return [a for a in self.s.attempts if a.ballot_id == ballot_id]

    async def for_owner(self, ballot_id: int, owner: str) -> Sequence[Attempt]:
        return [a for a in self.s.attempts if a.ballot_id == ballot_id and a.owner == owner]

    async def set_counted(self, ballot_id: int, owner: str, attempt_id: int) -> None:
        self.s.attempts = [
            replace(a, counted=a.id == attempt_id) if (a.ballot_id, a.owner) == (ballot_id, owner) else a
            for a in self.s.attempts
        ]

    async def forget_choices(self, ballot_id: int) -> None:
        self.s.attempts = [replace(a, choice=None) if a.ballot_id == ballot_id else a for a in self.s.attempts]
        self.s.entries = [replace(e, choice=None) if e.ballot_id == ballot_id else e for e in self.s.entries]


class FakePaperEntries(_ChannelRepository):
    async def add(self, entry: PaperEntry) -> PaperEntry:
        entry = replace(entry, id=self.new_id())
        self.s.entries.append(entry)
        return entry

    async def replace(self, entry_id: int) -> None:
        self.s.entries = [replace(e, replaced=True) if e.id == entry_id else e for e in self.s.entries]

    async def for_slip(self, ballot_id: int, owner: str) -> Sequence[PaperEntry]:
        return [e for e in self.s.entries if e.ballot_id == ballot_id and e.owner == owner]

    async def for_ballot(self, ballot_id: int) -> Sequence[PaperEntry]:
        return [e for e in self.s.entries if e.ballot_id == ballot_id]


class FakeTellers(_ChannelRepository):
    async def add(self, teller: Teller) -> Teller:
        teller = replace(teller, id=self.new_id())
        self.s.tellers.append(teller)
        return teller

    async def remove(self, teller_id: int, at: datetime) -> None:
        self.s.tellers = [replace(t, removed_at=at) if t.id == teller_id else t for t in self.s.tellers]

    async def all(self, council_id: int) -> Sequence[Teller]:
        return [t for t in self.s.tellers if t.council_id == council_id]


class FakeProxies(_ChannelRepository):
    async def add(self, proxy: Proxy, file_bytes: bytes | None = None) -> Proxy:
        proxy = replace(proxy, id=self.new_id())
        self.s.proxies.append(proxy)
        self.s.files[proxy.id] = file_bytes
        return proxy

    async def revoke(self, proxy_id: int, at: datetime) -> None:
        self.s.proxies = [replace(p, revoked_at=at) if p.id == proxy_id else p for p in self.s.proxies]

    async def all(self, council_id: int) -> Sequence[Proxy]:
        return [p for p in self.s.proxies if p.council_id == council_id]

    async def attachment(self, proxy_id: int) -> bytes | None:
        return self.s.files.get(proxy_id)
