"""Every file format rendered from one rich deliberation (tests/integration/minutes_script.py) and read back as its
reader would: the PDF's own embedded fonts and its page numbers, the DOCX's fields and properties, the XLSX's
typed cells, a CSV Excel cannot misread, the JSON against its documented schema, and the 公示 notice."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from bot.minutes_files import to_csv, to_docx, to_json, to_pdf, to_xlsx
from bot.minutes_files.notice import notice_url, to_notice
from tests.integration.desk_helpers import Person, say
from tests.integration.minutes_script import Recording, record
from tests.unit.minutes_chain import COUNCIL, minutes_of

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def civil278(tmp_path_factory) -> Recording:
    return record(tmp_path_factory.mktemp("civil278"), "civil278")


@pytest.fixture(scope="module")
def minutes(civil278):
    return minutes_of(civil278.events, civil278.seq, civil278.head)


def flat(text: str) -> str:
    return "".join(text.split())


def pages_text(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [flat(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def longer(minutes, copies: int):
    """The same minutes with the first motion repeated `copies` times (more pages)."""
    first = minutes.motions[0]
    extra = tuple(replace(first, number=100 + i, votes=(), amendments=()) for i in range(copies))
    return replace(minutes, motions=minutes.motions + extra)


# ---- PDF: fonts ----------------------------------------------------------------------------------------


def _fonts(data: bytes) -> list[tuple[str, bool]]:
    """(base font name, embedded) of every font any page uses, descendants included."""
    from pypdf import PdfReader

    found = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptors = [font.get("/FontDescriptor")]
            descriptors += [d.get_object().get("/FontDescriptor") for d in font.get("/DescendantFonts", [])]
            embedded = any(
                d is not None and any(k in d.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                for d in descriptors
            )
            found.append((str(font["/BaseFont"]), embedded))
    return found


def test_every_font_of_the_pdf_is_the_projects_own_and_embedded(minutes):
    data = to_pdf(minutes, "zh_Hans")
    fonts = _fonts(data)
    assert fonts and all(embedded for _, embedded in fonts), fonts
    assert {re.sub(r"^/[A-Z]{6}\+|-[0-9a-f]{12}$", "", name) for name, _ in fonts} == {"YishiSerif", "YishiSans"}
    if shutil.which("pdffonts"):
        listing = subprocess.run(["pdffonts", "-"], input=data, capture_output=True, check=True, timeout=30)
        rows = listing.stdout.decode().splitlines()[2:]
        assert rows and all(row.split()[-5] == "yes" for row in rows), listing.stdout.decode()  # the "emb" column


def _ink(pdf: bytes, directory: Path, name: str) -> int:
    """Dark pixels on page 1 rendered by pdftoppm with fontconfig pointed at an empty configuration: no font
    of the machine can stand in for one the PDF lacks."""
    from PIL import Image

    config = directory / "fonts.conf"
    config.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig></fontconfig>')
    source = directory / f"{name}.pdf"
    source.write_bytes(pdf)
    env = {**os.environ, "FONTCONFIG_FILE": str(config), "FONTCONFIG_PATH": str(directory)}
    subprocess.run(
        ["pdftoppm", "-r", "50", "-gray", "-png", "-f", "1", "-l", "1", str(source), str(directory / name)],
        check=True,
        capture_output=True,
        timeout=60,
        env=env,
    )
    [png] = directory.glob(f"{name}*.png")
    return sum(Image.open(png).convert("L").histogram()[:128])


def test_chinese_glyphs_are_drawn_from_the_embedded_font_alone(minutes, tmp_path):
    if shutil.which("pdftoppm") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install poppler-utils")
        pytest.skip("pdftoppm is not installed")

    def with_text(text: str) -> bytes:
        changed = tuple(replace(m, text=text) if m.number == 1 else m for m in minutes.motions)
        return to_pdf(replace(minutes, motions=changed), "zh_Hans")

    light, dense = _ink(with_text("一" * 80), tmp_path, "light"), _ink(with_text("鬱" * 80), tmp_path, "dense")
    # Missing glyphs draw the same box (or nothing) whatever the character; real glyphs differ in ink.
    assert dense > light + 1000


# ---- PDF: pages and signatures -------------------------------------------------------------------------


def test_every_pdf_page_says_page_n_of_m(minutes):
    pages = pages_text(to_pdf(longer(minutes, 12), "zh_Hans"))
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert f"第{number}页共{len(pages)}页" in text
    english = pages_text(to_pdf(minutes, "en"))
    assert f"Page1of{len(english)}" in english[0]


def test_the_signature_lines_never_stand_alone_on_a_page(minutes):
    """Push the end of the record down line by line; whichever page the signature lines fall on, text of the
    record stands above them on that page."""
    seen_pages = set()
    for copies in range(0, 14):
        pages = pages_text(to_pdf(longer(minutes, copies), "zh_Hans"))
        [signed] = [p for p in pages if "主持人（签字）" in p]
        above = signed.split("主持人（签字）")[0]
        assert re.sub(r"^第\d+页共\d+页", "", above), f"signatures alone on a page with {copies} copies"
        seen_pages.add(pages.index(signed))
    assert len(seen_pages) > 1  # the sweep did move the signatures across a page break


# ---- DOCX ----------------------------------------------------------------------------------------------


def test_docx_numbers_its_pages_and_says_whose_it_is(minutes):
    import docx
    from docx.oxml.ns import qn

    document = docx.Document(io.BytesIO(to_docx(minutes, "zh_Hans")))
    footer = document.sections[0].footer.paragraphs[0]._p
    fields = [f.get(qn("w:instr")).strip() for f in footer.iter(qn("w:fldSimple"))]
    assert fields == ["PAGE", "NUMPAGES"]
    assert "".join(t.text for t in footer.iter(qn("w:t"))).startswith("第 1 页 共 1 页")
    props = document.core_properties
    assert (props.author, props.title) == (COUNCIL, f"{COUNCIL}议事记录")
    assert props.created == minutes.generated_at and props.language == "zh-CN"  # 18:00 in Shanghai, 10:00Z
    assert "python-docx" not in (props.author + props.last_modified_by + props.comments)
    lang = document.styles["Normal"].element.rPr.find(qn("w:lang"))
    assert (lang.get(qn("w:val")), lang.get(qn("w:eastAsia"))) == ("zh-CN", "zh-CN")
    heading = document.styles["Minutes Heading"].element.rPr.rFonts.get(qn("w:eastAsia"))
    assert (heading, document.styles["Normal"].element.rPr.rFonts.get(qn("w:eastAsia"))) == ("黑体", "宋体")
    # the signature lines keep with the paragraph before them
    paragraphs = document.paragraphs
    signed = next(i for i, p in enumerate(paragraphs) if p.text.startswith("主持人（签字）"))
    for p in paragraphs[signed - 2 : signed + 1]:
        assert p._p.pPr.find(qn("w:keepNext")) is not None, p.text


# ---- XLSX ----------------------------------------------------------------------------------------------


def test_xlsx_has_a_sheet_per_table_with_numbers_and_dates(minutes):
    from openpyxl import load_workbook

    texts = ['=HYPERLINK("http://evil.example","点我")', *(m.text for m in minutes.motions[1:])]
    changed = replace(minutes, motions=tuple(replace(m, text=t) for m, t in zip(minutes.motions, texts, strict=True)))
    book = load_workbook(io.BytesIO(to_xlsx(changed, "zh_Hans")))
    assert book.sheetnames == ["议题", "表决", "记名投票", "出席", "落实"]

    def table(name):
        rows = list(book[name].iter_rows(values_only=True))
        return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]

    motions = table("议题")
    assert [m["议题编号"] for m in motions] == [1, 2, 3, 4, 5]
    assert motions[0]["提出时间"] == datetime(2026, 11, 20, 18, 6)  # Shanghai wall clock, a real date
    cell = next(c for c in book["议题"]["D"] if c.value == texts[0])
    assert cell.data_type == "s"  # stored as text, never run as a formula
    ballots = {b["议题编号"]: b for b in table("表决")}
    shelter = ballots[1]
    assert (shelter["赞成"], shelter["反对"], shelter["赞成面积(㎡)"]) == (3, 1, 299)
    assert (shelter["同意业主数"], shelter["参与表决业主数"]) == (3, 4)
    assert shelter["同意人数比例"] == 0.75 and shelter["开始时间"] == datetime(2026, 11, 20, 18, 18)
    assert (shelter["同意面积(㎡)"], shelter["参与表决面积(㎡)"]) == (299, 399)
    ratio_cell = book["表决"].cell(row=2, column=list(ballots[1]).index("同意人数比例") + 1)
    assert ratio_cell.number_format == "0.00%"
    votes = table("记名投票")
    assert {(v["议题编号"], v["投票人"], v["意见"]) for v in votes} >= {(1, "张三", "赞成"), (1, "赵六", "反对")}
    assert {v["议题编号"] for v in votes} == {1, 2}  # the secret ballot on #3 names nobody
    assert isinstance(votes[0]["专有面积(㎡)"], (int, float))
    assert {a["出席情况"] for a in table("出席")} <= {"出席", "缺席"} and table("出席")


# ---- CSV -----------------------------------------------------------------------------------------------

_DATE_LIKE = re.compile(r"^\s*\d{1,4}\s*[-/.]\s*\d{1,2}(\s*[-/.]\s*\d{1,4})?\s*$")


def test_csv_has_nothing_excel_would_read_as_a_date_and_speaks_the_readers_language(minutes):
    texts = ["6/8", "1-12", "=1+1", "@SUM(A1)", "普通议题"]
    changed = replace(minutes, motions=tuple(replace(m, text=t) for m, t in zip(minutes.motions, texts, strict=True)))
    data = to_csv(changed, "zh_Hans")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    for row in rows:
        for cell in row.values():
            assert not _DATE_LIKE.match(cell) and not cell.startswith(("=", "+", "-", "@")), cell
    motion_texts = [r["议题内容（最终表述）"] for r in rows if r["记录类型"] == "议题"]
    assert motion_texts == ["'6/8", "'1-12", "'=1+1", "'@SUM(A1)", "普通议题"]
    shelter = next(r for r in rows if r["记录类型"] == "表决" and r["议题编号"] == "1")
    assert (shelter["同意业主数"], shelter["参与表决业主数"], shelter["同意人数比例"]) == ("3", "4", "75.00%")
    assert (shelter["参与业主数"], shelter["业主总数"], shelter["参与人数比例"]) == ("4", "5", "80.00%")
    assert shelter["开始时间"] == "2026-11-20 18:18"  # Shanghai time, as Excel reads a date and time
    assert rows[0]["修正案"] == "第2号修正案通过" and rows[0]["结果/状态"] == "通过"

    english = list(csv.DictReader(io.StringIO(to_csv(minutes, "en").decode("utf-8-sig"))))
    assert english[0]["owners taking part"] == "" and english[0]["amendments"] == "amendment #2 adopted"
    assert any(r["owners in favour"] == "3" for r in english)


# ---- JSON ----------------------------------------------------------------------------------------------


def test_json_follows_its_documented_schema_with_offsets(minutes):
    import jsonschema

    schema = json.loads((ROOT / "docs" / "minutes-schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    document = json.loads(to_json(minutes))
    jsonschema.validate(document, schema)
    assert document["minutes"]["motions"][0]["raised_at"] == "2026-11-20T18:06:00+08:00"
    # an open ballot's named votes carry each voter's unit code; a secret ballot names no one
    [first, *_] = [v for m in document["minutes"]["motions"] for v in m["votes"] if not v["secret"]]
    assert [(r["name"], r["unit"]) for r in first["roll_call"]] == [
        ("张三", "3-501"),
        ("李四", "3-502"),
        ("王五", "3-601"),
        ("赵六", "3-602"),
    ]
    assert all(not v["roll_call"] for m in document["minutes"]["motions"] for v in m["votes"] if v["secret"])
    naive = json.loads(json.dumps(document).replace("2026-11-20T18:06:00+08:00", "2026-11-20T18:06:00"))
    with pytest.raises(jsonschema.ValidationError):  # a time without its offset is not in the schema
        jsonschema.validate(naive, schema)


# ---- the 公示 notice ------------------------------------------------------------------------------------


def test_the_notice_is_one_big_page_with_decisions_period_objections_and_the_chain_head(minutes, tmp_path):
    starts = datetime.fromisoformat("2026-11-22T10:00:00+00:00")  # 18:00 in Shanghai
    url = notice_url("https://yishi.example.org/", "/p/abc", minutes.chain_head)
    data = to_notice(minutes, "zh_Hans", starts=starts, ends=starts + timedelta(days=7), url=url)
    [page] = pages_text(data)
    assert page.startswith("公示") and f"{COUNCIL}议事决定" in page
    assert "第1号" in page and "通过（赞成3，反对1，弃权0）" in page  # the counted numbers
    assert "第3号" in page and "未通过（无记名投票，4人参与）" in page  # a small secret ballot: no per-choice count
    assert "第4号" not in page and "第5号" not in page  # withdrawn and lapsed motions were not decided
    assert "公示期：2026年11月22日至2026年11月29日" in page
    assert "如有异议，请在2026年11月29日18:00前向孙七提出" in page
    assert minutes.chain_head in page
    assert url == f"https://yishi.example.org/p/abc#{minutes.chain_head}"
    assert all(embedded for _, embedded in _fonts(data))
    crowded = to_notice(longer(minutes, 20), "zh_Hans", starts=starts, ends=starts, url=url)
    assert len(pages_text(crowded)) == 1  # many decisions: smaller type, still one page
    if shutil.which("pdftoppm"):
        assert _ink(data, tmp_path, "notice") > 5000  # the QR code and the big type are drawn


async def test_publish_and_export_give_the_notice_in_the_chat(app):
    desk = app.dispatcher
    chair, alice, bob = Person("王主任", admin=True), Person("alice"), Person("bob")
    await say(desk, chair, "/setup")
    await say(desk, alice, "/join 3-101")
    await say(desk, bob, "/join 3-102")
    await say(desk, alice, "/motion 周末组织清洗水箱")
    await say(desk, bob, "/second 1")
    await say(desk, chair, "/vote 1 10m")
    await say(desk, alice, "/yes 1")
    await say(desk, bob, "/yes 1")
    published = await say(desk, chair, "/publish")
    [notice] = [d for d in published.documents if d.filename.startswith("公示_")]
    assert notice.filename.endswith("_v1.pdf") and notice.content.startswith(b"%PDF")
    [page] = pages_text(notice.content)
    assert "周末组织清洗水箱" in page and "通过（赞成2，反对0，弃权0）" in page
    again = await say(desk, chair, "/publish")
    assert not [d for d in again.documents if d.filename.startswith("公示_")]  # nothing new was published
    exported = await say(desk, chair, "/export notice")
    [document] = exported.documents
    assert document.filename.startswith("公示_") and "周末组织清洗水箱" in pages_text(document.content)[0]
    spreadsheet = await say(desk, chair, "/export xlsx")
    assert spreadsheet.documents[0].filename.endswith(".xlsx")


def test_areas_in_the_xlsx_keep_their_decimals(minutes):
    from openpyxl import load_workbook

    first = minutes.motions[0]
    vote = replace(first.votes[-1], yes_area_cm2=8097500)
    changed = replace(minutes, motions=(replace(first, votes=(*first.votes[:-1], vote)), *minutes.motions[1:]))
    sheet = load_workbook(io.BytesIO(to_xlsx(changed, "zh_Hans")))["表决"]
    header = [c.value for c in sheet[1]]
    values = [row[header.index("赞成面积(㎡)")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert Decimal(str(max(v for v in values if v is not None))) == Decimal("809.75")


def test_a_streets_own_word_form_is_filled_in(minutes):
    """docs/examples/minutes-template.docx, a 街道's form with Jinja tags, filled from the same outline; a motion's
    text stays text (no Word markup, no template code)."""
    import docx

    tricky = '<w:p>&"{{ 7*7 }}"'
    changed = replace(minutes, motions=(replace(minutes.motions[0], text=tricky), *minutes.motions[1:]))
    form = (ROOT / "docs" / "examples" / "minutes-template.docx").read_bytes()
    document = docx.Document(io.BytesIO(to_docx(changed, "zh_Hans", template=form)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert text.startswith("XX街道社区协商议事记录表\n阳光小区3号楼议事会议事记录（第1版）")
    assert "主持人：王主任" in text and "记录人：孙七" in text and "一、议题及议事过程" in text
    assert f"议题一（第1号）：{tricky}" in text and "{{" not in text.replace(tricky, "")
    assert "主持人（签字）：" in text and f"记录校验码：{minutes.chain_head}" in text
    assert document.core_properties.author == COUNCIL and document.core_properties.language == "zh-CN"


def test_yishi_export_writes_the_notice(tmp_path):
    from tests.integration.test_cli import _run

    db = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    script = "@王 /setup\n@alice /join 3-101\n@bob /join 3-102\n@alice /motion 周末组织清洗水箱\n@bob /second 1\n"
    script += "@王 /vote 1 10m\n@alice /yes 1\n@bob /yes 1\n"
    assert _run(["--database", db, "chat"], tmp_path, stdin=script).returncode == 0
    result = _run(["--database", db, "export", "--council", "1", "--format", "notice"], tmp_path)
    assert result.returncode == 0, result.stderr
    [notice] = tmp_path.glob("*.pdf")
    assert notice.name.startswith("公示_") and "周末组织清洗水箱" in pages_text(notice.read_bytes())[0]
