"""Tests for bot.desk.buttons: every kind of press round-trips, and nothing else decodes."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.desk.buttons import MAX_BYTES, Approve, BadButton, Press, Rate, Second, Vote, decode, encode, try_decode
from deliberation.counting import Choice
from deliberation.delivery import Rating

quick = settings(max_examples=300, deadline=None)
ids = st.integers(min_value=1, max_value=2**31 - 1)
presses = st.one_of(
    st.builds(Second, ids),
    st.builds(Vote, ids, st.sampled_from(Choice)),
    st.builds(Approve, ids),
    st.builds(Rate, ids, st.sampled_from(Rating)),
)


@pytest.mark.parametrize(
    ("press", "data"),
    [
        (Second(7), "s:7"),
        (Vote(4, Choice.YES), "v:4:y"),
        (Vote(4, Choice.NO), "v:4:n"),
        (Vote(4, Choice.ABSTAIN), "v:4:a"),
        (Approve(3), "ap:3"),
        (Rate(5, Rating.SATISFIED), "r:5:s"),
        (Rate(5, Rating.BASIC), "r:5:b"),
        (Rate(5, Rating.UNSATISFIED), "r:5:u"),
    ],
)
def test_the_wire_format_is_the_one_posted_keyboards_carry(press: Press, data: str) -> None:
    assert encode(press) == data
    assert decode(data) == press


@quick
@given(presses)
def test_every_press_round_trips_within_telegrams_limit(press: Press) -> None:
    data = encode(press)
    assert decode(data) == press
    assert len(data.encode("utf-8")) <= MAX_BYTES


@quick
@given(st.one_of(st.text(), st.text(alphabet="svapry:0123456789４²-+ ", max_size=16), presses.map(encode)))
@example("v:04:y")
@example("v:4:y:")
@example("v:4:yes")
@example("v::y")
def test_decode_returns_what_encode_makes_or_refuses(data: str) -> None:
    try:
        press = decode(data)
    except BadButton:
        assert try_decode(data) is None
        return
    assert encode(press) == data


@pytest.mark.parametrize(
    ("ballot_id", "ok"),
    [
        ("0", False),
        ("1", True),
        (str(2**31 - 1), True),
        (str(2**31), False),
        ("４", False),
        ("²", False),
        ("01", False),
        ("-1", False),
        ("+1", False),
        (" 1", False),
        ("", False),
    ],
)
def test_the_edges_of_an_id(ballot_id: str, ok: bool) -> None:
    data = f"v:{ballot_id}:y"
    if ok:
        assert decode(data) == Vote(int(ballot_id), Choice.YES)
    else:
        with pytest.raises(BadButton):
            decode(data)


@pytest.mark.parametrize(
    "data",
    [
        "",
        "v",
        "v:4",
        "v:4:x",
        "s:7:y",
        "ap:",
        "r:5",
        "r:5:y",
        "x:1",
        "V:4:y",
        "v:4:y" + " " * MAX_BYTES,
        "v:" + "1" * 70 + ":y",
    ],
)
def test_data_no_button_of_ours_carries_is_refused(data: str) -> None:
    with pytest.raises(BadButton):
        decode(data)
    assert try_decode(data) is None


def test_try_decode_takes_a_press_without_data() -> None:
    assert try_decode(None) is None


@pytest.mark.parametrize("press", [Second(0), Vote(2**31, Choice.YES), Approve(-1), Rate(True, Rating.BASIC)])
def test_encode_refuses_what_is_not_a_database_id(press: Press) -> None:
    with pytest.raises(ValueError):
        encode(press)


def test_bad_button_is_a_value_error() -> None:
    assert issubclass(BadButton, ValueError)
