"""The rest of the council's life on Telegram: deadlines rung by the alarm clock, minutes published and exported."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.i18n import Translator
from deliberation.lifecycle import MotionState
from tests.e2e.conftest import ALICE, BOB, CAROL, CHAIR, Harness, button_data, motion_of, running_bot

pytestmark = pytest.mark.timeout(60)
t = Translator("zh_Hans")
G = -9501


class ShiftedClock:
    """Real time, shifted by `offset` (so a deadline can be made to fall due in two seconds)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


async def council(h: Harness) -> None:
    h.api.set_chat(G, "group", "9号楼")
    h.api.set_chat_member(G, CHAIR, "creator")
    await h.cmd(G, CHAIR, "/setup")
    for user, unit in ((ALICE, "9-101"), (BOB, "9-102"), (CAROL, "9-201")):
        await h.cmd(G, user, f"/join {unit}")


async def test_a_ballot_closed_by_its_deadline_is_announced_in_the_group(tmp_path, api):
    clock = ShiftedClock()
    async with running_bot(tmp_path, api, clock=clock) as h:
        await council(h)
        await h.cmd(G, ALICE, "/motion 周末组织清洗水箱")
        await h.cmd(G, BOB, "/second 1")
        # a 10-minute question put 10 minutes minus 2 s ago: the alarm closes it 2 s from now
        clock.offset = -timedelta(minutes=10) + timedelta(seconds=2)
        ballot = (await h.cmd(G, CHAIR, "/vote 1 10m")).posted_with_button("v:")
        await h.click(G, ALICE, ballot["message_id"], button_data(ballot)[0])
        await h.click(G, BOB, ballot["message_id"], button_data(ballot)[0])
        clock.offset = timedelta(0)

        def announced():
            return [m["text"] for m in api.sent_messages(G) if t("result.counts", yes=2, no=0, abstain=0) in m["text"]]

        async def until_announced() -> None:
            while not announced():
                await asyncio.sleep(0.1)

        await asyncio.wait_for(until_announced(), 20)
        assert len(announced()) == 1 and t("result.passed") in announced()[0]
        assert (await motion_of(h, G, 1)).state is MotionState.ADOPTED
        step = await h.click(G, CAROL, ballot["message_id"], button_data(ballot)[1])  # too late
        assert step.alert and step.messages == []


async def test_minutes_are_published_pinned_and_exported_as_files(harness):
    h, api = harness, harness.api
    await council(h)
    await h.cmd(G, ALICE, "/motion 楼道堆物统一清理")
    await h.cmd(G, BOB, "/second 1")
    await h.cmd(G, CHAIR, "/secretary @carol")
    step = await h.cmd(G, BOB, "/publish")
    assert step.refusal and api.pinned(G) == []
    step = await h.cmd(G, CAROL, "/publish")
    assert "楼道堆物统一清理" in step.text
    assert api.pinned(G) == [step.messages[0]["message_id"]]
    step = await h.cmd(G, CHAIR, "/export pdf")
    assert step.reacted and step.messages == []  # quiet: the file is the answer
    pdf = api.documents(G)[-1]
    assert pdf["content"].startswith(b"%PDF") and pdf["filename"].endswith(".pdf")
    assert pdf["message"]["reply_to_message"]["message_id"] == step.command_message_id
    step = await h.cmd(G, CHAIR, "/export md")
    assert "楼道堆物统一清理" in api.documents(G)[-1]["content"].decode("utf-8")
