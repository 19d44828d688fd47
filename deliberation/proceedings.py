"""What a filed 议事记录 needs beyond the motions: the formal name, the meeting's kind, place and agenda, 列席,
approval of the previous minutes and points of order. The words people type, the limits and the refusals."""

from __future__ import annotations

from enum import StrEnum

from . import errors

NAME_MAX = 60  # "幸福里社区3号楼业主大会议事会" and longer fit
PLACE_MAX = 100
AGENDA_ITEM_MAX = 200
AGENDA_MAX_ITEMS = 20
CORRECTION_MAX = 500
ORDER_MAX = 300


class MeetingKind(StrEnum):
    REGULAR = "regular"  # 例会
    SPECIAL = "special"  # 临时会议
    OWNERS = "owners"  # 业主大会


# The first word of `/meeting` (or `/schedule`'s title) may name the kind; anything else is the title.
_KIND_WORDS = {
    "例会": MeetingKind.REGULAR,
    "例會": MeetingKind.REGULAR,
    "regular": MeetingKind.REGULAR,
    "临时": MeetingKind.SPECIAL,
    "臨時": MeetingKind.SPECIAL,
    "临时会议": MeetingKind.SPECIAL,
    "臨時會議": MeetingKind.SPECIAL,
    "special": MeetingKind.SPECIAL,
    "业主大会": MeetingKind.OWNERS,
    "業主大會": MeetingKind.OWNERS,
    "owners": MeetingKind.OWNERS,
}

# `/join 列席`: a person who attends and may record, without a unit and without a vote.
OBSERVER_WORDS = frozenset({"列席", "observer", "observe", "列席人员", "列席人員"})

# `/ruling 成立 …` sustains a point of order, `/ruling 不成立 …` refuses it.
_SUSTAINED = {
    "成立": True,
    "sustained": True,
    "yes": True,
    "支持": True,
    "不成立": False,
    "refused": False,
    "denied": False,
    "overruled": False,
    "no": False,
    "不支持": False,
}


def split_kind(text: str) -> tuple[MeetingKind, str]:
    """(kind, the rest) from `/meeting 临时 电梯议事会`; a meeting with no kind word is a 例会."""
    words = (text or "").split(maxsplit=1)
    if words and words[0].strip().lower() in _KIND_WORDS:
        return _KIND_WORDS[words[0].strip().lower()], words[1] if len(words) > 1 else ""
    return MeetingKind.REGULAR, text or ""


def split_ruling(text: str) -> tuple[bool, str]:
    """(sustained, the reason or rule cited) from `/ruling 不成立 南塘第5条：每人发言不超过两次`."""
    word, _, rest = (text or "").strip().partition(" ")
    if word.lower() not in _SUSTAINED:
        raise RulingWordRequired()
    reason = " ".join(rest.split())
    if not reason:
        raise RulingReasonRequired()
    return _SUSTAINED[word.lower()], reason


def clean(text: str, limit: int) -> str:
    """One line of typed text, refused when empty or longer than `limit`."""
    flat = " ".join((text or "").split())
    if not flat:
        raise errors.TextEmpty()
    if len(flat) > limit:
        raise errors.TextTooLong(limit=limit, length=len(flat))
    return flat


# ---- refusals -------------------------------------------------------------------------------------


class ObserverOnly(errors.DeliberationError):
    """列席 people attend and record; only members move, second, speak and vote."""

    key = "record.error.observer"


class NoMeetingForDetails(errors.DeliberationError):
    """/place and /agenda need a meeting open or in the calendar."""

    key = "record.error.no_meeting"


class TooManyAgendaItems(errors.DeliberationError):
    key = "record.error.agenda_full"


class NoPreviousMinutes(errors.DeliberationError):
    """/minutes approve at the council's first meeting: there is nothing to approve."""

    key = "record.error.no_previous"


class MinutesAlreadyApproved(errors.DeliberationError):
    key = "record.error.already_approved"


class RulingWordRequired(errors.DeliberationError):
    key = "record.error.ruling_word"


class RulingReasonRequired(errors.DeliberationError):
    """A ruling cites its reason or rule: the minutes quote it."""

    key = "record.error.ruling_reason"


class NoPendingPoint(errors.DeliberationError):
    key = "record.error.no_point"
