"""Motion cards, the /status list and the /show history."""

from __future__ import annotations

from dataclasses import replace

from deliberation import usecases
from deliberation.lifecycle import MotionState
from deliberation.model import Council, Motion

from ...i18n import Translator
from .. import buttons, subjects
from ..messages import Button, Edit, Reply
from .notices import clip


def kind_label(t: Translator, motion: Motion) -> str:
    return t(f"kind.{motion.kind.value}")


def motion_card(t: Translator, council: Council, motion: Motion, mover: str, parent_number: int | None = None) -> Reply:
    """The motion's card: with its second button while proposed, with its state after that."""
    title = t("motion.card.title", number=motion.number, kind=kind_label(t, motion))
    lines = [motion.text, t("motion.card.mover", name=mover)]
    if parent_number is not None:
        lines.append(t("motion.card.parent", number=parent_number))
    lines.append(t("motion.card.hint", number=motion.number))
    card = Reply(
        "\n".join(lines),
        title=title,
        subject=subjects.encode(subjects.MotionCard(motion.id)),
        buttons=((Button(t("button.second"), buttons.encode(buttons.Second(motion.id))),),),
    )
    if usecases.is_queued(motion):  # 一事一议: no second until the matter before it settles
        card = replace(card, buttons=(), text=card.text.rsplit("\n", 1)[0] + "\n" + t("nantang.card_queued"))
    elif motion.state is not MotionState.PROPOSED:
        card = replace(
            card,
            buttons=(),
            text=card.text.rsplit("\n", 1)[0] + "\n" + t("motion.card.state", state=t(f"state.{motion.state.value}")),
        )
    return card


def card_edit(card: Reply) -> Edit:
    """A card posted before, as it should read now."""
    assert card.subject is not None
    return Edit(card.subject, card.text, card.title)


def status_text(t: Translator, motions: list[Motion]) -> str:
    lines = [
        t(
            "status.line",
            number=m.number,
            kind=kind_label(t, m),
            state=t("nantang.state_queued") if usecases.is_queued(m) else t(f"state.{m.state.value}"),
            text=clip(m.text, 40),
        )
        for m in motions
    ]
    return "\n".join(lines) or t("status.none")


def history_lines(t: Translator, h: usecases.MotionHistory) -> list[str]:
    """/show without its ballots: the text, who moved and seconded it, amendments, speeches."""
    m = h.motion
    lines = [
        m.text,
        t("show.mover", name=h.mover.name if h.mover else "?"),
        t("show.state", state=t(f"state.{m.state.value}")),
    ]
    if h.seconder:
        lines.append(t("show.seconder", name=h.seconder.name))
    if m.original_text:
        lines.append(t("show.original", text=m.original_text))
    for child in h.children:
        lines.append(
            t(
                "show.child",
                number=child.number,
                kind=kind_label(t, child),
                state=t(f"state.{child.state.value}"),
                text=clip(child.text, 60),
            )
        )
    for speech, name in h.speeches:
        lines.append(t("show.speech", name=name, side=t(f"side.{speech.side.value}"), text=clip(speech.text, 60)))
    return lines
