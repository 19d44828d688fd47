"""The evidence pack's offline check: a fresh pack passes; each kind of change is named with its file."""

from __future__ import annotations

import io
import json
import zipfile

from deliberation.chain import GENESIS, Event, seal
from deliberation.electorate import register_digest, register_json
from deliberation.evidence import (
    CHAIN_FILE,
    MANIFEST,
    REGISTER_FILE,
    PackFile,
    Section,
    build_pack,
    chain_file,
    json_file,
    sha256,
    verify_pack,
)
from deliberation.model import Unit

UNITS = [Unit("1-101", "张三", 800_000), Unit("1-102", "李四", 760_000)]


def chain(register_sha: str) -> list[Event]:
    events, prev = [], GENESIS
    payloads = [("roster.imported", {"units": 2}), ("ballot.opened", {"ballot": 1, "register_sha256": register_sha})]
    for seq, (kind, payload) in enumerate(payloads, start=1):
        event = seal(Event(1, seq, kind, "2026-06-01T02:00:00+00:00", payload, prev))
        events.append(event)
        prev = event.hash
    return events


def pack(units=UNITS, events=None) -> bytes:
    events = events or chain(register_digest(UNITS))
    sections = [
        Section("register", [json_file(REGISTER_FILE, register_json(units))]),
        Section("votes", [PackFile("votes/votes.csv", b"unit,choice\r\n1-101,yes\r\n")]),
        Section("chain", [chain_file(events)]),
    ]
    return build_pack(sections, made_at="2026-06-02T00:00:00+00:00", subject={"ballot": 1}, head=events[-1].hash)


def rewrite(data: bytes, path: str, content: bytes | None, *, fix_manifest: bool = False) -> bytes:
    """The pack with one file replaced (None: removed), the manifest's sha256 updated when asked."""
    source = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(source.read(MANIFEST))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            if name == MANIFEST:
                continue
            body = source.read(name) if name != path else content
            if body is not None:
                target.writestr(name, body)
        if path not in source.namelist() and content is not None:
            target.writestr(path, content)
        if fix_manifest and content is not None and path in manifest["files"]:
            manifest["files"][path]["sha256"] = sha256(content)
        target.writestr(MANIFEST, json.dumps(manifest))
    return out.getvalue()


def test_a_fresh_pack_passes_and_is_the_same_bytes_when_made_again() -> None:
    check = verify_pack(pack())
    assert check.ok and (check.files, check.events) == (3, 2)
    assert pack() == pack()


def test_one_byte_changed_in_one_file_names_that_file() -> None:
    original = zipfile.ZipFile(io.BytesIO(pack())).read("votes/votes.csv")
    changed = original.replace(b"yes", b"yef")
    check = verify_pack(rewrite(pack(), "votes/votes.csv", changed))
    assert [(p.path, p.reason) for p in check.problems] == [("votes/votes.csv", "sha256")]


def test_a_missing_file_an_unlisted_file_and_no_zip_are_named() -> None:
    check = verify_pack(rewrite(pack(), "votes/votes.csv", None))
    assert [(p.path, p.reason) for p in check.problems] == [("votes/votes.csv", "missing")]
    check = verify_pack(rewrite(pack(), "votes/extra.csv", b"1-102,yes\r\n"))
    assert [(p.path, p.reason) for p in check.problems] == [("votes/extra.csv", "unlisted")]
    assert [(p.path, p.reason) for p in verify_pack(b"not a zip").problems] == [("", "not_a_zip")]
    bare = io.BytesIO()
    with zipfile.ZipFile(bare, "w") as target:
        target.writestr("votes/votes.csv", b"1-101,yes\r\n")
    assert [(p.path, p.reason) for p in verify_pack(bare.getvalue()).problems] == [(MANIFEST, "manifest")]


def test_an_event_changed_with_the_manifest_made_to_match_breaks_the_chain() -> None:
    events = chain(register_digest(UNITS))
    forged = [events[0], Event(**{**events[1].__dict__, "payload": {"ballot": 2}})]
    content = chain_file(forged).content
    check = verify_pack(rewrite(pack(), CHAIN_FILE, content, fix_manifest=True))
    assert [(p.path, p.reason) for p in check.problems] == [(CHAIN_FILE, "chain_hash:2")]


def test_another_register_with_the_manifest_made_to_match_is_not_the_one_the_chain_recorded() -> None:
    other = json_file(REGISTER_FILE, register_json([Unit("1-101", "张三", 900_000), *UNITS[1:]])).content
    check = verify_pack(rewrite(pack(), REGISTER_FILE, other, fix_manifest=True))
    assert [(p.path, p.reason) for p in check.problems] == [(REGISTER_FILE, "register")]
