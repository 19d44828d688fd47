"""The community command: /community <code> — a chair asks for the council to join a community (社区);
one of the community's secretaries approves. /community alone says which community the council is in."""

from __future__ import annotations

from deliberation import community

from ..context import Ctx, Table
from ..messages import Reply, Response


async def community_command(ctx: Ctx) -> Response:
    council, code = ctx.the_council, ctx.args.strip()
    store = ctx.uow.communities
    if not code:
        current = await store.community_of(council.id)
        if current is None:
            return Response([Reply(ctx.t("community.none"))])
        return Response([Reply(ctx.t("community.member_of", name=current.name))])
    request = await community.ask_to_join(store, council, ctx.actor, code, ctx.clock())
    found = await store.find(request.community_id)
    name = found.name if found is not None else code
    return Response([Reply(ctx.t("community.requested", name=name, council=council.title))])


TABLE = Table(commands={"community": community_command})
