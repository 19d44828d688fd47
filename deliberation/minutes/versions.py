"""Stored versions of the minutes: the model to plain JSON and back, exactly, and what counts as a change."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .model import Minutes


def minutes_to_dict(minutes: Minutes) -> dict[str, Any]:
    """The model as JSON-ready data: dataclasses become dicts, times ISO text, tuples lists."""
    return _plain(minutes)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def minutes_from_dict(data: dict[str, Any]) -> Minutes:
    """The model back from `minutes_to_dict`, typed by the dataclasses' own annotations."""
    return _typed(Minutes, data)


_HINTS: dict[type, dict[str, Any]] = {}  # resolved annotations, once per class


def _typed(cls: type, data: dict[str, Any]) -> Any:
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    values = {f.name: _convert(hints[f.name], data[f.name]) for f in dataclasses.fields(cls) if f.name in data}
    return cls(**values)


def _convert(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _convert(options[0], value) if len(options) == 1 else value
    if origin is tuple:
        inner = typing.get_args(hint)[0]
        return tuple(_convert(inner, v) for v in value)
    if hint is datetime:
        return datetime.fromisoformat(value)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _typed(hint, value)
    return value


@dataclass(frozen=True)
class MinutesVersion:
    """One stored version of a council's minutes for a scope; a correction is a new version."""

    id: int
    council_id: int
    scope: str
    version: int
    body: dict[str, Any]
    markdown: str
    chain_head: str
    chain_seq: int
    created_at: datetime
    published_at: datetime | None = None
    publication_ends_at: datetime | None = None
    publication_announced_at: datetime | None = None
    pinned_message_ref: str | None = None
    created_by: str | None = None

    @property
    def minutes(self) -> Minutes:
        """The minutes as drafted, re-read from the stored body."""
        return minutes_from_dict(self.body)

    @property
    def published(self) -> bool:
        return self.published_at is not None


def content_key(minutes: Minutes) -> str:
    """What the minutes say, without when they were generated or which version they are:
    two drafts with the same key need no new version."""
    data = minutes_to_dict(minutes)
    for name in ("chain_head", "chain_seq", "version", "generated_at"):
        data.pop(name, None)
    return json.dumps(data, sort_keys=True, ensure_ascii=False)
