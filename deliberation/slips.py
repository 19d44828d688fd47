"""The code printed (and put in the QR code) on a paper 表决票: which ballot, which owner, and a check.

Format: ``Y<ballot>-<owner>-<check>``, for example ``Y12-7-43``:

- ``<ballot>`` is the ballot's id (decimal, no leading zeros);
- ``<owner>`` is the owner's number in the register frozen when the ballot opened (1, 2, … in the order of
  each owner's first unit code, see `deliberation.electorate.owners_of`);
- ``<check>`` is two decimal digits, ISO 7064 MOD 97-10 over ``<ballot>`` and ``<owner>`` zero-padded to
  six digits (as IBAN does): any single mistyped digit and any swap of two neighbouring digits is caught.

A code is read case-insensitively, with spaces ignored and any dash, full-width character or the letter
case a phone keyboard or a scanner may give (``ｙ１２－７－４３``). Anything else is refused with
`SlipCodeInvalid`. The code names an owner of one ballot; it is no receipt and says nothing of a choice.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_CODE = re.compile(r"Y([1-9][0-9]{0,9})-([1-9][0-9]{0,5})-([0-9]{2})")
_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−﹣－_"})


class SlipCodeInvalid(ValueError):
    """Not a slip code, or its check digits do not match (a misread or a made-up code)."""


@dataclass(frozen=True)
class SlipCode:
    ballot_id: int
    owner_key: int

    def __str__(self) -> str:
        return slip_code(self.ballot_id, self.owner_key)


def _check(ballot_id: int, owner_key: int) -> str:
    return f"{98 - (int(f'{ballot_id}{owner_key:06d}') * 100) % 97:02d}"


def slip_code(ballot_id: int, owner_key: int) -> str:
    """The code of owner `owner_key` (1-based, at most 999999) on ballot `ballot_id`: "Y12-7-43"."""
    if ballot_id < 1 or not 1 <= owner_key <= 999_999:
        raise ValueError(f"no slip code for ballot {ballot_id}, owner {owner_key}")
    return f"Y{ballot_id}-{owner_key}-{_check(ballot_id, owner_key)}"


def parse_slip_code(text: str) -> SlipCode:
    """The ballot and owner a typed or scanned code names; SlipCodeInvalid when it is not one."""
    cleaned = "".join(unicodedata.normalize("NFKC", text or "").translate(_DASHES).split()).upper()
    match = _CODE.fullmatch(cleaned)
    if match is None:
        raise SlipCodeInvalid(text)
    ballot_id, owner_key, check = int(match.group(1)), int(match.group(2)), match.group(3)
    if _check(ballot_id, owner_key) != check:
        raise SlipCodeInvalid(text)
    return SlipCode(ballot_id, owner_key)
