"""The `yishi` command: serve, run, wecom, chat, demo, db upgrade, roster import, export, verify, evidence,
verify-pack, community, ledger."""

from __future__ import annotations

import argparse
import asyncio
import functools
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .community_desk.commands import add_parsers as community_parsers
from .settings import DatabaseSettings, YishiSettings

if TYPE_CHECKING:
    from .main import Core


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="yishi", description="议事 Yishi — resident deliberation in group chats")
    database_help = "database URL (default: DATABASE_URL or sqlite+aiosqlite:///yishi.db)"
    parser.add_argument("--database", help=database_help)
    # The global options are accepted after the subcommand too (`yishi chat --database URL`); SUPPRESS keeps a
    # subcommand that was not given the option from overwriting the one given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--database", default=argparse.SUPPRESS, help=database_help)
    sub = parser.add_subparsers(dest="command", required=True)
    add = functools.partial(sub.add_parser, parents=[common])
    add(
        "serve",
        help="run every configured platform in one process: Telegram when TELEGRAM_BOT_TOKEN "
        "is set, WeCom and the H5 ballot pages when the WECOM_* settings are",
    )
    add("run", help="run the bot (Telegram; polling, or webhook when WEBHOOK_URL is set)")
    add("wecom", help="run the WeCom app, the H5 ballot pages and the 公示栏 alone (docs/wecom.md)")
    add("chat", help="a local group chat in the terminal (@name /command …)")
    demo = add("demo", help="a whole scripted deliberation; prints it and writes the minutes")
    demo.add_argument("--out", type=Path, default=Path("."), help="folder for the minutes draft")
    demo.add_argument(
        "--examples",
        type=Path,
        default=None,
        help="also draw the first page of the minutes PDF and of the 公示 notice there (PNG)",
    )
    db = add("db", help="database maintenance")
    db.add_argument("action", choices=["upgrade"])
    roster = add("roster", help="the property register (units, owners, areas)")
    roster.add_argument("action", choices=["import"])
    roster.add_argument("file", type=Path)
    roster.add_argument("--council", type=int, required=True)
    export = add("export", help="write a council's minutes in a file format")
    export.add_argument("--council", type=int, required=True)
    export.add_argument("--format", choices=["md", "docx", "pdf", "xlsx", "csv", "json", "notice"], default="md")
    export.add_argument(
        "--period",
        default=None,
        help="meeting [N], YYYY-MM, today, all, or a motion number (default: the latest meeting, else this month)",
    )
    export.add_argument("--out", type=Path, default=Path("."))
    export.add_argument("--template", type=Path, default=None, help="docx: a Word form with Jinja tags to fill in")
    verify = add("verify", help="recompute a council's hash chain")
    verify.add_argument("--council", type=int, required=True)
    evidence = add("evidence", help="write the evidence pack (ZIP) of a closed owners' ballot")
    evidence.add_argument("--council", type=int, required=True)
    evidence.add_argument("--ballot", required=True, help="the motion number the ballot decided (as in /vote N)")
    evidence.add_argument("--out", type=Path, default=Path("."))
    pack = sub.add_parser("verify-pack", help="check an evidence pack offline: every file's sha256 and the chain")
    pack.add_argument("zip", type=Path)
    community_parsers(add)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=YishiSettings().log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines carry the bot token
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    if args.command == "verify-pack":  # offline: no database
        return _verify_pack(args.zip)
    logging.getLogger("matplotlib").setLevel(logging.WARNING)
    url = args.database or DatabaseSettings().url
    try:
        return asyncio.run(_dispatch(args, url))
    except KeyboardInterrupt:
        return 130


async def _dispatch(args: argparse.Namespace, url: str) -> int:
    from . import main

    if args.command == "demo":
        from .demo import run_demo

        await run_demo(minutes_dir=args.out, examples=args.examples)
        return 0
    if args.command == "serve":
        return await main.run_serve(url)
    if args.command == "run":
        return await main.run_telegram(url)
    if args.command == "wecom":
        return await main.run_wecom(url)
    if args.command == "chat":
        return await main.run_console(url)
    app = await main.build_core(url)
    try:
        if args.command == "db":
            print("database is at the newest schema")
            return 0
        if args.command == "roster":
            return await _roster_import(app, args.file, args.council)
        if args.command in ("export", "verify"):
            return await _record_command(app, args)
        if args.command == "evidence":
            return await _evidence(app, args)
        if args.command in ("community", "ledger"):
            from .community_desk.commands import run as community_command

            return await community_command(app, args, YishiSettings().public_base_url)
    finally:
        await app.close()
    return 2


async def _record_command(app: Core, args: argparse.Namespace) -> int:
    """`yishi export` and `yishi verify`: a refusal (unknown council, meeting or period, a broken chain) is one
    line on stderr and exit status 2, never a traceback."""
    from deliberation.errors import CouncilMissing, DeliberationError

    from .desk import minutes as minutes_service
    from .i18n import translate

    try:
        async with app.dispatcher.uow() as uow:  # read only: nothing to commit
            if args.command == "verify":
                verdict = await minutes_service.verify(uow, args.council)
            else:
                filename, content = await minutes_service.export(
                    uow,
                    args.council,
                    args.format,
                    args.period,
                    public_base_url=YishiSettings().public_base_url,
                    docx_template=args.template.read_bytes()
                    if args.template
                    else app.dispatcher.defaults.docx_template,
                )
    except CouncilMissing:
        print(f"yishi {args.command}: no council {args.council}", file=sys.stderr)
        return 2
    except DeliberationError as refused:
        print(f"yishi {args.command}: {translate(None, refused.key, **refused.params)}", file=sys.stderr)
        return 2
    if args.command == "verify":
        if verdict.ok:
            print(f"OK: {verdict.count} events, head {verdict.head}")
            return 0
        print(f"BROKEN at event {verdict.broken_seq} ({verdict.reason}); last good head {verdict.head}")
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / filename).write_bytes(content)
    print(args.out / filename)
    return 0


async def _evidence(app: Core, args: argparse.Namespace) -> int:
    """`yishi evidence`: the pack written to --out; a refusal is one line on stderr and exit status 2."""
    from deliberation.errors import DeliberationError

    from .desk.parsing import number_only
    from .evidence_pack import make_pack
    from .i18n import translate

    try:
        number = number_only(args.ballot)
        async with app.dispatcher.uow() as uow:  # read only: nothing to commit
            council = await uow.councils.get_optional(args.council)
            if council is None:
                print(f"yishi evidence: no council {args.council}", file=sys.stderr)
                return 2
            filename, content = await make_pack(uow, council, None, number, now=app.dispatcher.clock())
    except DeliberationError as refused:
        print(f"yishi evidence: {translate(None, refused.key, **refused.params)}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / filename).write_bytes(content)
    print(args.out / filename)
    return 0


def _verify_pack(path: Path) -> int:
    """`yishi verify-pack`: OK with the figures (exit 0), or every file that does not match (exit 2)."""
    from deliberation.evidence import verify_pack

    try:
        data = path.read_bytes()
    except OSError as error:
        print(f"{path}: cannot read: {error}", file=sys.stderr)
        return 2
    check = verify_pack(data)
    if check.ok:
        print(f"OK: {check.files} files match the manifest; chain of {check.events} events ends at {check.head}")
        return 0
    print(f"{path}: {len(check.problems)} problem(s):", file=sys.stderr)
    for problem in check.problems:
        print(f"  {problem.path or '(pack)'}: {problem.reason}", file=sys.stderr)
    return 2


async def _roster_import(app: Core, path: Path, council_id: int) -> int:
    from deliberation.errors import DeliberationError
    from deliberation.roster import RosterInvalid, owner_count, total_area_cm2
    from deliberation.usecases import import_roster

    from .desk.views.notices import area_m2
    from .i18n import translate
    from .roster_file import read_roster_file

    try:
        units = read_roster_file(path)
    except RosterInvalid as invalid:
        print(f"{path}: nothing imported; {len(invalid.problems)} problem(s):", file=sys.stderr)
        for problem in invalid.problems:
            print(f"  line {problem.line}: {problem.column}: {problem.reason}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"{path}: cannot read: {error}", file=sys.stderr)
        return 1
    async with app.dispatcher.uow() as uow:
        council = await uow.councils.get_optional(council_id)
        if council is None:
            print(f"no council {council_id}", file=sys.stderr)
            return 1
        try:
            await import_roster(uow, app.dispatcher.clock, council, units)
        except DeliberationError as refused:
            print(f"{path}: nothing imported: {translate(None, refused.key, **refused.params)}", file=sys.stderr)
            return 1
        await uow.commit()  # use cases never commit; the command line owns this one
    print(f"imported {len(units)} units, {owner_count(units)} owners, {area_m2(total_area_cm2(units))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
