"""The delivery loop (交办 → 跟进 → 反馈 → 监督 → 评议) and meetings, through the command desk, with a moved clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.alarm import plan_subjects, ring
from deliberation.lifecycle import MotionState
from storage.models import ReminderRow

from .scheduler_helpers import MovableClock, open_group, sqlite_url, utc

H = timedelta(hours=1)
T0 = utc(2026, 6, 1, 2, 0)  # 10:00 in Shanghai


async def adopted_motion(group) -> None:
    for who, line in [
        ("alice", "/motion 在3号楼每层安装感应灯"),
        ("bob", "/second 1"),
        ("chair", "/vote 1 10m"),
        ("alice", "/yes 1"),
        ("bob", "/yes 1"),
        ("carol", "/no 1"),
    ]:
        response = await group.say(who, line)
        assert not response.refused, (line, response)


async def reminders(group, kind: str | None = None) -> list[ReminderRow]:
    async with group.app.sessions() as session:
        stmt = select(ReminderRow).order_by(ReminderRow.due_at)
        if kind:
            stmt = stmt.where(ReminderRow.kind == kind)
        return list((await session.execute(stmt)).scalars())


async def ring_due(group, clock) -> list[str]:
    """What the alarm would do now: plan, then ring every pending reminder already due."""
    await plan_subjects(group.app.new_uow, clock)
    outcomes = []
    for row in await reminders(group):
        if row.sent_at is None and row.due_at <= clock():
            outcome, _ = await ring(group.app.new_uow, row.id, clock)
            outcomes.append(f"{row.kind}:{outcome}")
    return outcomes


@pytest.fixture
async def group(tmp_path):
    clock = MovableClock(T0)
    group = await open_group(sqlite_url(tmp_path / "yishi.db"), clock)
    group.clock = clock
    yield group
    await group.app.close()


async def test_the_delivery_loop_from_assign_to_rate(group):
    clock = group.clock
    await adopted_motion(group)

    refused = await group.say("chair", "/assign 1 @bob 2020-01-01 10:00")
    assert refused.refused  # a past due date
    refused = await group.say("chair", "/assign 1 @bob next tuesday")
    assert refused.refused and "2026-12-01 19:30" in refused.replies[0].text  # an example is given
    assert (await group.say("alice", "/assign 1 @bob 10d")).refused  # only the chair assigns
    assigned = await group.say("chair", "/assign 1 @bob 10d")
    assert not assigned.refused and "@bob" in assigned.replies[0].text

    # 跟进: the follow-up half-way to the due date asks bob in the group
    clock.move(5 * 24 * H)
    assert await ring_due(group, clock) == ["assignment.follow_up:fired"]
    follow_up = (await group.outbox())[-1]
    assert "@bob" in follow_up["text"] and "/report 1" in follow_up["text"]

    # 反馈: only the assignee (or the chair) reports; a report answers the next follow-up
    assert (await group.say("alice", "/report 1 我来说两句")).refused
    clock.move(24 * H)
    assert not (await group.say("bob", "/report 1 已联系物业，下周安装")).refused
    clock.move(3 * 24 * H)  # the day-before follow-up is due, but bob has just reported
    assert await ring_due(group, clock) == ["assignment.follow_up:dropped"]

    # 监督: anyone can see where things stand
    tasks = await group.say("carol", "/tasks")
    assert "#1" in tasks.replies[0].text and "已联系物业" in tasks.replies[0].text

    assert (await group.say("alice", "/rate 1")).refused  # rating waits for the item to be done
    done = await group.say("bob", "/report 1 done 灯已装好")
    assert not done.refused
    clock.move(2 * 24 * H)  # past the due date: not overdue, it was done in time
    assert await ring_due(group, clock) == ["assignment.overdue:dropped"]

    # 评议: the chair opens the poll, members press buttons, the last one closes the item
    poll = await group.say("chair", "/rate 1")
    buttons = [b.data for row in poll.replies[0].buttons for b in row]
    assert [d.rsplit(":", 1)[1] for d in buttons] == ["s", "b", "u"]
    item = buttons[0].split(":")[1]
    assert (await group.press("alice", f"r:{item}:x")).refused  # forged data
    assert (await group.press("alice", "r:99999:s")).refused  # someone else's item
    first = await group.press("alice", f"r:{item}:u")
    assert first.quiet and not first.replies
    changed = await group.press("alice", f"r:{item}:s")
    assert "满意" in changed.popup
    await group.press("bob", f"r:{item}:b")
    await group.say("carol", "/rate 1 不满意")
    closed = await group.press("chair", f"r:{item}:s")
    result = closed.replies[-1]
    assert result.subject == f"rating_result:{item}"
    assert (await group.press("bob", f"r:{item}:s")).refused  # closed

    [made] = await group.events("assignment.made")
    assert made.payload["number"] == 1 and made.payload["assignee_name"] == "bob" and made.payload["due"]
    reports = [e.payload for e in await group.events("report.recorded")]
    assert [(r["number"], r["done"]) for r in reports] == [(1, False), (1, True)]
    [rated] = await group.events("rating.closed")
    assert rated.payload == {"number": 1, "satisfied": 2, "basic": 1, "unsatisfied": 1}
    assert all("choice" not in e.payload for e in await group.events("rating.cast"))


async def test_an_overdue_item_is_flagged_to_the_chair_and_a_rating_closes_at_its_deadline(group):
    clock = group.clock
    await adopted_motion(group)
    await group.say("chair", "/assign 1 @bob 2d")
    clock.move(2 * 24 * H + timedelta(minutes=1))
    assert await ring_due(group, clock) == ["assignment.follow_up:dropped", "assignment.overdue:fired"]
    overdue = (await group.outbox())[-1]
    assert "@chair" in overdue["text"] and "bob" in overdue["text"]

    await group.say("chair", "/report 1 done 已由主持人确认办结")  # the chair may report for the assignee
    await group.say("chair", "/rate 1 1d")
    await group.say("alice", "/rate 1 满意")
    clock.move(25 * H)
    assert await ring_due(group, clock) == ["rating.close:fired"]
    [rated] = await group.events("rating.closed")
    assert rated.payload == {"number": 1, "satisfied": 1, "basic": 0, "unsatisfied": 0}
    assert "已结项" in (await group.outbox())[-1]["text"]


async def test_assign_needs_an_adopted_motion(group):
    await group.say("alice", "/motion 修门禁")
    refused = await group.say("chair", "/assign 1 @bob 3d")
    assert refused.refused and "#1" in refused.replies[0].text
    assert (await group.say("chair", "/assign 1 @bob")).refused  # no due date: the usage is shown
    assert (await group.say("chair", "/report 1 进展")).refused  # nothing assigned


async def test_meetings_scheduled_announced_opened_attended_adjourned(group):
    clock = group.clock
    scheduled = await group.say("chair", "/schedule 2026-06-03 19:30 讨论加装电梯")
    assert not scheduled.refused
    assert (await group.say("chair", "/schedule 2026-05-01 19:30 已过去")).refused
    assert (await group.say("chair", "/schedule 2026-06-03")).refused
    assert (await group.say("alice", "/schedule 2026-06-04 19:30 成员不能安排")).refused
    await group.say("chair", "/schedule 2026-06-10 19:30 第二次")
    assert (await group.say("chair", "/cancel 2")).replies[0].text.count("第二次") == 1
    listing = await group.say("alice", "/meetings")
    assert "讨论加装电梯" in listing.replies[0].text and "第二次" not in listing.replies[0].text

    # 2026-06-03 19:30 Shanghai = 11:30 UTC: T-24h, then T-1h, each mentioning the members
    clock.now = utc(2026, 6, 2, 11, 30)
    assert await ring_due(group, clock) == ["meeting.remind_24h:fired"]
    notice = (await group.outbox())[-1]["text"]
    assert all(f"@{name}" in notice for name in ("alice", "bob", "carol", "chair"))
    clock.now = utc(2026, 6, 3, 10, 30)
    assert await ring_due(group, clock) == ["meeting.remind_1h:fired"]

    clock.now = utc(2026, 6, 3, 11, 25)
    opened = await group.say("chair", "/meeting")
    assert "讨论加装电梯" in opened.replies[0].text
    assert (await group.say("chair", "/meeting 又一个")).refused
    me = await group.say("alice", "/present")
    assert me.quiet and "2" in me.popup and "4" in me.popup  # chair and alice, of four
    await group.say("chair", "/present @bob")
    again = await group.say("alice", "/present")
    assert "已经" in again.popup
    clock.now = utc(2026, 6, 3, 11, 31)
    assert await ring_due(group, clock) == ["meeting.start:dropped"]  # already under way: no call to start
    adjourned = await group.say("chair", "/adjourn")
    assert "chair、alice、bob" in adjourned.replies[0].text
    assert (await group.say("bob", "/present")).refused  # no meeting now

    opened_events = [e.payload for e in await group.events("meeting.opened")]
    assert opened_events[0]["meeting"] == 1 and opened_events[0]["title"] == "讨论加装电梯"
    names = [e.payload["name"] for e in await group.events("attendance.recorded")]
    assert names == ["chair", "alice", "bob"]
    assert [e.payload for e in await group.events("meeting.adjourned")] == [{"meeting": 1}]


async def test_a_cancelled_meeting_is_not_announced(group):
    clock = group.clock
    await group.say("chair", "/schedule 2026-06-05 19:30 会议")
    await plan_subjects(group.app.new_uow, clock)
    await group.say("chair", "/cancel 1")
    clock.now = utc(2026, 6, 5, 12, 0)
    outcomes = await ring_due(group, clock)
    assert outcomes and all(o.endswith(":dropped") for o in outcomes)
    assert not [m for m in await group.outbox() if m["subject"] and m["subject"].startswith("remind:meeting")]


async def test_resident_meeting_quorum_is_reported_on_presence(group):
    await group.say("chair", "/setup resident_meeting confirm")  # the group is a council already
    opened = await group.say("chair", "/meeting 月度会")
    assert "3" in opened.replies[0].text  # 4 members: more than half is 3
    note = (await group.say("alice", "/present")).popup
    assert "1" in note  # one more is needed
    await group.say("bob", "/present")
    adjourned = await group.say("chair", "/adjourn")
    assert "3" in adjourned.replies[0].text


async def test_the_second_deadline_reminds_and_lapses(group):
    clock = group.clock
    await group.say("alice", "/motion 楼道堆物清理")
    await group.say("alice", "/motion 修缮单元门")
    await group.say("bob", "/second 2")
    clock.move(12 * H)
    assert await ring_due(group, clock) == ["motion.second_reminder:fired"]
    reminder = (await group.outbox())[-1]
    assert "#1" in reminder["text"] and reminder["buttons"][0][0]["data"].startswith("s:")
    clock.move(12 * H)
    assert await ring_due(group, clock) == ["motion.lapse:fired"]
    async with group.app.dispatcher.uow() as uow:
        council = await group.council()
        assert (await uow.motions.by_number(council.id, 1)).state is MotionState.LAPSED
        assert (await uow.motions.by_number(council.id, 2)).state is MotionState.SECONDED
    assert "失效" in (await group.outbox())[-1]["text"]
    # ringing again does nothing: each reminder acts once
    for row in await reminders(group):
        assert (await ring(group.app.new_uow, row.id, clock))[0] == "gone"


async def test_a_postponed_motion_comes_back_at_its_time(group):
    clock = group.clock
    await group.say("alice", "/motion 更换单元门禁")
    await group.say("bob", "/second 1")
    await group.say("alice", "/postpone 1 2h")
    await group.say("bob", "/second 2")
    await group.say("chair", "/vote 2 10m")
    for who in ("alice", "bob", "carol"):
        await group.say(who, "/yes 2")
    async with group.app.dispatcher.uow() as uow:
        assert (await uow.motions.by_number((await group.council()).id, 1)).state is MotionState.POSTPONED
    clock.move(H)
    assert await ring_due(group, clock) == []
    clock.move(H)
    assert await ring_due(group, clock) == ["motion.resume:fired"]
    async with group.app.dispatcher.uow() as uow:
        assert (await uow.motions.by_number((await group.council()).id, 1)).state is MotionState.SECONDED
    assert "#1" in (await group.outbox())[-1]["text"]


async def test_the_end_of_publication_is_announced_once_through_the_minutes_hook(group):
    from sqlalchemy import text

    clock = group.clock
    council = await group.council()
    naive = lambda moment: moment.replace(tzinfo=None)  # noqa: E731  (the minutes table keeps naive UTC)
    async with group.app.sessions() as session:
        await session.execute(
            text(
                "INSERT INTO minutes_versions (council_id, scope, version, body, markdown, chain_head, chain_seq, "
                "created_at, published_at, publication_ends_at) "
                "VALUES (:c, 'all', 1, '{}', '# 纪要', :h, 1, :t, :t, :e)"
            ),
            {"c": council.id, "h": "0" * 64, "t": naive(clock()), "e": naive(clock() + 7 * 24 * H)},
        )
        await session.commit()
    assert await ring_due(group, clock) == []
    clock.move(7 * 24 * H)
    assert await ring_due(group, clock) == ["publication.end:fired"]
    assert "公示" in (await group.outbox())[-1]["text"]
    async with group.app.sessions() as session:
        announced = (await session.execute(text("SELECT publication_announced_at FROM minutes_versions"))).scalar()
    assert announced is not None
    clock.move(H)
    assert await ring_due(group, clock) == []  # announced: not planned again
    assert [e.type for e in await group.events("publication.")] == ["publication.ended"]
