"""Issue 13, the proceedings of the record at their edges: the meeting's number in its year, the quorum, 列席,
the tellers' lines, approving the previous minutes and ruling on a point of order (in-memory unit of work)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.minutes_files import to_markdown
from bot.minutes_files.proceedings_blocks import BLANK, teller_lines
from bot.minutes_files.words import Words
from deliberation import errors, events, usecases
from deliberation.chain import Event
from deliberation.counting import Preset
from deliberation.delivery import meeting_quorum
from deliberation.minutes import build_minutes, publishing
from deliberation.minutes.proceedings import meeting_ordinal
from deliberation.model import MemberStatus, Role
from deliberation.proceedings import (
    MinutesAlreadyApproved,
    NoPreviousMinutes,
    ObserverOnly,
    RulingReasonRequired,
    split_kind,
)
from deliberation.usecases import proceedings
from tests.fakes.fake_uow import FakeUnitOfWork
from tests.unit.minutes_chain import minutes_of, scripted_chain, sealed

from .usecase_helpers import Clock

pytestmark = pytest.mark.asyncio
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _opened(number: int, at: datetime) -> Event:
    return Event(1, number, events.MEETING_OPENED, at.isoformat(timespec="seconds"), {"meeting": number})


async def test_the_meeting_number_counts_per_year_in_the_councils_time_zone() -> None:
    new_year = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)  # 2027-01-01 00:00 in Shanghai
    log = [
        _opened(1, datetime(2026, 3, 1, 11, 0, tzinfo=UTC)),
        _opened(2, new_year - timedelta(minutes=1)),  # 23:59 on New Year's Eve, Shanghai time
        _opened(3, new_year),
    ]
    assert meeting_ordinal(log, 2, SHANGHAI) == (2026, 2)
    assert meeting_ordinal(log, 3, SHANGHAI) == (2027, 1)
    assert meeting_ordinal(log, 3, ZoneInfo("UTC")) == (2026, 3)
    assert meeting_ordinal(log, 4, SHANGHAI) is None


@pytest.mark.filterwarnings("ignore::pytest.PytestWarning")
def test_the_kind_of_meeting_is_its_first_word() -> None:
    assert split_kind("临时 加装电梯议事会") == ("special", "加装电梯议事会")
    assert split_kind("加装电梯议事会") == ("regular", "加装电梯议事会")
    assert split_kind("业主大会") == ("owners", "")


async def _draft(uow: FakeUnitOfWork, clock: Clock, scope: str = "meeting"):
    """The minutes as publishing builds them: of the latest meeting, `meeting N`, or everything."""
    log = await uow.events.all(uow.council.id)
    word, _, number = scope.partition(" ")
    meeting = None if word == "all" else int(number) if number else publishing.latest_meeting(log)
    return build_minutes(
        log,
        council_name=uow.council.title,
        place="线上",
        meeting_id=meeting,
        chain_head="",
        chain_seq=0,
        generated_at=clock(),
        quorum=lambda expected: meeting_quorum(uow.council.rules, expected),
    )


async def test_the_quorum_statement_at_its_edge_and_the_observer_outside_it() -> None:
    names = ["a", "b", "c", "d", "e", "f"]
    uow, clock = FakeUnitOfWork.with_council([], preset=Preset.ROBERT), Clock()
    setup = {"title": uow.council.title, "preset": "robert", "chair": "chair"}
    await uow.events.append(uow.council.id, events.COUNCIL_SETUP, clock(), setup)  # the chair, as set up
    for index, name in enumerate(names, start=1):
        await usecases.join(uow, clock, uow.council, uow.actor(name), f"1-10{index}")
    chair = uow.actor("chair")
    await proceedings.observe(uow, clock, uow.council, uow.actor("书记"))
    await usecases.assign_role(uow, clock, uow.council, chair, "书记", Role.SECRETARY)
    assert uow.member("书记").status is MemberStatus.OBSERVER  # the role does not make a 列席 secretary a member
    await usecases.open_meeting(uow, clock, uow.council, chair, "临时 电梯")  # the chair signs in
    for name in names[:2]:
        clock.tick(minutes=1)
        await usecases.record_presence(uow, clock, uow.council, uow.actor(name))
    await usecases.record_presence(uow, clock, uow.council, uow.actor("书记"))  # 列席: listed, not counted
    short = await _draft(uow, clock)
    # 7 members (six residents and the chair); RONR: a majority, 4; 3 are here.
    assert (short.expected, short.present, short.quorum and short.quorum.needed) == (7, 3, 4)
    assert short.quorum is not None and not short.quorum.met
    assert short.meeting_kind == "special" and [o.name for o in short.observers] == ["书记"]
    clock.tick(minutes=1)
    await usecases.record_presence(uow, clock, uow.council, uow.actor(names[2]))
    met = await _draft(uow, clock)
    assert met.quorum is not None and met.quorum.met and met.present == 4 and met.expected_units == 6
    assert [(a.name, a.unit) for a in met.sign_ins][1:] == [("a", "1-101"), ("b", "1-102"), ("c", "1-103")]
    assert [(a.name, a.unit) for a in met.absent] == [("d", "1-104"), ("e", "1-105"), ("f", "1-106")]
    assert uow.commits == 0


async def test_an_observer_records_but_never_moves_or_votes_and_may_join_for_a_unit_later() -> None:
    uow, clock = FakeUnitOfWork.with_council(["alice"]), Clock()
    member = await usecases.join(uow, clock, uow.council, uow.actor("书记"), "列席")
    assert member.status is MemberStatus.OBSERVER and member.unit is None
    with pytest.raises(ObserverOnly):
        await usecases.raise_motion(uow, clock, uow.council, uow.actor("书记"), "装路灯")
    again = await usecases.join(uow, clock, uow.council, uow.actor("书记"), "1-201")
    assert again.status is MemberStatus.ACTIVE and again.unit == "1-201"
    with pytest.raises(errors.AlreadyMember):
        await usecases.join(uow, clock, uow.council, uow.actor("alice"), "列席")


async def test_the_previous_minutes_are_approved_once_at_a_later_meeting() -> None:
    uow, clock = FakeUnitOfWork.with_council(["alice"]), Clock()
    chair = uow.actor("chair")
    await usecases.open_meeting(uow, clock, uow.council, chair, "第一次")
    with pytest.raises(NoPreviousMinutes):  # the edge: no adjourned meeting before this one
        await proceedings.approve_minutes(uow, clock, uow.council, chair)
    await usecases.adjourn(uow, clock, uow.council, chair)
    clock.tick(days=7)
    await usecases.open_meeting(uow, clock, uow.council, chair, "第二次")
    with pytest.raises(errors.RoleRequired):
        await proceedings.approve_minutes(uow, clock, uow.council, uow.actor("alice"))
    done = await proceedings.approve_minutes(uow, clock, uow.council, chair, "第二项 写错了房号")
    assert (done.previous.number, done.meeting.number, done.corrections) == (1, 2, "第二项 写错了房号")
    with pytest.raises(MinutesAlreadyApproved):
        await proceedings.approve_minutes(uow, clock, uow.council, chair)
    first = await _draft(uow, clock, "meeting 1")
    assert first.approved is not None and first.approved.corrections == "第二项 写错了房号"
    second = await _draft(uow, clock, "meeting 2")
    assert second.approval is not None and second.approval.previous == 1 and second.approved is None
    assert uow.commits == 0


async def test_a_ruling_cites_its_reason_and_takes_the_latest_point_not_ruled() -> None:
    uow, clock = FakeUnitOfWork.with_council(["alice", "bob"]), Clock()
    chair = uow.actor("chair")
    await proceedings.raise_point(uow, clock, uow.council, uow.actor("alice"), "第一个异议")
    await proceedings.raise_point(uow, clock, uow.council, uow.actor("bob"), "第二个异议", 1)
    with pytest.raises(RulingReasonRequired):
        await proceedings.rule_point(uow, clock, uow.council, chair, "不成立")
    ruled = await proceedings.rule_point(uow, clock, uow.council, chair, "不成立 南塘第5条")
    assert (ruled.point, ruled.sustained, ruled.reason) == (2, False, "南塘第5条")
    assert (await proceedings.rule_point(uow, clock, uow.council, chair, "成立 跑题")).point == 1
    minutes = await _draft(uow, clock, "all")
    assert [(p.point, p.sustained, p.reason, p.number) for p in minutes.points] == [
        (1, True, "跑题", None),
        (2, False, "南塘第5条", 1),
    ]


@pytest.mark.filterwarnings("ignore::pytest.PytestWarning")
def test_tellers_names_fill_their_lines_and_none_leaves_blanks_to_sign() -> None:
    log = scripted_chain("nantang")
    at = datetime.fromisoformat(log[-1].at)
    blank = minutes_of(log, log[-1].seq, log[-1].hash)
    w = Words("zh_Hans")
    assert teller_lines(w, blank) == (f"计票人：{BLANK}", f"监票人：{BLANK}")
    named = sealed(
        log,
        [
            (events.TELLER_APPOINTED, {"name": "李四", "role": "counter"}),
            (events.TELLER_APPOINTED, {"name": "王五", "role": "scrutineer"}),
            (events.COUNCIL_NAMED, {"name": "阳光小区3号楼业主议事会"}),
        ],
        at,
    )
    minutes = minutes_of(named, named[-1].seq, named[-1].hash)
    assert teller_lines(w, minutes) == ("计票人：李四", "监票人：王五")
    text = to_markdown(minutes, "zh_Hans")
    assert text.startswith("# 阳光小区3号楼业主议事会议事记录") and "计票人：李四　　监票人：王五" in text
    assert minutes.chat_title == "阳光小区3号楼议事会"
    no_ballot = minutes_of(named, named[-1].seq, named[-1].hash, motion_numbers=[4])
    assert teller_lines(w, no_ballot) == ("", "")  # a record without a ballot has no tellers' line


async def test_a_scheduled_meeting_names_its_kind_in_the_calendar() -> None:
    uow, clock = FakeUnitOfWork.with_council(["alice"]), Clock()
    chair = uow.actor("chair")
    await usecases.schedule_meeting(uow, clock, uow.council, chair, clock() + timedelta(hours=1), "临时 电梯会")
    opened = await usecases.open_meeting(uow, clock, uow.council, chair)  # a bare /meeting, an hour early
    assert opened.title == "电梯会"
    assert (await _draft(uow, clock)).meeting_kind == "special"


async def test_a_meeting_under_rules_without_a_quorum_says_so() -> None:
    uow, clock = FakeUnitOfWork.with_council(["alice"]), Clock()  # 南塘: no quorum unless set
    await usecases.open_meeting(uow, clock, uow.council, uow.actor("chair"), "例会 十二月例会")
    minutes = await _draft(uow, clock)
    assert minutes.quorum is not None and minutes.quorum.needed == 0 and minutes.quorum.met
    assert "本会议事规则不设法定人数" in to_markdown(minutes, "zh_Hans")
