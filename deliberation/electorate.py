"""The register a civil278 ballot counts on: frozen when it opens, grouped by owner, and its fingerprint.

Art. 278 counts owners once each, with the area of all their units; the owners are numbered in the
order of their first unit code, and that number is what a paper slip's code carries (deliberation.slips).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .chain import canonical_json
from .model import Unit

_ROOM = re.compile(r"([0-9]{3,})[A-Z]?$")


@dataclass(frozen=True)
class Owner:
    """One owner of the frozen register: their number on this ballot, name, units and summed area."""

    number: int
    name: str
    units: tuple[Unit, ...]

    @property
    def area_cm2(self) -> int:
        return sum(unit.area_cm2 for unit in self.units)

    @property
    def voter(self) -> str:
        """The voter key a vote of this owner is stored under (deliberation.events.voter_key)."""
        return f"o:{self.name}"

    @property
    def unit_codes(self) -> str:
        return "、".join(unit.code for unit in self.units)


def owners_of(units: Iterable[Unit]) -> tuple[Owner, ...]:
    """The owners of a register, each once, numbered 1… in the order of their first unit code."""
    grouped: dict[str, list[Unit]] = {}
    for unit in sorted(units, key=lambda u: unit_sort_key(u.code)):
        grouped.setdefault(unit.owner, []).append(unit)
    return tuple(Owner(n, name, tuple(held)) for n, (name, held) in enumerate(grouped.items(), start=1))


def unit_sort_key(code: str) -> tuple[tuple[int, int | str], ...]:
    """ "3-502" before "3-1001" and "10-101" after "9-101": numbers compare as numbers."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"[-]", code))


def floor_of(code: str) -> str:
    """The floor a unit code names, as door-to-door volunteers read it: "3-502" -> "5"; "" when it does not say."""
    match = _ROOM.search(code.split("-")[-1])
    return str(int(match.group(1)[:-2])) if match else ""


def register_json(units: Sequence[Unit]) -> list[dict[str, object]]:
    """The register as kept with a ballot and put in its evidence pack: units in order, with their owner."""
    return [
        {"unit": u.code, "owner": u.owner, "area_cm2": u.area_cm2}
        for u in sorted(units, key=lambda u: unit_sort_key(u.code))
    ]


def register_digest(units: Sequence[Unit]) -> str:
    """sha256 of the register's canonical JSON: recorded in the chain when the ballot opens."""
    return hashlib.sha256(canonical_json(register_json(units)).encode("utf-8")).hexdigest()


def units_from_json(data: Iterable[dict[str, object]]) -> tuple[Unit, ...]:
    return tuple(Unit(str(d["unit"]), str(d["owner"]), int(d["area_cm2"])) for d in data)  # type: ignore[call-overload]
