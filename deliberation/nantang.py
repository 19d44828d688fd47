"""南塘十三条 in a chat: the checks behind the settings the `nantang` preset turns on (`Rules`, `settings.py`).

The table of every 南塘 rule, how the bot applies it and its setting is in `lifecycle.md`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from . import errors
from .model import Rules, Side, Speech
from .settings import CHAIR_LAST_WINDOW


class CallState(StrEnum):
    WAITING = "waiting"
    OPENED = "opened"
    DROPPED = "dropped"  # the motion left debate, or its ballot could not open: said in the group


@dataclass(frozen=True)
class CalledQuestion:
    """南塘 11: the chair called the question; its ballot opens at `opens_at` unless someone speaks first.

    Kept in the database (the alarm only rings): a restart finds it waiting and opens it on time.
    """

    id: int
    council_id: int
    motion_id: int
    called_at: datetime
    opens_at: datetime
    quiet: timedelta
    duration: timedelta | None
    secret: bool
    major: bool
    called_by: str
    state: CallState = CallState.WAITING


class QuestionNotMotion(errors.DeliberationError):
    """南塘 2: a motion proposes an action; a question is refused with an example (params: text)."""

    key = "nantang.error.question"


class SidesAlternate(errors.DeliberationError):
    """南塘 8: a third same-side speech in a row waits for the other side (params: side, minutes, left)."""

    key = "nantang.error.alternate"


class AbstainNotOffered(errors.DeliberationError):
    """南塘 12: the ballot offers 赞成 and 反对 only (params: number)."""

    key = "nantang.error.abstain"


class ChairVotesLast(errors.DeliberationError):
    """南塘 11: the chair votes last (params: number, waiting, minutes)."""

    key = "nantang.error.chair_last"


_QUESTION_START = re.compile(
    r"^(为什么|为何|為什麼|為何|怎么|怎麼|凭什么|憑什麼|是不是|是否|能不能|可不可以|有没有|有沒有|谁|誰|哪|"
    r"什么时候|什麼時候|(why|how|what|who|when|where|is|are|can|could|should|do|does)\b)",
    re.IGNORECASE,
)
_QUESTION_END = ("?", "吗", "嗎", "呢", "么", "麼")


def is_question(text: str) -> bool:
    """ "为什么楼道这么黑？" is a question; "在楼道安装感应灯" proposes something to do."""
    norm = unicodedata.normalize("NFKC", text).strip().rstrip("。.!！ ")
    return bool(norm) and (norm.endswith(_QUESTION_END) or _QUESTION_START.match(norm) is not None)


def check_motion_text(rules: Rules, text: str) -> None:
    if rules.motion_must_act and is_question(text):
        raise QuestionNotMotion(text=text)


def check_alternation(rules: Rules, side: Side, earlier: Sequence[Speech], now: datetime, left: int) -> None:
    """Refuse a third consecutive speech on one side while the other side may still answer."""
    wait = rules.alternation_wait
    if wait is None or len(earlier) < 2:
        return
    last, before = earlier[-1], earlier[-2]
    if last.side is side and before.side is side and now - last.at < wait:
        raise SidesAlternate(side=side.value, minutes=int(wait.total_seconds() // 60), left=left)


def check_choice_offered(rules: Rules, abstaining: bool, number: int) -> None:
    if abstaining and not rules.abstain_choice:
        raise AbstainNotOffered(number=number)


def check_chair_last(
    rules: Rules, *, is_chair: bool, others_voted: int, eligible: int, closes_at: datetime, now: datetime, number: int
) -> None:
    """Where the chair votes last: accepted once every other eligible voter has voted, or in the last 10 minutes."""
    if not (is_chair and rules.chair_votes and rules.chair_votes_last):
        return
    if others_voted >= eligible - 1 or closes_at - now <= CHAIR_LAST_WINDOW:
        return
    raise ChairVotesLast(
        number=number, waiting=eligible - 1 - others_voted, minutes=int(CHAIR_LAST_WINDOW.total_seconds() // 60)
    )


def quiet_opening(rules: Rules, called_at: datetime, last_speech_at: datetime | None, closed: bool) -> datetime | None:
    """When a question called now opens: at once (None) unless a speech came within `quiet_before_vote`.

    Debate closed by an adopted close-debate skips the wait. Otherwise the ballot opens after a full
    quiet spell from the call (a later speech restarts it: `restarted`).
    """
    quiet = rules.quiet_before_vote
    if closed or quiet <= timedelta(0) or last_speech_at is None or called_at - last_speech_at >= quiet:
        return None
    return called_at + quiet
