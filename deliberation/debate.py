"""Debate rules (南塘十三条): who may speak, how often, how long, and after whom."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from .errors import (
    ChairDoesNotDebate,
    DebateClosed,
    SideRequired,
    SpeakAgainTooSoon,
    SpeechLimitReached,
    SpeechTooLong,
    TextEmpty,
    WarnedOff,
)
from .lifecycle import OPEN_FOR_DEBATE, Action, next_state
from .model import Motion, Rules, Side, Speech
from .nantang import check_alternation

# Words that state a side at the start of a /speak text (南塘: state the side first).
_SIDE_WORDS = {
    Side.FOR: ("赞成", "支持", "同意", "贊成", "for", "support", "yes"),
    Side.AGAINST: ("反对", "不同意", "反對", "against", "oppose", "no"),
}


def side_from_text(text: str) -> tuple[Side, str] | None:
    """Read a stated side at the start of a speech: ("赞成，…" -> FOR, "…")."""
    stripped = text.strip()
    lowered = stripped.lower()
    for side, words in _SIDE_WORDS.items():
        for word in sorted(words, key=len, reverse=True):
            if lowered.startswith(word):
                rest = stripped[len(word) :].lstrip(" ：:，,、。.")
                if word.isascii() and stripped[len(word) : len(word) + 1].isalnum():
                    continue
                return side, rest
    return None


def check_speech(
    rules: Rules,
    motion: Motion,
    speaker_id: int,
    *,
    speaker_is_chair: bool,
    side: Side | None,
    text: str,
    earlier: Sequence[Speech],
    warnings: int,
    now: datetime | None = None,
) -> int:
    """Refuse a speech that breaks a rule; otherwise return how many speeches the speaker has left after it."""
    if motion.state not in OPEN_FOR_DEBATE:
        next_state(motion.state, Action.SPEAK, number=motion.number)
    own = [s for s in earlier if s.member_id == speaker_id]
    left = max(rules.speeches_per_member - len(own), 0)
    if motion.debate_closed:
        raise DebateClosed(number=motion.number, left=left)
    if speaker_is_chair:
        raise ChairDoesNotDebate(left=left)
    if warnings >= rules.warnings_limit:
        raise WarnedOff(warnings=warnings, limit=rules.warnings_limit, left=0)
    if side is None:
        raise SideRequired(left=left)
    if not text.strip():
        raise TextEmpty()
    if len(text) > rules.speech_max_chars:
        raise SpeechTooLong(limit=rules.speech_max_chars, length=len(text), left=left)
    if left == 0:
        raise SpeechLimitReached(limit=rules.speeches_per_member, left=0)
    if own and earlier and earlier[-1].member_id == speaker_id:
        raise SpeakAgainTooSoon(left=left)
    if now is not None:
        check_alternation(rules, side, earlier, now, left)
    return left - 1
