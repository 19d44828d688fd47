"""Owners' decisions (civil278): /roster (show, or import the file sent with it), /ballots (paper slips),
/progress (toward 2/3, with the 扫楼名单), /evidence (the evidence pack)."""

from __future__ import annotations

from deliberation import usecases
from deliberation.publication import require_recorder
from deliberation.roster import RosterInvalid

from ...evidence_pack import make_pack
from ...owner_files import slips_pdf, sweep_pdf
from ...roster_file import read_roster_bytes
from ..context import Ctx, Table
from ..messages import Document, Reply, Response
from ..parsing import number_only
from ..views import owners as views
from ..views.notices import area_m2

_MAX_PROBLEMS = 8  # a refused register names this many problems in the chat; the rest are counted


async def roster(ctx: Ctx) -> Response:
    """`/roster`: the register's totals (everyone), owner by owner for a chair or the secretary (privately).
    Sent as the caption of a .csv or .xlsx file: the file becomes the register (chair or secretary)."""
    council = ctx.the_council
    attachment = ctx.incoming.attachment
    if attachment is not None:
        require_recorder(ctx.actor)  # before reading the file: a resident learns no more than "not yours"
        try:
            units = read_roster_bytes(attachment.filename, attachment.content)
        except RosterInvalid as invalid:
            lines = [
                ctx.t("roster.problem", line=p.line, column=p.column or "-", reason=ctx.t(f"roster.reason.{p.reason}"))
                for p in invalid.problems[:_MAX_PROBLEMS]
            ]
            more = len(invalid.problems) - _MAX_PROBLEMS
            if more > 0:
                lines.append(ctx.t("roster.more_problems", count=more))
            # Nothing was changed; the problems are listed whole (a refusal would clip them to one line).
            text = ctx.t("roster.refused") + "\n" + "\n".join(lines)
            return Response([Reply(text, private=True)], refused=True, refusal="roster.refused", personal=True)
        council = await usecases.import_roster(ctx.uow, ctx.clock, council, units, ctx.actor)
        register = await usecases.register_now(ctx.uow, council)
        return Response([Reply(ctx.t("roster.imported") + "\n" + views.register_totals(ctx.t, register))])
    register = await usecases.register_now(ctx.uow, council)
    if not register.units:
        return Response([Reply(ctx.t("roster.none", council=council.id))])
    totals = views.register_totals(ctx.t, register)
    if not (ctx.actor.is_chair or ctx.actor.is_secretary):
        return Response([Reply(totals)])
    lines = views.register_lines(ctx.t, register)
    title = ctx.t("roster.title")
    if len(lines) > views.REGISTER_LINES:
        document = Document(f"register-{council.id}.csv", views.register_csv(register))
        return Response(
            [Reply(totals + "\n" + ctx.t("roster.as_file"), title=title, private=True)],
            documents=[document],
            quiet=True,
        )
    return Response([Reply("\n".join([*lines, totals]), title=title, private=True)], quiet=True)


async def paper_ballots(ctx: Ctx) -> Response:
    """`/ballots N`: the print run of 表决票, one per owner of the frozen register."""
    council = ctx.the_council
    found, slips = await usecases.paper_slips(ctx.uow, council, ctx.actor, number_only(ctx.args))
    content = slips_pdf(ctx.t, council.title, council.timezone, found, slips)
    filename = ctx.t("slip.file_name", number=found.motion.number)
    total = sum(s.owner.area_cm2 for s in slips)
    note = ctx.t("slip.sent", count=len(slips), number=found.motion.number, area=area_m2(total))
    return Response([Reply(note, private=True)], documents=[Document(filename, content)], quiet=True)


async def progress(ctx: Ctx) -> Response:
    """`/progress N`: participation against 2/3; the 扫楼名单 PDF for an open, non-secret ballot."""
    council = ctx.the_council
    shown = await usecases.ballot_progress(ctx.uow, council, number_only(ctx.args), ctx.actor)
    documents = []
    if shown.found.ballot.open and not shown.secret and shown.progress.not_voted:
        content = sweep_pdf(ctx.t, council.title, council.timezone, shown, ctx.clock())
        documents.append(Document(ctx.t("sweep.file_name", number=shown.found.motion.number), content))
    return Response([Reply(views.progress_text(ctx.t, council, shown))], documents=documents)


async def evidence(ctx: Ctx) -> Response:
    """`/evidence N` (secretary, chair): the ZIP of every record of a closed owners' ballot."""
    council = ctx.the_council
    filename, content = await make_pack(ctx.uow, council, ctx.actor, number_only(ctx.args), now=ctx.clock())
    note = ctx.t("evidence.sent", filename=filename)
    return Response([Reply(note, private=True)], documents=[Document(filename, content)], quiet=True)


TABLE = Table(commands={"roster": roster, "ballots": paper_ballots, "progress": progress, "evidence": evidence})
