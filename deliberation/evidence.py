"""The evidence pack of an owners' ballot: one ZIP of sections, a manifest of sha256, and its offline check.

A pack is built from `Section`s, each a named list of files; the caller decides which sections go in, so a
new kind of record (ballot attempts per channel, tellers' entries, proxies and their attachments) is one
more section, not a new format. Every pack has `manifest.json`:

    {"format": "yishi-evidence/1", "made_at": ..., "subject": {...},
     "sections": [{"name": "register", "files": ["register/register.json", ...]}, ...],
     "files": {"register/register.json": {"sha256": "...", "bytes": 1234}, ...},
     "chain": {"file": "chain/events.jsonl", "head": "...", "from_seq": 5, "to_seq": 40}}

`verify_pack` needs nothing but the ZIP: every listed file is there with its sha256, nothing unlisted is
there, the chain segment links event to event and ends at the head the manifest names, and the frozen
register is the one whose fingerprint the chain recorded when the ballot opened.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .chain import Event, canonical_json, link

FORMAT = "yishi-evidence/1"
MANIFEST = "manifest.json"
CHAIN_FILE = "chain/events.jsonl"
REGISTER_FILE = "register/register.json"
_STAMP = (2000, 1, 1, 0, 0, 0)  # every entry's ZIP time: the same records give the same bytes


@dataclass(frozen=True)
class PackFile:
    path: str  # inside the ZIP, "/"-separated
    content: bytes


@dataclass(frozen=True)
class Section:
    name: str
    files: Sequence[PackFile] = field(default_factory=tuple)


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def json_file(path: str, data: Any) -> PackFile:
    """Readable JSON (indented, Chinese as is), one spelling per value."""
    return PackFile(path, (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8"))


def chain_file(events: Iterable[Event]) -> PackFile:
    """The chain segment, one event per line exactly as hashed, with its links."""
    lines = [canonical_json({**e.body(), "prev_hash": e.prev_hash, "hash": e.hash}) for e in events]
    return PackFile(CHAIN_FILE, ("\n".join(lines) + "\n").encode("utf-8"))


def build_pack(sections: Sequence[Section], *, made_at: str, subject: dict[str, Any], head: str) -> bytes:
    """The ZIP: the sections' files in order, then manifest.json listing each with its sha256."""
    paths: list[str] = []
    files: dict[str, dict[str, Any]] = {}
    buffer = io.BytesIO()
    chain: dict[str, Any] = {}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as pack:
        for section in sections:
            for f in section.files:
                if f.path in files or f.path == MANIFEST:
                    raise ValueError(f"two files at {f.path} in one pack")
                pack.writestr(zipfile.ZipInfo(f.path, _STAMP), f.content, zipfile.ZIP_DEFLATED)
                files[f.path] = {"sha256": sha256(f.content), "bytes": len(f.content)}
                paths.append(f.path)
                if f.path == CHAIN_FILE:
                    seqs = [json.loads(line)["seq"] for line in f.content.decode("utf-8").splitlines() if line]
                    chain = {
                        "file": CHAIN_FILE,
                        "head": head,
                        "from_seq": min(seqs, default=0),
                        "to_seq": max(seqs, default=0),
                    }
        manifest = {
            "format": FORMAT,
            "made_at": made_at,
            "subject": subject,
            "sections": [{"name": s.name, "files": [f.path for f in s.files]} for s in sections],
            "files": files,
            "chain": chain,
        }
        pack.writestr(zipfile.ZipInfo(MANIFEST, _STAMP), json_file(MANIFEST, manifest).content, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


@dataclass(frozen=True)
class Problem:
    path: str  # the file that does not match ("" for the pack as a whole)
    reason: (
        str  # not_a_zip, manifest, missing, sha256, unlisted, chain_gap, chain_link, chain_hash, chain_head, register
    )


@dataclass(frozen=True)
class PackCheck:
    problems: tuple[Problem, ...]
    files: int = 0
    events: int = 0
    head: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_pack(data: bytes) -> PackCheck:
    """Check a pack offline; every problem found is named, the file it concerns first."""
    try:
        pack = zipfile.ZipFile(io.BytesIO(data))
        names = set(pack.namelist())
        manifest = json.loads(pack.read(MANIFEST).decode("utf-8"))
        listed: dict[str, dict[str, Any]] = manifest["files"]
        if not all(isinstance(entry, dict) for entry in listed.values()):
            raise TypeError("a manifest entry is not an object")
    except zipfile.BadZipFile:
        return PackCheck((Problem("", "not_a_zip"),))
    except (KeyError, ValueError, TypeError, AttributeError):
        return PackCheck((Problem(MANIFEST, "manifest"),))
    problems: list[Problem] = []
    contents: dict[str, bytes] = {}
    for path, expected in listed.items():
        if path not in names:
            problems.append(Problem(path, "missing"))
            continue
        try:
            content = pack.read(path)
        except (zipfile.BadZipFile, OSError):  # a damaged entry (its CRC) is a changed file too
            problems.append(Problem(path, "sha256"))
            continue
        if sha256(content) != expected.get("sha256"):
            problems.append(Problem(path, "sha256"))
            continue
        contents[path] = content
    problems += [Problem(path, "unlisted") for path in sorted(names - set(listed) - {MANIFEST})]
    try:
        events, head = _check_chain(contents.get(CHAIN_FILE), manifest.get("chain") or {}, problems)
        _check_register(contents.get(REGISTER_FILE), events, problems)
    except (KeyError, TypeError, AttributeError):  # listed with its sha256, yet not the shape a pack has
        return PackCheck((*problems, Problem(CHAIN_FILE, "chain_hash")), len(listed))
    return PackCheck(tuple(problems), len(listed), len(events), head)


def _check_chain(content: bytes | None, chain: dict[str, Any], problems: list[Problem]) -> tuple[list[dict], str]:
    if content is None:
        return [], ""
    try:
        events = [json.loads(line) for line in content.decode("utf-8").splitlines() if line.strip()]
    except ValueError:
        problems.append(Problem(CHAIN_FILE, "chain_hash"))
        return [], ""
    prev = events[0]["prev_hash"] if events else ""
    seq = events[0]["seq"] if events else 0
    for event in events:
        body = {k: event[k] for k in ("council", "seq", "type", "at", "payload")}
        if event["seq"] != seq:
            problems.append(Problem(CHAIN_FILE, f"chain_gap:{event['seq']}"))
            return events, ""
        if event["prev_hash"] != prev:
            problems.append(Problem(CHAIN_FILE, f"chain_link:{event['seq']}"))
            return events, ""
        if link(prev, body) != event["hash"]:
            problems.append(Problem(CHAIN_FILE, f"chain_hash:{event['seq']}"))
            return events, ""
        prev, seq = event["hash"], seq + 1
    if events and chain.get("head") != prev:
        problems.append(Problem(CHAIN_FILE, "chain_head"))
    return events, prev


def _check_register(content: bytes | None, events: list[dict], problems: list[Problem]) -> None:
    """The register in the pack is the one the chain fingerprinted when the ballot opened."""
    if content is None:
        return
    recorded = [e["payload"].get("register_sha256") for e in events if e.get("type") == "ballot.opened"]
    recorded = [r for r in recorded if r]
    if not recorded:
        return
    try:
        units = json.loads(content.decode("utf-8"))
    except ValueError:
        problems.append(Problem(REGISTER_FILE, "register"))
        return
    if sha256(canonical_json(units).encode("utf-8")) not in recorded:
        problems.append(Problem(REGISTER_FILE, "register"))
