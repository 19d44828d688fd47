"""Issue 13, attendance with units: the JSON export (against its schema) and the XLSX 出席 sheet carry each
attendee's and absentee's unit code, the sign-in times in the council's time zone (Excel dates in the sheet),
and list a 列席 secretary as such."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.minutes_files import to_json, to_xlsx
from deliberation import events, usecases
from deliberation.counting import Preset
from deliberation.delivery import meeting_quorum
from deliberation.minutes import build_minutes, publishing
from deliberation.usecases import proceedings
from tests.fakes.fake_uow import FakeUnitOfWork
from tests.unit.usecase_helpers import Clock

pytestmark = pytest.mark.asyncio
ROOT = Path(__file__).resolve().parents[2]


async def _meeting_minutes():
    """Three residents of units 1-101..1-103; two sign in a minute apart, the third stays away; the
    community secretary attends 列席."""
    uow, clock = FakeUnitOfWork.with_council([], preset=Preset.ROBERT), Clock()
    setup = {"title": uow.council.title, "preset": "robert", "chair": "chair"}
    await uow.events.append(uow.council.id, events.COUNCIL_SETUP, clock(), setup)
    for index, name in enumerate(["a", "b", "c"], start=1):
        await usecases.join(uow, clock, uow.council, uow.actor(name), f"1-10{index}")
    await proceedings.observe(uow, clock, uow.council, uow.actor("书记"))
    await usecases.open_meeting(uow, clock, uow.council, uow.actor("chair"), "电梯")
    for name in ("a", "b", "书记"):
        clock.tick(minutes=1)
        await usecases.record_presence(uow, clock, uow.council, uow.actor(name))
    log = await uow.events.all(uow.council.id)
    return clock, build_minutes(
        log,
        council_name=uow.council.title,
        place="线上",
        meeting_id=publishing.latest_meeting(log),
        chain_head="",
        chain_seq=0,
        generated_at=clock(),
        timezone="Asia/Shanghai",
        quorum=lambda expected: meeting_quorum(uow.council.rules, expected),
    )


async def test_the_json_names_each_attendees_unit_and_local_sign_in_time() -> None:
    import jsonschema

    _, minutes = await _meeting_minutes()
    document = json.loads(to_json(minutes))
    schema = json.loads((ROOT / "docs" / "minutes-schema.json").read_text("utf-8"))
    jsonschema.validate(document, schema)
    # the schema documents attendance with units, so a reader can rely on them
    assert {"sign_ins", "absent", "observers"} <= set(schema["$defs"]["Minutes"]["required"])
    assert {"name", "unit", "at"} <= set(schema["$defs"]["MinutesAttendee"]["required"])
    body = document["minutes"]
    signed = {a["name"]: (a["unit"], a["at"]) for a in body["sign_ins"]}
    assert signed["a"][0] == "1-101" and signed["b"][0] == "1-102"
    assert signed["b"][1].endswith("+08:00")  # the council's wall clock, with its offset
    assert datetime.fromisoformat(signed["b"][1]) - datetime.fromisoformat(signed["a"][1]) == timedelta(minutes=1)
    assert [(a["name"], a["unit"]) for a in body["absent"]] == [("c", "1-103")]
    assert [a["name"] for a in body["observers"]] == ["书记"]


async def test_the_attendance_sheet_has_units_local_sign_in_dates_absentees_and_observers() -> None:
    _, minutes = await _meeting_minutes()
    book = load_workbook(io.BytesIO(to_xlsx(minutes)))
    sheet = book["出席"]
    rows = [tuple(c.value for c in row) for row in sheet.iter_rows()]
    assert rows[0] == ("姓名", "门牌", "出席情况", "签到时间")
    by_name = {row[0]: row[1:] for row in rows[1:]}
    unit, state, at = by_name["a"]
    assert (unit, state) == ("1-101", "出席") and isinstance(at, datetime)
    signed = next(a for a in minutes.sign_ins if a.name == "a")
    assert signed.at is not None and at == signed.at.replace(tzinfo=None)  # local wall clock
    assert at.utcoffset() is None and signed.at.utcoffset().total_seconds() == 8 * 3600
    assert sheet.cell(row=1 + [r[0] for r in rows[1:]].index("a") + 1, column=4).is_date
    assert by_name["c"] == ("1-103", "缺席", None)
    assert by_name["书记"][1] == "列席" and isinstance(by_name["书记"][2], datetime)
