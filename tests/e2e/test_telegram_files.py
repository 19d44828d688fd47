"""Exported minutes reach Telegram as documents whose Chinese file names arrive as written, whichever HTTP
client python-telegram-bot uses."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ALICE, BOB, CHAIR, running_bot

pytestmark = pytest.mark.timeout(60)
G = -9601


@pytest.mark.parametrize("client", ["aiohttp", "httpx"])
async def test_an_exported_file_keeps_its_chinese_name(tmp_path, api, client):
    async with running_bot(tmp_path, api, http_client=client) as h:
        api.set_chat(G, "group", "幸福里3号楼")
        api.set_chat_member(G, CHAIR, "creator")
        await h.cmd(G, CHAIR, "/setup")
        for user, unit in ((ALICE, "3-101"), (BOB, "3-102")):
            await h.cmd(G, user, f"/join {unit}")
        await h.cmd(G, ALICE, "/motion 楼道堆物统一清理")
        await h.cmd(G, CHAIR, "/export docx")
        [document] = api.documents(G)
        name = document["filename"]
        assert name.startswith("议事记录_幸福里3号楼_") and name.endswith(".docx"), name
        assert "%" not in name
        assert document["message"]["document"]["file_name"] == name
