"""The hall's forms become exactly the desk's commands, and nothing else; its link tokens never reach a log."""

from __future__ import annotations

from bot.hall.actions import command_for
from bot.wecom.hardening import redact


def test_forms_become_the_commands_every_platform_sends():
    assert command_for({"act": "move", "text": " 装  感应灯 "}) == ("/motion 装 感应灯", None)
    assert command_for({"act": "second", "n": "3"}) == ("/second 3", None)
    assert command_for({"act": "against", "n": "3", "text": "太贵"}) == ("/against 3 太贵", None)
    assert command_for({"act": "vote", "n": "7", "choice": "n"}) == ("", "v:7:n")
    assert command_for({"act": "rate", "n": "2", "rating": "s"}) == ("", "r:2:s")
    assert command_for({"act": "approve", "n": "5"}) == ("", "ap:5")
    assert command_for({"act": "put", "n": "1"}) == ("/vote 1", None)
    assert command_for({"act": "publish"}) == ("/publish", None)


def test_anything_else_asks_for_nothing():
    assert command_for({"act": "move", "text": "   "}) is None
    assert command_for({"act": "second", "n": "3; /setup"}) is None
    assert command_for({"act": "second", "n": "²"}) is None
    assert command_for({"act": "second", "n": "1234567890"}) is None  # ten digits: no id of ours
    assert command_for({"act": "vote", "n": "7", "choice": "maybe"}) is None
    assert command_for({"act": "setup", "n": "1"}) is None
    assert command_for({"act": "for", "n": "1", "text": "x\n/setup"}) == ("/for 1 x /setup", None)


def test_a_personal_link_is_hidden_in_the_access_log():
    assert redact("/h/Abc_123/in/secret-token") == "/h/Abc_123/in/…"
    assert redact("/h/Abc_123/m/1") == "/h/Abc_123/m/1"
