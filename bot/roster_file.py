"""Reading a property register from .csv or .xlsx into checked roster units."""

from __future__ import annotations

import csv
import io
import os
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from deliberation.roster import RosterInvalid, RosterProblem, RosterUnit, validate_roster

SUPPORTED_SUFFIXES = (".csv", ".xlsx")
# Registers exported on Chinese Windows are often GBK; GB18030 reads all of GBK and more.
_CSV_ENCODINGS = ("utf-8-sig", "gb18030")


def read_roster_file(path: str | os.PathLike[str]) -> tuple[RosterUnit, ...]:
    """Units of a .csv (UTF-8 with or without BOM, or GBK) or .xlsx (first sheet) register.

    The header is line 1. Raises RosterInvalid for any problem, including an unsupported
    or unreadable file (reported at line 0); OSError if the file cannot be opened at all.
    """
    path = Path(path)
    if path.suffix.casefold() not in SUPPORTED_SUFFIXES:
        raise RosterInvalid([RosterProblem(0, "", "unsupported_file", path.suffix.casefold() or path.name)])
    return read_roster_bytes(path.name, path.read_bytes())


def read_roster_bytes(filename: str, data: bytes) -> tuple[RosterUnit, ...]:
    """`read_roster_file` for a file received in the chat: its name says the format."""
    suffix = Path(filename).suffix.casefold()
    table: Sequence[Sequence[object]]
    if suffix == ".csv":
        table = _csv_table(data)
    elif suffix == ".xlsx":
        table = _xlsx_table(data)
    else:
        raise RosterInvalid([RosterProblem(0, "", "unsupported_file", suffix or filename[:40])])
    if not table:
        raise RosterInvalid([RosterProblem(1, "", "empty_roster")])
    header, *body = table
    return validate_roster(_dict_rows(header, body), first_line=2, headers=header)


def _dict_rows(header: Sequence[object], body: Iterable[Sequence[object]]) -> list[dict[object, object]]:
    rows = []
    for cells in body:
        row: dict[object, object] = {}
        for name, value in zip(header, cells, strict=False):  # short rows and unnamed extra cells are common
            if name not in (None, ""):
                row.setdefault(name, value)  # a repeated header keeps its first column
        rows.append(row)
    return rows


def _csv_table(data: bytes) -> list[list[str]]:
    for encoding in _CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterInvalid([RosterProblem(0, "", "unreadable_file", "encoding")])
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise RosterInvalid([RosterProblem(0, "", "unreadable_file", str(error))]) from None


def _xlsx_table(data: bytes) -> list[tuple[object, ...]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError) as error:
        raise RosterInvalid([RosterProblem(0, "", "unreadable_file", str(error))]) from None
    try:
        sheet = workbook.worksheets[0]
        return [tuple(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
