"""Motion numbers as residents write them (issue 11 #4): read every written form, refuse what cannot be read."""

from __future__ import annotations

import pytest

from bot.desk.parsing import number_only, parse_command, split_number
from bot.wecom.app import to_command
from deliberation.errors import DeliberationError


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("12", (12, "")),
        ("#12", (12, "")),
        ("１２", (12, "")),
        ("#１２", (12, "")),
        ("＃１２ 楼道", (12, "楼道")),
        ("第12号", (12, "")),
        ("第１２號", (12, "")),
        ("12号", (12, "")),
        ("12号 2h major", (12, "2h major")),
        ("3号楼楼道太黑", (None, "3号楼楼道太黑")),  # digits glued to words are text
        ("3号楼 楼道太黑", (None, "3号楼 楼道太黑")),
        ("楼道太黑", (None, "楼道太黑")),
        ("2h", (None, "2h")),
        ("", (None, "")),
    ],
)
def test_every_written_form_of_a_number_is_read(args: str, expected: tuple[int | None, str]) -> None:
    assert split_number(args) == expected


@pytest.mark.parametrize("args", ["第十二号", "#12a", "#", "第x号", "十二号", "#十二"])
def test_a_number_that_cannot_be_read_is_refused(args: str) -> None:
    with pytest.raises(DeliberationError) as refused:
        split_number(args + " 其余")
    assert refused.value.key == "error.bad_number"


@pytest.mark.parametrize("args", ["第十二号", "十二", "abc"])
def test_a_command_taking_only_a_number_refuses_other_words(args: str) -> None:
    with pytest.raises(DeliberationError) as refused:
        number_only(args)
    assert refused.value.key == "error.bad_number"
    assert number_only("") is None
    assert number_only("第12号") == 12


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("／motion 装灯", ("motion", "装灯")),
        ("/ｍｏｔｉｏｎ 装灯", ("motion", "装灯")),
        ("／ｙｅｓ　１２", ("yes", "１２")),  # a full-width space separates too
        ("/motion@yishi_bot 装灯", ("motion", "装灯")),
        ("/motion\n装灯", ("motion", "装灯")),
        ("装灯", None),
    ],
)
def test_full_width_commands_are_read(text: str, expected: tuple[str, str] | None) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("赞成 第12号", ("/yes 第12号", "")),
        ("赞成第１２号", ("/yes 第１２号", "")),
        ("／motion 装灯", ("/motion 装灯", "")),
    ],
)
def test_wecom_words_read_every_written_number(text: str, expected: tuple[str, str]) -> None:
    assert to_command(text) == expected
