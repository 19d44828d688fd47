"""Logs at DEBUG, every logger switched on on purpose: no line holds the bot token or a secret ballot's choice."""

from __future__ import annotations

import logging

import pytest

from bot.i18n import Translator
from tests.e2e.conftest import ALICE, BOB, CAROL, CHAIR, DAVE, button_data, running_bot

from .conftest import classic_rules

pytestmark = pytest.mark.timeout(90)
t = Translator("zh_Hans")
G = -8301
LOGGERS = ("", "telegram", "telegram.ext", "httpx", "httpcore", "sqlalchemy", "sqlalchemy.engine", "aiosqlite")


@pytest.fixture
def all_debug(caplog):
    before = {name: logging.getLogger(name).level for name in LOGGERS}
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    yield caplog
    for name, level in before.items():
        logging.getLogger(name).setLevel(level)


async def test_debug_logs_carry_no_token_and_no_secret_choice(tmp_path, api, all_debug):
    async with running_bot(tmp_path, api, http_client="httpx") as h:
        api.set_chat(G, "group", "日志群")
        api.set_chat_member(G, CHAIR, "creator")
        await h.cmd(G, CHAIR, "/setup")
        await classic_rules(h, G, CHAIR)
        for user, unit in ((ALICE, "1"), (BOB, "2"), (CAROL, "3"), (DAVE, "4")):
            await h.cmd(G, user, f"/join {unit}")
        await h.cmd(G, ALICE, "/motion 选举新一届楼栋长")
        await h.cmd(G, BOB, "/second 1")
        ballot = (await h.cmd(G, CHAIR, "/vote 1 secret")).posted_with_button("v:")
        yes, no, abstain = button_data(ballot)
        await h.click(G, ALICE, ballot["message_id"], no)
        await h.click(G, BOB, ballot["message_id"], abstain)
        await h.click(G, BOB, ballot["message_id"], yes)  # a changed vote
        await h.cmd(G, CAROL, "/no 1")  # typed: refused and withdrawn
        await h.click(G, CAROL, ballot["message_id"], no)
        await h.cmd(G, CHAIR, "/close 1")
        await h.settle()
    lines = [f"{r.name} {r.getMessage()}" for r in all_debug.records]
    assert any(r.name.startswith("httpx") for r in all_debug.records)  # the request log was on
    assert [line for line in lines if api.token in line or api.token.split(":")[1] in line] == []
    secret = [no, abstain, yes, "/no 1"] + [
        t(key, choice=t(f"choice.{c}"), number=1)
        for key in ("popup.vote_recorded", "popup.vote_changed")
        for c in ("yes", "no", "abstain")
    ]
    assert [line for line in lines if any(s in line for s in secret)] == []
