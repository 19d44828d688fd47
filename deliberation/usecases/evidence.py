"""The evidence pack's records: gathered from the store for one closed owners' ballot, as pack sections.

`evidence_sections` gives the sections the domain can write alone (notice, register, votes, count,
公示, chain); the caller adds the minutes files (rendered outside the domain) and any further record
kept elsewhere, then builds the ZIP with `deliberation.evidence.build_pack`. Reads only.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .. import errors, events
from ..chain import Event
from ..electorate import floor_of, register_json, unit_sort_key
from ..evidence import REGISTER_FILE, PackFile, Section, chain_file, json_file
from ..minutes import MinutesVersion
from ..model import Actor, Council
from ..ports import UnitOfWork
from ..publication import require_recorder
from .owners import OwnersBallot, owners_ballot
from .steps import iso


@dataclass(frozen=True)
class EvidenceRecord:
    council: Council
    found: OwnersBallot
    chain: Sequence[Event]  # the segment: from the register's import (or the motion) to the head
    head: str
    publications: Sequence[MinutesVersion]  # published minutes that carry the motion (公示)

    @property
    def subject(self) -> dict[str, object]:
        b = self.found.ballot
        return {
            "council": self.council.id,
            "council_title": self.council.title,
            "motion": self.found.motion.number,
            "ballot": b.id,
            "secret": b.secret,
            "threshold": b.threshold,
        }


async def evidence_record(uow: UnitOfWork, council: Council, actor: Actor | None, number: int | None) -> EvidenceRecord:
    """The records of motion `number`'s latest civil278 ballot, once it has closed (secretary or chair;
    `actor=None`: the command line)."""
    require_recorder(actor)
    found = await owners_ballot(uow, council, number)
    if found.ballot.open:
        raise errors.EvidenceNotReady(number=found.motion.number)
    chain = list(await uow.events.all(council.id))
    number_ = found.motion.number
    raised = next((e.seq for e in chain if e.type == events.MOTION_RAISED and e.payload.get("number") == number_), 1)
    opened = next(
        (e.seq for e in chain if e.type == events.BALLOT_OPENED and e.payload.get("ballot") == found.ballot.id), raised
    )
    imported = [e.seq for e in chain if e.type == events.ROSTER_IMPORTED and e.seq < opened]
    start = min([raised, *imported[-1:]])
    segment = [e for e in chain if e.seq >= start]
    publications = [
        v
        for v in await uow.minutes.versions(council.id)
        if v.published and any(m.number == number_ for m in v.minutes.motions)
    ]
    return EvidenceRecord(council, found, segment, segment[-1].hash if segment else "", publications)


def _csv(path: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> PackFile:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return PackFile(path, out.getvalue().encode("utf-8-sig"))  # a BOM: spreadsheet programs read the Chinese


def _when(moment: datetime | None) -> str:
    return iso(moment) if moment else ""


async def evidence_sections(uow: UnitOfWork, record: EvidenceRecord) -> list[Section]:
    """notice, register, votes, count, 公示 and chain sections of the pack (times in UTC, ISO 8601)."""
    found, ballot, motion = record.found, record.found.ballot, record.found.motion
    opened = next(
        (e for e in record.chain if e.type == events.BALLOT_OPENED and e.payload.get("ballot") == ballot.id), None
    )
    closed = next(
        (e for e in record.chain if e.type == events.BALLOT_CLOSED and e.payload.get("ballot") == ballot.id), None
    )
    notice = json_file(
        "notice/notice.json",
        {
            "motion": motion.number,
            "wording": motion.text,
            "major": motion.major,
            "secret": ballot.secret,
            "threshold": ballot.threshold,
            "published_at": _when(ballot.opened_at),
            "closes_at": _when(ballot.closes_at),
            "chain_event": None if opened is None else {"seq": opened.seq, "hash": opened.hash, "at": opened.at},
        },
    )
    units = sorted((u for owner in found.owners for u in owner.units), key=lambda u: unit_sort_key(u.code))
    number_of = {u.code: owner.number for owner in found.owners for u in owner.units}
    register = [
        json_file(REGISTER_FILE, register_json(units)),
        _csv(
            "register/register.csv",
            ["owner_no", "unit", "floor", "owner", "area_cm2"],
            [(number_of[u.code], u.code, floor_of(u.code), u.owner, u.area_cm2) for u in units],
        ),
    ]
    if not found.frozen:
        register.append(
            PackFile(
                "register/NOT_FROZEN.txt",
                b"This ballot opened before registers were frozen; this is the register as it stands now.\n",
            )
        )
    ledger = await uow.votes.ledger(ballot.id)
    by_voter = {o.voter: o for o in found.owners}
    if ballot.secret:
        # Who took part, never what they chose nor when (the time could pair a voter with a posted tally).
        took_part = sorted(
            ((by_voter[v].number, by_voter[v].unit_codes, by_voter[v].name, a) for v, a, _at in ledger if v in by_voter)
        )
        votes = [_csv("votes/participation.csv", ["owner_no", "units", "owner", "area_cm2"], took_part)]
    else:
        choices = {v: c for v, _m, c, _a in await uow.votes.all(ballot.id)}
        rows = [
            (
                by_voter[v].number if v in by_voter else "",
                by_voter[v].unit_codes if v in by_voter else "",
                v[2:],
                a,
                choices.get(v, ""),
                _when(at),
            )
            for v, a, at in ledger
        ]
        votes = [_csv("votes/votes.csv", ["owner_no", "units", "owner", "area_cm2", "choice", "cast_at"], rows)]
    count = json_file(
        "count/count.json",
        {
            "opened_at": _when(ballot.opened_at),
            "closed_at": _when(ballot.closed_at),
            "total_owners": ballot.total_owners,
            "total_area_cm2": ballot.total_area_cm2,
            "voted": len(ledger),
            "result": None
            if closed is None
            else {k: v for k, v in closed.payload.items() if k not in ("number", "ballot", "receipts")},
        },
    )
    sections = [
        Section("notice", [notice]),
        Section("register", register),
        Section("votes", votes),
        Section("count", [count]),
    ]
    if record.publications:
        sections.append(
            Section(
                "publication",
                [
                    PackFile(
                        f"publication/minutes-v{v.version}.md",
                        (
                            f"<!-- published_at: {_when(v.published_at)}; ends_at: {_when(v.publication_ends_at)}; "
                            f"chain_head: {v.chain_head} -->\n{v.markdown}"
                        ).encode(),
                    )
                    for v in record.publications
                ],
            )
        )
    sections.append(Section("chain", [chain_file(record.chain), json_file("chain/head.json", {"head": record.head})]))
    return sections
