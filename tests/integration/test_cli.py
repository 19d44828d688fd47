"""The `yishi` command on a fresh directory: demo, chat, roster import."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

YISHI = str(Path(sys.executable).with_name("yishi"))


def _run(args, cwd, stdin=None, timeout=120):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TELEGRAM_", "WEBHOOK_"))}
    return subprocess.run(
        [YISHI, *args], cwd=cwd, input=stdin, capture_output=True, text=True, timeout=timeout, env=env
    )


def test_demo_prints_a_whole_deliberation_and_writes_minutes(tmp_path):
    result = _run(["demo"], tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for step in ("/setup", "/join", "/motion", "/second", "/for", "/amend", "/vote", "/yes"):
        assert step in out
    assert "每人每个议题最多发言 2 次" in out  # the refused third speech quotes the rule
    assert "结果：通过" in out
    written = list(tmp_path.glob("*.md"))
    assert written, "no minutes draft written"
    minutes = written[0].read_text(encoding="utf-8")
    assert "在3号楼每层楼道安装声控感应灯，费用不超过3000元" in minutes


def test_chat_reads_typed_lines_and_answers_bad_input_clearly(tmp_path):
    script = "\n".join(
        [
            "@王 /setup",
            "@alice /join 3-101",
            "@alice /frobnicate",
            "@alice /motion",
            "@bob /yes 1",
            "@alice /motion 修门禁",
            "@alice /second 1",
            "",
        ]
    )
    result = _run(["--database", f"sqlite+aiosqlite:///{tmp_path / 'c.db'}", "chat"], tmp_path, stdin=script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "没有 /frobnicate 这个命令" in out
    assert "内容不能为空" in out
    assert "您还不是本会成员" in out
    assert "提议人不能附议自己的议题" in out
    with sqlite3.connect(tmp_path / "c.db") as db:
        assert db.execute("select count(*) from motions").fetchone()[0] == 1
        assert db.execute("select state from motions").fetchone()[0] == "proposed"


def test_roster_import_reports_bad_rows_and_imports_nothing(tmp_path):
    db = f"sqlite+aiosqlite:///{tmp_path / 'r.db'}"
    setup = _run(["--database", db, "chat"], tmp_path, stdin="@王 /setup civil278\n")
    assert setup.returncode == 0, setup.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("房号,业主,面积\n1-101,张三,89.5\n,李四,70\n1-103,王五,-3\n1-101,赵六,60\n", encoding="utf-8")
    result = _run(["--database", db, "roster", "import", str(bad), "--council", "1"], tmp_path)
    assert result.returncode == 1
    for line in ("line 3", "line 4", "line 5"):
        assert line in result.stderr
    with sqlite3.connect(tmp_path / "r.db") as conn:
        assert conn.execute("select count(*) from units").fetchone()[0] == 0

    good = tmp_path / "good.csv"
    good.write_text("房号,业主,面积\n1-101,张三,89.5\n1-102,张三,60\n1-201,李四,70.25\n", encoding="utf-8")
    result = _run(["--database", db, "roster", "import", str(good), "--council", "1"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "3 units, 2 owners" in result.stdout
    chat = _run(["--database", db, "chat"], tmp_path, stdin="@zhang /join 9-999\n@zhang /join 1-102\n")
    assert "不在物业登记的名册里" in chat.stdout
    assert "申请以 1-102 登记" in chat.stdout
