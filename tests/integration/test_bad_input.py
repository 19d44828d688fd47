"""Bad input against every command and button: no crash, a clear short reply, and a refusal changes nothing.

Hypothesis writes the arguments: random Unicode, RTL and zero-width marks, 10,000-character texts,
HTML/Markdown specials, malformed durations and dates, numbers out of range.
"""

from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bot.desk.commands import COMMAND_NAMES as COMMANDS

from .desk_helpers import Person, incoming, snapshot, standard_council

pytestmark = pytest.mark.asyncio

SPECIALS = [
    "\u202e",
    "\u200f",
    "\u200b",
    "\ufeff",
    "\u0000",
    "<b>",
    "</b>",
    "<a href='x'>",
    "&amp;",
    "&",
    "*",
    "_",
    "__",
    "[",
    "]",
    "(",
    ")",
    "`",
    "```",
    "~",
    "|",
    "\\",
    "\n",
    "\t",
    "#",
]
NUMBERS = ["0", "-1", "1", "2", "3", "#2", "99999999999", "2147483648", "999999999", "1e9", "1.5", "٣", "²"]
TIMES = [
    "10m",
    "0m",
    "-5m",
    "99999d",
    "1000000000h",
    "1.5h",
    "2小时",
    "3d",
    "2周",
    "P1D",
    "now",
    "yesterday",
    "2026-13-45",
    "2026-02-30 25:61",
    "2026-12-01 19:30",
    "1970-01-01",
    "0000-00-00",
    "9999-12-31 23:59",
    "2026-11-21 10:00",
    "19:30",
    "12/01",
]
WORDS = [
    "secret",
    "major",
    "无记名",
    "@bob",
    "@alice",
    "@nobody",
    "@",
    "close",
    "结束",
    "done",
    "完成",
    "s",
    "b",
    "u",
    "满意",
    "不满意",
    "en",
    "zh",
    "xx",
    "nantang",
    "civil278",
    "md",
    "docx",
    "pdf",
    "csv",
    "json",
    "exe",
    "for",
    "against",
    "赞成",
    "反对",
    "meeting",
    "month",
    "all",
]
LONG = ["长" * 10_000, "a" * 10_000, "<b>" * 3_400, "\u202e" * 10_000]

tokens = st.one_of(
    st.sampled_from(SPECIALS + NUMBERS + TIMES + WORDS),
    st.text(max_size=12),
    st.lists(st.sampled_from(SPECIALS + list("ab1-:")), max_size=8).map("".join),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
)
arguments = st.one_of(
    st.lists(tokens, max_size=5).map(" ".join),
    st.tuples(st.sampled_from(NUMBERS[:6]), st.lists(tokens, max_size=3).map(" ".join)).map(" ".join),
    st.sampled_from(LONG).flatmap(lambda long: st.sampled_from(NUMBERS[:6]).map(lambda n: f"{n} {long}")),
    st.sampled_from(LONG),
)
people = st.sampled_from(
    [Person("chair"), Person("alice"), Person("bob"), Person("stranger"), Person("admin", admin=True)]
)
button_data = st.one_of(
    st.text(max_size=30),
    st.tuples(
        st.sampled_from(["v", "s", "ap", "r", "x", "", "v:1"]),
        st.lists(
            st.one_of(st.sampled_from(NUMBERS + ["y", "n", "a", "s", "b", "u", "", "yes"]), st.text(max_size=6)),
            max_size=3,
        ),
    ).map(lambda t: ":".join([t[0], *t[1]])),
)

REPLY_LIMIT = 1_500  # a refusal quotes what was typed, clipped: never a 10,000-character echo


def _dispatch_errors(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.startswith("bot.desk") and r.levelno >= logging.ERROR]


def _check(response, text: str) -> None:
    shown = [r.text for r in response.replies] + [e.text for e in response.edits]
    if response.popup is not None:
        shown.append(response.popup)
    if response.refused:
        assert shown and all(s.strip() for s in shown), f"empty refusal for {text[:80]!r}"
        assert all(len(s) <= REPLY_LIMIT for s in shown), f"over-long refusal for {text[:80]!r}"
    assert response.refusal != "error.unexpected", f"a handler crashed on {text[:80]!r}"
    assert response.refused == (response.refusal is not None), f"a refusal without its key for {text[:80]!r}"


# Few examples and no shrinking: each example already runs every command once, and a failure names its input.
HYPOTHESIS = settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture
async def desk(app):
    await standard_council(app.dispatcher)
    return app.dispatcher


@HYPOTHESIS
@given(data=st.data())
async def test_every_command_survives_bad_arguments(desk, caplog, data):
    caplog.set_level(logging.WARNING, logger="bot.desk")
    for name in sorted(COMMANDS):
        who = data.draw(people, label="who")
        args = data.draw(arguments, label=f"/{name} args")
        suffix = data.draw(st.sampled_from(["", "@yishi_bot"]), label="suffix")
        text = f"/{name}{suffix} {args}"
        before = await snapshot(desk)
        response = await desk.handle(incoming(who, text))
        _check(response, text)
        if response.refused:
            assert await snapshot(desk) == before, f"refused {text[:80]!r} by {who} changed state"
    assert _dispatch_errors(caplog) == []


@HYPOTHESIS
@given(data=st.data())
async def test_forged_button_data_is_refused_and_changes_nothing(desk, caplog, data):
    caplog.set_level(logging.WARNING, logger="bot.desk")
    for _ in range(25):
        who = data.draw(people, label="who")
        payload = data.draw(button_data, label="data")
        before = await snapshot(desk)
        response = await desk.handle(incoming(who, data=payload))
        _check(response, payload)
        if response.refused:
            assert response.popup, f"no pop-up for {payload!r}"
            assert await snapshot(desk) == before, f"refused button {payload!r} changed state"
    assert _dispatch_errors(caplog) == []


ODD_SHAPES = [
    "/",
    "//",
    "/ motion",
    "/\u200bmotion x",
    "/motion\u202e x",
    "/MOTION 大写命令",
    "/motion\nline two",
    "/" + "x" * 10_000,
    "/@yishi_bot",
    "/\ufeff",
    "/motion@other_bot 别的机器人",
    "\u200b/motion x",
    "/yes@",
    "/vote\t2",
    "/second #",
    "/second #99999999999",
    "/motion 含\x00空字符",
    "/join 1-\x00",
    "/schedule 2026-12-01 19:30 \x00",
    "/refer 3 \x00物业",
]
ODD_BUTTONS = [
    "v:99999999999:y",
    "v:-1:y",
    "v:0:y",
    "v:2147483648:n",
    "s:99999999999",
    "ap:-1",
    "r:99999999999:s",
    "v:\x002:y",
    "v:٢:y",
    "v: 2:y",
    "v:2:y:extra",
    "",
    ":",
    "v::",
    "ap:",
    "r:1",
    "r:1:x",
    "\x00",
]


async def test_odd_command_shapes(desk, caplog):
    caplog.set_level(logging.WARNING, logger="bot.desk")
    for text in ODD_SHAPES:
        before = await snapshot(desk)
        response = await desk.handle(incoming(Person("alice"), text))
        _check(response, text)
        if response.refused:
            assert await snapshot(desk) == before, text
    for data in ODD_BUTTONS:
        before = await snapshot(desk)
        response = await desk.handle(incoming(Person("chair"), data=data))
        _check(response, data)
        assert response.refused and response.popup, data
        assert await snapshot(desk) == before, data
    assert _dispatch_errors(caplog) == []
