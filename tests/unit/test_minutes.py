"""The minutes model, replayed from the scripted deliberation's chain, built in memory as the use cases record it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from deliberation.chain import Event
from deliberation.minutes import (
    ROW_FIELDS,
    BadScope,
    MeetingNotFound,
    Scope,
    build_minutes,
    excerpt,
    minutes_from_dict,
    minutes_rows,
    minutes_to_dict,
    parse_scope,
)
from tests.unit.minutes_chain import (
    BENCHES,
    CHARGERS,
    NOTICE_BOARD,
    RAIN_SHELTER,
    RAIN_SHELTER_AMENDED,
    START,
    minutes_of,
    scripted_chain,
    sealed,
)


@dataclass(frozen=True)
class Script:
    """The scripted deliberation under one preset: its chain, the chain's head, and when it ended."""

    preset: str
    events: list[Event]

    @property
    def seq(self) -> int:
        return self.events[-1].seq

    @property
    def head(self) -> str:
        return self.events[-1].hash

    @property
    def ended_at(self) -> datetime:
        return datetime.fromisoformat(self.events[-1].at)


def scripted(preset: str) -> Script:
    return Script(preset, scripted_chain(preset))


def summary(minutes) -> dict:
    """The facts a secretary checks, in a form a golden test can state."""
    return {
        "chairs": minutes.chairs,
        "recorders": minutes.recorders,
        "expected": minutes.expected,
        "present": minutes.present,
        "motions": [(m.number, m.kind, m.parent, m.mover, m.state, m.text) for m in minutes.motions],
        "votes": [
            (
                v.number,
                v.secret,
                v.yes,
                v.no,
                v.abstain,
                v.passed,
                v.quorum_met,
                v.rule,
                tuple(sorted((r.name, r.choice) for r in v.roll_call)),
            )
            for v in minutes.votes
        ],
    }


OPEN_1 = (("张三", "yes"), ("李四", "yes"), ("王五", "yes"), ("赵六", "no"))
OPEN_2 = (("张三", "yes"), ("李四", "yes"), ("王五", "yes"), ("赵六", "yes"))
MOTIONS = lambda chargers: [  # noqa: E731
    (1, "main", None, "张三", "adopted", RAIN_SHELTER_AMENDED),
    (2, "amendment", 1, "王五", "adopted", RAIN_SHELTER_AMENDED),
    (3, "main", None, "赵六", chargers, CHARGERS),
    (4, "main", None, "李四", "withdrawn", NOTICE_BOARD),
    (5, "main", None, "王五", "lapsed", BENCHES),
]

# The secret ballot (2 yes, 1 no, 1 abstain) is sealed: a choice held fewer than 3 voters (deliberation.disclosure).
GOLDEN = {
    "nantang": {
        "chairs": ("王主任",),
        "recorders": ("孙七",),
        "expected": 6,
        "present": 5,
        "motions": MOTIONS("adopted"),
        "votes": [
            (2, False, 4, 0, 0, True, True, "nantang.yes_gt_no", tuple(sorted(OPEN_2))),
            (1, False, 3, 1, 0, True, True, "nantang.yes_gt_no", tuple(sorted(OPEN_1))),
            (3, True, 0, 0, 0, True, True, "nantang.yes_gt_no", ()),
        ],
    },
    "robert": {
        "chairs": ("王主任",),
        "recorders": ("孙七",),
        "expected": 6,
        "present": 5,
        "motions": MOTIONS("adopted"),
        "votes": [
            (2, False, 4, 0, 0, True, True, "robert.majority_cast", tuple(sorted(OPEN_2))),
            (1, False, 3, 1, 0, True, True, "robert.majority_cast", tuple(sorted(OPEN_1))),
            (3, True, 0, 0, 0, True, True, "robert.majority_cast", ()),
        ],
    },
    "resident_meeting": {
        "chairs": ("王主任",),
        "recorders": ("孙七",),
        "expected": 6,
        "present": 5,
        "motions": MOTIONS("rejected"),  # 2 yes of 4 present is not more than half
        "votes": [
            (2, False, 4, 0, 0, True, True, "resident_meeting.majority_present", tuple(sorted(OPEN_2))),
            (1, False, 3, 1, 0, True, True, "resident_meeting.majority_present", tuple(sorted(OPEN_1))),
            (3, True, 0, 0, 0, False, True, "resident_meeting.majority_present", ()),
        ],
    },
    "civil278": {
        "chairs": ("王主任",),
        "recorders": ("孙七",),
        "expected": 6,
        "present": 5,
        "motions": MOTIONS("rejected"),  # yes area 189.5 of 399 m² is not more than half
        "votes": [
            (2, False, 4, 0, 0, True, True, "civil278.ordinary", tuple(sorted(OPEN_2))),
            (1, False, 3, 1, 0, True, True, "civil278.ordinary", tuple(sorted(OPEN_1))),
            (3, True, 0, 0, 0, False, True, "civil278.ordinary", ()),
        ],
    },
}


@pytest.fixture(scope="module", params=sorted(GOLDEN))
def script(request) -> Script:
    return scripted(request.param)


@pytest.fixture(scope="module")
def nantang() -> Script:
    return scripted("nantang")


@pytest.fixture(scope="module")
def civil278() -> Script:
    return scripted("civil278")


def test_golden_minutes_under_each_preset(script):
    events, seq, head = script.events, script.seq, script.head
    minutes = minutes_of(events, seq, head)
    assert summary(minutes) == GOLDEN[script.preset]
    assert minutes.preset == script.preset
    assert minutes.chain_head == head and minutes.chain_seq == seq == len(events)
    assert minutes.scope == "all" and minutes.council_name == "阳光小区3号楼议事会"


def test_final_wording_mover_amendment_digest_and_times(script):
    events, seq, head = script.events, script.seq, script.head
    minutes = minutes_of(events, seq, head)
    shelter = minutes.motion(1)
    assert shelter.text == RAIN_SHELTER_AMENDED and shelter.original_text == RAIN_SHELTER
    assert shelter.mover == "张三"  # not 李四, who seconded
    assert "李四" not in {shelter.mover} and shelter.seconded
    assert [(a.number, a.mover, a.state, a.adopted) for a in shelter.amendments] == [(2, "王五", "adopted", True)]
    assert [(s.speaker, s.side) for s in shelter.speeches] == [("李四", "for"), ("王五", "against")]
    first = shelter.speeches[0].excerpt
    assert first.endswith("…") and len(first) == 31 and first.startswith("赞成，雨天老人")
    assert shelter.speeches[1].excerpt == "反对原方案，担心遮挡一楼住户采光"
    assert (shelter.speeches_for, shelter.speeches_against, shelter.speeches_omitted) == (1, 1, 0)
    assert str(shelter.raised_at.tzinfo) == "Asia/Shanghai" and shelter.raised_at.hour == 18
    assert minutes.motion(4).withdrawn_by == "李四" and minutes.motion(5).decided_at is not None
    assert minutes.top_level() == tuple(m for m in minutes.motions if m.number != 2)
    assert minutes.children(1) == (minutes.motion(2),)


def test_civil278_counts_owners_and_area_exactly(civil278):
    minutes = minutes_of(civil278.events, civil278.seq, civil278.head)
    shelter = next(v for v in minutes.votes if v.number == 1)
    assert shelter.weighted
    assert (shelter.yes_area_cm2, shelter.no_area_cm2, shelter.abstain_area_cm2) == (2_990_000, 1_000_000, 0)
    assert shelter.total_area_cm2 == 4_940_000 and shelter.total_owners == 5
    assert shelter.participation_area == "21/26"  # 399 of 494 m², exactly, reduced
    assert shelter.participation_heads == "4/5"
    assert shelter.approval_area == "299/399" and shelter.approval_heads == "3/4"
    assert ("张三", "yes", 895_000) in {(r.name, r.choice, r.area_cm2) for r in shelter.roll_call}
    chargers = next(v for v in minutes.votes if v.number == 3)
    assert chargers.secret and chargers.sealed  # 2:1:1 owners: the areas per choice would name them
    assert (chargers.yes_area_cm2, chargers.voted, chargers.participating_area_cm2) == (0, 4, 3_990_000)
    assert chargers.approval_area == "379/798" and not chargers.passed


def test_secret_ballot_never_carries_a_choice(nantang):
    events, seq, head = nantang.events, nantang.seq, nantang.head
    opened = next(e for e in events if e.type == "ballot.opened" and e.payload["secret"])
    secret_ballot = opened.payload["ballot"]
    # the log keeps no single vote of a secret ballot: no choice, and no name or time either
    assert [e for e in events if e.type == "vote.cast" and e.payload["ballot"] == secret_ballot] == []

    minutes = minutes_of(events, seq, head)
    vote = next(v for v in minutes.votes if v.secret)
    assert vote.roll_call == () and (vote.yes, vote.no, vote.abstain) == (0, 0, 0)  # 2:1:1 is sealed
    assert vote.sealed and vote.voted == 4
    row = next(r for r in minutes_rows(minutes) if r["record"] == "ballot" and r["secret"])
    assert row["roll_call"] is None and row["sealed"] and row["yes"] is None

    # Even an older log whose secret votes were recorded, one leaking its choice, cannot make the minutes
    # name them.
    legacy = [
        Event(opened.council_id, opened.seq, "vote.cast", opened.at, payload, opened.prev_hash, opened.hash)
        for payload in (
            {"number": opened.payload["number"], "ballot": secret_ballot, "name": "张三"},
            {
                "number": opened.payload["number"],
                "ballot": secret_ballot,
                "name": "李四",
                "choice": "no",
                "voter": "m3",
            },
        )
    ]
    at = events.index(opened) + 1
    leaked = events[:at] + legacy + events[at:]
    assert {**minutes_to_dict(minutes_of(leaked, seq, head)), "events": None} == {
        **minutes_to_dict(minutes),
        "events": None,
    }


def test_scope_by_motion_and_period(script):
    events, seq, head = script.events, script.seq, script.head
    only_shelter = minutes_of(events, seq, head, motion_numbers=[1])
    assert [m.number for m in only_shelter.motions] == [1, 2]  # the amendment follows its motion
    assert only_shelter.scope == "motions" and only_shelter.motion_numbers == (1,)

    lapsed_day = minutes_of(
        events, seq, head, period_start=START + timedelta(hours=20), period_end=START + timedelta(days=3)
    )
    assert [m.number for m in lapsed_day.motions] == [5]
    assert lapsed_day.motion(5).mover == "王五" and lapsed_day.motion(5).state == "lapsed"
    before = minutes_of(events, seq, head, period_end=START + timedelta(minutes=12))
    assert all(m.state != "adopted" for m in before.motions)  # nothing was decided yet
    assert before.motion(1) is not None and before.motion(1).text == RAIN_SHELTER


def meeting_events(recording: Script) -> list[Event]:
    """The recording followed by a meeting with attendance, delivery reports and an adjournment,
    as the scheduling work will emit them (see deliberation/minutes/replay.py)."""
    return sealed(
        recording.events,
        [
            ("meeting.opened", {"meeting": 7, "title": "11月楼栋议事会例会", "place": "3号楼架空层"}),
            ("attendance.recorded", {"meeting": 7, "member": 1, "name": "张三"}),
            ("attendance.recorded", {"meeting": 7, "member": 2, "name": "李四"}),
            ("assignment.made", {"number": 1, "assignee_name": "孙七", "due": "2026-12-15"}),
            ("report.recorded", {"number": 1, "text": "已联系施工方，下周进场", "done": False}),
            ("report.recorded", {"number": 1, "text": "雨棚已装好", "done": True}),
            ("rating.closed", {"number": 1, "satisfied": 5, "basic": 1, "unsatisfied": 0}),
            ("meeting.adjourned", {"meeting": 7}),
            ("speech.recorded", {"number": 3, "member": 4, "name": "赵六", "side": "for", "text": "after the meeting"}),
        ],
        recording.ended_at,
    )


def test_meeting_attendance_delivery_and_adjournment(nantang):
    chain = meeting_events(nantang)
    minutes = minutes_of(chain, chain[-1].seq, chain[-1].hash, meeting_id=7)
    assert minutes.scope == "meeting" and minutes.title == "11月楼栋议事会例会" and minutes.place == "3号楼架空层"
    assert minutes.attendance_recorded and minutes.attendees == ("张三", "李四") and minutes.present == 2
    assert set(minutes.absentees) == {"王五", "赵六", "孙七", "王主任"} and minutes.expected == 6
    assert minutes.adjourned_at is not None and minutes.adjourned_at.tzinfo is not None
    assert minutes.motions == ()  # reports on #1 are delivery, not deliberation
    [item] = minutes.assignments
    assert (item.number, item.assignee, item.due, item.done) == (1, "孙七", "2026-12-15", True)
    assert item.motion_text == RAIN_SHELTER_AMENDED and [r.text for r in item.reports][-1] == "雨棚已装好"
    assert (item.rating.satisfied, item.rating.basic, item.rating.unsatisfied) == (5, 1, 0)
    with pytest.raises(MeetingNotFound):
        minutes_of(chain, chain[-1].seq, chain[-1].hash, meeting_id=8)


def test_digest_keeps_a_few_speeches_per_side():
    head = "0" * 64
    raw = [
        Event(
            1,
            1,
            "motion.raised",
            "2026-11-20T10:00:00+00:00",
            {"number": 1, "kind": "main", "text": "议题", "mover": 1, "mover_name": "甲", "parent": None},
        )
    ]
    for i in range(12):
        raw.append(
            Event(
                1,
                i + 2,
                "speech.recorded",
                f"2026-11-20T10:{i + 1:02d}:00+00:00",
                {"number": 1, "member": i, "name": f"人{i}", "side": "for" if i % 3 else "against", "text": f"发言{i}"},
            )
        )
    minutes = build_minutes(
        raw, council_name="c", place="p", chain_head=head, chain_seq=13, generated_at=START, digest_per_side=2
    )
    motion = minutes.motion(1)
    assert (motion.speeches_for, motion.speeches_against) == (8, 4)
    assert [s.excerpt for s in motion.speeches] == ["发言0", "发言1", "发言2", "发言3"]
    assert motion.speeches_omitted == 8


def test_rows_have_one_row_per_motion_and_per_ballot_outcome():
    raw = [
        Event(1, 1, "council.setup", "2026-11-20T10:00:00+00:00", {"title": "c", "preset": "nantang", "chair": "甲"}),
        Event(
            1,
            2,
            "motion.raised",
            "2026-11-20T10:01:00+00:00",
            {"number": 1, "kind": "main", "text": "议题", "mover": 1, "mover_name": "乙", "parent": None},
        ),
        Event(
            1,
            3,
            "ballot.opened",
            "2026-11-20T10:02:00+00:00",
            {"number": 1, "ballot": 9, "secret": False, "threshold": "ordinary", "eligible": 2, "members": 2},
        ),
        Event(
            1,
            4,
            "vote.cast",
            "2026-11-20T10:03:00+00:00",
            {"number": 1, "ballot": 9, "name": "乙", "choice": "yes", "voter": "m1", "area_cm2": 0},
        ),
        Event(
            1,
            5,
            "ballot.closed",
            "2026-11-20T10:04:00+00:00",
            {
                "number": 1,
                "ballot": 9,
                "state": "adopted",
                "secret": False,
                "passed": True,
                "quorum_met": True,
                "rule": "nantang.yes_gt_no",
                "yes": 1,
                "no": 0,
                "abstain": 0,
            },
        ),
    ]
    minutes = build_minutes(raw, council_name="c", place="p", chain_head="h", chain_seq=5, generated_at=START)
    rows = minutes_rows(minutes)
    assert [(r["record"], r["number"]) for r in rows] == [("motion", 1), ("ballot", 1)]
    assert all(tuple(r) == ROW_FIELDS for r in rows)
    assert rows[1]["roll_call"] == "乙:yes" and rows[1]["passed"] is True and rows[0]["state"] == "adopted"
    assert minutes.expected == 1  # the founding chair, who never sent a join event


def test_minutes_survive_a_round_trip_through_json(script):
    events, seq, head = script.events, script.seq, script.head
    minutes = minutes_of(events, seq, head)
    assert minutes_from_dict(minutes_to_dict(minutes)) == minutes


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", Scope("all")),
        ("#3", Scope("motions", motions=(3,))),
        ("3, 5", Scope("motions", motions=(3, 5))),
        ("meeting", Scope("meeting")),
        ("会议 4", Scope("meeting", meeting=4)),
    ],
)
def test_parse_scope_words(text, expected):
    assert parse_scope(text, now=START) == expected


def test_parse_scope_days_are_local_calendar_days():
    late = datetime(2026, 11, 20, 17, 30, tzinfo=UTC)  # already 21 Nov in Shanghai
    today = parse_scope("今天", now=late)
    assert (today.start.isoformat(), today.end.isoformat()) == (
        "2026-11-21T00:00:00+08:00",
        "2026-11-22T00:00:00+08:00",
    )
    month = parse_scope("2026-02", now=late)
    assert (month.start.day, month.end.month, month.end.day) == (1, 3, 1)
    span = parse_scope("2026-11-01..2026-11-03", now=late)
    assert span.text == "period:2026-11-01T00:00:00+08:00/2026-11-04T00:00:00+08:00"
    with pytest.raises(BadScope):
        parse_scope("next tuesday-ish", now=late)
    with pytest.raises(BadScope):
        parse_scope("2026-11-05..2026-11-01", now=late)


def test_excerpt_is_the_first_words_on_one_line():
    assert excerpt("a\nb   c") == "a b c"
    assert excerpt("字" * 40) == "字" * 30 + "…"


def _log(*events: tuple[str, dict], first: int = 1) -> list[Event]:
    """Bare events numbered from `first`, one minute apart (the replay reads no hashes)."""
    return [
        Event(1, seq, kind, (START + timedelta(minutes=seq)).isoformat(), payload)
        for seq, (kind, payload) in enumerate(events, start=first)
    ]


def _raised(number: int, **extra) -> tuple[str, dict]:
    return "motion.raised", {
        "number": number,
        "kind": "main",
        "text": f"议题{number}",
        "mover": 1,
        "mover_name": "甲",
        "parent": None,
        **extra,
    }


def test_postponed_resumed_and_referred_motions_follow_the_lifecycle():
    raw = _log(
        _raised(1),
        ("motion.seconded", {"number": 1}),
        ("motion.postponed", {"number": 1, "until": "2026-12-01T10:00:00+00:00"}),
    )
    postponed = build_minutes(raw, council_name="c", place="p", chain_head="h", chain_seq=3, generated_at=START)
    motion = postponed.motion(1)
    assert (motion.state, motion.postponed_until, motion.decided_at) == (
        "postponed",
        "2026-12-01T18:00:00+08:00",
        None,
    )  # local

    raw += _log(
        ("motion.resumed", {"number": 1}),
        ("member.warned", {"number": 1, "member": 2, "name": "乙"}),
        ("debate.closed", {"number": 1}),
        ("motion.referred", {"number": 1, "to": "物业"}),
        first=4,
    )
    referred = build_minutes(raw, council_name="c", place="p", chain_head="h", chain_seq=7, generated_at=START)
    motion = referred.motion(1)
    assert (motion.state, motion.referred_to, motion.postponed_until) == ("referred", "物业", None)
    assert motion.decided_at is not None and motion.warnings == 1 and motion.debate_closed


def test_a_log_that_starts_mid_way_still_gives_each_motion_its_state():
    raw = _log(
        ("speech.recorded", {"number": 7, "member": 2, "name": "乙", "side": "for", "text": "赞成"}),
        ("motion.seconded", {"number": 7}),  # late or repeated: a debated motion stays debated
        ("ballot.opened", {"number": 8, "ballot": 3, "secret": False, "eligible": 2, "members": 2}),
        (
            "ballot.closed",
            {
                "number": 8,
                "ballot": 3,
                "state": "adopted",
                "passed": True,
                "quorum_met": True,
                "yes": 2,
                "no": 0,
                "abstain": 0,
            },
        ),
    )
    minutes = build_minutes(raw, council_name="c", place="p", chain_head="h", chain_seq=4, generated_at=START)
    assert minutes.motion(7).state == "debating" and minutes.motion(7).decided_at is None
    assert minutes.motion(8).state == "adopted" and minutes.motion(8).decided_at is not None
    assert minutes.motion(8).final_vote.passed and minutes.motion(8).final_vote.closed
