"""The README's owners' decision (button, paper slip and proxy in one count) runs in the console as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.main import console_chat
from bot.roster_file import read_roster_file
from deliberation import usecases
from deliberation.lifecycle import MotionState

README = Path(__file__).resolve().parents[2] / "README.md"
pytestmark = pytest.mark.asyncio


def _blocks() -> tuple[str, list[str]]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Owners' decisions") :]
    register = re.search(r"```csv\n(.*?)```", section, re.S)
    chat = re.search(r"then go on in the chat:\n\n```\n(.*?)```", section, re.S)
    assert register is not None and chat is not None
    return register.group(1), [line for line in chat.group(1).splitlines() if line.strip()]


async def test_the_readme_owners_decision_passes_at_exactly_two_thirds_and_three_quarters(app, clock, tmp_path):
    register, lines = _blocks()
    csv = tmp_path / "register.csv"
    csv.write_text(register, encoding="utf-8")
    shown: list[str] = []
    chat = console_chat(app, out=shown.append)
    await chat.say("@chair /setup civil278")
    async with app.dispatcher.uow() as uow:  # what `yishi roster import register.csv --council 1` does
        council = await uow.councils.by_chat("console:main")
        await usecases.import_roster(uow, clock, council, read_roster_file(csv))
        await uow.commit()
    refused = []
    for line in lines:
        response = await chat.say(line)
        if response is not None and response.refused:
            refused.append(line)
    transcript = "\n".join(shown)
    assert refused == [], transcript[-3000:]
    async with app.dispatcher.uow() as uow:
        motion = await uow.motions.by_number(council.id, 1)
    assert motion.state is MotionState.ADOPTED
    assert "参与表决：人数 4/6 人（66.67%）" in transcript and "赞成比例：人数 3/4 人（75.00%）" in transcript
    assert "(私信给 li / to li only)" in transcript and "两次录入不一致" in transcript
    assert "【#1 已计入的投票回执码（共 4 户）】" in transcript
