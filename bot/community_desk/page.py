"""The desk page as HTML: plain markup, large type, no JavaScript; the charts are images with their numbers
beside them as tables (a <figcaption> and a <details> table a screen reader can read)."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from .view import CouncilCard, DeskView
from .xlsx import Words

STYLE = """
body{font-family:"WenQuanYi Micro Hei","PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f6f6f3;
color:#1a1a1a;font-size:18px;line-height:1.55}
header{background:#7a1f1f;color:#fff;padding:14px 16px}header h1{margin:0;font-size:1.35em}
header p{margin:4px 0 0}header a{color:#fff}
main{max-width:1100px;margin:0 auto;padding:12px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:12px}
.card{background:#fff;border:1px solid #d6d6d0;border-radius:8px;padding:12px 14px}
.card h3{margin:0 0 6px;font-size:1.1em}.card h4{margin:8px 0 2px;font-size:.95em;color:#444}
.card ul{margin:0;padding-left:1.1em}.late{color:#a10000;font-weight:bold}.on{color:#1b5e20}
.muted{color:#555}a.hall{display:inline-block;margin-top:8px;padding:6px 12px;background:#7a1f1f;color:#fff;
border-radius:6px;text-decoration:none}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:12px}
figure{margin:0;background:#fff;border:1px solid #d6d6d0;border-radius:8px;padding:10px}
figure img{width:100%;height:auto}figcaption{font-size:.85em;color:#333}
table{border-collapse:collapse;font-size:.85em;margin-top:4px}td,th{border:1px solid #ccc;padding:2px 6px}
details summary{cursor:pointer;color:#0b4f8a}.requests form{display:inline}
.requests button{font-size:1em;padding:4px 14px;margin:4px 4px 4px 0}
@media (max-width:500px){body{font-size:17px}.charts{grid-template-columns:1fr}}
"""
STYLE_SOURCE = "'sha256-" + base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode() + "'"


def _when(moment: datetime | None, timezone: str) -> str:
    if moment is None:
        return "—"
    return moment.astimezone(ZoneInfo(timezone)).strftime("%m-%d %H:%M")


def _card(card: CouncilCard, w: Words) -> str:
    tz = card.timezone
    items = []
    for item in card.open_items:
        line = f"#{item.number} {escape(item.text[:60])} · {escape(w('desk.state.' + item.state))}"
        if item.ballot_id is not None:
            voting = w("desk.ballot", closes=_when(item.closes_at, tz), voted=item.voted, eligible=item.eligible)
            line += f"<br><strong>{escape(voting)}</strong>"
        items.append(f"<li>{line}</li>")
    open_block = f"<ul>{''.join(items)}</ul>" if items else f"<p class=muted>{escape(w('desk.none_open'))}</p>"
    overdue = "".join(
        "<li class=late>"
        + escape(w("desk.overdue_item", number=d.number, assignee=d.assignee, due=_when(d.due_at, tz)))
        + "</li>"
        for d in card.overdue
    )
    if card.last_published is None:
        minutes = escape(w("desk.no_minutes"))
    else:
        minutes = escape(w("desk.minutes", at=_when(card.last_published, tz)))
    publicity = (
        f"<span class=on>{escape(w('desk.publicity_on', ends=_when(card.publicity_ends, tz)))}</span>"
        if card.publicity_running
        else f"<span class=muted>{escape(w('desk.publicity_off'))}</span>"
    )
    hall = f'<a class=hall href="/h/{escape(card.hall)}">{escape(w("desk.hall"))}</a>' if card.hall else ""
    return (
        f'<section class=card aria-labelledby="c{card.id}"><h3 id="c{card.id}">{escape(card.title)}</h3>'
        f"<h4>{escape(w('desk.open'))}</h4>{open_block}"
        + (f"<h4>{escape(w('desk.overdue'))}</h4><ul>{overdue}</ul>" if overdue else "")
        + f"<p>{minutes}<br>{publicity}</p>{hall}</section>"
    )


def render(view: DeskView, w: Words, *, month: str) -> str:
    slug = escape(view.community.slug)
    figures = []
    for chart in view.charts(w):
        head = "".join(f"<th scope=col>{escape(h)}</th>" for h in chart.head)
        body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in chart.rows[:400])
        figures.append(
            f'<figure aria-labelledby="f-{chart.key}">'
            f'<img src="/c/{slug}/chart/{chart.key}.svg"'
            f' alt="{escape(chart.title)}：{escape(chart.description()[:300])}"'
            f' width="700" height="320">'
            f'<figcaption id="f-{chart.key}">{escape(chart.title)}'
            f"<details><summary>{escape(w('desk.numbers'))}</summary>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></details></figcaption></figure>"
        )
    cards = "".join(_card(card, w) for card in view.cards)
    requests = "".join(
        f"<li>{escape(title)} · {escape(w('desk.request_by', name=by, at=_when(at, view.timezone)))}"
        f' <form method=post action="/c/{slug}/requests/{council_id}">'
        f"<button name=decision value=approve>{escape(w('desk.approve'))}</button> "
        f"<button name=decision value=refuse>{escape(w('desk.refuse'))}</button></form></li>"
        for council_id, title, by, at in view.requests
    )
    pending = f"<h2>{escape(w('desk.requests'))}</h2><ul class=requests>{requests}</ul>" if requests else ""
    title = escape(w("desk.title", name=view.community.name))
    return (
        f'<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>'
        f"<style>{STYLE}</style></head><body><header><h1>{title}</h1>"
        f"<p>{escape(w('desk.councils', count=len(view.cards)))} · "
        f'<a href="/c/{slug}/ledger.xlsx?month={month}">{escape(w("desk.ledger"))} (XLSX)</a> · '
        f'<a href="/c/{slug}/ledger.pdf?month={month}">PDF</a></p></header>'
        f"<main>{pending}<h2>{escape(w('desk.councils', count=len(view.cards)))}</h2><div class=cards>{cards}</div>"
        f"<h2>{escape(w('desk.charts'))}</h2><div class=charts>{''.join(figures)}</div></main>"
        "</body></html>"
    )


def refusal(w: Words) -> str:
    text = escape(w("desk.signin"))
    return (
        f'<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{text}</title>'
        f"<style>{STYLE}</style></head><body><main><p>{text}</p></main></body></html>"
    )
