"""The council's rules one by one: what `/set <rule> <value>` may change, how a value is read, and its source.

A preset (`Rules.for_preset`) is the starting point; a chair changes one setting at a time. Each setting
names the `Rules` fields it writes, how its value is typed, and where the rule comes from (南塘 n, RONR §,
a statute, or the council's own choice), which `/rules` shows beside the value.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from fractions import Fraction
from typing import Any

from . import errors
from .counting import Preset
from .model import Rules
from .timeparse import BadDuration, parse_duration

CHAIR_LAST_WINDOW = timedelta(minutes=10)  # 南塘 11: the chair's vote is taken in the last 10 minutes anyway
SPEECHES_RANGE = (1, 10)
SPEECH_CHARS_RANGE = (50, 2000)


class BadSetting(errors.DeliberationError):
    """`/set` of a rule that does not exist (params: given, names)."""

    key = "set.error.unknown"


class BadSettingValue(errors.DeliberationError):
    """`/set` with a value the rule cannot take (params: rule, given); the key says what the rule takes."""

    key = "set.expect.flag"

    def __init__(self, *, expected: str, **params: object) -> None:
        self.key = expected
        super().__init__(**params)


@dataclass(frozen=True)
class Source:
    """Where a rule comes from: kind is nantang, ronr, organic (居委会组织法), civil (民法典) or council."""

    kind: str
    ref: str = ""


_ON = frozenset({"on", "yes", "true", "1", "开", "開", "是", "开启", "開啟", "打开", "打開"})
_OFF = frozenset({"off", "no", "false", "0", "关", "關", "否", "关闭", "關閉", "不"})
_NONE = frozenset({"none", "off", "无", "無", "不设", "不設", "0"})


def _word(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


def _flag(text: str) -> bool | None:
    word = _word(text)
    return True if word in _ON else False if word in _OFF else None


def _duration(text: str, *, zero: bool = False, off: bool = False) -> timedelta | None | str:
    """A duration; "0" when `zero` is allowed; None (off) when `off` is. A str result means unreadable."""
    word = _word(text)
    if off and word in _NONE:
        return None
    if zero and word in {"0", "0m", "0分钟", "无", "無"}:
        return timedelta(0)
    try:
        return parse_duration(text)
    except BadDuration:
        return "bad"


def _whole(text: str, low: int, high: int) -> int | None:
    word = _word(text)
    if not word.isdigit() or len(word) > 6:
        return None
    value = int(word)
    return value if low <= value <= high else None


def _quorum(text: str) -> Fraction | None | str:
    word = _word(text)
    if word in _NONE:
        return None
    try:
        value = Fraction(word[:-1]) / 100 if word.endswith("%") else Fraction(word)
    except (ValueError, ZeroDivisionError):
        return "bad"
    return value if 0 < value <= 1 else "bad"


@dataclass(frozen=True)
class Setting:
    """One rule a chair may set: its name (and aliases), how to read a value, how to show the current one."""

    name: str
    aliases: tuple[str, ...]
    expected: str  # catalogue key of what the value looks like
    read: Callable[[str], dict[str, Any] | None]  # typed value -> Rules fields, or None when unreadable
    value: Callable[[Rules], tuple[str, dict[str, Any]]]  # -> (catalogue key, params) of the current value
    source: Callable[[Rules], Source]


def _read_flag(field: str) -> Callable[[str], dict[str, Any] | None]:
    def read(text: str) -> dict[str, Any] | None:
        flag = _flag(text)
        return None if flag is None else {field: flag}

    return read


def _show_flag(field: str) -> Callable[[Rules], tuple[str, dict[str, Any]]]:
    return lambda rules: ("set.value.on" if getattr(rules, field) else "set.value.off", {})


def _read_duration(field: str, *, zero: bool = False, off: bool = False) -> Callable[[str], dict[str, Any] | None]:
    def read(text: str) -> dict[str, Any] | None:
        value = _duration(text, zero=zero, off=off)
        return None if isinstance(value, str) else {field: value}

    return read


def _show_duration(field: str) -> Callable[[Rules], tuple[str, dict[str, Any]]]:
    def show(rules: Rules) -> tuple[str, dict[str, Any]]:
        value: timedelta | None = getattr(rules, field)
        if value is None:
            return "set.value.off", {}
        minutes = int(value.total_seconds() // 60)
        if minutes == 0:
            return "set.value.none", {}
        if minutes % (24 * 60) == 0 and minutes > 48 * 60:
            return "set.value.days", {"n": minutes // (24 * 60)}
        if minutes % 60 == 0:
            return "set.value.hours", {"n": minutes // 60}
        return "set.value.minutes", {"n": minutes}

    return show


def _read_chair(text: str) -> dict[str, Any] | None:
    word = _word(text)
    if word in {"last", "最后", "最後"}:
        return {"chair_votes": True, "chair_votes_last": True}
    flag = _flag(text)
    return None if flag is None else {"chair_votes": flag, "chair_votes_last": False}


def _show_chair(rules: Rules) -> tuple[str, dict[str, Any]]:
    if not rules.chair_votes:
        return "set.value.chair_no", {}
    return ("set.value.chair_last" if rules.chair_votes_last else "set.value.chair_yes"), {}


def _read_tally(text: str) -> dict[str, Any] | None:
    word = _word(text)
    if word in {"live", "公开", "公開", "实时", "實時", "on"}:
        return {"tally_live": True}
    if word in {"hidden", "hide", "隐藏", "隱藏", "off"}:
        return {"tally_live": False}
    return None


def _show_quorum(rules: Rules) -> tuple[str, dict[str, Any]]:
    if rules.quorum is not None:
        return "set.value.fraction", {"n": rules.quorum.numerator, "d": rules.quorum.denominator}
    return f"set.value.quorum.{rules.preset.value}", {}


def _quorum_source(rules: Rules) -> Source:
    if rules.quorum is not None:
        return Source("council")
    return {
        Preset.ROBERT: Source("ronr", "40"),
        Preset.RESIDENT_MEETING: Source("organic", "9"),
        Preset.CIVIL278: Source("civil", "278"),
    }.get(rules.preset, Source("council"))


def _fixed(source: Source) -> Callable[[Rules], Source]:
    return lambda _rules: source


def _chair_source(rules: Rules) -> Source:
    return Source("nantang", "11") if not rules.chair_votes or rules.chair_votes_last else Source("ronr", "44")


def _speeches(text: str) -> dict[str, Any] | None:
    value = _whole(text, *SPEECHES_RANGE)
    return None if value is None else {"speeches_per_member": value}


def _speech_chars(text: str) -> dict[str, Any] | None:
    value = _whole(text, *SPEECH_CHARS_RANGE)
    return None if value is None else {"speech_max_chars": value}


def _read_quorum(text: str) -> dict[str, Any] | None:
    value = _quorum(text)
    return None if isinstance(value, str) else {"quorum": value}


# In the order /rules lists them.
SETTINGS: tuple[Setting, ...] = (
    Setting("quorum", ("法定人数",), "set.expect.quorum", _read_quorum, _show_quorum, _quorum_source),
    Setting(
        "approval",
        ("审核入群", "審核入群"),
        "set.expect.flag",
        _read_flag("approval_required"),
        _show_flag("approval_required"),
        lambda rules: Source("civil", "278") if rules.weighted else Source("council"),
    ),
    Setting(
        "second_deadline",
        ("附议期限", "附議期限"),
        "set.expect.duration",
        _read_duration("second_deadline"),
        _show_duration("second_deadline"),
        _fixed(Source("ronr", "4")),
    ),
    Setting(
        "speeches",
        ("发言次数", "發言次數"),
        "set.expect.speeches",
        _speeches,
        lambda r: ("set.value.count", {"n": r.speeches_per_member}),
        _fixed(Source("nantang", "5")),
    ),
    Setting(
        "speech_length",
        ("发言字数", "發言字數"),
        "set.expect.chars",
        _speech_chars,
        lambda r: ("set.value.chars", {"n": r.speech_max_chars}),
        _fixed(Source("nantang", "5")),
    ),
    Setting(
        "alternation",
        ("正反轮流", "正反輪流", "alternation_wait"),
        "set.expect.duration_off",
        _read_duration("alternation_wait", off=True),
        _show_duration("alternation_wait"),
        _fixed(Source("nantang", "8")),
    ),
    Setting(
        "quiet",
        ("quiet_before_vote", "表决前静候", "表決前靜候"),
        "set.expect.duration_zero",
        _read_duration("quiet_before_vote", zero=True),
        _show_duration("quiet_before_vote"),
        _fixed(Source("nantang", "11")),
    ),
    Setting(
        "tally",
        ("计票", "計票"),
        "set.expect.tally",
        _read_tally,
        lambda r: ("set.value.live" if r.tally_live else "set.value.hidden", {}),
        _fixed(Source("council")),
    ),
    Setting("chair_votes", ("主持人投票",), "set.expect.chair", _read_chair, _show_chair, _chair_source),
    Setting(
        "one_matter",
        ("一事一议", "一事一議"),
        "set.expect.flag",
        _read_flag("one_matter"),
        _show_flag("one_matter"),
        _fixed(Source("ronr", "10")),
    ),
    Setting(
        "ballot_duration",
        ("表决时长", "表決時長"),
        "set.expect.duration",
        _read_duration("ballot_duration"),
        _show_duration("ballot_duration"),
        _fixed(Source("council")),
    ),
    Setting(
        "abstain",
        ("弃权", "棄權"),
        "set.expect.flag",
        _read_flag("abstain_choice"),
        _show_flag("abstain_choice"),
        _fixed(Source("nantang", "12")),
    ),
    Setting(
        "questions",
        ("提问", "提問"),
        "set.expect.flag",
        lambda text: None if (flag := _flag(text)) is None else {"motion_must_act": not flag},
        lambda r: ("set.value.off" if r.motion_must_act else "set.value.on", {}),
        _fixed(Source("nantang", "2")),
    ),
    Setting(
        "proxy_cap",
        ("委托上限", "委託上限", "proxies"),
        "set.expect.speeches",  # a whole number from 1 to 10
        lambda text: None if (n := _whole(text, *SPEECHES_RANGE)) is None else {"proxy_cap": n},
        lambda r: ("set.value.proxy_cap", {"n": r.proxy_cap}),
        _fixed(Source("council")),
    ),
)


def find_setting(name: str) -> Setting:
    word = _word(name)
    for setting in SETTINGS:
        if word == setting.name or word in (_word(a) for a in setting.aliases):
            return setting
    raise BadSetting(given=name[:30], names=", ".join(s.name for s in SETTINGS))


def apply_setting(rules: Rules, name: str, value: str) -> tuple[Setting, Rules]:
    """The rules with one setting changed; a bad name or value is refused and changes nothing."""
    setting = find_setting(name)
    fields = setting.read(value) if value.strip() else None
    if fields is None:
        raise BadSettingValue(expected=setting.expected, rule=setting.name, given=value.strip()[:30])
    return setting, replace(rules, **fields)
