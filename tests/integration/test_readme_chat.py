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


def test_the_readme_owners_vote_example_reaches_the_evidence_pack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = README.read_text(encoding="utf-8")
    after = text[text.index("### Owners' votes") :]
    match = re.search(r"```\n(.*?)```", after, re.S)
    assert match is not None
    lines = [line for line in match.group(1).splitlines() if line.strip()]
    monkeypatch.chdir(README.parent)  # the example register is named relative to the repository
    saved = tmp_path / "out"
    saved.mkdir()
    stdin = io.StringIO("\n".join(lines) + "\n")
    import bot.main

    real = bot.main.console_chat
    monkeypatch.setattr(bot.main, "console_chat", lambda core, **kw: real(core, **{**kw, "files_dir": saved}))
    assert asyncio.run(run_console(f"sqlite+aiosqlite:///{tmp_path / 'owners.db'}", stdin=stdin)) == 0
    shown = capsys.readouterr().out
    assert "合计：6 套房，5 位业主，专有面积 498.8㎡" in shown, shown[-3000:]
    assert "还差 2 户、166.79㎡" in shown and "参与人数不足" in shown, shown[-3000:]
    assert {p.name for p in saved.iterdir()} == {"表决票-第1号.pdf", "扫楼名单-第1号.pdf", "evidence-1-1-ballot1.zip"}
