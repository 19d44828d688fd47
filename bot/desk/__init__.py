"""The platform-neutral command desk: claim -> command -> views -> outbox rows -> one commit -> Response."""

from __future__ import annotations

from .desk import Desk

__all__ = ["Desk"]
