"""The proceedings of a meeting in the reader's words, for the outline: sign-in with units and times, 列席, the
quorum statement, the agenda, the approval of the previous minutes, points of order and the tellers' lines."""

from __future__ import annotations

from deliberation.minutes import Minutes
from deliberation.minutes.proceedings import MinutesAttendee

from ..i18n import moments
from .words import Words

BLANK = "＿＿＿＿＿＿＿＿"


def _attendee(w: Words, person: MinutesAttendee) -> str:
    """张三（1-101，19:02签到）; the parts that are not known are left out."""
    parts = [person.unit] if person.unit else []
    if person.at is not None:
        parts.append(w("record.signed_in", time=moments.clock(person.at)))
    return w("record.attendee", name=person.name, details=w("record.detail_sep").join(parts)) if parts else person.name


def sign_ins(w: Words, minutes: Minutes) -> str:
    return w.sep.join(_attendee(w, a) for a in minutes.sign_ins) or w("minutes.none")


def absent(w: Words, minutes: Minutes) -> str:
    return w.sep.join(_attendee(w, a) for a in minutes.absent) or w("minutes.none")


def header_rows(w: Words, minutes: Minutes) -> list[tuple[tuple[str, str], ...]]:
    """列席 and the quorum statement, under the attendance."""
    rows: list[tuple[tuple[str, str], ...]] = []
    if minutes.observers:
        rows.append(((w("record.field.observers"), w.sep.join(_attendee(w, a) for a in minutes.observers)),))
    quorum = minutes.quorum
    if quorum is not None:
        key = (
            "record.quorum.none" if quorum.needed <= 0 else "record.quorum.met" if quorum.met else "record.quorum.short"
        )
        rows.append(
            (
                (
                    w("record.field.quorum"),
                    w(key, expected=quorum.expected, present=quorum.present, needed=quorum.needed),
                ),
            )
        )
    return rows


def agenda_lines(w: Words, minutes: Minutes) -> list[str]:
    """The agenda as set with /agenda; approving the last minutes, when done, is always its first business."""
    items = list(minutes.agenda)
    if items and minutes.approval is not None:
        items.insert(0, w("record.agenda_approval"))
    return [w("record.agenda_line", index=i, item=item) for i, item in enumerate(items, start=1)]


def _meeting(w: Words, number: int, label: tuple[int, int] | None) -> str:
    """A meeting as the record names it: 2026年第3次 (its number in the year), else the council's number."""
    if label is None:
        return w("record.meeting_number", number=number)
    return w("record.meeting_in_year", year=label[0], ordinal=label[1])


def approval_lines(w: Words, minutes: Minutes) -> list[str]:
    """Item 一: the previous meeting's minutes, approved (with corrections, if any)."""
    approval = minutes.approval
    if approval is None:
        return []
    lines = [w("record.approval_item", previous=_meeting(w, approval.previous, approval.previous_label))]
    lines.append(w("record.approval_done", by=approval.by, when=w.when(approval.at)))
    if approval.corrections:
        lines.append(w("record.approval_corrections", corrections=approval.corrections))
    return lines


def point_lines(w: Words, minutes: Minutes) -> list[str]:
    """Each point of order, who raised it and when, and the chair's ruling with the reason or rule it cited."""
    lines = []
    for point in minutes.points:
        on = w("record.point_on", number=point.number) if point.number else ""
        raised = w("record.point", point=point.point, name=point.by, when=w.when(point.at), on=on, text=point.text)
        if point.sustained is None:
            ruling = w("record.point_pending")
        else:
            key = "record.point_sustained" if point.sustained else "record.point_refused"
            ruling = w(key, chair=point.ruled_by, reason=point.reason)
        lines.append(raised + ruling)
    return lines


def approved_later_line(w: Words, minutes: Minutes) -> str | None:
    """These minutes were approved by a later meeting (and corrected there): said at their end."""
    approved = minutes.approved
    if approved is None:
        return None
    meeting = _meeting(w, approved.at_meeting, approved.at_meeting_label)
    line = w("record.approved_by", meeting=meeting, when=w.when(approved.at))
    if approved.corrections:
        line += w("record.approved_corrections", corrections=approved.corrections)
    return line


def teller_lines(w: Words, minutes: Minutes) -> tuple[str, str]:
    """计票人 and 监票人 with their names (blank to sign when none was appointed); none without a ballot."""
    if not minutes.votes:
        return "", ""
    counters = [t.name for t in minutes.tellers if t.role == "counter"]
    scrutineers = [t.name for t in minutes.tellers if t.role != "counter"]
    return (
        w("record.signature.counter", names=w.sep.join(counters) or BLANK),
        w("record.signature.scrutineer", names=w.sep.join(scrutineers) or BLANK),
    )
