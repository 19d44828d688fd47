"""The printed 表决票: its QR code, rendered by poppler and read back module by module, is the slip's code."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from bot.i18n import Translator
from bot.owner_files import slips_pdf
from bot.owner_files.ballot_slips import qr_modules
from deliberation.channels import owner_code, parse_slip_code, receipt_code, slip_code
from deliberation.electorate import owners_of
from deliberation.lifecycle import MotionState
from deliberation.model import Ballot, Motion, MotionKind, Unit
from deliberation.usecases import OwnersBallot, Slip

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


def read_qr(png: Path, size: int) -> list[list[bool]]:
    """The modules of the QR code in the top right quarter of the page (`size` modules, 2 of them quiet zone)."""
    image = Image.open(png).convert("L")
    width, height = image.size
    left0, top0, right0, bottom0 = int(width * 0.6), 0, width, int(height * 0.3)
    dark = [
        (x, y)
        for y in range(top0, bottom0)
        for x in range(left0, right0)
        if image.getpixel((x, y)) < 128  # type: ignore[operator]
    ]
    top = min(y for _, y in dark)
    left = min(x for x, y in dark if y == top)
    right = max(x for x, y in dark if y == top)  # the top row spans both upper finder patterns
    step = (right - left + 1) / (size - 4)
    return [
        [image.getpixel((int(left + (c - 2 + 0.5) * step), int(top + (r - 2 + 0.5) * step))) < 128 for c in range(size)]  # type: ignore[operator]
        for r in range(size)
    ]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs pdftoppm (poppler-utils)")
def test_the_qr_code_printed_on_a_slip_carries_its_code(tmp_path: Path) -> None:
    units = [Unit("3-101", "张三", 895_000), Unit("3-201", "王五", 895_000), Unit("3-202", "王五", 762_500)]
    owners = owners_of(units)
    ballot = Ballot(12, 1, 1, NOW, NOW + timedelta(days=7), "ordinary")
    motion = Motion(1, 1, 3, MotionKind.MAIN, "加装电梯", 1, MotionState.VOTING, NOW)
    slips = [Slip(o, slip_code(12, o.name), receipt_code(12, NOW, o.name)) for o in owners]
    pdf = tmp_path / "slips.pdf"
    pdf.write_bytes(
        slips_pdf(Translator("zh_Hans"), "3号楼", "Asia/Shanghai", OwnersBallot(motion, ballot, owners, True), slips)
    )
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "2", "-l", "2", str(pdf), str(tmp_path / "p")], check=True)
    [png] = tmp_path.glob("p*.png")
    expected = qr_modules(slips[1].code)
    borderless = [row[2:-2] for row in expected[2:-2]]
    read = [row[2:-2] for row in read_qr(png, len(expected))[2:-2]]
    assert read == borderless
    assert parse_slip_code(slips[1].code).owner_code == owner_code("王五")
    assert slips[1].receipt in PdfReader(pdf).pages[1].extract_text()  # the receipt printed on the stub
