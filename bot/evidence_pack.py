"""`/evidence N` and `yishi evidence`: one ZIP with every record of an owners' ballot (checked offline by
`yishi verify-pack`, deliberation.evidence.verify_pack).

The domain gathers the records and writes them as sections (deliberation.usecases.evidence); here the
minutes files are added (PDF and DOCX, rendered by bot.minutes_files) and the ZIP is built. Further records
join as further sections: `EXTRA_SECTIONS` holds the functions that make them (the ballot attempts per
channel, the tellers' entries, the proxies with their attachments and the receipts counted:
deliberation.usecases.channel_sections), each called with the unit of work and the record, in order,
before the chain section.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from deliberation import usecases
from deliberation.evidence import PackFile, Section, build_pack
from deliberation.model import Actor, Council
from deliberation.ports import UnitOfWork

from .minutes_files.export import export_minutes

SectionSource = Callable[[UnitOfWork, usecases.EvidenceRecord], Awaitable[Sequence[Section]]]

# Records kept outside the core ballot (channels, tellers, proxies, receipts) add their sections here.
EXTRA_SECTIONS: list[SectionSource] = [usecases.channel_sections]


async def minutes_section(uow: UnitOfWork, record: usecases.EvidenceRecord, now: datetime) -> Section:
    """The minutes of the motion as they stand, PDF and DOCX, and its 公示 notice (one A4 page, as `/export notice`
    prints it); the chain is verified first, or refused."""
    files = []
    for fmt in ("pdf", "docx", "notice"):
        name, content = await export_minutes(uow, record.council.id, fmt, str(record.found.motion.number), now=now)
        files.append(PackFile(f"minutes/{name}", content))
    return Section("minutes", files)


async def make_pack(
    uow: UnitOfWork,
    council: Council,
    actor: Actor | None,
    number: int | None,
    *,
    now: datetime,
    extra: Sequence[SectionSource] | None = None,
) -> tuple[str, bytes]:
    """(file name, ZIP bytes) of motion `number`'s closed civil278 ballot; a refusal raises a DeliberationError."""
    record = await usecases.evidence_record(uow, council, actor, number)
    sections = await usecases.evidence_sections(uow, record)
    chain = sections.pop()  # the chain goes last, after every record it vouches for
    sections.append(await minutes_section(uow, record, now))
    for source in EXTRA_SECTIONS if extra is None else extra:
        sections.extend(await source(uow, record))
    sections.append(chain)
    made_at = now.isoformat(timespec="seconds")
    data = build_pack(sections, made_at=made_at, subject=record.subject, head=record.head)
    filename = f"evidence-{council.id}-{record.found.motion.number}-ballot{record.found.ballot.id}.zip"
    return filename, data
