"""A secret ballot's choices sealed (AES-GCM) under a key of that ballot alone, destroyed when it closes.

While the ballot is open the votes table holds, per voter, only a sealed choice; the ballot's key
sits in its own table. Closing counts by unsealing, then deletes the key and the sealed values:
whatever copy of a sealed value survives in a file (SQLite WAL or free pages, PostgreSQL dead rows)
cannot be opened any more (crypto-shredding).
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
_NONCE_BYTES = 12
# Every choice is padded to one width before sealing: the length of a sealed value says nothing.
_WIDTH = 8


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


class Seal:
    """Seals and opens the choices of one ballot; each value is bound to its ballot and voter."""

    __slots__ = ("_aead", "_ballot_id")

    def __init__(self, key: bytes, ballot_id: int) -> None:
        self._aead = AESGCM(key)
        self._ballot_id = ballot_id

    def _bound_to(self, voter: str) -> bytes:
        # A sealed value copied to another voter's row (or another ballot) does not open.
        return f"{self._ballot_id}\x1f{voter}".encode()

    def seal(self, voter: str, choice: str) -> bytes:
        plain = choice.encode()
        if len(plain) > _WIDTH:
            raise ValueError(f"a choice longer than {_WIDTH} bytes cannot be sealed: {len(plain)}")
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plain.ljust(_WIDTH, b"\0"), self._bound_to(voter))

    def open(self, voter: str, sealed: bytes) -> str:
        try:
            plain = self._aead.decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], self._bound_to(voter))
        except InvalidTag as bad:
            raise ValueError(f"a sealed choice of ballot {self._ballot_id} does not open") from bad
        return plain.rstrip(b"\0").decode()
