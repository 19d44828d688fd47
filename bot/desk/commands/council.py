"""Council commands: /start /help /setup /rules /lang /join /approve /reject /members /chair /unchair /remove…"""

from __future__ import annotations

from deliberation import errors, usecases
from deliberation.counting import Preset
from deliberation.model import Member, MemberStatus, Role

from ...i18n import Translator, normalise_locale
from .. import buttons
from ..context import Ctx, Table
from ..messages import Button, Reply, Response
from ..parsing import parse_command
from ..refusals import refuse
from ..views.rules import rules_text


async def help_(ctx: Ctx) -> Response:
    if not ctx.incoming.chat_is_group:
        return Response([Reply(ctx.t("help.private"), title=ctx.t("help.title"))])
    text = "\n".join([ctx.t("help.group"), ctx.t("help.owners"), ctx.t("channels.help")])
    return Response([Reply(text, title=ctx.t("help.title"), private=ctx.council is not None)])


# The console is a terminal on the operator's own machine: whoever types there runs the bot. Every other
# platform has administrators of its own (Telegram group admins, WECOM_ADMINS), and only they set up a council.
OPEN_SETUP_PLATFORMS = frozenset({"console"})
_CONFIRM = frozenset({"confirm", "确认", "確認"})


async def setup(ctx: Ctx) -> Response:
    if not ctx.incoming.chat_is_group:
        raise refuse("error.private_chat")
    words = ctx.args.split()
    confirm = any(w.lower() in _CONFIRM for w in words)
    preset = " ".join(w for w in words if w.lower() not in _CONFIRM)
    if ctx.council is not None and not words:
        # A plain /setup on a council changes nothing: it shows the rules (and the number `roster import` needs).
        presets = ", ".join(p.value for p in Preset)
        shown = ctx.t("council.current_rules", council=ctx.council.id, presets=presets)
        return Response([Reply(shown + "\n\n" + rules_text(ctx.t, ctx.council.rules), title=ctx.t("rules.title"))])
    council = await usecases.setup_council(
        ctx.uow,
        ctx.clock,
        chat_key=ctx.incoming.chat_key,
        title=ctx.incoming.chat_title or ctx.incoming.chat_id,
        actor=ctx.actor,
        preset=preset or None,
        locale=ctx.council.locale if ctx.council else ctx.defaults.locale,
        timezone=ctx.council.timezone if ctx.council else ctx.defaults.timezone,
        admins_only=ctx.incoming.platform not in OPEN_SETUP_PLATFORMS,
        confirm=confirm,
    )
    ctx.t = Translator(council.locale)
    key = "council.rules_changed" if ctx.council else "council.ready"
    ctx.council = council
    return Response(
        [Reply(ctx.t(key, title=council.title, chair=ctx.actor.name) + "\n\n" + rules_text(ctx.t, council.rules))]
    )


async def rules(ctx: Ctx) -> Response:
    # The council's number is what `yishi roster import --council N` needs; nothing else tells the chair.
    number = ctx.t("rules.council_number", council=ctx.the_council.id)
    return Response([Reply(rules_text(ctx.t, ctx.the_council.rules) + "\n\n" + number, title=ctx.t("rules.title"))])


async def lang(ctx: Ctx) -> Response:
    locale = normalise_locale(ctx.args)
    if locale is None:
        raise refuse("error.bad_language", given=ctx.args[:20])
    council = await usecases.set_language(ctx.uow, ctx.clock, ctx.the_council, ctx.actor, locale)
    ctx.council, ctx.t = council, Translator(locale)
    return Response([Reply(ctx.t("council.language"))])


async def join(ctx: Ctx) -> Response:
    unit, _, area = ctx.args.partition(" ")
    # Someone who joined on the hall's page (an invite code, no platform account) always waits for the chair.
    vouched = ctx.incoming.user_platform != "web"
    member = await usecases.join(
        ctx.uow, ctx.clock, ctx.the_council, ctx.actor, unit or None, area.strip() or None, vouched=vouched
    )
    if member.status is MemberStatus.PENDING:
        approve = buttons.encode(buttons.Approve(member.id))
        asked = ctx.t("member.pending", name=member.name, unit=member.unit or "—")
        registered = await ctx.uow.units.get(ctx.the_council.id, member.unit) if member.unit else None
        if ctx.the_council.has_roster and registered is not None:  # so the chair can check who owns it
            asked += "\n" + ctx.t("member.pending_owner", unit=registered.code, owner=registered.owner)
        asked += "\n" + ctx.t("member.pending_reject", handle=_handle(member))
        return Response([Reply(asked, buttons=((Button(ctx.t("button.approve"), approve),),))])
    if member.status is MemberStatus.OBSERVER:  # `/join 列席`
        joined = ctx.t("record.observer_joined", name=member.name)
        return Response([Reply(joined, private=True)], quiet=True, popup=joined)
    joined = ctx.t("member.joined", name=member.name, unit=member.unit or "—")
    return Response([Reply(joined, private=True)], quiet=True, popup=joined)


async def _approve(ctx: Ctx, who: int | str) -> Response:
    member = await usecases.approve(ctx.uow, ctx.clock, ctx.the_council, ctx.actor, who)
    return Response([Reply(ctx.t("member.approved", name=member.name, unit=member.unit or "—"))])


async def approve(ctx: Ctx) -> Response:
    return await _approve(ctx, ctx.args)


async def approve_button(ctx: Ctx, press: buttons.Approve) -> Response:
    member = await ctx.uow.members.get(press.member_id)
    if member is None or member.council_id != ctx.the_council.id:
        raise errors.MemberNotFound(handle="")
    response = await _approve(ctx, member.id)
    response.popup = ctx.t("popup.approved", name=member.name)
    return response


def _handle(member: Member) -> str:
    return f"@{member.username}" if member.username else member.name


async def reject(ctx: Ctx) -> Response:
    member = await usecases.reject(ctx.uow, ctx.clock, ctx.the_council, ctx.actor, ctx.args)
    told = ctx.t("member.rejected", handle=_handle(member), unit=member.unit or "—", chair=ctx.actor.name)
    return Response([Reply(told)])


async def members(ctx: Ctx) -> Response:
    everyone = await ctx.uow.members.all(ctx.the_council.id)
    lines = []
    for m in everyone:
        roles = "".join(f" [{ctx.t('role.' + r.value)}]" for r in sorted(m.roles))
        pending = f" ({ctx.t('member.status.pending')})" if m.status is MemberStatus.PENDING else ""
        pending += f" ({ctx.t('record.member_observer')})" if m.status is MemberStatus.OBSERVER else ""
        lines.append(f"· {m.name} {m.unit or ''}{roles}{pending}".rstrip())
    active = sum(1 for m in everyone if m.active)
    return Response([Reply("\n".join(lines) or ctx.t("members.none"), title=ctx.t("members.title", count=active))])


async def role(ctx: Ctx) -> Response:
    name = (parse_command(ctx.incoming.text) or ("", ""))[0]
    given = Role.CHAIR if name.startswith("chair") else Role.SECRETARY
    member = await usecases.assign_role(ctx.uow, ctx.clock, ctx.the_council, ctx.actor, ctx.args, given)
    return Response([Reply(ctx.t("role.assigned", name=member.name, role=ctx.t(f"role.{given.value}")))])


async def unchair(ctx: Ctx) -> Response:
    member = await usecases.revoke_chair(ctx.uow, ctx.clock, ctx.the_council, ctx.actor, ctx.args)
    return Response([Reply(ctx.t("role.revoked", name=member.name, role=ctx.t("role.chair")))])


async def remove(ctx: Ctx) -> Response:
    member = await usecases.remove_member(ctx.uow, ctx.clock, ctx.the_council, ctx.actor, ctx.args)
    return Response([Reply(ctx.t("member.removed", name=member.name))])


TABLE = Table(
    commands={
        "start": help_,
        "help": help_,
        "setup": setup,
        "rules": rules,
        "lang": lang,
        "language": lang,
        "join": join,
        "approve": approve,
        "reject": reject,
        "members": members,
        "chair": role,
        "secretary": role,
        "unchair": unchair,
        "remove": remove,
    },
    buttons={buttons.Approve: approve_button},
    needs_no_council=frozenset({"start", "help", "setup"}),
)
