"""Issue 14 through real PTB: the secretary replies /proxy to the photo of a signed 委托书; the bytes are kept."""

from __future__ import annotations

import hashlib

import pytest

from deliberation import usecases
from deliberation.roster import RosterUnit
from tests.e2e.conftest import ALICE, BOB, CAROL, CHAIR, Harness, council_of

pytestmark = pytest.mark.timeout(60)
G = -9614
PHOTO = b"\xff\xd8\xff\xe0 signed proxy form"


async def _civil278(h: Harness) -> None:
    h.api.set_chat(G, "group", "6号楼")
    h.api.set_chat_member(G, CHAIR, "creator")
    await h.cmd(G, CHAIR, "/setup civil278")
    council = await council_of(h, G)
    register = [RosterUnit("6-101", "Alice", 900_000), RosterUnit("6-102", "Bob", 900_000)]
    register += [RosterUnit("6-201", "Carol", 900_000), RosterUnit("6-202", "老赵", 900_000)]
    async with h.app.dispatcher.uow() as uow:
        await usecases.import_roster(uow, h.app.dispatcher.clock, council, register)
        await uow.commit()
    for user, unit in ((ALICE, "6-101"), (BOB, "6-102"), (CAROL, "6-201")):
        await h.cmd(G, user, f"/join {unit}")
        await h.cmd(G, CHAIR, f"/approve @{user.username}")
    await h.cmd(G, CHAIR, "/secretary @carol")


async def test_the_secretary_records_a_proxy_from_the_photo_of_the_signed_form(harness: Harness) -> None:
    h = harness
    await _civil278(h)
    h.api.user_files["photo-1"] = PHOTO
    photo = {
        "message_id": 77,
        "date": 1_700_000_000,
        "chat": {"id": G, "type": "group", "title": "6号楼"},
        "from": {"id": CAROL.id, "is_bot": False, "first_name": CAROL.first_name, "username": CAROL.username},
        "photo": [{"file_id": "photo-1", "file_unique_id": "u-photo-1", "width": 800, "height": 1000}],
    }
    refused = await h.cmd(G, CAROL, "/proxy 6-202 @bob")  # the secretary without the signed paper
    assert refused.refusal
    step = await h.cmd(G, CAROL, "/proxy 6-202 @bob", reply_to_message=photo)
    assert any("6-202" in m["text"] for m in step.messages), step.calls
    council = await council_of(h, G)
    async with h.app.dispatcher.uow() as uow:
        [proxy] = await uow.proxies.all(council.id)
        kept = await uow.proxies.attachment(proxy.id)
    assert proxy.via == "secretary" and proxy.holder == BOB.first_name and proxy.file_id == "photo-1"
    assert kept == PHOTO and proxy.file_sha256 == hashlib.sha256(PHOTO).hexdigest()
