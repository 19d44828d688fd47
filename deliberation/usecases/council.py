"""Use cases of a council as a whole: set it up (or switch its preset), its language, its property register."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .. import errors, events
from ..counting import Preset
from ..lifecycle import MotionState
from ..model import Actor, Council, Member, MemberStatus, Role, Rules, Unit
from ..ports import Clock, UnitOfWork
from ..publication import require_recorder
from ..roster import RosterUnit
from .steps import record_event, require_chair


def parse_preset(text: Preset | str | None) -> Preset:
    """A preset as typed ("civil278", " Robert "); nothing typed is 南塘; anything else is refused."""
    if isinstance(text, Preset):
        return text
    name = (text or Preset.NANTANG.value).strip().lower()
    try:
        return Preset(name)
    except ValueError:
        raise errors.UnknownPreset(preset=name, presets=", ".join(p.value for p in Preset)) from None


async def setup_council(
    uow: UnitOfWork,
    clock: Clock,
    *,
    chat_key: str,
    title: str,
    actor: Actor,
    preset: Preset | str | None = None,
    locale: str = "zh_Hans",
    timezone: str = "Asia/Shanghai",
    admins_only: bool = True,
    confirm: bool = False,
) -> Council:
    """Make the chat a council (or, for its chair, switch the preset); the one who sets it up chairs it.

    Only a platform administrator (a Telegram group admin, a configured WeCom admin) makes a new council:
    otherwise any member who typed /setup first would chair it for good. `admins_only=False` is for a
    platform without administrators of its own (the console, where whoever types runs the bot).
    Switching the preset of an existing council needs `confirm` and no open ballot: a ballot's rules are
    frozen when it opens, and nobody's rules change behind their backs.
    """
    chosen = parse_preset(preset)
    existing = await uow.councils.by_chat(chat_key)
    if existing is None and admins_only and not actor.platform_admin:
        raise errors.AdminRequired()
    if existing is not None:
        member = await uow.members.by_user(existing.id, actor.user_key)
        if not replace(actor, member=member).is_chair:
            raise errors.CouncilExists(title=existing.title)
        if not confirm:
            raise errors.SetupNeedsConfirm(
                council=existing.id, current=existing.rules.preset.value, preset=chosen.value
            )
        await uow.councils.lock(existing.id)
        voting = sorted(m.number for m in await uow.motions.all(existing.id) if m.state is MotionState.VOTING)
        if voting:
            raise errors.RulesFrozenByBallot(ballots=", ".join(f"#{n}" for n in voting))
        council = replace(existing, rules=Rules.for_preset(chosen))
        await uow.councils.update(council)
        await record_event(uow, council, clock, events.COUNCIL_RULES, preset=chosen.value, by=actor.name)
        return council
    council = await uow.councils.add(Council(0, chat_key, title, Rules.for_preset(chosen), locale, timezone))
    await uow.councils.lock(council.id)
    await uow.members.add(
        Member(
            0,
            council.id,
            actor.user_key,
            actor.name,
            actor.username,
            status=MemberStatus.ACTIVE,
            roles=frozenset({Role.CHAIR}),
        )
    )
    await record_event(uow, council, clock, events.COUNCIL_SETUP, title=title, preset=chosen.value, chair=actor.name)
    return council


async def set_language(uow: UnitOfWork, clock: Clock, council: Council, actor: Actor, locale: str) -> Council:
    require_chair(actor)
    await uow.councils.lock(council.id)
    council = replace(council, locale=locale)
    await uow.councils.update(council)
    await record_event(uow, council, clock, events.COUNCIL_LANGUAGE, locale=locale)
    return council


async def import_roster(
    uow: UnitOfWork, clock: Clock, council: Council, units: Sequence[RosterUnit], actor: Actor | None = None
) -> Council:
    """Load the property register: units, owners and areas replace the council's unit list.

    In the chat only a chair or the secretary imports (`actor`); the command line (`actor=None`) is the
    operator's. Refused while a civil278 ballot is open: the register is that ballot's electorate, and
    owners voting on one register must not be counted against another.
    """
    require_recorder(actor)
    await uow.councils.lock(council.id)
    open_ballots = []
    for motion in await uow.motions.all(council.id):
        if motion.state is MotionState.VOTING:
            ballot = await uow.ballots.open_for_motion(motion.id)
            if ballot is not None and ballot.rules_under(council.rules).weighted:
                open_ballots.append(motion.number)
    if open_ballots:
        raise errors.RegisterFrozenByBallot(ballots=", ".join(f"#{n}" for n in sorted(open_ballots)))
    await uow.units.replace_roster(council.id, [Unit(u.code, u.owner, u.area_cm2) for u in units])
    council = replace(council, has_roster=True)
    await record_event(
        uow,
        council,
        clock,
        events.ROSTER_IMPORTED,
        units=len(units),
        owners=len({u.owner for u in units}),
        total_area_cm2=sum(u.area_cm2 for u in units),
        **({"by": actor.name} if actor is not None else {}),
    )
    return council
