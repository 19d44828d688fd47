"""The secretary sends the property register to the Telegram group with /roster as the file's caption."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ALICE, CHAIR, Harness, council_of

pytestmark = pytest.mark.timeout(60)
G = -9601
REGISTER = "房号,业主,专有面积\n9-101,张三,80\n9-102,李四,76.5\n".encode()


async def test_a_register_sent_with_roster_as_its_caption_is_imported(harness: Harness) -> None:
    h = harness
    h.api.set_chat(G, "group", "9号楼")
    h.api.set_chat_member(G, CHAIR, "creator")
    await h.cmd(G, CHAIR, "/setup civil278")
    step = await h.run(h.api.make_document(G, CHAIR, "台账.csv", REGISTER, caption="/roster"))
    assert step.of("getFile") and "2 套房，2 位业主，专有面积 156.5㎡" in step.text
    council = await council_of(h, G)
    async with h.app.dispatcher.uow() as uow:
        assert [u.code for u in await uow.units.all(council.id)] == ["9-101", "9-102"]

    # a member's file changes nothing; a file sent without the command is not read
    await h.cmd(G, ALICE, "/join 9-101")
    step = await h.run(h.api.make_document(G, ALICE, "台账.csv", b"x,y\n1,2\n", caption="/roster"))
    assert step.refusal is not None and "记录人或主持人" in step.refusal
    step = await h.run(h.api.make_document(G, CHAIR, "photo.csv", REGISTER, caption="看看"))
    assert not step.of("getFile")
    async with h.app.dispatcher.uow() as uow:
        assert len(await uow.units.all(council.id)) == 2
