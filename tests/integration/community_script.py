"""A community of three building councils and a month of activity, typed in their group chats: meetings,
adopted, rejected and postponed motions, a secret ballot, delivery on time and overdue, ratings, published
minutes. The ledger and desk tests check their figures against this record."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from bot.desk.messages import Incoming, Response

_updates = itertools.count(1)

COUNCILS = {"east": "东苑3号楼议事会", "west": "西苑7号楼议事会", "north": "北苑1号楼议事会"}
PEOPLE = (("alice", "1-101"), ("bob", "1-102"), ("carol", "1-201"), ("dave", "1-202"))


@dataclass
class Chats:
    desk: object
    clock: object

    async def say(self, chat: str, who: str, text: str, *, data: str | None = None) -> Response:
        self.clock.advance(minutes=3)
        response = await self.desk.handle(
            Incoming(
                "console",
                chat,
                who,
                who.title(),
                text=text,
                data=data,
                chat_title=COUNCILS[chat],
                username=who,
                is_admin=who == "chair",
                update_key=f"c:{next(_updates)}",
            )
        )
        assert not response.refused, (chat, who, text, [r.text for r in response.replies], response.popup)
        return response

    async def all_say(self, chat: str, *lines: str) -> None:
        for line in lines:
            who, _, text = line.partition(" ")
            await self.say(chat, who, text)


async def play_month(desk, clock) -> Chats:
    """November 2026 in three councils (the clock starts on 2 November)."""
    chats = Chats(desk, clock)
    for chat in COUNCILS:
        await chats.say(chat, "chair", "/setup robert")
        for who, unit in PEOPLE:
            await chats.say(chat, who, f"/join {unit}")
    # east: a meeting of three; #1 adopted on an open ballot and delivered on time, rated; #2 rejected; #3 postponed
    await chats.all_say(
        "east",
        "chair /meeting 十一月议事会",
        "alice /present",
        "bob /present",
        "carol /present",
        "alice /motion 在3号楼每层安装声控感应灯",
        "bob /second 1",
        "chair /vote 1 1h",
        "alice /yes 1",
        "bob /yes 1",
        "carol /no 1",
        "chair /close 1",
        "bob /motion 把楼下空地改成停车位",
        "carol /second 2",
        "chair /vote 2 1h",
        "alice /no 2",
        "bob /yes 2",
        "carol /no 2",
        "chair /close 2",
        "carol /motion 给单元门换新门禁",
        "dave /second 3",
        "alice /postpone 3 2026-12-20 19:30",
        "bob /second 4",
        "chair /vote 4 1h",
        "alice /yes 4",
        "bob /yes 4",
        "carol /no 4",
        "chair /close 4",
        "chair /adjourn",
        "chair /assign 1 @bob 3d",
    )
    clock.advance(days=1)
    await chats.all_say(
        "east", "bob /report 1 感应灯已装好 完成", "chair /rate 1", "alice /rate 1 满意", "carol /rate 1 基本满意"
    )
    await chats.all_say("east", "chair /rate 1 close")
    # west: #1 adopted on a secret ballot, assigned and left overdue
    clock.advance(days=2)
    await chats.all_say("west", "dave /motion 每月第一个周六组织楼道大扫除", "carol /second 1")
    opened = await chats.say("west", "chair", "/vote 1 1h secret")
    ballot = opened.replies[0].subject.split(":")[1]
    for who, choice in (("alice", "y"), ("bob", "n"), ("carol", "y"), ("dave", "y")):
        await chats.say("west", who, "", data=f"v:{ballot}:{choice}")
    await chats.all_say("west", "chair /close 1", "chair /assign 1 @dave 2d")
    # north: #1 rejected (no more than half), minutes published by its secretary
    clock.advance(days=3)
    await chats.all_say(
        "north",
        "chair /secretary @carol",
        "bob /motion 楼顶安装太阳能热水器",
        "alice /second 1",
        "chair /vote 1 1h",
        "alice /yes 1",
        "bob /yes 1",
        "carol /no 1",
        "dave /no 1",
        "chair /close 1",
        "carol /publish all",
    )
    clock.advance(days=5)
    return chats
