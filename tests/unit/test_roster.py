"""The property register: whole files accepted exactly, or refused with every problem and its line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from bot.roster_file import read_roster_file
from deliberation.roster import (
    RosterInvalid,
    RosterProblem,
    RosterUnit,
    normalise_unit_code,
    owner_count,
    parse_area_cm2,
    total_area_cm2,
    validate_roster,
)

GOOD_CSV = """房号,业主姓名,建筑面积
1-101,张三,89.5
1-102,李四,120.25
3-502, 张三 ,75
"""

GOOD_UNITS = (
    RosterUnit("1-101", "张三", 895_000),
    RosterUnit("1-102", "李四", 1_202_500),
    RosterUnit("3-502", "张三", 750_000),
)


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def problems_of(rows: list[dict[str, object]]) -> tuple[RosterProblem, ...]:
    with pytest.raises(RosterInvalid) as caught:
        validate_roster(rows)
    return caught.value.problems


# --- files -----------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_good_csv_in_each_encoding(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "台账.csv"
    path.write_bytes(GOOD_CSV.encode(encoding))
    units = read_roster_file(path)
    assert units == GOOD_UNITS
    assert owner_count(units) == 2  # 张三 holds two units and counts once
    assert total_area_cm2(units) == 895_000 + 1_202_500 + 750_000


def test_good_xlsx_with_numeric_cells(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "register.xlsx",
        [
            ["Unit", "Owner", "Area (m²)"],
            ["1-101", "Zhang San", 89.5],
            [502, "Li Si", 120],
            ["３－５０２", "Zhang  San", "75.0001"],
        ],
    )
    units = read_roster_file(path)
    assert units == (
        RosterUnit("1-101", "Zhang San", 895_000),
        RosterUnit("502", "Li Si", 1_200_000),
        RosterUnit("3-502", "Zhang San", 750_001),
    )
    assert owner_count(units) == 2
    assert total_area_cm2(units) == 2_845_001


def test_xlsx_reads_the_first_sheet(tmp_path: Path) -> None:
    workbook = Workbook()
    workbook.active.append(["房号", "业主", "面积"])
    workbook.active.append(["1-101", "张三", 90])
    other = workbook.create_sheet("说明")
    other.append(["这不是台账"])
    workbook.active = 1
    workbook.save(tmp_path / "r.xlsx")
    assert read_roster_file(tmp_path / "r.xlsx") == (RosterUnit("1-101", "张三", 900_000),)


def test_bad_xlsx_reports_lines(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "r.xlsx",
        [["房号", "业主", "专有面积"], ["1-101", "张三", 90], [None, "李四", 80], ["1-102", "王五", -3]],
    )
    with pytest.raises(RosterInvalid) as caught:
        read_roster_file(path)
    assert caught.value.problems == (
        RosterProblem(3, "unit", "missing_unit"),
        RosterProblem(4, "area", "negative_area"),
    )


def test_csv_line_numbers_count_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("unit,owner,area\n1-101,Ann,90\n\n1-102,,80\n", encoding="utf-8")
    with pytest.raises(RosterInvalid) as caught:
        read_roster_file(path)
    assert caught.value.problems == (RosterProblem(4, "owner", "missing_owner"),)


@pytest.mark.parametrize("name", ["r.xls", "r.txt", "r"])
def test_unsupported_file_type(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(GOOD_CSV, encoding="utf-8")
    with pytest.raises(RosterInvalid) as caught:
        read_roster_file(path)
    assert [p.reason for p in caught.value.problems] == ["unsupported_file"]


def test_unreadable_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    path.write_bytes(b"not a zip file")
    with pytest.raises(RosterInvalid) as caught:
        read_roster_file(path)
    assert [p.reason for p in caught.value.problems] == ["unreadable_file"]


@pytest.mark.parametrize("content", ["", "房号,业主,面积\n", "房号,业主,面积\n,,\n"])
def test_empty_csv_is_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "r.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RosterInvalid) as caught:
        read_roster_file(path)
    assert [p.reason for p in caught.value.problems] == ["empty_roster"]


def test_header_only_csv_without_area_reports_the_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("房号,业主\n", encoding="utf-8")
    with pytest.raises(RosterInvalid) as caught:
        read_roster_file(path)
    assert caught.value.problems == (RosterProblem(1, "area", "missing_column"),)


# --- validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"房号": "", "业主": "张三", "面积": "90"}, RosterProblem(3, "unit", "missing_unit")),
        ({"房号": "  ", "业主": "张三", "面积": "90"}, RosterProblem(3, "unit", "missing_unit")),
        ({"房号": "1-102", "业主": "", "面积": "90"}, RosterProblem(3, "owner", "missing_owner")),
        ({"房号": "1-102", "业主": None, "面积": "90"}, RosterProblem(3, "owner", "missing_owner")),
        ({"房号": "1-102", "业主": "张三", "面积": "abc"}, RosterProblem(3, "area", "bad_area")),
        ({"房号": "1-102", "业主": "张三", "面积": ""}, RosterProblem(3, "area", "bad_area")),
        ({"房号": "1-102", "业主": "张三", "面积": "89,5"}, RosterProblem(3, "area", "bad_area")),
        ({"房号": "1-102", "业主": "张三", "面积": "89.12345"}, RosterProblem(3, "area", "bad_area")),
        ({"房号": "1-102", "业主": "张三", "面积": "1e3"}, RosterProblem(3, "area", "bad_area")),
        ({"房号": "1-102", "业主": "张三", "面积": "-89.5"}, RosterProblem(3, "area", "negative_area")),
        ({"房号": "1-102", "业主": "张三", "面积": "0"}, RosterProblem(3, "area", "zero_area")),
        ({"房号": "1-102", "业主": "张三", "面积": "0.00"}, RosterProblem(3, "area", "zero_area")),
        ({"房号": "1-101", "业主": "李四", "面积": "80"}, RosterProblem(3, "unit", "duplicate_unit")),
        ({"房号": "１－１０１", "业主": "李四", "面积": "80"}, RosterProblem(3, "unit", "duplicate_unit")),
    ],
)
def test_each_bad_row_kind_is_reported_at_its_line(row: dict[str, object], expected: RosterProblem) -> None:
    rows = [{"房号": "1-101", "业主": "张三", "面积": "90"}, row]
    assert problems_of(rows) == (expected,)


def test_all_problems_are_reported_together_and_nothing_returned() -> None:
    rows = [
        {"unit": "1-101", "owner": "Ann", "area": "90"},  # line 2, fine
        {"unit": "", "owner": "", "area": "x"},  # line 3, three problems
        {"unit": "1-102", "owner": "Bob", "area": "0"},  # line 4
        {"unit": "1-103", "owner": "Cy", "area": "70"},  # line 5, fine
        {"unit": "1-101", "owner": "Dee", "area": "-1"},  # line 6, two problems
    ]
    with pytest.raises(RosterInvalid) as caught:
        validate_roster(rows)
    assert caught.value.problems == (
        RosterProblem(3, "unit", "missing_unit"),
        RosterProblem(3, "owner", "missing_owner"),
        RosterProblem(3, "area", "bad_area"),
        RosterProblem(4, "area", "zero_area"),
        RosterProblem(6, "unit", "duplicate_unit"),
        RosterProblem(6, "area", "negative_area"),
    )
    assert isinstance(caught.value, ValueError)


def test_first_line_shifts_line_numbers() -> None:
    with pytest.raises(RosterInvalid) as caught:
        validate_roster([{"unit": "1", "owner": "", "area": "1"}], first_line=10)
    assert caught.value.problems == (RosterProblem(10, "owner", "missing_owner"),)


def test_missing_columns_are_reported_on_the_header_line() -> None:
    rows = [{"房号": "1-101", "姓名": "张三", "面积": "90"}]
    assert problems_of(rows) == (RosterProblem(1, "owner", "missing_column"),)
    assert problems_of([{"x": 1}]) == (
        RosterProblem(1, "unit", "missing_column"),
        RosterProblem(1, "owner", "missing_column"),
        RosterProblem(1, "area", "missing_column"),
    )


def test_empty_roster_is_refused() -> None:
    assert [p.reason for p in problems_of([])] == ["empty_roster"]
    blank = [{"unit": "", "owner": " ", "area": None}]
    assert [p.reason for p in problems_of(blank)] == ["empty_roster"]


@pytest.mark.parametrize(
    "headers",
    [
        ("房号", "业主", "面积"),
        ("单元", "业主姓名", "建筑面积"),
        ("房屋", "业主", "专有面积"),
        ("unit", "owner", "area"),
        (" Unit ", "OWNER", "area_m2"),
        ("房号", "业主", "建筑面积（㎡）"),
    ],
)
def test_header_spellings(headers: tuple[str, str, str]) -> None:
    unit, owner, area = headers
    assert validate_roster([{unit: "1-101", owner: "张三", area: "89.5"}]) == (RosterUnit("1-101", "张三", 895_000),)


def test_exclusive_area_is_preferred_over_building_area() -> None:
    row = {"房号": "1-101", "业主": "张三", "建筑面积": "100", "专有面积": "85"}
    assert validate_roster([row])[0].area_cm2 == 850_000


def test_cells_are_trimmed_and_normalised() -> None:
    rows = [{"房号": " ３－５０２ ", "业主": "  欧阳  小明 ", "面积": " 89.50 "}]
    assert validate_roster(rows) == (RosterUnit("3-502", "欧阳 小明", 895_000),)


@pytest.mark.parametrize(
    ("raw", "code"), [("３－５０２", "3-502"), ("3 - 502", "3-502"), ("a—101", "A-101"), (502, "502"), (502.0, "502")]
)
def test_unit_code_normalisation(raw: object, code: str) -> None:
    assert normalise_unit_code(raw) == code


@pytest.mark.parametrize(
    ("raw", "cm2"),
    [
        ("89.5", 895_000),
        ("89.50", 895_000),
        ("89.5000", 895_000),
        ("89.1234", 891_234),
        ("0.0001", 1),
        ("８９．５", 895_000),
        ("89.5㎡", 895_000),
        ("89.5 m²", 895_000),
        ("89.5平方米", 895_000),
        ("1,089.5", 10_895_000),
        ("+90", 900_000),
        (90, 900_000),
        (89.5, 895_000),
        (89.53, 895_300),
        (Decimal("89.5"), 895_000),
    ],
)
def test_area_is_exact(raw: object, cm2: int) -> None:
    assert parse_area_cm2(raw) == cm2


@pytest.mark.parametrize(
    "raw", ["89.12345", "1e3", "nan", "inf", float("nan"), 1e-5, True, "89,5", "1,0895", ".5", "", None]
)
def test_area_refused(raw: object) -> None:
    with pytest.raises(ValueError, match="bad_area"):
        parse_area_cm2(raw)


@given(st.integers(min_value=1, max_value=999_999_999), st.integers(min_value=0, max_value=9999))
def test_area_text_reads_back_exactly(whole: int, ten_thousandths: int) -> None:
    text = f"{whole}.{ten_thousandths:04d}"
    assert parse_area_cm2(text) == whole * 10_000 + ten_thousandths


@given(st.lists(st.tuples(st.sampled_from(["张三", "李四", "王五"]), st.integers(1, 10**7)), min_size=1, max_size=20))
def test_owner_count_and_total_area(holdings: list[tuple[str, int]]) -> None:
    rows = [
        {"unit": f"1-{i}", "owner": owner, "area": f"{cm2 // 10_000}.{cm2 % 10_000:04d}"}
        for i, (owner, cm2) in enumerate(holdings)
    ]
    units = validate_roster(rows)
    assert owner_count(units) == len({owner for owner, _ in holdings})
    assert total_area_cm2(units) == sum(cm2 for _, cm2 in holdings)
