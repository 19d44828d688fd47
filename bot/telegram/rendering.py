"""Replies and edits as Telegram HTML: every piece of text escaped, titles bold, long text split."""

from __future__ import annotations

import html
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from ..desk.messages import Button, Edit, Reply

# Telegram counts a message's length in UTF-16 code units after parsing the markup (limit 4096);
# keep a margin for the title line.
TEXT_LIMIT = 3900
CAPTION_LIMIT = 1000  # of 1024
POPUP_LIMIT = 200


@dataclass(frozen=True)
class Chunk:
    """One Telegram message: HTML text and (on the last chunk only) its keyboard."""

    html: str
    markup: InlineKeyboardMarkup | None


@dataclass(frozen=True)
class UrlButton:
    """A link button (e.g. "add me to a group"); the desk's own buttons carry callback data."""

    label: str
    url: str


def _button(button: Button | UrlButton) -> InlineKeyboardButton:
    if isinstance(button, UrlButton):
        return InlineKeyboardButton(button.label, url=button.url)
    return InlineKeyboardButton(button.label, callback_data=button.data)


def keyboard(buttons: tuple[tuple[Button | UrlButton, ...], ...]) -> InlineKeyboardMarkup | None:
    rows = [[_button(b) for b in row] for row in buttons if row]
    return InlineKeyboardMarkup(rows) if rows else None


def as_html(text: str, title: str | None = None) -> str:
    """Plain text (user-provided parts included) as HTML that renders literally; the title in bold."""
    body = html.escape(text, quote=False)
    if title:
        return f"<b>{html.escape(title, quote=False)}</b>\n{body}"
    return body


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split plain text at line ends (or hard, for a giant line) into pieces under `limit`."""
    if _units(text) <= limit:
        return [text]
    pieces, current = [], ""
    for line in text.split("\n"):
        while _units(line) > limit:
            head, line = line[: limit // 2], line[limit // 2 :]  # surrogate-safe: limit counts units
            if current:
                pieces.append(current)
                current = ""
            pieces.append(head)
        candidate = f"{current}\n{line}" if current else line
        if _units(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current or not pieces:
        pieces.append(current)
    return pieces


def reply_chunks(reply: Reply) -> list[Chunk]:
    """The messages one reply becomes: the title on the first, the buttons on the last."""
    pieces = split_text(reply.text or "—")
    chunks = []
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        chunks.append(
            Chunk(as_html(piece or "—", reply.title if index == 0 else None), keyboard(reply.buttons) if last else None)
        )
    return chunks


def edit_chunk(edit: Edit) -> Chunk:
    """An edit replaces one message, so its text is clipped rather than split."""
    text = edit.text
    if _units(text) > TEXT_LIMIT:
        text = text[: TEXT_LIMIT // 2] + "…"
    return Chunk(as_html(text or "—", edit.title), keyboard(edit.buttons))


def caption_html(text: str | None) -> str | None:
    """A document's caption (Telegram allows 1,024 characters), escaped like every text."""
    if not text:
        return None
    if _units(text) > CAPTION_LIMIT:
        text = text[: CAPTION_LIMIT // 2] + "…"
    return as_html(text)


def popup(text: str | None) -> str | None:
    """A callback answer's text (Telegram allows 200 characters)."""
    if not text:
        return None
    return text if len(text) <= POPUP_LIMIT else text[: POPUP_LIMIT - 1] + "…"
