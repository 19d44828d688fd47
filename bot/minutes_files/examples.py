"""`yishi demo --examples DIR`: the first page of the minutes PDF and of the 公示 notice as PNG pictures, as a
reader sees them (docs/examples/ holds the ones shown in the README). Needs pdftoppm (Debian: poppler-utils)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path


def first_page_png(pdf: bytes, target: Path, dpi: int = 80) -> Path:
    """Render page 1 of `pdf` to `target` (a .png path) with pdftoppm."""
    if shutil.which("pdftoppm") is None:
        raise RuntimeError("pdftoppm is not installed (Debian: apt-get install poppler-utils)")
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "page.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                str(dpi),
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(source),
                str(target.with_suffix("")),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    return target
