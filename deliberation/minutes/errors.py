"""Refusals of the minutes commands: a scope, meeting or format we cannot serve, nothing published yet."""

from __future__ import annotations

from ..errors import DeliberationError, MeetingNotFound

__all__ = ["BadFormat", "BadScope", "MeetingNotFound", "NothingPublished"]


class BadScope(DeliberationError):
    """The /minutes or /export scope could not be read (params: scope)."""

    key = "minutes.error.bad_scope"


class BadFormat(DeliberationError):
    """An export format we do not write (params: format, formats)."""

    key = "minutes.error.bad_format"


class NothingPublished(DeliberationError):
    """A published version was asked for, and the council has published none."""

    key = "minutes.error.nothing_published"
