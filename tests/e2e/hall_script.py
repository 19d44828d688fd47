"""One deliberation by five residents and a chair, played through the hall (a browser) or the console (the desk).

Each step is what a hall form sends: (who, act, motion number, text or choice). The console plays the same
step as the command the hall turns it into (bot.hall.actions), typed by a console user of the same name.
"""

from __future__ import annotations

from bot.desk.messages import Incoming
from bot.hall.actions import command_for

RESIDENTS = [("王阿姨", "2-201"), ("李叔", "2-202"), ("张姐", "2-203"), ("赵伯", "2-204"), ("陈哥", "2-205")]
CHAIR = "主持人"

Y, N = "y", "n"
SCRIPT: list[tuple[str, str, int | None, str]] = [
    ("王阿姨", "move", None, "在2号楼门口装一盏感应灯"),
    ("李叔", "second", 1, ""),
    ("王阿姨", "for", 1, "晚上楼道口太黑，老人容易摔倒。"),
    ("张姐", "against", 1, "先要说清楚电费由谁出。"),
    ("王阿姨", "for", 1, "一盏灯一年电费不到十元。"),
    ("赵伯", "against", 1, "我也担心坏了没人修。"),
    ("王阿姨", "for", 1, "我再说一句。"),  # the third speech: refused under 南塘 rules
    ("张姐", "amend", 1, "在2号楼门口装一盏感应灯，电费和维修由物业负责"),
    ("陈哥", "second", 2, ""),
    (CHAIR, "put", 2, ""),
    ("王阿姨", "vote", 2, Y),
    ("李叔", "vote", 2, Y),
    ("张姐", "vote", 2, Y),
    ("赵伯", "vote", 2, Y),
    ("陈哥", "vote", 2, Y),
    (CHAIR, "put", 1, ""),
    ("王阿姨", "vote", 1, Y),
    ("张姐", "vote", 1, N),
    ("张姐", "vote", 1, Y),  # she changes her vote
    ("李叔", "vote", 1, Y),
    ("赵伯", "vote", 1, N),
    ("陈哥", "vote", 1, Y),
    (CHAIR, "assign", 1, "30d"),
    ("李叔", "done", 1, "灯已经装好了"),
    (CHAIR, "open_rating", 1, ""),
    ("王阿姨", "rate", 1, "s"),
    ("张姐", "rate", 1, "b"),
    ("赵伯", "rate", 1, "s"),
]
REFUSED = {6}  # the steps (indexes) the desk refuses
SETTINGS = "/set quiet 0"  # the chair puts the question at once (南塘 11's quiet spell is tested elsewhere)
ASSIGNEE = "李叔"


def form_of(act: str, n: int | None, value: str, *, ballot: int = 0, assignment: int = 0) -> dict[str, object]:
    """The form the hall posts for a step (ids where the page knows them)."""
    if act == "vote":
        return {"act": act, "n": ballot, "choice": value}
    if act == "rate":
        return {"act": act, "n": assignment, "rating": value}
    if act == "assign":
        return {"act": act, "n": n, "who": f"@{ASSIGNEE}", "text": value}
    return {"act": act, "n": n or "", "text": value}


async def play_on_console(desk, chat: str = "main") -> list[bool]:
    """The script typed on the console; returns which steps were refused."""

    def incoming(who: str, text: str = "", data: str | None = None) -> Incoming:
        return Incoming("console", chat, who, who, text=text, data=data, chat_title="2号楼议事会", username=who)

    await desk.handle(incoming(CHAIR, "/setup"))
    await desk.handle(incoming(CHAIR, SETTINGS))
    for name, unit in RESIDENTS:
        await desk.handle(incoming(name, f"/join {unit}"))
    refused = []
    for who, act, n, value in SCRIPT:
        ballot = assignment = 0
        async with desk.uow() as uow:
            council = await uow.councils.by_chat(f"console:{chat}")
            motion = next((m for m in await uow.motions.all(council.id) if m.number == n), None)
            if motion is not None:
                open_ballot = await uow.ballots.open_for_motion(motion.id)
                ballot = open_ballot.id if open_ballot else 0
                a = await uow.assignments.by_motion(motion.id)
                assignment = a.id if a else 0
        text, data = command_for(form_of(act, n, value, ballot=ballot, assignment=assignment))
        response = await desk.handle(incoming(who, text, data))
        refused.append(response.refused)
    return refused
