"""The hall's pages as HTML fragments: the open items, one motion with its debate, ballot and delivery."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from deliberation.delivery import Assignment, AssignmentState, Meeting, Rating
from deliberation.lifecycle import MotionState
from deliberation.model import Ballot, Council, Member, Motion, Role, Side
from deliberation.usecases import MotionHistory

from ..desk.views import history as history_views
from ..desk.views import motions as motion_views
from ..desk.views.notices import clip, local_time
from ..desk.views.rules import rules_text
from ..i18n import Translator
from .render import card, e, form, lines
from .signin import Visitor

SPEAKING = frozenset({MotionState.SECONDED, MotionState.DEBATING})


def item_card(t: Translator, base: str, motion: Motion, ballot: Ballot | None, voted: int) -> str:
    head = f"#{motion.number} {motion_views.kind_label(t, motion)} · {t(f'hall.state.{motion.state.value}')}"
    extra = ""
    if ballot is not None and ballot.open:
        extra = f'<div class="tally">{e(t("hall.turnout", voted=voted, eligible=ballot.eligible_voters))}</div>'
    return card(
        f'<a class="item" href="{e(base)}/m/{motion.number}"><div class="muted">{e(head)}</div>'
        f'<div class="motion">{e(clip(motion.text, 120))}</div>{extra}</a>'
    )


def delivery_list(t: Translator, base: str, council: Council, assignments: Sequence[Assignment]) -> str:
    if not assignments:
        return ""
    items = "".join(
        card(
            f'<a class="item" href="{e(base)}/m/{a.number}"><div class="muted">#{a.number} · '
            f"{e(t(f'hall.delivery_short.{a.state.value}'))}</div>"
            f"<div>{e(t('hall.assignee', name=a.assignee_name, due=local_time(council, a.due_at)))}</div></a>"
        )
        for a in assignments
    )
    return f"<h2>{e(t('hall.delivering'))}</h2>{items}"


def meetings_list(t: Translator, council: Council, meetings: Sequence[Meeting]) -> str:
    if not meetings:
        return ""
    rows = "".join(
        f"<li>{e(t('hall.meeting_line', title=m.title, when=local_time(council, m.starts_at or m.created_at)))}</li>"
        for m in meetings
    )
    return card(f"<h2>{e(t('hall.meetings'))}</h2><ul>{rows}</ul>")


def schedule_form(t: Translator, base: str, visitor: Visitor | None) -> str:
    if visitor is None or not visitor.member.has(Role.CHAIR):
        return ""
    return card(
        f"<h2>{e(t('hall.schedule_title'))}</h2>"
        + form(
            f"{base}/do",
            visitor.csrf,
            {"act": "schedule", "back": base},
            t("hall.schedule"),
            text_label=t("hall.schedule_label"),
        )
    )


def who_card(t: Translator, base: str, visitor: Visitor | None) -> str:
    if visitor is None:
        return card(
            f'<div>{e(t("hall.stranger"))}</div><a class="item" href="{e(base)}/join">{e(t("hall.join_link"))}</a>'
        )
    m = visitor.member
    if not visitor.active:
        state = t("hall.you_pending")
    else:
        state = t("hall.you", name=m.name, unit=m.unit) if m.unit else t("hall.you_no_unit", name=m.name)
    return card(f"<div>{e(state)}</div>")


def move_form(t: Translator, base: str, visitor: Visitor | None) -> str:
    if visitor is None or not visitor.active:
        return ""
    return card(
        f"<h2>{e(t('hall.move_title'))}</h2>"
        + form(
            f"{base}/do", visitor.csrf, {"act": "move", "back": base}, t("hall.move"), text_label=t("hall.move_label")
        )
    )


def chair_tools(t: Translator, base: str, visitor: Visitor | None, pending: Sequence[Member]) -> str:
    if visitor is None or not visitor.member.has(Role.CHAIR) or not pending:
        return ""
    rows = "".join(
        f"<div>{e(t('hall.pending_one', name=m.name, unit=m.unit or '—'))}</div>"
        + form(f"{base}/do", visitor.csrf, {"act": "approve", "n": m.id, "back": base}, t("hall.approve", name=m.name))
        for m in pending
    )
    return card(f"<h2>{e(t('hall.pending_title'))}</h2>{rows}")


def secretary_tools(t: Translator, base: str, visitor: Visitor | None) -> str:
    if visitor is None or not (visitor.member.has(Role.SECRETARY) or visitor.member.has(Role.CHAIR)):
        return ""
    fields = {"back": base}
    return card(
        f"<h2>{e(t('hall.secretary_title'))}</h2>"
        + form(f"{base}/do", visitor.csrf, {"act": "minutes", **fields}, t("hall.draft"))
        + f'<a class="item" href="{e(base)}/minutes">{e(t("hallmin.open_page"))}</a>'
    )


def rules_card(t: Translator, council: Council) -> str:
    return card(f"<h2>{e(t('hall.rules_title'))}</h2>{lines(rules_text(t, council.rules).splitlines())}")


# ---- one motion --------------------------------------------------------------------------------


def motion_body(
    t: Translator,
    base: str,
    council: Council,
    h: MotionHistory,
    visitor: Visitor | None,
    mine: dict[int, str],
    assignment: Assignment | None,
    now_open: Ballot | None,
    members: Sequence[Member] = (),
) -> str:
    m = h.motion
    told = motion_views.history_lines(t, replace(h, speeches=(), children=()))[1:]  # speeches: by side below
    parts = [card(f'<div class="motion">{e(m.text)}</div>' + lines(told))]
    if h.children:
        links = "".join(
            f'<li><a href="{e(base)}/m/{c.number}">#{c.number} {e(motion_views.kind_label(t, c))}：'
            f"{e(clip(c.text, 60))}</a></li>"
            for c in h.children
        )
        parts.append(card(f"<h2>{e(t('hall.children'))}</h2><ul>{links}</ul>"))
    parts.append(_debate(t, h))
    for ballot in h.ballots:
        parts.append(_ballot(t, base, council, ballot, h, visitor, mine.get(ballot.id)))
    if assignment is not None:
        parts.append(_delivery(t, base, council, assignment, visitor))
    elif m.state is MotionState.ADOPTED and visitor is not None and visitor.member.has(Role.CHAIR):
        parts.append(_assign(t, base, m, visitor, members))
    if visitor is not None and visitor.active:
        parts.append(_actions(t, base, m, visitor, now_open))
    return "".join(parts)


def _debate(t: Translator, h: MotionHistory) -> str:
    sides = []
    for side in (Side.FOR, Side.AGAINST):
        said = [(s, name) for s, name in h.speeches if s.side is side]
        items = "".join(f"<li><b>{e(name)}</b>：{e(s.text)}</li>" for s, name in said) or (
            f"<li>{e(t('hall.no_speeches'))}</li>"
        )
        heading = t(f"hall.side.{side.value}", count=len(said))
        sides.append(f'<div class="{side.value}"><h3>{e(heading)}</h3><ul>{items}</ul></div>')
    return card(f"<h2>{e(t('hall.debate'))}</h2>{''.join(sides)}")


def _ballot(
    t: Translator,
    base: str,
    council: Council,
    ballot: Ballot,
    h: MotionHistory,
    visitor: Visitor | None,
    mine: str | None,
) -> str:
    if not ballot.open:
        return card(
            f'<h2>{e(t("hall.result"))}</h2><div class="tally">'
            + "<br>".join(e(line) for line in history_views.ballot_lines(t, council, h.motion, ballot, h.voted))
            + "</div>"
        )
    rules = ballot.rules_under(council.rules)  # as frozen when the ballot opened
    rule = t(f"ballot.rule.{rules.preset}.{ballot.threshold}")
    info = [rule, t("hall.closes", when=local_time(council, ballot.closes_at))]
    if ballot.secret:
        info.append(t("hall.secret"))
    elif mine:
        info.append(t("hall.your_vote", choice=t("choice." + mine)))
    body = (
        f"<h2>{e(t('hall.ballot'))}</h2>"
        f'<div class="tally" id="turnout">{e(t("hall.turnout", voted=h.voted, eligible=ballot.eligible_voters))}</div>'
        + lines(info)
    )
    if visitor is not None and visitor.active:
        choices = ("y", "n") if rules.preset == "nantang" else ("y", "n", "a")  # 南塘 12: no abstain button
        for code in choices:
            label = t("button." + {"y": "yes", "n": "no", "a": "abstain"}[code])
            body += form(
                f"{base}/do",
                visitor.csrf,
                {"act": "vote", "n": ballot.id, "choice": code, "back": f"{base}/m/{h.motion.number}"},
                label,
                cls=code,
            )
        body += f'<div class="muted">{e(t("hall.change_hint"))}</div>'
        if visitor.member.has(Role.CHAIR):
            body += form(
                f"{base}/do",
                visitor.csrf,
                {"act": "close", "n": h.motion.number, "back": f"{base}/m/{h.motion.number}"},
                t("hall.close"),
                cls="quiet",
            )
    return card(body)


def _delivery(t: Translator, base: str, council: Council, a: Assignment, visitor: Visitor | None) -> str:
    body = f"<h2>{e(t('hall.delivery'))}</h2>" + lines(
        [
            t("hall.assignee", name=a.assignee_name, due=local_time(council, a.due_at)),
            t(f"hall.delivery_state.{a.state.value}"),
        ]
    )
    back = {"n": a.number, "back": f"{base}/m/{a.number}"}
    if visitor is not None and a.state is AssignmentState.ASSIGNED and visitor.member.id == a.assignee_id:
        body += form(
            f"{base}/do",
            visitor.csrf,
            {"act": "done", **back},
            t("hall.report_done"),
            text_label=t("hall.report_label"),
        )
    if visitor is not None and a.state is AssignmentState.DONE and visitor.member.has(Role.CHAIR):
        body += form(f"{base}/do", visitor.csrf, {"act": "open_rating", **back}, t("hall.open_rating"), cls="quiet")
    if a.state is AssignmentState.RATING and visitor is not None and visitor.active:
        for rating in Rating:
            body += form(
                f"{base}/do",
                visitor.csrf,
                {"act": "rate", "n": a.id, "rating": rating.value, "back": f"{base}/m/{a.number}"},
                t(f"delivery.rating.choice.{rating.value}"),
            )
    return card(body)


def _actions(t: Translator, base: str, m: Motion, visitor: Visitor, now_open: Ballot | None) -> str:
    back = f"{base}/m/{m.number}"
    out = ""
    fields = {"n": m.number, "back": back}
    if m.state is MotionState.PROPOSED:
        out += form(f"{base}/do", visitor.csrf, {"act": "second", **fields}, t("hall.second"))
    if m.state in SPEAKING:
        out += form(
            f"{base}/do",
            visitor.csrf,
            {"act": "for", **fields},
            t("hall.speak_for"),
            cls="y",
            text_label=t("hall.speak_for_label"),
        )
        out += form(
            f"{base}/do",
            visitor.csrf,
            {"act": "against", **fields},
            t("hall.speak_against"),
            cls="n",
            text_label=t("hall.speak_against_label"),
        )
        out += form(
            f"{base}/do", visitor.csrf, {"act": "amend", **fields}, t("hall.amend"), text_label=t("hall.amend_label")
        )
        if visitor.member.has(Role.CHAIR) and now_open is None:
            out += form(f"{base}/do", visitor.csrf, {"act": "put", **fields}, t("hall.put"), cls="quiet")
    if visitor.member.has(Role.CHAIR):
        out += f'<a class="item" href="{e(base)}/share/{m.number}">{e(t("hall.share_link"))}</a>'
    return card(f"<h2>{e(t('hall.actions'))}</h2>{out}") if out else ""


def _assign(t: Translator, base: str, m: Motion, visitor: Visitor, members: Sequence[Member]) -> str:
    """The chair names who carries an adopted motion out, and by when."""
    options = "".join(
        f'<option value="{e(x.username and "@" + x.username or x.name)}">{e(x.name)}（{e(x.unit or "—")}）</option>'
        for x in members
        if x.status.value == "active"
    )
    return card(
        f"<h2>{e(t('hall.assign_title'))}</h2>"
        f'<form method="post" action="{e(base)}/do"><input type="hidden" name="csrf" value="{e(visitor.csrf)}">'
        f'<input type="hidden" name="act" value="assign"><input type="hidden" name="n" value="{m.number}">'
        f'<input type="hidden" name="back" value="{e(base)}/m/{m.number}">'
        f'<label for="who">{e(t("hall.assign_who"))}</label><select id="who" name="who">{options}</select>'
        f'<label for="due">{e(t("hall.assign_due"))}</label><input id="due" name="text" value="30d">'
        f'<button type="submit">{e(t("hall.assign"))}</button></form>'
    )
