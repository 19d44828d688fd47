"""`yishi` reads its global options before or after the subcommand (issue 11: `yishi chat --database URL`)."""

from __future__ import annotations

import pytest

from bot import cli
from bot import main as composition


@pytest.mark.parametrize(
    "argv",
    [["chat", "--database", "sqlite+aiosqlite:///after.db"], ["--database", "sqlite+aiosqlite:///after.db", "chat"]],
)
def test_database_option_before_or_after_the_subcommand(monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> None:
    seen: list[str] = []

    async def fake_console(url: str) -> int:
        seen.append(url)
        return 0

    monkeypatch.setattr(composition, "run_console", fake_console)
    assert cli.main(argv) == 0
    assert seen == ["sqlite+aiosqlite:///after.db"]


def test_subcommand_without_the_option_keeps_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    async def fake_console(url: str) -> int:
        seen.append(url)
        return 0

    monkeypatch.setattr(composition, "run_console", fake_console)
    monkeypatch.setenv("DATABASE_URL", "sqlite+aiosqlite:///from-env.db")
    assert cli.main(["chat"]) == 0
    assert seen == ["sqlite+aiosqlite:///from-env.db"]
