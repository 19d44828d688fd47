"""Compatibility: the minutes repository moved to storage.repositories.minutes (delete once nothing imports this)."""
from __future__ import annotations

from .repositories.events import read_chain
from .repositories.minutes import MinutesRepository

__all__ = ["MinutesRepository", "read_chain"]
