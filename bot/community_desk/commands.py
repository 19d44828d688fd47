"""`yishi community …` and `yishi ledger …`: communities, their secretaries and links, and the monthly ledger."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from deliberation import community as communities
from deliberation.errors import DeliberationError
from deliberation.ledger import Month

from ..i18n import translate
from .answer import tell_council
from .ledger import build_ledger
from .signin import new_pass


def add_parsers(add: Callable[..., argparse.ArgumentParser]) -> None:
    """The subcommands, on the `yishi` parser's `add_parser` (with its common options)."""
    community = add("community", help="communities (社区): create, add councils, secretaries and their desk links")
    actions = community.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="create a community; prints its id, desk slug and join code")
    create.add_argument("name")
    added = actions.add_parser("add", help="put a council in the community")
    added.add_argument("--community", required=True, help="id, slug or join code")
    added.add_argument("--council", type=int, required=True)
    secretary = actions.add_parser("secretary", help="make someone a secretary of the community")
    secretary.add_argument("--community", required=True)
    secretary.add_argument("--user", required=True, help="the person's key, e.g. telegram:12345 or wecom:zhangsan")
    secretary.add_argument("--name", default=None)
    link = actions.add_parser("link", help="a secretary's personal desk link (revocable)")
    link.add_argument("--community", required=True)
    link.add_argument("--user", required=True)
    revoke = actions.add_parser("revoke", help="revoke every desk link of a secretary")
    revoke.add_argument("--community", required=True)
    revoke.add_argument("--user", required=True)
    requests = actions.add_parser("requests", help="councils asking to join (from /community <code>)")
    requests.add_argument("--community", required=True)
    for verb in ("approve", "refuse"):
        decide = actions.add_parser(verb, help=f"{verb} a council's request to join")
        decide.add_argument("--community", required=True)
        decide.add_argument("--council", type=int, required=True)
        decide.add_argument("--by", required=True, help="the deciding secretary's key")
    ledger = add("ledger", help="a community's monthly ledger (议事台账) from the record")
    ledger.add_argument("--community", required=True)
    ledger.add_argument("--month", required=True, help="YYYY-MM")
    ledger.add_argument("--format", choices=["xlsx", "pdf"], default="xlsx")
    ledger.add_argument("--out", type=Path, default=Path("."))
    ledger.add_argument("--locale", default=None)


def _fail(command: str, text: str) -> int:
    print(f"yishi {command}: {text}", file=sys.stderr)
    return 2


async def run(core: Any, args: argparse.Namespace, base_url: str) -> int:
    """Run `yishi community …` or `yishi ledger …`; a refusal is one line on stderr and exit status 2."""
    now: datetime = core.dispatcher.clock()
    try:
        async with core.new_uow() as uow:
            if args.command == "ledger":
                return await _ledger(uow, args, now)
            if args.action == "create":
                made = await communities.create(uow.communities, args.name, now)
                await uow.commit()
                print(f"community {made.id}: {made.name}")
                print(f"slug: {made.slug}  desk: {base_url}/c/{made.slug}")
                print(f"join code: {made.code}  (a chair sends /community {made.code})")
                return 0
            found = await uow.communities.find(args.community)
            if found is None:
                return _fail("community", f"no community {args.community}")
            code = await _action(uow, found, args, now, base_url)
            await uow.commit()
            return code
    except DeliberationError as refused:
        return _fail(args.command, translate(None, refused.key, **refused.params))


async def _action(uow: Any, found: communities.Community, args: argparse.Namespace, now: datetime, base: str) -> int:
    store = uow.communities
    if args.action == "add":
        council = await uow.councils.get_optional(args.council)
        if council is None:
            return _fail("community", f"no council {args.council}")
        await communities.add_council(store, found, council, now)
        print(f"council {council.id} ({council.title}) is in {found.name}")
    elif args.action == "secretary":
        await store.add_secretary(found.id, args.user, args.name or args.user)
        print(f"{args.user} is a secretary of {found.name}")
    elif args.action == "link":
        if not await store.is_secretary(found.id, args.user):
            return _fail("community", f"{args.user} is not a secretary of {found.name}")
        token = await new_pass(store, found.id, args.user, now)
        print(f"{base}/c/{found.slug}/k/{token}")
    elif args.action == "revoke":
        print(f"revoked {await store.revoke_passes(found.id, args.user, now)} link(s)")
    elif args.action == "requests":
        for request in await store.pending(found.id):
            council = await uow.councils.get_optional(request.council_id)
            title = council.title if council else "?"
            print(f"council {request.council_id} ({title}) asked by {request.requested_by} at {request.requested_at}")
    else:
        decided = await communities.decide(
            store, found, args.council, approve=args.action == "approve", by=args.by, now=now
        )
        await tell_council(uow, found, decided, now)
        print(f"council {args.council}: {decided.state}")
    return 0


async def _ledger(uow: Any, args: argparse.Namespace, now: datetime) -> int:
    try:
        month = Month.parse(args.month)
    except ValueError as error:
        return _fail("ledger", str(error))
    found = await uow.communities.find(args.community)
    if found is None:
        return _fail("ledger", f"no community {args.community}")
    ledger = await build_ledger(uow, found, month, now)
    if args.format == "pdf":
        from .pdf import to_pdf

        content = to_pdf(ledger, args.locale)
    else:
        from .xlsx import to_xlsx

        content = to_xlsx(ledger, args.locale)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / ledger_filename(found.name, month, args.format)
    path.write_bytes(content)
    print(path)
    return 0


def ledger_filename(name: str, month: Month, fmt: str) -> str:
    safe = "".join(ch for ch in name if ch not in '\\/:*?"<>|').strip() or "community"
    return f"{safe}-议事台账-{month.text}.{fmt}"
