"""Issue 17: a community of three councils and a month typed in their chats; the ledger's rows and totals in
XLSX (read back with openpyxl) and PDF (pypdf text) equal the record, and the secret ballot names nobody."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import update

from bot.community_desk.commands import run as community_cli
from bot.community_desk.ledger import build_ledger
from bot.community_desk.pdf import to_pdf
from bot.community_desk.xlsx import to_xlsx
from deliberation import community
from deliberation.ledger import Month
from storage.models import EventRow
from tests.integration.community_script import COUNCILS, play_month

pytestmark = pytest.mark.timeout(120)

NOVEMBER = Month(2026, 11)


@pytest.fixture
async def month(app, clock):
    clock.now = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    await play_month(app.dispatcher, clock)
    async with app.new_uow() as uow:
        made = await community.create(uow.communities, "东湖社区", clock())
        ids = {}
        for chat in COUNCILS:
            council = await uow.councils.by_chat(f"console:{chat}")
            ids[chat] = council.id
            await community.add_council(uow.communities, made, council, clock())
        await uow.commit()
    return made, ids


async def _record(app, ids):
    """What the store holds, council by council: motions by state, ballots with their turnout, deliveries."""
    found = {}
    async with app.new_uow() as uow:
        for chat, council_id in ids.items():
            motions = await uow.motions.all(council_id)
            ballots = []
            for m in motions:
                for b in await uow.ballots.for_motion(m.id):  # every ballot is closed: counted in its result
                    ballots.append((m.number, b, b.result.yes + b.result.no + b.result.abstain))
            versions = [v for v in await uow.minutes.versions(council_id) if v.published]
            found[chat] = (motions, ballots, await uow.assignments.all(council_id), versions)
    return found


def _sheet(book, title):
    rows = list(book[title].iter_rows(values_only=True))
    return rows[0], rows[1:]


async def test_the_ledger_rows_and_totals_equal_the_record_in_xlsx_and_pdf(app, month, clock):
    made, ids = month
    record = await _record(app, ids)
    async with app.new_uow() as uow:
        ledger = await build_ledger(uow, made, NOVEMBER, clock())
    book = load_workbook(io.BytesIO(to_xlsx(ledger)))
    assert book.sheetnames == ["汇总", "会议", "议题", "表决参与", "落实", "公示纪要"]

    head, rows = _sheet(book, "汇总")
    by_council = {r[0]: dict(zip(head, r, strict=True)) for r in rows}
    assert set(by_council) == set(COUNCILS.values()) | {"合计"}
    for chat, (motions, ballots, assignments, versions) in record.items():
        row = by_council[COUNCILS[chat]]
        main = [m for m in motions if m.kind.value == "main"]
        assert row["议题"] == len(main)
        assert row["通过"] == sum(m.state.value == "adopted" for m in main)
        assert row["未通过"] == sum(m.state.value == "rejected" for m in main)
        assert row["延期"] == sum(m.state.value == "postponed" for m in main)
        assert row["表决"] == len(ballots)
        assert row["投票人次"] == sum(voted for _, _, voted in ballots)
        assert row["应投人次"] == sum(b.eligible_voters for _, b, _ in ballots)
        assert row["公示纪要"] == len(versions)
        assert row["按时完成"] + row["逾期完成"] + row["逾期未完成"] + row["进行中"] == len(assignments)
        assert isinstance(row["参与率"], float)
        assert book["汇总"].cell(row=2, column=head.index("参与率") + 1).number_format == "0.0%"
    total = by_council["合计"]
    for column in head[1:]:
        parts = [by_council[name][column] for name in COUNCILS.values()]
        if column == "参与率":
            assert total[column] == pytest.approx(total["投票人次"] / total["应投人次"])
        else:
            assert total[column] == sum(parts), column
    assert (total["会议"], total["议题"], total["通过"], total["未通过"], total["延期"]) == (1, 5, 2, 2, 1)
    assert (total["按时完成"], total["逾期未完成"], total["满意"], total["基本满意"]) == (1, 1, 1, 1)

    head, rows = _sheet(book, "议题")
    motions = {(r[0], r[1]): dict(zip(head, r, strict=True)) for r in rows}
    east_1 = motions[(COUNCILS["east"], 1)]
    east_ballot = next(b for n, b, _ in record["east"][1] if n == 1)
    assert east_1["议题（最终文本）"] == "在3号楼每层安装声控感应灯" and east_1["提议人"] == "Alice"
    assert (east_1["结果"], east_1["赞成"], east_1["反对"]) == ("通过", east_ballot.result.yes, east_ballot.result.no)
    assert east_1["记名表决名单"] == "赞成：Alice、Bob；反对：Carol"
    assert isinstance(east_1["提出时间"], datetime) and isinstance(east_1["赞成"], int)
    assert motions[(COUNCILS["east"], 3)]["结果"] == "延期"
    assert motions[(COUNCILS["north"], 1)]["结果"] == "未通过"
    secret = motions[(COUNCILS["west"], 1)]
    assert secret["表决方式"] == "无记名" and secret["记名表决名单"] is None
    assert (secret["投票人次"], secret["应投人次"]) == (4, 5)
    everything = " ".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row)
    assert "反对：Bob" not in everything  # Bob voted no only in the secret ballot

    head, rows = _sheet(book, "落实")
    delivery = {(r[0], r[1]): dict(zip(head, r, strict=True)) for r in rows}
    assert delivery[(COUNCILS["east"], 1)]["状态"] == "按时完成"
    assert (delivery[(COUNCILS["east"], 1)]["满意"], delivery[(COUNCILS["east"], 1)]["基本满意"]) == (1, 1)
    assert delivery[(COUNCILS["west"], 1)]["状态"] == "逾期未完成"
    assert isinstance(delivery[(COUNCILS["west"], 1)]["期限"], datetime)

    head, rows = _sheet(book, "公示纪要")
    (published,) = record["north"][3]
    assert [(r[0], r[-1], r[-2]) for r in rows] == [(COUNCILS["north"], published.chain_head, published.chain_seq)]
    head, rows = _sheet(book, "会议")
    assert [(r[0], r[2], r[5]) for r in rows] == [(COUNCILS["east"], "十一月议事会", 4)]

    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(to_pdf(ledger))).pages))
    assert "东湖社区议事台账（2026-11）" in text
    for name in COUNCILS.values():
        assert name in text
    assert "在3号楼每层安装声控感应灯" in text and "赞成：Alice、Bob；反对：Carol" in text
    assert published.chain_head in text
    assert "反对：Bob" not in text and "无记名表决只列票数，不列姓名。" in text
    assert "赞成/反对/弃权" in text and "2/1/0" in text


async def test_the_ledger_command_writes_both_files(app, month, tmp_path, capsys):
    made, _ids = month

    class Args:
        command, community, month, locale = "ledger", made.slug, "2026-11", None

    for fmt in ("xlsx", "pdf"):
        args = Args()
        args.format, args.out = fmt, tmp_path / "out"  # type: ignore[attr-defined]
        assert await community_cli(app, args, "") == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "东湖社区-议事台账-2026-11.pdf",
        "东湖社区-议事台账-2026-11.xlsx",
    ]
    bad = Args()
    bad.month, bad.format, bad.out = "2026-13", "xlsx", tmp_path  # type: ignore[attr-defined]
    assert await community_cli(app, bad, "") == 2


async def test_a_council_whose_record_was_altered_stops_the_ledger_and_is_named(app, month, tmp_path, capsys):
    made, ids = month
    async with app.new_uow() as uow:
        await uow.session.execute(
            update(EventRow)
            .where(EventRow.council_id == ids["west"], EventRow.seq == 5)
            .values(payload='{"text": "改过的"}')
        )
        await uow.commit()

    class Args:
        command, community, month, locale, format, out = "ledger", made.code, "2026-11", None, "xlsx", tmp_path / "o"

    assert await community_cli(app, Args(), "") == 2
    assert "“西苑7号楼议事会”的议事记录第 5 条核对不上" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
