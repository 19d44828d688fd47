"""The evidence pack's records of the channels (civil278, spec §4a): every ballot attempt with its channel and
time, the tellers and their entries of paper slips, the proxies with their 委托书 photos, and the receipts counted.

A secret ballot's files never link a voter to a choice: its attempts and slip entries come without choices once
it has closed (the store forgot them), and its receipts are the codes alone, sorted. Reads only.
"""

from __future__ import annotations

from collections.abc import Sequence

from .. import events
from ..channels import Attempt, PaperEntry, Proxy
from ..evidence import PackFile, Section, sha256
from ..ports import UnitOfWork
from . import ledger
from .evidence import EvidenceRecord, _csv, _when

ATTEMPTS_FILE = "attempts/attempts.csv"
TELLERS_FILE = "tellers/tellers.csv"
ENTRIES_FILE = "tellers/entries.csv"
PROXIES_FILE = "proxies/proxies.csv"
RECEIPTS_FILE = "receipts/receipts.csv"

_IMAGE_TYPES = ((b"\xff\xd8\xff", "jpg"), (b"\x89PNG\r\n\x1a\n", "png"), (b"%PDF", "pdf"), (b"RIFF", "webp"))


def _extension(content: bytes) -> str:
    return next((ext for magic, ext in _IMAGE_TYPES if content.startswith(magic)), "bin")


def _mismatches(record: EvidenceRecord, entries: Sequence[PaperEntry]) -> list[bool | None]:
    """Whether each entry left its slip in a mismatch, as the chain recorded it (`slip.entered`, one per entry,
    in the same order); None where the chain does not say."""
    ballot = record.found.ballot.id
    recorded = [e.payload for e in record.chain if e.type == events.SLIP_ENTERED and e.payload.get("ballot") == ballot]
    out: list[bool | None] = []
    for index, entry in enumerate(entries):
        payload = recorded[index] if index < len(recorded) else None
        if payload is None or payload.get("teller") != entry.teller or payload.get("role") != entry.role.value:
            out.append(None)
        else:
            out.append(bool(payload.get("mismatch")))
    return out


def _flag(flag: bool | None) -> str:
    """true / false (never yes / no, which a reader could take for a choice); empty when not known."""
    return "" if flag is None else ("true" if flag else "false")


async def channel_sections(uow: UnitOfWork, record: EvidenceRecord) -> list[Section]:
    """attempts, tellers, proxies and receipts sections (times in UTC, ISO 8601; a secret ballot without choices)."""
    ballot = record.found.ballot
    secret = ballot.secret
    by_name = {o.name: o for o in record.found.owners}

    def owner_cols(owner: str) -> tuple[object, object, str]:
        found = by_name.get(owner)
        return (found.number if found else "", found.unit_codes if found else "", owner)

    attempts: Sequence[Attempt] = await uow.ballot_attempts.for_ballot(ballot.id)
    head = ["owner_no", "units", "owner", "channel", "at", "by", "counted"]
    rows = [
        (*owner_cols(a.owner), a.channel.value, _when(a.at), a.by, _flag(a.counted))
        + (() if secret else (a.choice.value if a.choice else "",))
        for a in sorted(attempts, key=lambda a: (a.at, a.id))
    ]
    attempts_file = _csv(ATTEMPTS_FILE, head + ([] if secret else ["choice"]), rows)

    closed_at = ballot.closed_at
    served = [t for t in await uow.tellers.all(record.council.id) if t.served(ballot.opened_at, closed_at)]
    tellers_file = _csv(
        TELLERS_FILE,
        ["teller", "role", "appointed_at", "removed_at"],
        [(t.name, t.role.value, _when(t.appointed_at), _when(t.removed_at)) for t in served],
    )
    entries = sorted(await uow.paper_entries.for_ballot(ballot.id), key=lambda e: e.id)
    entry_rows = [
        (*owner_cols(e.owner), e.teller, e.role.value, _when(e.at), _flag(mismatch), _flag(e.replaced))
        + (() if secret else (e.choice.value if e.choice else "",))
        for e, mismatch in zip(entries, _mismatches(record, entries), strict=True)
    ]
    entries_head = ["owner_no", "units", "owner", "teller", "role", "at", "mismatch", "re_entered"]
    entries_file = _csv(ENTRIES_FILE, entries_head + ([] if secret else ["choice"]), entry_rows)

    proxies: Sequence[Proxy] = await uow.proxies.all(record.council.id)
    photos: list[PackFile] = []
    proxy_rows = []
    kept = [p for p in proxies if closed_at is None or p.created_at <= closed_at]  # those the ballot could use
    for p in sorted(kept, key=lambda p: p.id):
        content = await uow.proxies.attachment(p.id)
        path = ""
        if content is not None:
            path = f"proxies/proxy-{p.id}.{_extension(content)}"
            photos.append(PackFile(path, content))
        proxy_rows.append(
            (
                p.id,
                *owner_cols(p.owner),
                p.unit,
                p.holder,
                p.granted_by,
                p.via,
                _when(p.created_at),
                _when(p.until),
                _when(p.revoked_at),
                p.file_id or "",
                p.file_sha256 or "",
                path,
                sha256(content) if content is not None else "",
            )
        )
    proxies_file = _csv(
        PROXIES_FILE,
        [
            "proxy",
            "owner_no",
            "units",
            "owner",
            "unit",
            "holder",
            "granted_by",
            "via",
            "created_at",
            "until",
            "revoked_at",
            "file_id",
            "file_sha256_recorded",
            "attachment",
            "attachment_sha256",
        ],
        proxy_rows,
    )

    receipts = await ledger.counted_receipts(uow, ballot)
    if secret:
        receipts_file = _csv(RECEIPTS_FILE, ["receipt"], [(r.receipt,) for r in receipts])
    else:
        receipts_file = _csv(
            RECEIPTS_FILE,
            ["receipt", "units", "choice", "channel"],
            [
                (r.receipt, r.units or "", r.choice.value if r.choice else "", r.channel.value if r.channel else "")
                for r in receipts
            ],
        )
    return [
        Section("attempts", [attempts_file]),
        Section("tellers", [tellers_file, entries_file]),
        Section("proxies", [proxies_file, *photos]),
        Section("receipts", [receipts_file]),
    ]
