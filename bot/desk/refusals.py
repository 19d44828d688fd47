"""Refusals in one place: a `DeliberationError` becomes a private reply (a command) or a pop-up (a press).

Every refused answer carries its catalogue key in `Response.refusal`, so tests and adapters can tell
refusals apart without reading sentences. What the user typed is quoted back at most `ECHO_LIMIT` characters.
"""

from __future__ import annotations

from deliberation import errors

from ..i18n import Translator
from .messages import Reply, Response

ECHO_LIMIT = 60  # characters of what was typed that a refusal quotes back
# Refusals of a message that must not stay in the group (`Response.withdraw`).
WITHDRAWN = frozenset({"error.secret_vote_typed"})


def refuse(key: str, **params: object) -> errors.DeliberationError:
    """A refusal with a catalogue key of the desk's own (bad input rather than a rule of procedure)."""
    refusal = errors.DeliberationError(**params)
    refusal.key = key
    return refusal


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def refusal_text(t: Translator, key: str, params: dict[str, object]) -> str:
    """The refusal in the user's language, with the rule and the numbers quoted back."""
    shown = {
        k: (
            t(f"role.{v}")
            if k == "role"
            else t(f"reason.{v}")
            if k == "reason"
            else _clip(v, ECHO_LIMIT)
            if isinstance(v, str)
            else v
        )
        for k, v in params.items()
    }
    if key == "error.illegal_transition":
        shown["state"] = t(f"state.{shown['state']}")
        shown["action"] = t(f"action.{shown['action']}")
    return t(key, **shown)


def as_reply(t: Translator, refusal: errors.DeliberationError, council_id: int | None = None) -> Response:
    """A refused command: a reply to the asker only."""
    return Response(
        [Reply(refusal_text(t, refusal.key, refusal.params), private=True)],
        refused=True,
        refusal=refusal.key,
        locale=t.locale,
        council_id=council_id,
        withdraw=refusal.key in WITHDRAWN,
    )


def as_popup(t: Translator, refusal: errors.DeliberationError, council_id: int | None = None) -> Response:
    """A refused button press: the pop-up says why."""
    return Response(
        popup=refusal_text(t, refusal.key, refusal.params),
        refused=True,
        refusal=refusal.key,
        locale=t.locale,
        council_id=council_id,
    )


def answer(t: Translator, refusal: errors.DeliberationError, *, press: bool, council_id: int | None = None) -> Response:
    """A refusal as a press or a command is answered."""
    return (as_popup if press else as_reply)(t, refusal, council_id)


def short_answer(t: Translator, key: str, *, press: bool, refused: bool = True) -> Response:
    """An answer that is only a catalogue line ("try again", "it went through"), for a press or a command."""
    refusal = key if refused else None
    if press:
        return Response(popup=t(key), refused=refused, refusal=refusal, locale=t.locale)
    return Response([Reply(t(key), private=True)], refused=refused, refusal=refusal, locale=t.locale)
