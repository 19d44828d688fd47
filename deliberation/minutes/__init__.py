"""Minutes (议事记录 / 会议纪要) built from the event log alone: the model, its scope, replay, rows and versions."""

from __future__ import annotations

from .errors import BadFormat, BadScope, ChainBroken, EmptyScope, MeetingNotFound, NothingPublished
from .model import (
    DIGEST_PER_SIDE,
    Minutes,
    MinutesAmendment,
    MinutesAssignment,
    MinutesMotion,
    MinutesRating,
    MinutesReceipt,
    MinutesReport,
    MinutesRollCall,
    MinutesSpeech,
    MinutesVote,
    excerpt,
)
from .replay import build_minutes
from .rows import ROW_FIELDS, area_m2, ballot_row, minutes_rows, motion_row
from .scope import Scope, parse_scope
from .versions import MinutesVersion, content_key, minutes_from_dict, minutes_to_dict

__all__ = [
    "BadFormat",
    "BadScope",
    "ChainBroken",
    "DIGEST_PER_SIDE",
    "EmptyScope",
    "MeetingNotFound",
    "Minutes",
    "MinutesAmendment",
    "MinutesAssignment",
    "MinutesMotion",
    "MinutesRating",
    "MinutesReport",
    "MinutesReceipt",
    "MinutesRollCall",
    "MinutesSpeech",
    "MinutesVersion",
    "MinutesVote",
    "NothingPublished",
    "ROW_FIELDS",
    "Scope",
    "area_m2",
    "ballot_row",
    "build_minutes",
    "content_key",
    "excerpt",
    "minutes_from_dict",
    "minutes_rows",
    "minutes_to_dict",
    "motion_row",
    "parse_scope",
]
