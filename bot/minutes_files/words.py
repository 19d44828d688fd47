"""The catalogue as the minutes speak it: times, counts, shares and item numbers in the reader's language."""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction

from deliberation.counting import percent as exact_percent
from deliberation.minutes import MinutesMotion, MinutesVote

from ..i18n import Translator

TABLE_TEXT_CHARS = 40  # the 表决情况 table names the item; the body has its full wording

_CN_DIGITS = "零一二三四五六七八九"


def _cn_number(n: int) -> str:
    """1 -> 一, 12 -> 十二, 105 -> 一百零五: how items are numbered in Chinese minutes."""
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        tail = (
            ""
            if rest == 0
            else (
                "零" + _CN_DIGITS[rest] if rest < 10 else ("一" + _cn_number(rest) if rest < 20 else _cn_number(rest))
            )
        )
        return _CN_DIGITS[n // 100] + "百" + tail
    return str(n)


class Words:
    """The catalogue, with the formatting of times, areas and shares the minutes use."""

    def __init__(self, locale: str | None) -> None:
        self.t = Translator(locale)
        self.locale = self.t.locale
        self.sep = self.t("minutes.list_separator")

    def __call__(self, key: str, **params: object) -> str:
        return self.t(key, **params)

    def when(self, moment: datetime | None) -> str:
        if moment is None:
            return "—"
        return self.t(
            "minutes.datetime",
            year=moment.year,
            month=moment.month,
            day=moment.day,
            mm=f"{moment.month:02d}",
            dd=f"{moment.day:02d}",
            hour=f"{moment.hour:02d}",
            minute=f"{moment.minute:02d}",
        )

    def day(self, moment: datetime) -> str:
        return self.t(
            "minutes.date",
            year=moment.year,
            month=moment.month,
            day=moment.day,
            mm=f"{moment.month:02d}",
            dd=f"{moment.day:02d}",
        )

    def when_text(self, text: str | None) -> str:
        """An ISO time from a payload (postponed until, due) in the minutes' own zone."""
        if not text:
            return "—"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return text
        if len(text) <= 10:
            return self.day(moment)
        return self.when(moment)

    def names(self, names: tuple[str, ...] | list[str]) -> str:
        return self.sep.join(n for n in names if n) or self("minutes.none")

    def ordinal(self, n: int) -> str:
        return _cn_number(n) if self.locale.startswith("zh") else str(n)

    def state(self, motion: MinutesMotion) -> str:
        if motion.state == "postponed" and motion.postponed_until:
            return self("minutes.disposition.postponed", until=self.when_text(motion.postponed_until))
        if motion.state == "referred" and motion.referred_to:
            return self("minutes.disposition.referred", to=motion.referred_to)
        return self(f"minutes.state.{motion.state}")

    def result(self, vote: MinutesVote) -> str:
        if not vote.closed:
            return self("minutes.result.open")
        if not vote.quorum_met:
            return self("minutes.result.failed_quorum")
        return self("minutes.result.passed" if vote.passed else "minutes.result.failed")

    def method(self, vote: MinutesVote) -> str:
        return self("minutes.method.secret" if vote.secret else "minutes.method.open")

    def rule(self, vote: MinutesVote) -> str:
        if vote.rule:
            return self(f"minutes.rule.{vote.rule}")
        return self(f"minutes.threshold.{vote.threshold}")


def share(value: str | None) -> tuple[str, str]:
    """("66.67%", "2/3") from a stored exact fraction."""
    if not value:
        return "—", "—"
    return exact_percent(Fraction(value)), value


def clip(text: str, limit: int = TABLE_TEXT_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"
