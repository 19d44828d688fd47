"""The property register (物业台账): units, owners and exclusive areas, checked whole before use."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

CM2_PER_M2 = 10_000

# Canonical column -> header spellings, most specific first. Headers are compared after
# NFKC, casefolding, dropping spaces and any bracketed note such as "(㎡)" or "（平方米）".
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "unit": ("房号", "房间号", "房屋编号", "房屋", "单元号", "单元", "unit", "unit_code"),
    "owner": ("业主姓名", "业主", "业主名称", "owner", "owner_name"),
    # Art. 278 counts the exclusive (专有) area; use it when the register has several.
    "area": ("专有面积", "专有部分面积", "面积", "area", "area_m2", "建筑面积"),
}

_BRACKETED = re.compile(r"\(.*?\)|\[.*?\]")
_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−﹣－"})
_AREA_SUFFIX = re.compile(r"(m2|平方米|平米|平方|平)$")
_AREA_NUMBER = re.compile(r"([+-]?)([0-9]{1,9}|[0-9]{1,3}(?:,[0-9]{3}){1,2})(?:\.([0-9]+))?")


@dataclass(frozen=True)
class RosterUnit:
    """One unit of the register; `area_cm2` is the exclusive area in whole square centimetres."""

    code: str
    owner: str
    area_cm2: int


@dataclass(frozen=True)
class RosterProblem:
    """Something wrong at a spreadsheet line (header is line 1; 0 means the file as a whole).

    `column` is the canonical column ("unit", "owner", "area"); `reason` is a stable key:
    missing_unit, missing_owner, bad_area, negative_area, zero_area, duplicate_unit,
    missing_column, empty_roster (and, from the file reader, unsupported_file, unreadable_file).
    `value` quotes the offending cell for the message and does not take part in equality.
    """

    line: int
    column: str
    reason: str
    value: str = field(default="", compare=False)


class RosterInvalid(ValueError):
    """The register was refused; `problems` lists everything found, in line order."""

    def __init__(self, problems: Iterable[RosterProblem]) -> None:
        self.problems = tuple(sorted(problems, key=lambda p: p.line))
        summary = "; ".join(f"line {p.line} {p.column or '-'}: {p.reason}" for p in self.problems)
        super().__init__(f"roster refused: {summary}")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # A spreadsheet number cell holding a room number such as 502.
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def normalise_unit_code(value: object) -> str:
    """ "３－５０２ " -> "3-502": half-width, no spaces, one kind of dash, upper case."""
    return "".join(_text(value).translate(_DASHES).split()).upper()


def normalise_owner(value: object) -> str:
    """Owner as a counting key: trimmed, inner runs of spaces collapsed to one."""
    return " ".join(_text(value).split())


def _header_key(header: object) -> str:
    text = _BRACKETED.sub("", _text(header).casefold())
    return "".join(text.split())


def _find_columns(headers: Iterable[object]) -> dict[str, object]:
    by_key: dict[str, object] = {}
    for header in headers:
        if header is not None:
            by_key.setdefault(_header_key(header), header)
    found: dict[str, object] = {}
    for column, aliases in COLUMN_ALIASES.items():
        for alias in aliases:
            if alias in by_key:
                found[column] = by_key[alias]
                break
    return found


def parse_area_cm2(value: object) -> int:
    """Square metres ("89.5", "89.50 ㎡", 89.5, "1,089.5") to exact square centimetres.

    Raises ValueError whose message is the reason key: bad_area (not a plain number,
    or finer than 0.0001 m²), zero_area or negative_area.
    """
    if isinstance(value, bool):
        raise ValueError("bad_area")
    if isinstance(value, (int, float, Decimal)):
        try:
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
            text = format(number, "f")
        except (InvalidOperation, ValueError):
            raise ValueError("bad_area") from None
    else:
        text = _text(value).casefold().replace(" ", "")
        text = _AREA_SUFFIX.sub("", text)
    match = _AREA_NUMBER.fullmatch(text)
    if match is None:
        raise ValueError("bad_area")
    sign, whole, fraction = match.groups()
    fraction = (fraction or "").rstrip("0")
    # Finer than a square centimetre would need rounding, and tallies must be exact.
    if len(fraction) > 4:
        raise ValueError("bad_area")
    cm2 = int(Decimal(f"{whole.replace(',', '')}.{fraction or '0'}") * CM2_PER_M2)
    if cm2 == 0:
        raise ValueError("zero_area")
    if sign == "-":
        raise ValueError("negative_area")
    return cm2


def validate_roster(
    rows: Iterable[Mapping[Any, object]],  # keys are header cells: text in a CSV, any value in a workbook
    first_line: int = 2,
    *,
    headers: Iterable[object] | None = None,
) -> tuple[RosterUnit, ...]:
    """Check every row of the register and return its units, or raise RosterInvalid
    listing every problem; never a partial result.

    `rows` map header text to cell values; `first_line` is the spreadsheet line of the
    first row. `headers`, when given, is the header row (so a file with headers but no
    rows still reports missing columns); otherwise headers are taken from the rows' keys.
    """
    rows = list(rows)
    if not rows and headers is None:
        # No rows and no header row: nothing to say about columns.
        raise RosterInvalid([RosterProblem(first_line, "", "empty_roster")])
    if headers is None:
        headers = dict.fromkeys(key for row in rows for key in row)
    columns = _find_columns(headers)
    missing = [c for c in COLUMN_ALIASES if c not in columns]
    if missing:
        raise RosterInvalid(RosterProblem(1, column, "missing_column") for column in missing)

    problems: list[RosterProblem] = []
    units: list[RosterUnit] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows, start=first_line):
        raw = {column: row.get(header) for column, header in columns.items()}
        if all(_text(value) == "" for value in raw.values()):
            continue  # blank lines between or after the data are common in registers
        code = normalise_unit_code(raw["unit"])
        owner = normalise_owner(raw["owner"])
        row_ok = True
        if not code:
            problems.append(RosterProblem(line, "unit", "missing_unit"))
            row_ok = False
        elif code in seen:
            problems.append(RosterProblem(line, "unit", "duplicate_unit", f"{code} (line {seen[code]})"))
            row_ok = False
        else:
            seen[code] = line
        if not owner:
            problems.append(RosterProblem(line, "owner", "missing_owner", code))
            row_ok = False
        try:
            area_cm2 = parse_area_cm2(raw["area"])
        except ValueError as refused:
            problems.append(RosterProblem(line, "area", str(refused), _text(raw["area"])))
            row_ok = False
        if row_ok:
            units.append(RosterUnit(code, owner, area_cm2))
    if not units and not problems:
        problems.append(RosterProblem(first_line, "", "empty_roster"))
    if problems:
        raise RosterInvalid(problems)
    return tuple(units)


def owner_count(units: Iterable[RosterUnit]) -> int:
    """Owners counted once each however many units they hold (Civil Code art. 278 head count)."""
    return len({unit.owner for unit in units})


def total_area_cm2(units: Iterable[RosterUnit]) -> int:
    """The exclusive area of all units, in square centimetres."""
    return sum(unit.area_cm2 for unit in units)
