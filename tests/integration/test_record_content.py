"""Issue 13, what a filed 议事记录 has: one rich civil278 deliberation typed in the console chat, and its record.

The formal name, the meeting's number in its year, kind, place and agenda, attendance with units and sign-in
times, 列席 (a community secretary who records without a unit), the quorum statement, the approval of the
previous minutes, warnings and a point of order with their reasons, the counts with those not voting, and the
tellers' signature lines. `/publish` covers the latest meeting by default.
"""

from __future__ import annotations

import io
import re

import docx
import pytest

from bot.console import ConsoleChat
from deliberation import usecases
from deliberation.roster import RosterUnit, parse_area_cm2

pytestmark = pytest.mark.asyncio

REGISTER = (  # unit, owner, area m²: six owners, 604 ㎡
    ("3-101", "张三", "89.5"),
    ("3-102", "李四", "120"),
    ("3-201", "王五", "89.5"),
    ("3-202", "赵六", "100"),
    ("3-301", "钱七", "95"),
    ("3-302", "周八", "110"),
)
PRESENT = ("张三", "李四", "王五", "赵六", "钱七")  # 周八 stays away


class Script:
    def __init__(self, app, clock) -> None:
        self.chat = ConsoleChat(app.dispatcher, out=lambda _line: None)
        self.app, self.clock = app, clock

    async def ok(self, *lines: str) -> None:
        for line in lines:
            self.clock.advance(minutes=1)
            response = await self.chat.say(line)
            assert response is not None and not response.refused, (line, [r.text for r in response.replies])

    async def say(self, line: str):
        self.clock.advance(minutes=1)
        return await self.chat.say(line)

    async def vote(self, number: int, choices: dict[str, str], *extra: str) -> None:
        await self.ok(f"@主任 /vote {number} {' '.join(extra)}".strip())
        for name, choice in choices.items():
            await self.ok(f"@{name} [{choice}]")
        if len(choices) < len(REGISTER):
            await self.ok(f"@主任 /close {number}")


async def _register(app) -> None:
    async with app.dispatcher.uow() as uow:
        council = await uow.councils.by_chat("console:main")
        units = [RosterUnit(code, owner, parse_area_cm2(area)) for code, owner, area in REGISTER]
        await usecases.import_roster(uow, app.dispatcher.clock, council, units)
        await uow.commit()


async def _deliberate(app, clock) -> Script:
    s = Script(app, clock)
    await s.ok("@主任 /setup civil278")
    await _register(app)
    await s.ok("@主任 /name 幸福里社区3号楼议事会")
    for code, owner, _ in REGISTER:
        await s.ok(f"@{owner} /join {code}", f"@主任 /approve @{owner}")
    await s.ok("@李书记 /join 列席", "@主任 /secretary @李书记")
    await s.ok("@主任 /meeting 例会 十一月例会", "@主任 /adjourn", "@李书记 /publish meeting 1")
    clock.advance(days=1)
    await s.ok("@主任 /meeting 临时 加装电梯议事会", "@李书记 /place 3号楼一层活动室")
    await s.ok("@李书记 /agenda 审议加装电梯方案", "@李书记 /agenda 审议增设充电桩")
    await s.ok("@李书记 /minutes approve 出席人员漏记王五")
    for name in PRESENT:
        await s.ok(f"@{name} /present")
    await s.ok("@李书记 /present")
    # 1: amended, then adopted as a major matter
    await s.ok("@张三 /motion 在3号楼加装电梯，费用按楼层分摊", "@李四 /second 1")
    await s.ok("@李四 /for 1 老人上下楼太难了", "@王五 /against 1 一楼住户不受益")
    await s.ok("@主任 /warn @王五 1 人身攻击")
    await s.ok("@王五 /order 1 主持人的提醒不合规程")
    await s.ok("@主任 /ruling 不成立 南塘第6条：主持人可以提醒人身攻击的发言")
    await s.ok("@赵六 /amend 1 在3号楼加装电梯，一楼住户不分摊费用", "@钱七 /second 2")
    await s.vote(2, {name: "赞成" for name in PRESENT})
    await s.vote(1, {"张三": "赞成", "李四": "赞成", "王五": "反对", "赵六": "赞成", "钱七": "赞成"}, "major")
    # 3: a secret ballot; 4: fails; 5: postponed by 6; 7: withdrawn
    await s.ok("@赵六 /motion 在车棚增设电动车充电桩", "@张三 /second 3")
    await s.vote(3, {name: "赞成" for name in PRESENT}, "secret")
    await s.ok("@钱七 /motion 拆除楼顶花房", "@李四 /second 4")
    await s.vote(4, {name: "反对" for name in PRESENT})
    await s.ok("@李四 /motion 更换单元门禁系统", "@王五 /second 5")
    await s.ok("@张三 /postpone 5 2026-12-16 19:30", "@赵六 /second 6")
    await s.vote(6, {name: "赞成" for name in PRESENT})
    await s.ok("@王五 /motion 楼道统一刷漆", "@王五 /withdraw 7")
    await s.ok("@主任 /assign 1 @李四 2026-12-31 18:00", "@主任 /adjourn")
    return s


async def test_the_record_of_a_rich_meeting_has_what_a_filed_record_has(app, clock):
    s = await _deliberate(app, clock)
    exported = await s.say("@李书记 /export md meeting 2")  # a 列席 secretary exports: no unit, no vote
    assert exported is not None and not exported.refused
    md = exported.documents[0].content.decode("utf-8")
    assert exported.documents[0].filename.startswith("议事记录_幸福里社区3号楼议事会_meeting2")

    assert md.startswith("# 幸福里社区3号楼议事会议事记录")  # the formal name, not the chat's title
    assert "| 会议名称 | 2026年第2次临时会议（加装电梯议事会） |" in md
    assert "| 地点 | 3号楼一层活动室 |" in md
    assert "| 主持人 | 主任 |" in md and "| 记录人 | 李书记 |" in md
    assert "| 应到 | 7人（6户） |" in md  # the six owners and the chair
    assert "| 实到 | 6人（5户） |" in md
    assert re.search(r"张三（3-101，10:2\d签到）", md)  # 2026-11-23 02:2x UTC, in Shanghai time
    assert "| 缺席人员 | 周八（3-302） |" in md
    assert "| 列席人员 | 李书记（" in md
    assert "| 法定人数 | 应到7人，实到6人，达到法定人数5人，会议有效 |" in md
    agenda = md[md.index("## 会议议程") : md.index("## 一、")].split()
    shown = ["1.", "审议上次会议纪要", "-", "2.", "审议加装电梯方案", "-", "3.", "审议增设充电桩"]
    assert agenda[agenda.index("1.") :] == shown

    items = md[md.index("## 一、") :]
    assert items.index("### 审议2026年第1次会议纪要（会议第一项）") < items.index("### 议题一（第1号）")
    assert "更正：出席人员漏记王五" in items
    assert "主持人提醒 王五" in items and "人身攻击" in items
    point = next(line for line in md.splitlines() if "主持人的提醒不合规程" in line)
    assert "王五就议题 #1提出" in point and "不成立" in point and "南塘第6条" in point

    assert "通过标准：参与表决的专有面积和业主人数均达到三分之二以上；同意的面积和人数均达到参与表决的四分之三" in md
    assert "赞成4户（404.5㎡），反对1户（89.5㎡），弃权0户（0㎡）" in md
    assert "未参与表决：1户（110㎡）" in md
    assert "计票人：＿＿＿＿＿＿＿＿　　监票人：＿＿＿＿＿＿＿＿" in md  # no tellers appointed: lines to sign
    assert "主持人（签字）：" in md and "记录人（签字）：" in md

    # The docx carries the same content (its layout is another matter).
    docx_file = (await s.say("@李书记 /export docx meeting 2")).documents[0].content
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(docx_file)).paragraphs)
    assert "计票人：" in text and "审议2026年第1次会议纪要" in text


async def test_the_previous_minutes_approved_with_corrections_are_a_new_version(app, clock):
    s = await _deliberate(app, clock)
    first = await s.say("@李书记 /minutes meeting 1")
    assert "会议名称：2026年第1次例会（十一月例会）" in first.replies[0].text
    assert (
        "本纪要经2026年第2次会议审议通过" in first.replies[0].text and "更正：出席人员漏记王五" in first.replies[0].text
    )

    published = await s.say("@李书记 /publish")  # nothing typed: the latest meeting
    assert published is not None and not published.refused
    assert "幸福里社区3号楼议事会议事记录" in published.replies[0].text
    corrected = await s.say("@李书记 /publish meeting 1")  # approved with corrections: a new version
    assert corrected is not None and not corrected.refused and "更正：出席人员漏记王五" in corrected.replies[0].text
    async with app.dispatcher.uow() as uow:
        council = await uow.councils.by_chat("console:main")
        stored = await uow.minutes.versions(council.id, None)
    assert [(v.scope, v.version, v.publication_ends_at is not None) for v in stored] == [
        ("meeting:1", 1, True),  # the old version stays
        ("meeting:2", 1, True),
        ("meeting:1", 2, True),
    ]
    assert "更正" not in stored[0].markdown and "更正：出席人员漏记王五" in stored[2].markdown


async def test_the_record_refuses_what_a_filed_record_would_not_hold(app, clock):
    s = Script(app, clock)
    await s.ok("@主任 /setup nantang", "@张三 /join 1-101")
    joined = await s.say("@李书记 /join 列席")
    assert joined is not None and not joined.refused and "列席人员" in (joined.popup or "")
    await s.ok("@主任 /secretary @李书记")
    # 列席 records, never votes, moves or speaks
    assert (await s.say("@李书记 /motion 装路灯")).refusal == "record.error.observer"
    await s.ok("@主任 /meeting 第一次")
    assert (await s.say("@李书记 /minutes approve")).refusal == "record.error.no_previous"  # first meeting
    assert (await s.say("@主任 /ruling 成立 跑题")).refusal == "record.error.no_point"
    await s.ok("@张三 /order 主持人没有先问有没有人发言")
    assert (await s.say("@主任 /ruling 成立")).refusal == "record.error.ruling_reason"  # a ruling cites a reason
    await s.ok("@主任 /ruling 成立 南塘第11条：先问还有没有人发言", "@主任 /adjourn", "@主任 /meeting 第二次")
    await s.ok("@李书记 /minutes approve")
    assert (await s.say("@李书记 /minutes approve")).refusal == "record.error.already_approved"
    assert (await s.say("@张三 /name 随便")).refusal == "error.role_required"
    # 列席 at a meeting: listed, not 实到
    signed = await s.say("@李书记 /present")
    assert signed is not None and "不计入实到人数" in (signed.popup or "")
    draft = (await s.say("@李书记 /minutes meeting")).replies[0].text
    assert "实到：1人" in draft and "列席人员：李书记（" in draft


async def test_publish_without_a_meeting_covers_the_month_so_far(app, clock):
    s = Script(app, clock)
    await s.ok("@主任 /setup nantang", "@张三 /join 1-101", "@张三 /motion 在1号楼装感应灯", "@主任 /publish")
    async with app.dispatcher.uow() as uow:
        council = await uow.councils.by_chat("console:main")
        stored = await uow.minutes.versions(council.id, None)
    assert [v.scope for v in stored] == ["period:2026-11-01T00:00:00+08:00/2026-11-23T00:00:00+08:00"]
