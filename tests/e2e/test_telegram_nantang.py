"""南塘十三条 through the real Telegram adapter: a question refused, /set announced, the ballot's two buttons."""

from __future__ import annotations

import pytest

from bot.i18n import Translator
from tests.e2e.conftest import ALICE, BOB, CAROL, CHAIR, button_data, council_of

pytestmark = pytest.mark.timeout(60)
t = Translator("zh_Hans")
G = -5301


async def test_question_set_and_the_yes_no_ballot_through_telegram(harness):
    h = harness
    h.api.set_chat(G, "group", "5号楼")
    h.api.set_chat_member(G, CHAIR, "administrator")
    await h.cmd(G, CHAIR, "/setup")
    for user, unit in ((ALICE, "1-101"), (BOB, "1-102"), (CAROL, "1-201")):
        await h.cmd(G, user, f"/join {unit}")

    refused = await h.cmd(G, ALICE, "/motion 为什么楼道这么黑？")
    assert "南塘规则第2条" in (refused.refusal or "") and "/motion " in (refused.refusal or "")

    changed = await h.cmd(G, CHAIR, "/set speeches 3")
    assert "主持人" in changed.text and "每人每个议题 3 次" in changed.text
    assert (await council_of(h, G)).rules.speeches_per_member == 3

    await h.cmd(G, ALICE, "/motion 请物业一周内修好楼道灯")
    await h.cmd(G, BOB, "/second 1")
    ballot = (await h.cmd(G, CHAIR, "/vote 1 2h")).posted_with_button("v:")
    assert len(button_data(ballot)) == 2  # 赞成 and 反对 only (南塘 12)
    assert t("ballot.turnout", voted=0, eligible=3) in ballot["text"]
