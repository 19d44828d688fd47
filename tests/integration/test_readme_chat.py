"""The README's `yishi chat` example, fed on standard input, reaches the result (issue 11)."""

from __future__ import annotations

import asyncio
import io
import re
from pathlib import Path

import pytest

from bot.main import run_console

README = Path(__file__).resolve().parents[2] / "README.md"


def chat_example() -> list[str]:
    """The lines of the first code block after the README mentions `yishi chat`."""
    text = README.read_text(encoding="utf-8")
    after = text[text.index("yishi chat` opens") :]
    match = re.search(r"```\n(.*?)```", after, re.S)
    assert match is not None
    return [line for line in match.group(1).splitlines() if line.strip()]


def test_the_readme_chat_example_reaches_the_result(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = chat_example()
    assert lines[0].startswith("@") and "/vote" in "\n".join(lines)
    stdin = io.StringIO("\n".join(lines) + "\n")
    assert asyncio.run(run_console(f"sqlite+aiosqlite:///{tmp_path / 'readme.db'}", stdin=stdin)) == 0
    shown = capsys.readouterr().out
    assert "【表决结果 · 议题 #1】" in shown, shown[-2000:]
    assert "结果：通过 ✅" in shown, shown[-2000:]
