"""Issue 11 through the real Telegram adapter and the fake Bot API: digits glued to words are a speech, not a
motion number; a vote pressed after the chair closed the ballot early is refused and changes nothing."""

from __future__ import annotations

import pytest

from bot.i18n import Translator
from deliberation.lifecycle import MotionState
from tests.e2e.conftest import (
    ALICE,
    BOB,
    CAROL,
    CHAIR,
    ballots_of,
    button_data,
    classic_rules,
    events_of,
    motion_of,
    speeches_of,
    votes_of,
)

pytestmark = pytest.mark.timeout(60)
t = Translator("zh_Hans")
GROUP = -6101


async def test_a_speech_opening_with_a_building_number_and_a_press_after_an_early_close(harness):
    h = harness
    h.api.set_chat(GROUP, "group", "3号楼")
    h.api.set_chat_member(GROUP, CHAIR, "administrator")
    await h.cmd(GROUP, CHAIR, "/setup")
    await classic_rules(h, GROUP, CHAIR)
    for user, unit in ((ALICE, "3-101"), (BOB, "3-102"), (CAROL, "3-201")):
        await h.cmd(GROUP, user, f"/join {unit}")
    await h.cmd(GROUP, ALICE, "/motion 在3号楼楼道安装感应灯")
    await h.cmd(GROUP, BOB, "/second 1")

    # "3号楼…" is the speech's text on the only open motion, not motion #3
    step = await h.cmd(GROUP, CAROL, "/for 3号楼楼道太黑")
    assert step.reacted and step.refusal is None, step.texts
    assert [s.text for s in await speeches_of(h, GROUP, 1)] == ["3号楼楼道太黑"]

    ballot = (await h.cmd(GROUP, CHAIR, "/vote 1 2h")).posted_with_button("v:")
    yes, no, _abstain = button_data(ballot)
    mid = ballot["message_id"]
    await h.click(GROUP, ALICE, mid, yes)
    closed = await h.cmd(GROUP, CHAIR, "/close 1")  # early: one of three has voted
    assert t("result.passed") in closed.text
    await h.settle()
    ballot_id = (await ballots_of(h, GROUP, 1))[0].id
    before = (len(await events_of(h, GROUP)), await votes_of(h, ballot_id), h.api.message(GROUP, mid)["text"])

    late = await h.click(GROUP, BOB, mid, no)  # an old keyboard still shows the buttons
    assert late.alert and late.popup == t("error.ballot_not_open", number=1)
    assert late.messages == [] and late.of("editMessageText") == []
    await h.settle()
    after = (len(await events_of(h, GROUP)), await votes_of(h, ballot_id), h.api.message(GROUP, mid)["text"])
    assert after == before
    [counted] = await ballots_of(h, GROUP, 1)
    assert counted.result is not None and (counted.result.yes, counted.result.no) == (1, 0)
    assert (await motion_of(h, GROUP, 1)).state is MotionState.ADOPTED
