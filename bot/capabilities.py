"""The adapter boundary: what each platform can do, and fitting the core's replies to it.

The core (`bot.desk`) answers with `Reply` objects that may carry buttons and may later be
edited. An adapter declares its `Capabilities`; `fit_reply` turns buttons into text hints (and a
personal ballot link) where there are none, and splits texts that are too long on line
boundaries, counting UTF-8 bytes where the platform does (WeCom counts bytes, not characters).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from .desk.buttons import Approve, Second, Vote, try_decode
from .desk.messages import Button, Incoming, Reply
from .i18n import Translator

# Lone surrogates (JSON can carry "\ud800") cannot be encoded, so every reply that quotes them fails;
# NUL cannot be stored in PostgreSQL text. Both become U+FFFD where a platform's input enters.
_UNENCODABLE = re.compile("[\ud800-\udfff\x00]")


def clean_text(text: str) -> str:
    """Text any encoder and any database accepts: unencodable characters replaced by U+FFFD."""
    return _UNENCODABLE.sub("\ufffd", text)


def clean_incoming(incoming: Incoming) -> Incoming:
    """Every text field of what a platform delivered, cleaned (`clean_text`) before the core sees it."""
    cleaned: dict[str, Any] = {
        f.name: clean_text(value)
        for f in fields(incoming)
        if isinstance(value := getattr(incoming, f.name), str) and _UNENCODABLE.search(value)
    }
    return replace(incoming, **cleaned) if cleaned else incoming


@dataclass(frozen=True)
class Capabilities:
    """What a platform adapter can do; the core never assumes more than this."""

    name: str
    buttons: bool  # inline buttons the core's `Button.data` comes back from
    edits: bool  # a posted message can be replaced (live tallies)
    receives_group_messages: bool  # the bot reads commands typed in the group itself
    max_text_bytes: int | None = None  # UTF-8 bytes per message (WeCom)
    max_text_chars: int | None = None  # characters per message (Telegram counts UTF-16 units; 4096)
    messages_per_minute: int | None = None  # per chat (per robot, per member) before the platform refuses


CONSOLE = Capabilities("console", buttons=False, edits=True, receives_group_messages=True)
# Telegram: inline keyboards, editable messages; 4096 characters; about 20 messages a minute per group.
TELEGRAM = Capabilities(
    "telegram", buttons=True, edits=True, receives_group_messages=True, max_text_chars=4096, messages_per_minute=20
)
# WeCom group robot (群机器人 webhook): send-only; 2,048 bytes of text; 20 messages a minute per robot.
WECOM_ROBOT = Capabilities(
    "wecom_robot",
    buttons=False,
    edits=False,
    receives_group_messages=False,
    max_text_bytes=2048,
    messages_per_minute=20,
)
# WeCom self-built app (自建应用): one-to-one with members; 2,048 bytes of text; 30 a minute per member.
WECOM_APP = Capabilities(
    "wecom_app", buttons=False, edits=False, receives_group_messages=False, max_text_bytes=2048, messages_per_minute=30
)

ADAPTERS: Mapping[str, Capabilities] = {c.name: c for c in (CONSOLE, TELEGRAM, WECOM_ROBOT, WECOM_APP)}

# The title is shown above the text (【title】 or **title**): keep room for it and its markup.
TITLE_OVERHEAD_BYTES = 16

BallotLink = Callable[[int], "str | None"]


def _fits(text: str, max_bytes: int | None, max_chars: int | None) -> bool:
    return (max_bytes is None or len(text.encode("utf-8")) <= max_bytes) and (
        max_chars is None or len(text) <= max_chars
    )


def _cut_line(line: str, max_bytes: int | None, max_chars: int | None) -> list[str]:
    """A single line longer than the limit: cut between characters (never inside a UTF-8 sequence)."""
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    limit = max_bytes if max_bytes is not None else max_chars
    if limit is None:
        return [line]
    for char in line:
        width = len(char.encode("utf-8")) if max_bytes is not None else 1
        if current and (size + width > limit or (max_chars is not None and len(current) >= max_chars)):
            pieces.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    if current:
        pieces.append("".join(current))
    return pieces


def split_text(
    text: str, max_bytes: int | None = None, max_chars: int | None = None, first_budget: int = 0
) -> list[str]:
    """Split on line boundaries so every piece fits; `first_budget` bytes/chars are kept free in the first."""
    if max_bytes is None and max_chars is None:
        return [text]
    pieces: list[str] = []

    def limits() -> tuple[int | None, int | None]:
        reserve = 0 if pieces else first_budget
        return (
            None if max_bytes is None else max(max_bytes - reserve, 4),
            None if max_chars is None else max(max_chars - reserve, 1),
        )

    current: str | None = None  # None: nothing in this piece yet
    for line in text.split("\n"):
        b, c = limits()
        candidate = line if current is None else current + "\n" + line
        if _fits(candidate, b, c):
            current = candidate
            continue
        if current is not None:
            pieces.append(current)
            current = None
            b, c = limits()
        if _fits(line, b, c):
            current = line
            continue
        cut = _cut_line(line, b, c)
        pieces.extend(cut[:-1])
        current = cut[-1]
    if current is not None:
        pieces.append(current)
    return [p for p in pieces if p.strip()] or [""]


def button_hints(
    t: Translator,
    buttons: Iterable[Iterable[Button]],
    numbers: Mapping[str, int],
    ballot_link: BallotLink | None = None,
) -> list[str]:
    """Text that does what the buttons would: a command to reply with, or a personal ballot link."""
    hints: list[str] = []
    seen: set[int] = set()
    for row in buttons:
        for button in row:
            press = try_decode(button.data)
            number = numbers.get(button.data)
            if isinstance(press, Vote):
                if press.ballot_id in seen:
                    continue
                seen.add(press.ballot_id)
                hints.append(t("wecom.hint.vote", number=number) if number is not None else t("wecom.hint.vote_only"))
                url = ballot_link(press.ballot_id) if ballot_link else None
                hints.append(t("wecom.hint.ballot_link", url=url) if url else t("wecom.hint.ballot_app"))
            elif isinstance(press, Second):
                hints.append(t("wecom.hint.second", number=number if number is not None else ""))
            elif isinstance(press, Approve):
                hints.append(t("wecom.hint.approve"))
    return hints


def fit_reply(
    reply: Reply,
    caps: Capabilities,
    *,
    locale: str | None = None,
    numbers: Mapping[str, int] | None = None,
    ballot_link: BallotLink | None = None,
) -> list[Reply]:
    """The reply as this platform can show it: one or more messages, buttons turned into hints if needed.

    `numbers` maps button data ("v:4:y", "s:7") to the motion number its text command takes;
    `ballot_link(ballot_id)` gives the member's signed H5 ballot link, if there is one.
    """
    text, buttons = reply.text, reply.buttons
    if buttons and not caps.buttons:
        hints = button_hints(Translator(locale), buttons, numbers or {}, ballot_link)
        if hints:
            text = text + "\n" + "\n".join(hints)
        buttons = ()
    reserve = 0
    if reply.title:
        reserve = len(reply.title.encode("utf-8")) if caps.max_text_bytes is not None else len(reply.title)
        reserve += TITLE_OVERHEAD_BYTES
    pieces = split_text(text, caps.max_text_bytes, caps.max_text_chars, first_budget=reserve)
    fitted = []
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        fitted.append(
            replace(
                reply,
                text=piece,
                title=reply.title if index == 0 else None,
                buttons=buttons if last else (),
                subject=reply.subject if index == 0 else None,
                pin=reply.pin and index == 0,
            )
        )
    return fitted


def button_refs(replies: Iterable[Reply]) -> tuple[set[int], set[int]]:
    """(ballot ids, motion ids) the replies' buttons name: what an adapter looks up for `numbers`."""
    ballots, motions = set(), set()
    for reply in replies:
        for row in reply.buttons:
            for button in row:
                press = try_decode(button.data)
                if isinstance(press, Vote):
                    ballots.add(press.ballot_id)
                elif isinstance(press, Second):
                    motions.add(press.motion_id)
    return ballots, motions


async def motion_numbers(uow, replies: Iterable[Reply]) -> dict[str, int]:
    """Button data -> motion number, read in an open unit of work (`numbers` for `fit_reply`)."""
    replies = list(replies)
    ballots, motions = button_refs(replies)
    number_of_ballot, number_of_motion = {}, {}
    for ballot_id in ballots:
        ballot = await uow.ballots.get(ballot_id)
        if ballot is not None:
            motion = await uow.motions.find(ballot.motion_id)
            if motion is not None:
                number_of_ballot[ballot_id] = motion.number
    for motion_id in motions:
        motion = await uow.motions.find(motion_id)
        if motion is not None:
            number_of_motion[motion_id] = motion.number
    numbers: dict[str, int] = {}
    for reply in replies:
        for row in reply.buttons:
            for button in row:
                press = try_decode(button.data)
                if isinstance(press, Vote) and press.ballot_id in number_of_ballot:
                    numbers[button.data] = number_of_ballot[press.ballot_id]
                elif isinstance(press, Second) and press.motion_id in number_of_motion:
                    numbers[button.data] = number_of_motion[press.motion_id]
    return numbers
