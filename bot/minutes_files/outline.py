"""The outline every format renders: title, header fields, items, the votes table, delivery and signatures."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from deliberation.disclosure import SEAL_BELOW
from deliberation.minutes import Minutes, MinutesMotion, MinutesVote, area_m2

from ..i18n import figures, moments
from . import proceedings_blocks, receipts_blocks
from .words import Words, clip, share


@dataclass(frozen=True)
class Title:
    text: str
    subtitle: str


@dataclass(frozen=True)
class Fields:
    """The header table; each row holds one or two (label, value) pairs."""

    rows: tuple[tuple[tuple[str, str], ...], ...]


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Para:
    text: str
    level: int = 0  # 0: an item's heading line; 1: its details; 2: quoted digest lines
    note: bool = False  # small print (chain head, generation time)


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]  # relative column widths


@dataclass(frozen=True)
class Signatures:
    chair: str
    recorder: str
    date: str
    # The tellers' line (计票人 / 监票人) when the record holds a ballot: labels with the tellers' names, if any
    # were appointed, else blank lines to sign on paper.
    counter: str = ""
    scrutineer: str = ""


Block = Title | Fields | Heading | Para | Table | Signatures


def _period_label(w: Words, minutes: Minutes) -> str:
    if minutes.scope == "meeting" and minutes.meeting_ordinal is not None:
        return w(
            "record.meeting_label",
            year=minutes.meeting_year,
            ordinal=minutes.meeting_ordinal,
            kind=w(f"record.kind.{minutes.meeting_kind or 'regular'}"),
            title=minutes.title or "",
        )
    if minutes.scope == "meeting" and minutes.title:
        return minutes.title
    if minutes.scope == "period" and minutes.period_start and minutes.period_end:
        last = minutes.period_end - timedelta(seconds=1)  # periods end at a midnight, exclusive
        if last.date() == minutes.period_start.date():
            return w("minutes.scope.day", day=w.day(last))
        return w("minutes.scope.period", start=w.day(minutes.period_start), end=w.day(last))
    if minutes.scope == "motions":
        return w("minutes.scope.motions", numbers=w.sep.join(str(n) for n in minutes.motion_numbers))
    return w("minutes.scope.all")


def _time_label(w: Words, minutes: Minutes) -> str:
    start, end = minutes.starts_at, minutes.ends_at
    if start is None and end is None:
        return "—"
    if start is not None and end is not None and w.when(start) != w.when(end):
        if start.date() == end.date():
            return w("minutes.time.same_day", day=w.day(start), start=moments.clock(start), end=moments.clock(end))
        return w("minutes.time.range", start=w.when(start), end=w.when(end))
    return w.when(start or end)


def vote_lines(w: Words, vote: MinutesVote) -> list[str]:
    """The lines describing one ballot in the body of the minutes."""
    lines = [w("minutes.vote.heading", method=w.method(vote), rule=w.rule(vote))]
    if vote.rule:
        lines.append(w("record.vote.threshold", threshold=w(f"record.threshold.{vote.rule}")))
    if not vote.closed:
        lines.append(w("minutes.vote.pending", when=w.when(vote.closes_at), voted=vote.voted))
        return lines
    if vote.sealed:
        lines.append(w.result(vote))
    else:
        if vote.weighted:
            counts = w(
                "minutes.vote.counts_weighted",
                yes=vote.yes,
                no=vote.no,
                abstain=vote.abstain,
                yes_area=area_m2(vote.yes_area_cm2),
                no_area=area_m2(vote.no_area_cm2),
                abstain_area=area_m2(vote.abstain_area_cm2),
            )
        else:
            counts = w("minutes.vote.counts", yes=vote.yes, no=vote.no, abstain=vote.abstain)
        lines.append(f"{counts}；{w.result(vote)}" if w.locale.startswith("zh") else f"{counts}; {w.result(vote)}")
    if vote.weighted:
        counted = vote.counted()
        lines.append(
            w(
                "minutes.vote.participation",
                heads=figures.heads(w.locale, counted.participation_heads),
                area=figures.area(w.locale, counted.participation_area),
            )
        )
        approval = (
            (figures.share(vote.approval_heads), figures.share(vote.approval_area))
            if vote.sealed
            else (figures.heads(w.locale, counted.approval_heads), figures.area(w.locale, counted.approval_area))
        )
        lines.append(w("minutes.vote.approval", heads=approval[0], area=approval[1]))
        lines.append(
            w(
                "record.vote.absent_weighted",
                count=max((vote.total_owners or vote.members) - vote.cast, 0),
                area=area_m2(max(vote.total_area_cm2 - vote.participating_area_cm2, 0)),
            )
        )
        lines.append(w("rules.conflict"))  # one vote per owner from any channel (deliberation.channels)
    else:
        lines.append(w("minutes.vote.turnout", eligible=vote.eligible, voted=vote.cast))
        lines.append(w("record.vote.absent", count=max(vote.eligible - vote.cast, 0)))
        if vote.sealed:
            lines.append(w("minutes.vote.approval_share", share=figures.share(vote.approval_heads)))
    if vote.sealed:
        lines.append(w("minutes.vote.sealed", least=SEAL_BELOW))
    elif vote.secret:
        lines.append(w("minutes.vote.secret_note"))
    return lines


def _motion_blocks(w: Words, minutes: Minutes, motion: MinutesMotion, index: int | None) -> Iterator[Block]:
    if index is not None:
        yield Para(w("minutes.item", index=w.ordinal(index), number=motion.number, text=motion.text), 0)
    else:
        yield Para(w("minutes.child", kind=w(f"minutes.kind.{motion.kind}"), number=motion.number, text=motion.text), 1)
    level = 1 if index is not None else 2
    yield Para(
        w("minutes.motion.mover", name=motion.mover or "—")
        + w("minutes.field_separator")
        + w("minutes.motion.raised_at", when=w.when(motion.raised_at)),
        level,
    )
    if motion.original_text:
        yield Para(w("minutes.motion.original", text=motion.original_text), level)
    children = minutes.children(motion.number)
    shown = {child.number for child in children}
    for amendment in motion.amendments:  # amendments settled outside this record: their fate only
        if amendment.number not in shown:
            yield Para(
                w(
                    "minutes.motion.amendment",
                    number=amendment.number,
                    mover=amendment.mover,
                    text=amendment.text,
                    state=w(f"minutes.state.{amendment.state}"),
                ),
                level,
            )
    if motion.speeches_for or motion.speeches_against:
        yield Para(
            w("minutes.motion.debate", for_count=motion.speeches_for, against_count=motion.speeches_against), level
        )
        for speech in motion.speeches:
            yield Para(
                w(
                    "minutes.speech",
                    side=w(f"minutes.side.{speech.side}"),
                    speaker=speech.speaker,
                    excerpt=speech.excerpt,
                ),
                level + 1,
            )
        if motion.speeches_omitted:
            yield Para(w("minutes.motion.omitted", count=motion.speeches_omitted), level + 1)
    elif motion.kind == "main":
        yield Para(w("minutes.motion.no_debate"), level)
    if motion.warning_notes:
        for note in motion.warning_notes:
            yield Para(
                w("record.warning", name=note.name, when=w.when(note.at), reason=note.reason or w("minutes.none")),
                level,
            )
    elif motion.warnings:
        yield Para(w("minutes.motion.warnings", count=motion.warnings), level)
    for child in children:  # amendments and subsidiary motions are settled before the motion itself
        yield from _motion_blocks(w, minutes, child, None)
    if motion.debate_closed:
        yield Para(w("minutes.motion.debate_closed"), level)
    for vote in motion.votes:
        first, *rest = vote_lines(w, vote)
        yield Para(first, level)
        for line in rest:
            yield Para(line, level + 1)
    yield Para(w("minutes.motion.disposition", state=w.state(motion)), level)


def _vote_table(w: Words, minutes: Minutes) -> Table | None:
    """One row per ballot in the order put; a column of shares when any ballot counted area."""
    votes = minutes.votes
    if not votes:
        return None
    weighted = any(v.weighted for v in votes)
    header = [
        w("minutes.table.number"),
        w("minutes.table.item"),
        w("minutes.table.method"),
        w("minutes.table.yes"),
        w("minutes.table.no"),
        w("minutes.table.abstain"),
        w("record.table.absent"),
    ]
    widths = [0.8, 3.6, 1.2, 0.9, 0.9, 0.9, 0.9]
    if weighted:
        header.append(w("minutes.table.shares"))
        widths = [0.7, 2.2, 1.1, 1.2, 1.2, 1.2, 1.2, 2.4]
    header.append(w("minutes.table.result"))
    widths.append(1.0)
    rows = tuple(_vote_row(w, minutes, vote, weighted) for vote in votes)
    return Table(tuple(header), rows, tuple(widths))


def _vote_row(w: Words, minutes: Minutes, vote: MinutesVote, shares_column: bool) -> tuple[str, ...]:
    if vote.sealed:
        cells = [w("minutes.table.sealed")] * 3
    elif vote.weighted:
        cells = [
            w("minutes.table.weighted_cell", count=count, area=area_m2(area)) if vote.closed else "—"
            for count, area in (
                (vote.yes, vote.yes_area_cm2),
                (vote.no, vote.no_area_cm2),
                (vote.abstain, vote.abstain_area_cm2),
            )
        ]
    else:
        cells = [str(n) if vote.closed else "—" for n in (vote.yes, vote.no, vote.abstain)]
    if not vote.closed:
        cells.append("—")
    elif vote.weighted:
        cells.append(
            w(
                "minutes.table.weighted_cell",
                count=max((vote.total_owners or vote.members) - vote.cast, 0),
                area=area_m2(max(vote.total_area_cm2 - vote.participating_area_cm2, 0)),
            )
        )
    else:
        cells.append(str(max(vote.eligible - vote.cast, 0)))
    motion = minutes.motion(vote.number)
    item = clip(motion.text if motion is not None else "")
    if motion is not None and motion.kind != "main":
        item = w("minutes.table.child_item", kind=w(f"minutes.kind.{motion.kind}"), parent=motion.parent, text=item)
    row = [f"#{vote.number}", item, w.method(vote), *cells]
    if shares_column:
        row.append(_shares_cell(w, vote) if vote.weighted and vote.closed else "—")
    row.append(w.result(vote))
    return tuple(row)


def _shares_cell(w: Words, vote: MinutesVote) -> str:
    participation = w(
        "minutes.table.share_pair", area=share(vote.participation_area)[0], heads=share(vote.participation_heads)[0]
    )
    approval = w("minutes.table.share_pair", area=share(vote.approval_area)[0], heads=share(vote.approval_heads)[0])
    return w("minutes.table.shares_cell", participation=participation, approval=approval)


def _roll_call_lines(w: Words, minutes: Minutes) -> list[str]:
    """Who voted how on each open ballot; a secret ballot has no line."""
    lines = []
    for vote in minutes.votes:
        if vote.secret or not vote.roll_call:  # a secret ballot has no names, by construction and by rule
            continue
        groups = []
        for choice in ("yes", "no", "abstain"):
            names = [r.name for r in vote.roll_call if r.choice == choice]
            if names:
                groups.append(w("minutes.roll_call.choice", choice=w(f"minutes.choice.{choice}"), names=w.names(names)))
        lines.append(
            w(
                "minutes.roll_call.line",
                number=vote.number,
                when=w.when(vote.closed_at),
                choices=w("minutes.roll_call.join").join(groups),
            )
        )
    return lines


def outline(minutes: Minutes, locale: str | None) -> list[Block]:
    """The minutes as an ordered list of blocks, in the reader's language."""
    w = Words(locale)
    version = w("minutes.version", version=minutes.version)
    blocks: list[Block] = [Title(w("minutes.title", council=minutes.council_name), version), _header(w, minutes)]
    agenda = proceedings_blocks.agenda_lines(w, minutes)
    if agenda:
        blocks += [Heading(w("record.section.agenda")), *(Para(line, 1) for line in agenda)]
    if minutes.rule_changes:  # /set within the record: which rule, to what, by whom, when
        blocks.append(Heading(w("minutes.section.rule_changes")))
        for change in minutes.rule_changes:
            text = w("minutes.rule_change", when=w.when(change.at), rule=change.rule, value=change.value, by=change.by)
            blocks.append(Para(text, 1))
    blocks += _items(w, minutes)
    points = proceedings_blocks.point_lines(w, minutes)
    if points:  # within the proceedings, after the items
        blocks += [Para(w("record.section.points"), 0), *(Para(line, 1) for line in points)]
    blocks += _votes(w, minutes)
    blocks += _delivery(w, minutes)
    if minutes.adjourned_at is not None:
        blocks.append(Para(w("minutes.adjourned", when=w.when(minutes.adjourned_at)), 0))
    approved = proceedings_blocks.approved_later_line(w, minutes)
    if approved:
        blocks.append(Para(approved, 0))
    counter, scrutineer = proceedings_blocks.teller_lines(w, minutes)
    blocks.append(
        Signatures(
            w("minutes.signature.chair"),
            w("minutes.signature.recorder"),
            w("minutes.signature.date"),
            counter,
            scrutineer,
        )
    )
    blocks.append(Para(w("minutes.chain", seq=minutes.chain_seq, head=minutes.chain_head), note=True))
    blocks.append(Para(w("minutes.generated", when=w.when(minutes.generated_at), version=version), note=True))
    return blocks


def _header(w: Words, minutes: Minutes) -> Fields:
    """会议名称, time, place, chair and recorder, 应到 / 实到, who attended (or took part) and who did not."""
    present = (
        w("record.count.people_units", count=minutes.present, units=minutes.present_units)
        if minutes.attendance_recorded and minutes.present_units
        else w("minutes.count.people", count=minutes.present)
        if minutes.attendance_recorded
        else w("minutes.present.participants", count=minutes.present)
    )
    expected = (
        w("record.count.people_units", count=minutes.expected, units=minutes.expected_units)
        if minutes.expected_units
        else w("minutes.count.people", count=minutes.expected)
    )
    rows: list[tuple[tuple[str, str], ...]] = [
        ((w("minutes.field.meeting"), _period_label(w, minutes)),),
        ((w("minutes.field.time"), _time_label(w, minutes)),),
        ((w("minutes.field.place"), minutes.place),),
        (
            (w("minutes.field.chair"), w.names(minutes.chairs)),
            (w("minutes.field.recorder"), w.names(minutes.recorders)),
        ),
        ((w("minutes.field.expected"), expected), (w("minutes.field.present"), present)),
        (
            (
                w("minutes.field.attendees" if minutes.attendance_recorded else "minutes.field.participants"),
                proceedings_blocks.sign_ins(w, minutes) if minutes.sign_ins else w.names(minutes.attendees),
            ),
        ),
    ]
    if minutes.attendance_recorded:
        absent = proceedings_blocks.absent(w, minutes) if minutes.absent else w.names(minutes.absentees)
        rows.append(((w("minutes.field.absentees"), absent),))
    rows += proceedings_blocks.header_rows(w, minutes)
    return Fields(tuple(rows))


def _items(w: Words, minutes: Minutes) -> list[Block]:
    """The 议题 section: each top-level motion with the motions raised on it beneath."""
    blocks: list[Block] = [Heading(w("minutes.section.items"))]
    first = proceedings_blocks.approval_lines(w, minutes)  # approving the previous minutes comes first
    blocks += [Para(line, 0 if i == 0 else 1) for i, line in enumerate(first)]
    items = minutes.top_level()
    if not items and not first:
        blocks.append(Para(w("minutes.no_motions"), 1))
    for index, motion in enumerate(items, start=1):
        blocks.extend(_motion_blocks(w, minutes, motion, index))
    return blocks


def _votes(w: Words, minutes: Minutes) -> list[Block]:
    """The 表决情况 section: the table of every ballot, then the roll call of the open ones."""
    table = _vote_table(w, minutes)
    blocks: list[Block] = [
        Heading(w("minutes.section.votes")),
        table if table is not None else Para(w("minutes.no_votes"), 1),
    ]
    roll_call = _roll_call_lines(w, minutes)
    if roll_call:
        blocks.append(Para(w("minutes.section.roll_call"), 0))
        blocks.extend(Para(line, 1) for line in roll_call)
    for heading, lines in receipts_blocks.receipt_sections(w, minutes):  # civil278: the receipts of the 公示
        blocks.append(Para(heading, 0))
        blocks.extend(Para(line, 1) for line in lines)
    return blocks


def _delivery(w: Words, minutes: Minutes) -> list[Block]:
    """The 落实 section, when motions were assigned: who, by when, reports and the residents' rating."""
    if not minutes.assignments:
        return []
    blocks: list[Block] = [Heading(w("minutes.section.delivery"))]
    for item in minutes.assignments:
        status = w("minutes.delivery.done" if item.done else "minutes.delivery.ongoing")
        blocks.append(
            Para(
                w(
                    "minutes.delivery.assignment",
                    number=item.number,
                    text=clip(item.motion_text),
                    assignee=item.assignee or "—",
                    due=w.when_text(item.due) if item.due else w("minutes.delivery.no_due"),
                    status=status,
                ),
                1,
            )
        )
        for report in item.reports:
            blocks.append(Para(w("minutes.delivery.report", when=w.when(report.at), text=report.text), 2))
        if item.rating is not None:
            blocks.append(
                Para(
                    w(
                        "minutes.delivery.rating",
                        satisfied=item.rating.satisfied,
                        basic=item.rating.basic,
                        unsatisfied=item.rating.unsatisfied,
                    ),
                    2,
                )
            )
    return blocks


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Control characters cannot live in XML (DOCX) or a PDF's text: drop them."""
    return _XML_ILLEGAL.sub("", text)
