"""`yishi demo`: a whole deliberation, played in the console chat on a fresh SQLite database."""

from __future__ import annotations

import asyncio
from pathlib import Path

from .console import ConsoleChat
from .main import build_core, console_chat

SCRIPT = """
@王主任 /setup nantang
@alice /join 3-101
@bob /join 3-102
@carol /join 3-201
@dave /join 3-202
@王主任 /secretary @carol
@王主任 /set quiet 0
@alice /motion 在3号楼每层楼道安装声控感应灯，费用从公共收益中支出
@bob /second 1
@bob /for 1 晚上楼道太黑，老人上下楼容易摔倒，装灯很有必要
@carol /against 1 公共收益还要用来修门禁，应该先把费用算清楚
@bob /for 1 物业报价每层约300元，六层不到2000元，公共收益够用
@bob /for 1 我再补充一句
@dave /amend 1 在3号楼每层楼道安装声控感应灯，费用不超过3000元，从公共收益中支出
@alice /second 2
@carol /for 2 有了上限，大家更放心
@王主任 /vote 2 10m
@alice /yes 2
@bob /yes 2
@carol /yes 2
@dave /yes 2
@王主任 /vote 1 10m
@alice /yes 1
@bob /no 1
@bob /yes 1
@carol /yes 1
@dave /abstain 1
@dave /no 1
@王主任 /status
@carol /publish
@王主任 /verify
"""


async def play(chat: ConsoleChat, script: str = SCRIPT) -> None:
    """Say every line of the script in the chat, a blank line after each (the transcript)."""
    for line in script.strip().splitlines():
        await chat.say(line)
        print()


def _write_examples(folder: Path, files: list[tuple[str, bytes]]) -> None:
    """minutes-page1.png and notice.png: the first pages under stable names the README can show."""
    from .minutes_files.examples import first_page_png

    folder.mkdir(parents=True, exist_ok=True)
    for (_, content), picture in zip(files, ("minutes-page1", "notice"), strict=True):
        print(f"{first_page_png(content, folder / f'{picture}.png')}")


def _remove_database(database: Path) -> None:
    """The demo starts on a fresh SQLite file (with its WAL and shared-memory files gone too)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)


async def run_demo(
    database: Path = Path("yishi-demo.db"), minutes_dir: Path = Path("."), examples: Path | None = None
) -> Path:
    """`yishi demo`: play the script on a fresh database, print the transcript, write the minutes draft; with
    `examples`, also the first page of the minutes PDF and of the 公示 notice there, as PNG pictures."""
    from .console import CHAT_ID
    from .desk import minutes as minutes_service

    await asyncio.to_thread(_remove_database, database)
    core = await build_core(f"sqlite+aiosqlite:///{database}")
    try:
        await play(console_chat(core))
        async with core.new_uow() as uow:
            council = await uow.councils.by_chat(f"console:{CHAT_ID}")
            assert council is not None, "the demo script opens the council first"
            filename, content = await minutes_service.export(uow, council.id, "md", "all")  # the whole script
            files = (
                [await minutes_service.export(uow, council.id, fmt) for fmt in ("pdf", "notice")] if examples else []
            )
        path = minutes_dir / filename
        path.write_bytes(content)
        print(f"会议纪要草稿 / minutes draft: {path}")
        if examples is not None:
            await asyncio.to_thread(_write_examples, examples, files)
        return path
    finally:
        await core.close()
