"""The notice board (公示栏) command: /board on|off — a chair chooses whether the council's minutes are shown
at its unguessable address; /board alone says where it is and whether it is on."""

from __future__ import annotations

from deliberation import notice_board

from ..context import Ctx, Table
from ..messages import Reply, Response
from ..refusals import refuse

_ON = frozenset({"on", "开", "开启", "開啟", "open", "yes"})
_OFF = frozenset({"off", "关", "关闭", "關閉", "close", "no"})


async def board(ctx: Ctx) -> Response:
    council, choice = ctx.the_council, ctx.args.strip().casefold()
    if choice in _ON or choice in _OFF:
        shown = await notice_board.publish_on_board(ctx.uow, council, ctx.actor, choice in _ON)
    elif not choice:
        if not ctx.actor.is_chair:
            raise refuse("error.role_required", role="chair")
        shown = await notice_board.board_of(ctx.uow, council)
    else:
        raise refuse("error.board_usage", given=ctx.args[:20])
    if not shown.published:
        return Response([Reply(ctx.t("board.off"))])
    return Response([Reply(ctx.t("board.on", url=ctx.defaults.public_base_url + shown.path))])


TABLE = Table(commands={"board": board})
