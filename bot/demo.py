"""`yishi demo`'s script: a whole deliberation, played in the console chat (`bot/main.py` runs it)."""

from __future__ import annotations

from .console import ConsoleChat

SCRIPT = """
@王主任 /setup nantang
@alice /join 3-101
@bob /join 3-102
@carol /join 3-201
@dave /join 3-202
@王主任 /secretary @carol
@王主任 /set quiet 0
@alice /motion 在3号楼每层楼道安装声控感应灯，费用从公共收益中支出
@bob /second 1
@bob /for 1 晚上楼道太黑，老人上下楼容易摔倒，装灯很有必要
@carol /against 1 公共收益还要用来修门禁，应该先把费用算清楚
@bob /for 1 物业报价每层约300元，六层不到2000元，公共收益够用
@bob /for 1 我再补充一句
@dave /amend 1 在3号楼每层楼道安装声控感应灯，费用不超过3000元，从公共收益中支出
@alice /second 2
@carol /for 2 有了上限，大家更放心
@王主任 /vote 2 10m
@alice /yes 2
@bob /yes 2
@carol /yes 2
@dave /yes 2
@王主任 /vote 1 10m
@alice /yes 1
@bob /no 1
@bob /yes 1
@carol /yes 1
@dave /abstain 1
@dave /no 1
@王主任 /status
@carol /publish
@王主任 /verify
"""


async def play(chat: ConsoleChat, script: str = SCRIPT) -> None:
    """Say every line of the script in the chat, a blank line after each (the transcript)."""
    for line in script.strip().splitlines():
        await chat.say(line)
        print()
