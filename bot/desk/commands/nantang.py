"""/set: the chair changes one rule of the council (announced in the group; open ballots keep theirs)."""

from __future__ import annotations

from deliberation import usecases
from deliberation.lifecycle import MotionState

from ..context import Ctx, Table
from ..messages import Reply, Response
from ..refusals import refuse
from ..views.rules import setting_line


async def set_(ctx: Ctx) -> Response:
    name, _, value = ctx.args.strip().partition(" ")
    if not name:
        raise refuse("set.error.usage")
    done = await usecases.set_rule(ctx.uow, ctx.clock, ctx.the_council, ctx.actor, name, value)
    ctx.council = done.council
    line = setting_line(ctx.t, done.setting, done.council.rules)
    if not done.changed:
        return Response([Reply(ctx.t("set.unchanged", line=line), private=True)])
    open_ballots = [m.number for m in await ctx.uow.motions.all(done.council.id) if m.state is MotionState.VOTING]
    text = ctx.t("set.changed", chair=ctx.actor.name, line=line)
    if open_ballots:
        text += "\n" + ctx.t("set.open_ballots", ballots=", ".join(f"#{n}" for n in open_ballots))
    return Response([Reply(text)])


TABLE = Table(commands={"set": set_})
