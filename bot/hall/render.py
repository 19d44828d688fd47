"""The hall's HTML: big type, big buttons, plain forms (every action works without JavaScript)."""

from __future__ import annotations

import html
import secrets
from collections.abc import Iterable

from aiohttp import web

from ..i18n import Translator

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
LANGS = {"zh_Hans": "zh-CN", "zh_Hant": "zh-TW", "en": "en"}


def e(text: object) -> str:
    return html.escape(str(text))


def page(
    t: Translator,
    title: str,
    body: str,
    *,
    status: int = 200,
    nav: str = "",
    events: str = "",
    seq: int = 0,
    headers: dict[str, str] | None = None,
) -> web.Response:
    """A whole page; `events` (the live feed's address) turns on the live script."""
    live = f' data-events="{e(events)}" data-seq="{seq}"' if events else ""
    script = '<script src="/h/static/hall.js" defer></script>' if events else ""
    text = (
        f'<!doctype html><html lang="{LANGS.get(t.locale, "zh-CN")}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<meta name="referrer" content="no-referrer"><title>{e(title)}</title>'
        f'<link rel="stylesheet" href="/h/static/hall.css">{script}</head>'
        f"<body{live}><header><nav>{nav}</nav></header><main>{body}</main></body></html>"
    )
    return web.Response(
        text=text,
        status=status,
        content_type="text/html",
        charset="utf-8",
        headers={"Cache-Control": "no-store", "Content-Security-Policy": CONTENT_SECURITY_POLICY, **(headers or {})},
    )


def notice(text: str | None, refused: bool = False) -> str:
    if not text:
        return ""
    lines = "<br>".join(e(line) for line in text.splitlines())
    return f'<div class="notice{" refused" if refused else ""}" id="notice" role="status">{lines}</div>'


def card(inner: str, cls: str = "") -> str:
    return f'<section class="card {cls}">{inner}</section>'


def lines(texts: Iterable[str]) -> str:
    return "".join(f"<div>{e(x)}</div>" for x in texts if x)


def form(
    action: str,
    csrf: str,
    fields: dict[str, object],
    button: str,
    *,
    cls: str = "",
    text_label: str | None = None,
    text_name: str = "text",
    text_id: str = "",
) -> str:
    """A POST form: hidden fields, an optional text box (with its label), one button."""
    hidden = "".join(f'<input type="hidden" name="{e(k)}" value="{e(v)}">' for k, v in fields.items())
    box = ""
    if text_label is not None:
        box_id = text_id or f"box-{fields.get('act', 'text')}-{fields.get('n', '')}"
        box = (
            f'<label for="{e(box_id)}">{e(text_label)}</label>'
            f'<textarea id="{e(box_id)}" name="{e(text_name)}"></textarea>'
        )
    css = f' class="{cls}"' if cls else ""
    return (
        f'<form method="post" action="{e(action)}"><input type="hidden" name="csrf" value="{e(csrf)}">'
        f'<input type="hidden" name="once" value="{secrets.token_urlsafe(12)}">'
        f'{hidden}{box}<button type="submit"{css}>{e(button)}</button></form>'
    )
