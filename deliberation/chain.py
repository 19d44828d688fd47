"""The per-council event log as a hash chain: sha256(previous hash + canonical JSON of the event)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True)
class Event:
    council_id: int
    seq: int
    type: str
    at: str  # ISO 8601, UTC
    payload: dict[str, Any]
    prev_hash: str = GENESIS
    hash: str = ""

    def body(self) -> dict[str, Any]:
        return {"council": self.council_id, "seq": self.seq, "type": self.type, "at": self.at, "payload": self.payload}


def canonical_json(data: Any) -> str:
    """One spelling per value: sorted keys, no spaces, UTF-8 text kept as is."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def link(prev_hash: str, body: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(body)).encode("utf-8")).hexdigest()


def seal(event: Event) -> Event:
    """The event with its hash computed from its predecessor's."""
    return Event(
        event.council_id,
        event.seq,
        event.type,
        event.at,
        event.payload,
        event.prev_hash,
        link(event.prev_hash, event.body()),
    )


@dataclass(frozen=True)
class Verdict:
    ok: bool
    head: str
    count: int
    broken_seq: int | None = None
    reason: str | None = None  # "hash" (content altered), "link" (chain cut), "gap" (event missing)


def verify(events: Iterable[Event]) -> Verdict:
    """Recompute the chain in order and name the first event that does not fit."""
    prev, expected_seq, count = GENESIS, 1, 0
    for event in events:
        if event.seq != expected_seq:
            return Verdict(False, prev, count, event.seq, "gap")
        if event.prev_hash != prev:
            return Verdict(False, prev, count, event.seq, "link")
        if link(prev, event.body()) != event.hash:
            return Verdict(False, prev, count, event.seq, "hash")
        prev, expected_seq, count = event.hash, expected_seq + 1, count + 1
    return Verdict(True, prev, count)
