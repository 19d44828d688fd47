"""What a hall form asks for, as the command or button press every chat platform sends to the desk.

The hall has no procedure of its own: "second motion 3" is `/second 3`, a vote is the ballot button's data,
so the same use case, refusal, unit of work, chain event and outbox announcement follow as in any chat.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from deliberation.counting import Choice
from deliberation.delivery import Rating

from ..desk import buttons

CHOICES = {"y": Choice.YES, "n": Choice.NO, "a": Choice.ABSTAIN}
RATINGS = {r.value: r for r in Rating}
# `/publish`'s scope from the hall: the default, `meeting N` or a month `YYYY-MM`
SCOPE = re.compile(r"^(|meeting \d{1,6}|\d{4}-(0[1-9]|1[0-2]))$")
TEXT_LIMIT = 2000  # a form's text box; the desk applies the council's own limits


def _number(value: object) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def _text(form: Mapping[str, object]) -> str:
    return " ".join(str(form.get("text", "")).split())[:TEXT_LIMIT]


def command_for(form: Mapping[str, object]) -> tuple[str, str | None] | None:
    """(command text, button data) for the desk; None for a form that asks for nothing we know."""
    act = str(form.get("act", ""))
    n = _number(form.get("n"))
    text = _text(form)
    if act == "move" and text:
        return f"/motion {text}", None
    if act == "schedule" and text:
        return f"/schedule {text}", None
    if act == "publish":
        scope = " ".join(str(form.get("scope", "")).split()).lower()
        return (f"/publish {scope}".strip(), None) if SCOPE.match(scope) else None
    if act == "approve_minutes":
        return f"/minutes approve {text}".strip(), None
    if n is None:
        return {"minutes": ("/minutes", None)}.get(act)
    if act == "second":
        return f"/second {n}", None
    if act in ("for", "against", "amend") and text:
        return f"/{act} {n} {text}", None
    if act == "assign" and text and str(form.get("who", "")).strip():
        who = "".join(str(form.get("who")).split())[:64]
        return f"/assign {n} {who} {text}", None
    if act == "done":
        return f"/report {n} {text + ' ' if text else ''}done", None
    if act == "open_rating":
        return f"/rate {n}", None
    if act == "put":
        return f"/vote {n}", None
    if act == "close":
        return f"/close {n}", None
    if act == "vote" and str(form.get("choice")) in CHOICES:
        return "", buttons.encode(buttons.Vote(n, CHOICES[str(form.get("choice"))]))
    if act == "rate" and str(form.get("rating")) in RATINGS:
        return "", buttons.encode(buttons.Rate(n, RATINGS[str(form.get("rating"))]))
    if act == "approve":
        return "", buttons.encode(buttons.Approve(n))
    return None
