"""A stand-alone alarm process for tests and for trying it out: the alarm clock, the outbox, and a sender
that appends each announcement to a file as a JSON line.

`python -m bot.alarm_process --database URL --sender-log FILE`
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
from datetime import datetime, timezone

from storage.database import make_engine, make_sessions
from storage.leader import leadership_for
from storage.migrate import upgrade
from storage.uow import uow_factory

from .desk.messages import Reply
from .outbox import OutboxDrainer
from .scheduler import Alarm, Rung


class FileSender:
    """Appends each announcement as a JSON line (chat, subject, title, text, pid)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.count = 0

    async def send(self, chat_key: str, reply: Reply) -> str | None:
        self.count += 1
        line = json.dumps({"chat": chat_key, "subject": reply.subject, "title": reply.title, "text": reply.text,
                           "pid": os.getpid(), "at": datetime.now(timezone.utc).isoformat()}, ensure_ascii=False)
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        return f"{os.getpid()}:{self.count}"


def _say(status: str) -> None:
    print(status, flush=True)


async def _serve(args: argparse.Namespace) -> int:
    engine = make_engine(args.database)
    if not args.no_migrate:
        await upgrade(engine)
    new_uow = uow_factory(make_sessions(engine))
    drainer = OutboxDrainer(new_uow, FileSender(args.sender_log))
    leading = {"last": None}

    def on_rung(rung: Rung) -> None:
        _say(f"rung {rung.reminder_id} {rung.kind} {rung.outcome}")

    alarm = Alarm(new_uow, leadership_for(engine), scan_interval=args.scan_interval, leader_retry=args.leader_retry,
                  on_rung=on_rung, on_announce=drainer.wake.set)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await alarm.start()
    drain = asyncio.create_task(drainer.run(stop, idle=args.drain_interval))
    _say("ready")
    while not stop.is_set():
        if alarm.leading != leading["last"]:
            leading["last"] = alarm.leading
            _say("leading" if alarm.leading else "following")
        try:
            await asyncio.wait_for(stop.wait(), timeout=0.1)
        except asyncio.TimeoutError:
            pass
    await alarm.stop()
    await drain
    await engine.dispose()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.alarm_process", description=__doc__.split("\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--sender-log", required=True, help="file that receives one JSON line per announcement")
    parser.add_argument("--scan-interval", type=float, default=5.0)
    parser.add_argument("--leader-retry", type=float, default=2.0)
    parser.add_argument("--drain-interval", type=float, default=0.5)
    parser.add_argument("--no-migrate", action="store_true", help="the database is already at the newest schema")
    args = parser.parse_args(argv)
    logging.basicConfig(level=os.environ.get("YISHI_LOG_LEVEL", "WARNING").upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    return asyncio.run(_serve(args))


if __name__ == "__main__":
    raise SystemExit(main())
