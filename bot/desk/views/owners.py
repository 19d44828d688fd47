"""Owners' ballots in words: the register (/roster), progress toward 2/3 (/progress and the daily post)."""

from __future__ import annotations

from fractions import Fraction

from deliberation.counting import percent
from deliberation.model import Council
from deliberation.progress import rounded_up
from deliberation.usecases import BallotProgress, Register

from ...i18n import Translator
from .notices import area_m2, local_time

LISTED_UNITS = 40  # a chat message names at most this many units still to vote; the PDF lists them all
REGISTER_LINES = 60  # a longer register goes as a file


def _share(part: int, whole: int) -> str:
    return percent(Fraction(part, whole)) if whole else "—"


def register_totals(t: Translator, register: Register) -> str:
    return t(
        "roster.totals", units=len(register.units), owners=len(register.owners), area=area_m2(register.total_area_cm2)
    )


def register_lines(t: Translator, register: Register) -> list[str]:
    """One line per owner: number, units, name, summed area (owners with several units count once)."""
    return [
        t("roster.line", number=o.number, units=o.unit_codes, owner=o.name, area=area_m2(o.area_cm2))
        for o in register.owners
    ]


def register_csv(register: Register) -> bytes:
    lines = ["owner_no,unit,owner,area_m2"]
    for owner in register.owners:
        for unit in owner.units:
            name = owner.name.replace('"', '""')
            lines.append(f'{owner.number},{unit.code},"{name}",{area_m2(unit.area_cm2).removesuffix("㎡")}')
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def progress_text(t: Translator, council: Council, shown: BallotProgress) -> str:
    """Participation by owners and by area against 2/3, what is missing, and (open ballots) who is left."""
    p, ballot, motion = shown.progress, shown.found.ballot, shown.found.motion
    lines = [
        t("progress.head", number=motion.number, closes=local_time(council, ballot.closes_at)),
        t(
            "progress.owners",
            voted=p.voted_owners,
            owners=p.total_owners,
            percent=_share(p.voted_owners, p.total_owners),
            needed=p.needed_owners,
        ),
        t(
            "progress.area",
            voted=area_m2(p.voted_area_cm2),
            area=area_m2(p.total_area_cm2),
            percent=_share(p.voted_area_cm2, p.total_area_cm2),
            needed=area_m2(rounded_up(p.needed_area_cm2)),
        ),
    ]
    if p.reached:
        lines.append(t("progress.reached"))
    else:
        lines.append(t("progress.missing", owners=p.missing_owners, area=area_m2(rounded_up(p.missing_area_cm2))))
    if shown.secret:
        lines.append(t("progress.secret"))
    elif p.not_voted:
        units = [u.code for owner in p.not_voted for u in owner.units]
        shown_units = "、".join(units[:LISTED_UNITS]) + ("…" if len(units) > LISTED_UNITS else "")
        lines.append(t("progress.not_voted", count=len(units), units=shown_units))
        lines.append(t("progress.sweep_hint", number=motion.number))
    return "\n".join(lines)
