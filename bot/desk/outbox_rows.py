"""Outbox rows as the desk and the alarm queue them: the payload format and the enqueue functions.

A row is added inside the caller's unit of work, so the change and its announcement commit together;
`bot.outbox.OutboxDrainer` reads the payload back with `reply_from_json` and delivers it.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any, Protocol

from .messages import Button, Edit, Reply

EDIT_KEY = "edit_subject"  # in a payload: this row replaces the message posted for that subject
BUTTONS_ONLY_KEY = "drop_buttons"  # ... and only takes its buttons off (no message when none was posted)


class Outbox(Protocol):
    """Where rows are queued: the unit of work's outbox repository (storage.repositories.outbox)."""

    async def add(
        self,
        *,
        chat_key: str,
        payload: dict[str, Any],
        at: datetime,
        council_id: int | None = None,
        dedupe_key: str | None = None,
    ) -> int | None: ...


class WithOutbox(Protocol):
    """A unit of work, as far as queuing rows goes."""

    @property
    def outbox(self) -> Outbox: ...


def reply_to_json(reply: Reply) -> dict[str, Any]:
    return asdict(reply)


def reply_from_json(data: dict[str, Any]) -> Reply:
    data = {k: v for k, v in data.items() if k not in (EDIT_KEY, BUTTONS_ONLY_KEY)}
    buttons = tuple(tuple(Button(**b) for b in row) for row in data.get("buttons", ()))
    return Reply(**{**data, "buttons": buttons})


async def enqueue(
    uow: WithOutbox,
    *,
    chat_key: str,
    reply: Reply,
    at: datetime,
    council_id: int | None = None,
    dedupe_key: str | None = None,
) -> bool:
    """Queue an announcement in the caller's transaction; False if `dedupe_key` was queued before."""
    return (
        await enqueue_row(uow, chat_key=chat_key, reply=reply, at=at, council_id=council_id, dedupe_key=dedupe_key)
        is not None
    )


async def enqueue_edit(
    uow: WithOutbox,
    *,
    chat_key: str,
    edit: Edit,
    at: datetime,
    council_id: int | None = None,
    dedupe_key: str | None = None,
) -> int | None:
    """Queue a change to the message posted for `edit.subject` (posted anew where it cannot be edited)."""
    reply = Reply(edit.text, title=edit.title, buttons=edit.buttons, subject=edit.subject)
    return await enqueue_row(
        uow,
        chat_key=chat_key,
        reply=reply,
        at=at,
        council_id=council_id,
        dedupe_key=dedupe_key,
        extra={EDIT_KEY: edit.subject},
    )


async def enqueue_drop_buttons(
    uow: WithOutbox,
    *,
    chat_key: str,
    subject: str,
    at: datetime,
    council_id: int | None = None,
    dedupe_key: str | None = None,
) -> int | None:
    """Queue taking the buttons off the message posted for `subject`, if one was (a ballot reminder once the
    ballot has closed); its text stays. Nothing is posted when there is no such message."""
    return await enqueue_row(
        uow,
        chat_key=chat_key,
        reply=Reply("", subject=subject),
        at=at,
        council_id=council_id,
        dedupe_key=dedupe_key,
        extra={EDIT_KEY: subject, BUTTONS_ONLY_KEY: True},
    )


async def enqueue_row(
    uow: WithOutbox,
    *,
    chat_key: str,
    reply: Reply,
    at: datetime,
    council_id: int | None = None,
    dedupe_key: str | None = None,
    extra: dict[str, Any] | None = None,
) -> int | None:
    """`enqueue` returning the new row's id (None if `dedupe_key` was queued before); the row joins `uow`."""
    return await uow.outbox.add(
        chat_key=chat_key,
        payload={**reply_to_json(reply), **(extra or {})},
        at=at,
        council_id=council_id,
        dedupe_key=dedupe_key,
    )
