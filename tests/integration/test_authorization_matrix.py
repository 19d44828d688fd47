"""Every command and button × every role, against a table written from spec §2; a denied action changes nothing.

Roles, one person each: a stranger in the group, a pending member, a member, the secretary, the chair
(who set the council up), and a platform group admin who never joined (a chair by default).

Each row gets a council of its own (its own chat) with the row's preconditions in place. The denied
roles go first: each must be refused *for who they are* (not for some other reason) and leave the
council exactly as it was. Then the allowed roles: the first must succeed; the others must not be
refused for who they are (they may be refused for procedure, e.g. the motion is already seconded).
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import get_args

from sqlalchemy import func, select

from bot.desk.buttons import Press, decode
from bot.desk.commands import ALL, COMMAND_NAMES
from bot.desk.messages import Attachment
from deliberation.model import Member, MemberStatus
from storage.models import AssignmentRow

from .desk_helpers import Person, council_of, incoming, ok, snapshot

STRANGER, PENDING, MEMBER, SECRETARY, CHAIR, ADMIN = "stranger", "pending", "member", "secretary", "chair", "admin"
ROLES = (STRANGER, PENDING, MEMBER, SECRETARY, CHAIR, ADMIN)
PEOPLE = {
    STRANGER: Person("stranger"),
    PENDING: Person("pena"),
    MEMBER: Person("alice"),
    SECRETARY: Person("sec"),
    CHAIR: Person("chair"),
    ADMIN: Person("admin", admin=True),
}

EVERYONE = set(ROLES)
CHAIRS = {CHAIR, ADMIN}
RECORDERS = {SECRETARY, CHAIR, ADMIN}
MEMBERS = {MEMBER, SECRETARY, CHAIR}  # active members; the chair is one (set up the council)
VOTERS = {MEMBER, SECRETARY}  # nantang: the chair does not vote
DEBATERS = {MEMBER, SECRETARY}  # spec §2: the chair moderates and does not debate

# Refusals that are about who acts (as opposed to the state of the motion, a typo, …).
WHO_KEYS = {
    "error.not_member",
    "error.pending_approval",
    "error.role_required",
    "error.council_exists",
    "error.only_mover_withdraws",
    "sched.error.not_assignee",
    "error.speech.chair",
    "error.not_eligible",
    "channels.error.teller_required",
}
# Rows whose allowed roles pass every check of who they are and are then refused because the council is not a
# civil278 one (paper slips and proxies are owners' votes): the refusal the first allowed role must get.
CIVIL278_ONLY = "channels.error.civil278_only"
JOIN_KEYS = WHO_KEYS | {"error.already_member"}  # for /join, being a member already is who you are

# Preconditions beyond the base council (see _council): lines said before the row, by whom.
ASSIGNED = [("chair", "/assign 1 @bob 3d")]
DONE = ASSIGNED + [("bob", "/report 1 已完工 完成")]
RATING = DONE + [("chair", "/rate 1")]
MEETING = [("chair", "/meeting 现场会")]
# An owners' vote: #2 closed, the council switched to civil278 on a register sent with /roster, #4 put to the owners.
REGISTER = Attachment(
    "台账.csv", "房号,业主,专有面积\n1-101,阿丽,80\n1-102,鲍勃,80\n1-201,卡萝,80\n1-202,秘书,80\n".encode()
)
OWNERS_VOTE = [
    ("chair", "/close 2"),
    ("chair", "/setup civil278 confirm"),
    ("chair", "/roster", REGISTER),
    ("chair", "/vote 4 3d"),
]

# (command text or button, who may, preconditions). Buttons: "{ballot}", "{motion3}", "{pena}", "{assignment}".
TABLE: list[tuple[str, set[str], list]] = [
    # anyone in the group reads: the council's work is public to the group (公开), and help is for all
    ("/start", EVERYONE, []),
    ("/help", EVERYONE, []),
    ("/rules", EVERYONE, []),
    ("/members", EVERYONE, []),
    ("/status", EVERYONE, []),
    ("/show 2", EVERYONE, []),
    ("/meetings", EVERYONE, []),
    ("/tasks", EVERYONE, ASSIGNED),
    ("/minutes", EVERYONE, []),
    ("/verify", EVERYONE, []),
    ("/community", EVERYONE, []),  # which community the council is in; asking to join is tested on its own
    # the chair (or a group admin)
    ("/setup robert confirm", CHAIRS, [("chair", "/close 2")]),  # the rules never change during a ballot
    ("/set tally live", CHAIRS, []),
    ("/lang en", CHAIRS, []),
    ("/language zh_Hant", CHAIRS, []),
    ("/approve @pena", CHAIRS, []),
    ("/reject @pena", CHAIRS, []),
    ("/chair @bob", CHAIRS, []),
    ("/secretary @bob", CHAIRS, []),
    ("/unchair @bob", CHAIRS, [("chair", "/chair @bob")]),
    ("/remove @carol", CHAIRS, []),
    ("/board on", CHAIRS, []),
    ("/board", CHAIRS, []),
    ("/warn @bob 4 跑题", CHAIRS, []),
    ("/name 幸福里社区3号楼议事会", CHAIRS, []),
    ("/ruling 不成立 南塘第5条", CHAIRS, [("alice", "/order 4 发言已超过两次")]),
    ("/vote 4 10m", CHAIRS, []),
    ("/close 2", CHAIRS, []),
    ("/schedule 2026-12-10 19:30 临时会", CHAIRS, []),
    ("/cancel 1", CHAIRS, []),
    ("/meeting 现场会", CHAIRS, []),
    ("/present @bob", CHAIRS, MEETING),
    ("/adjourn", CHAIRS, MEETING),
    ("/assign 1 @bob 3d", CHAIRS, []),
    ("/rate 1", CHAIRS, DONE),
    ("/rate 1 close", CHAIRS, RATING),
    # the register's totals are for everyone (owner by owner only to the secretary and the chair)
    ("/roster", EVERYONE, []),
    ("/progress 4", MEMBERS | {ADMIN}, OWNERS_VOTE),
    ("/invites 9-901 9-902", CHAIRS, []),
    ("/share 4", CHAIRS, []),
    ("/web off @bob", CHAIRS, []),
    # the secretary or the chair
    ("/ballots 4", RECORDERS, OWNERS_VOTE),
    ("/evidence 4", RECORDERS, [*OWNERS_VOTE, ("chair", "/close 4")]),
    ("/publish", RECORDERS, []),
    ("/export md", RECORDERS, []),
    ("/place 3号楼一层活动室", RECORDERS, MEETING),
    ("/agenda 审议加装电梯方案", RECORDERS, MEETING),
    (
        "/minutes approve",
        RECORDERS,
        [("chair", "/meeting 第一次"), ("chair", "/adjourn"), ("chair", "/meeting 第二次")],
    ),
    # active members
    ("/motion 新提议", MEMBERS, []),
    ("/web", MEMBERS, []),
    ("/web off", MEMBERS, []),
    ("/propose 新提议", MEMBERS, []),
    ("/second 3", MEMBERS, []),
    ("/for 4 楼道太黑", DEBATERS, []),
    ("/against 4 太贵", DEBATERS, []),
    ("/speak 4 赞成 楼道太黑", DEBATERS, []),
    ("/amend 4 改为装声控灯", MEMBERS, []),
    ("/enddebate 4", MEMBERS, []),
    ("/previous 4", MEMBERS, []),
    ("/pq 4", MEMBERS, []),
    ("/postpone 4 2026-12-05 19:30", MEMBERS, []),
    ("/refer 4 物业", MEMBERS, []),
    ("/order 4 发言已超过两次", MEMBERS, []),
    ("/yes 2", VOTERS, []),
    ("/no 2", VOTERS, []),
    ("/abstain 2", VOTERS, []),
    ("/present", MEMBERS, MEETING),
    ("/rate 1 满意", MEMBERS, RATING),
    # only the mover withdraws (motion #5 is alice's); only the assignee (or the chair) reports
    ("/withdraw 5", {MEMBER}, []),
    ("/report 1 进展顺利", CHAIRS, ASSIGNED),
    # joining: anyone who is not yet a member of a unit (the chair set up without one)
    ("/join 9-901", {STRANGER, ADMIN, CHAIR}, []),
    # owners' votes from every channel (civil278)
    ("/teller @bob 计票人", CHAIRS, []),
    ("/tellers", EVERYONE, []),
    ("/proxies", EVERYONE, []),
    ("/receipts 1", EVERYONE, []),
    ("/conflicts 2", RECORDERS | {MEMBER}, [("chair", "/teller @alice 监票人")]),
    ("/paper 2 1-102 赞成", {MEMBER}, [("chair", "/teller @alice 计票人")]),
    ("/proxy 1-101 @bob", MEMBERS, []),
    # buttons
    ("v:{ballot}:y", VOTERS, []),
    ("v:{ballot}:n", VOTERS, []),
    ("s:{motion3}", MEMBERS, []),
    ("ap:{pena}", CHAIRS, []),
    ("r:{assignment}:s", MEMBERS, RATING),
]

_chats = itertools.count(1)


async def _council(desk, before: list) -> tuple[str, dict]:
    """A nantang council in a chat of its own: chair, sec (secretary), alice, bob, carol, pena (pending).

    Motion #1 adopted, #2 in an open ballot, #3 proposed by carol, #4 seconded (in debate), #5 alice's, proposed;
    meeting #1 scheduled.
    """
    chat = f"m{next(_chats)}"
    say = lambda who, text: ok(desk, who, text, chat=chat)  # noqa: E731
    await say("chair", "/setup nantang")
    # several main motions before the council at once, and an abstain button: this council chose both
    await say("chair", "/set one_matter off")
    await say("chair", "/set abstain on")
    for name, unit in (("alice", "1-101"), ("bob", "1-102"), ("carol", "1-201"), ("sec", "1-202")):
        await say(name, f"/join {unit}")
    await say("chair", "/secretary @sec")
    council = await council_of(desk, chat)
    async with desk.uow() as uow:
        pena = await uow.members.add(
            Member(0, council.id, "console:pena", "pena", "pena", unit="2-202", status=MemberStatus.PENDING)
        )
        await uow.commit()
    await say("alice", "/motion 在1号楼安装感应灯")
    await say("bob", "/second 1")
    await say("chair", "/vote 1 10m")
    for name in ("alice", "bob", "carol", "sec"):
        await say(name, "/yes 1")
    await say("bob", "/motion 修理单元门禁")
    await say("carol", "/second 2")
    ballot = await say("chair", "/vote 2 1h")
    await say("carol", "/motion 清理楼道杂物")
    await say("bob", "/motion 加装照明")
    await say("carol", "/second 4")
    await say("alice", "/motion 增设快递柜")
    await say("chair", "/schedule 2026-12-01 19:30 月度议事会")
    for who, text, *attachment in before:
        await ok(desk, who, text, chat=chat, attachment=attachment[0] if attachment else None)
    async with desk.uow() as uow:
        motion3 = await uow.motions.by_number(council.id, 3)
        assignment = (
            await uow.session.execute(select(func.max(AssignmentRow.id)).where(AssignmentRow.council_id == council.id))
        ).scalar()
    ids = {
        "ballot": ballot.replies[0].subject.split(":")[1],
        "motion3": motion3.id,
        "pena": pena.id,
        "assignment": assignment,
    }
    return chat, ids


def test_the_table_covers_every_command_and_button():
    commands = {row[0].split()[0].lstrip("/") for row in TABLE if row[0].startswith("/")}
    assert commands == set(COMMAND_NAMES), f"not in the table: {set(COMMAND_NAMES) - commands}"
    pressed = {
        type(decode(row[0].format(ballot=1, motion3=1, pena=1, assignment=1)))
        for row in TABLE
        if not row[0].startswith("/")
    }
    assert pressed == set(get_args(Press)) == {kind for table in ALL for kind in table.buttons}


async def test_every_command_and_button_by_every_role(app, monkeypatch):
    desk = app.dispatcher
    desk.defaults = replace(desk.defaults, public_base_url="https://hall.test")  # the hall's commands need it
    problems: list[str] = []
    for action, allowed, before in TABLE:
        chat, ids = await _council(desk, before)
        denied = [r for r in ROLES if r not in allowed]
        ordered = denied + [r for r in ROLES if r in allowed]
        first_allowed = True
        for role in ordered:
            if action.startswith("/"):
                update = incoming(PEOPLE[role], action, chat=chat)
            else:
                update = incoming(PEOPLE[role], data=action.format(**ids), chat=chat)
            state = await snapshot(desk, chat)
            response = await desk.handle(update)
            key = response.refusal if response.refused else None
            who_keys = JOIN_KEYS if action.startswith("/join") else WHO_KEYS
            if role in denied:
                if not response.refused:
                    problems.append(f"{action} by {role}: allowed, but the table says no")
                elif key not in who_keys:
                    problems.append(f"{action} by {role}: refused for {key}, not for who they are")
                elif await snapshot(desk, chat) != state:
                    problems.append(f"{action} by {role}: refused but changed state")
            elif first_allowed:
                first_allowed = False
                if response.refused and not (key == CIVIL278_ONLY and action.startswith(("/paper", "/proxy"))):
                    problems.append(f"{action} by {role}: refused ({key}), but the table says yes")
            elif key in who_keys:
                problems.append(f"{action} by {role}: refused for who they are ({key}), but the table says yes")
    assert problems == [], "\n".join(problems)
