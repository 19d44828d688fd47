"""Refusals of the minutes commands: a scope, meeting or format we cannot serve, nothing published yet."""

from __future__ import annotations

from ..errors import DeliberationError, MeetingNotFound

__all__ = ["BadFormat", "BadScope", "ChainBroken", "EmptyScope", "MeetingNotFound", "NothingPublished"]


class BadScope(DeliberationError):
    """The /minutes or /export scope could not be read (params: scope)."""

    key = "minutes.error.bad_scope"


class BadFormat(DeliberationError):
    """An export format we do not write (params: format, formats)."""

    key = "minutes.error.bad_format"


class NothingPublished(DeliberationError):
    """A published version was asked for, and the council has published none."""

    key = "minutes.error.nothing_published"


class EmptyScope(DeliberationError):
    """The scope holds nothing to record (an unknown motion number, a period without events) (params: scope)."""

    key = "minutes.error.empty_scope"


class ChainBroken(DeliberationError):
    """The stored record no longer matches its hash chain: nothing is exported or published (params: seq).

    The message names the first broken event and how it broke, as /verify does.
    """

    def __init__(self, *, seq: int | None, reason: str | None) -> None:
        self.key = f"minutes.error.broken.{reason or 'hash'}"
        super().__init__(seq=seq)
