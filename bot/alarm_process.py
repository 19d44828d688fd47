"""The alarm clock and the outbox alone, for tests and trying it out: several such processes on one database.

`python -m bot.alarm_process --database URL --sender-log FILE` starts from the composition root
(`bot.main.build_core`) and announces into a JSON-lines file instead of a chat platform.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
from datetime import UTC, datetime

from .desk.messages import Reply
from .main import build_core, stop_on_signals


class FileSender:
    """Appends each announcement as a JSON line (chat, subject, title, text, pid)."""

    def _append(self, line: str) -> None:
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def __init__(self, path: str) -> None:
        self.path = path
        self.count = 0

    async def send(self, chat_key: str, reply: Reply) -> str | None:
        self.count += 1
        line = json.dumps(
            {
                "chat": chat_key,
                "subject": reply.subject,
                "title": reply.title,
                "text": reply.text,
                "pid": os.getpid(),
                "at": datetime.now(UTC).isoformat(),
            },
            ensure_ascii=False,
        )
        await asyncio.to_thread(self._append, line)
        return f"{os.getpid()}:{self.count}"


# ---- the alarm's own process (tests: several of them on one database) --------------------------------


async def run_alarm_process(args: argparse.Namespace) -> int:
    """The alarm and the drainer with a sender that appends to a file; prints ready/leading/following/rung."""

    def say(status: str) -> None:
        print(status, flush=True)

    core = await build_core(
        args.database,
        migrate=not args.no_migrate,
        scan_interval=args.scan_interval,
        leader_retry=args.leader_retry,
        on_rung=lambda rung: say(f"rung {rung.reminder_id} {rung.kind} {rung.outcome}"),
    )
    sender = FileSender(args.sender_log)
    for platform in ("console", "telegram", "wecom"):
        core.router.add(platform, sender)
    stop = asyncio.Event()
    stop_on_signals(stop)
    try:
        async with core.running(drain_idle=args.drain_interval):
            say("ready")
            leading = None
            while not stop.is_set():
                if core.alarm.leading != leading:
                    leading = core.alarm.leading
                    say("leading" if leading else "following")
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=0.1)
    finally:
        await core.close()
    return 0


def alarm_process_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.alarm_process", description="the alarm clock and the outbox alone"
    )
    parser.add_argument("--database", required=True)
    parser.add_argument("--sender-log", required=True, help="file that receives one JSON line per announcement")
    parser.add_argument("--scan-interval", type=float, default=5.0)
    parser.add_argument("--leader-retry", type=float, default=2.0)
    parser.add_argument("--drain-interval", type=float, default=0.5)
    parser.add_argument("--no-migrate", action="store_true", help="the database is already at the newest schema")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=os.environ.get("YISHI_LOG_LEVEL", "WARNING").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    return asyncio.run(run_alarm_process(args))


if __name__ == "__main__":
    raise SystemExit(alarm_process_main())
