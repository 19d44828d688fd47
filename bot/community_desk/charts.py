"""The desk's and the ledger's charts, drawn on the server with matplotlib: SVG for the web page, PNG for the
PDF. Every chart carries its numbers as a table too, for screen readers and for anyone who would rather read."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager  # noqa: E402
from matplotlib.dates import date2num  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from deliberation.ledger import DELIVERY_STATES, OUTCOMES  # noqa: E402

from ..minutes_files.fonts import SANS_PATH  # noqa: E402

Words = Callable[..., str]
_COLOURS = {
    "adopted": "#2e7d32",
    "rejected": "#c62828",
    "failed_quorum": "#6d4c41",
    "postponed": "#f9a825",
    "withdrawn": "#78909c",
    "lapsed": "#b0bec5",
    "referred": "#5e35b1",
    "open": "#1565c0",
    "on_time": "#2e7d32",
    "late": "#f9a825",
    "overdue": "#c62828",
    "in_progress": "#1565c0",
    "satisfied": "#2e7d32",
    "basic": "#f9a825",
    "unsatisfied": "#c62828",
}
_LOCK = threading.Lock()  # matplotlib's font cache and text layout are not thread-safe
_FONT: list[str] = []


def _font() -> str:
    """The CJK font for labels (Noto Sans SC, installed with the project; registered once)."""
    if not _FONT:
        font_manager.fontManager.addfont(str(SANS_PATH))
        _FONT.append(font_manager.FontProperties(fname=str(SANS_PATH)).get_name())
    return _FONT[0]


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    head: tuple[str, ...]  # the numbers as a table: column titles
    rows: tuple[tuple[str, ...], ...]
    draw: Callable[[Figure], None]

    def render(self, fmt: str = "svg", *, width: float = 7.0, height: float = 3.2, dpi: int = 150) -> bytes:
        """The chart as SVG (text kept as text) or PNG."""
        with _LOCK:
            family = _font()
            with matplotlib.rc_context(
                {"font.family": family, "font.size": 10, "svg.fonttype": "none", "svg.hashsalt": self.key}
            ):
                figure = Figure(figsize=(width, height), dpi=dpi, layout="constrained")
                self.draw(figure)
                out = io.BytesIO()
                figure.savefig(out, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
        return out.getvalue()

    def description(self) -> str:
        """The numbers in one line: what a screen reader announces for the picture."""
        return (
            "；".join(
                f"{row[0]}：" + "，".join(f"{h} {v}" for h, v in zip(self.head[1:], row[1:], strict=False))
                for row in self.rows
            )
            or "—"
        )


def _empty(figure: Figure, w: Words) -> None:
    axes = figure.add_subplot()
    axes.set_axis_off()
    axes.text(0.5, 0.5, w("chart.no_data"), ha="center", va="center", fontsize=12, color="#555555")


def participation(points: Sequence[tuple[datetime, str, int, int]], w: Words) -> Chart:
    """Participation per ballot over time: (when it opened or closed, its label, voted, eligible)."""
    ordered = sorted(points)

    def draw(figure: Figure) -> None:
        if not ordered:
            return _empty(figure, w)
        axes = figure.add_subplot()
        xs = [date2num(p[0]) for p in ordered]
        ys = [100 * p[2] / p[3] if p[3] else 0 for p in ordered]
        axes.plot(xs, ys, marker="o", linestyle="-", color="#1565c0", linewidth=1, markersize=4)
        axes.set_ylim(0, 105)
        axes.set_ylabel("%")
        axes.xaxis_date()
        axes.grid(axis="y", alpha=0.3)
        figure.autofmt_xdate()
        return None

    rows = tuple(
        (at.strftime("%m-%d"), label, f"{voted}/{eligible}", f"{100 * voted / eligible:.0f}%" if eligible else "—")
        for at, label, voted, eligible in ordered
    )
    head = ("", w("col.council"), w("col.voted"), w("col.participation"))
    return Chart("participation", w("chart.participation"), head, rows, draw)


def outcomes(by_month: dict[str, dict[str, int]], w: Words) -> Chart:
    """Motions by outcome per month, stacked."""
    months = sorted(by_month)
    shown = [o for o in OUTCOMES if any(by_month[m].get(o, 0) for m in months)]

    def draw(figure: Figure) -> None:
        if not shown:
            return _empty(figure, w)
        axes = figure.add_subplot()
        bottom = [0] * len(months)
        places = list(range(len(months)))
        axes.set_xticks(places, months)
        for outcome in shown:
            values = [by_month[m].get(outcome, 0) for m in months]
            axes.bar(places, values, bottom=bottom, label=w(f"outcome.{outcome}"), color=_COLOURS[outcome])
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        axes.legend(fontsize=8, ncols=min(4, len(shown)), loc="upper left")
        axes.set_ylim(0, max(bottom) * 1.35 + 1)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        return None

    head = ("",) + tuple(w(f"outcome.{o}") for o in shown)
    rows = tuple((m,) + tuple(str(by_month[m].get(o, 0)) for o in shown) for m in months)
    return Chart("outcomes", w("chart.outcomes"), head, rows, draw)


def delivery(states: dict[str, int], w: Words) -> Chart:
    """Delivery items on time, late, overdue and in progress."""
    shown = [s for s in DELIVERY_STATES]

    def draw(figure: Figure) -> None:
        if not any(states.get(s, 0) for s in shown):
            return _empty(figure, w)
        axes = figure.add_subplot()
        labels = [w(f"delivery.{s}") for s in shown]
        values = [states.get(s, 0) for s in shown]
        places = list(range(len(shown)))
        axes.set_yticks(places, labels)
        bars = axes.barh(places, values, color=[_COLOURS[s] for s in shown])
        axes.bar_label(bars, padding=3)
        axes.invert_yaxis()
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlim(0, max(values) * 1.2 + 1)
        return None

    head = ("",) + tuple(w(f"delivery.{s}") for s in shown)
    rows = ((w("ledger.total"),) + tuple(str(states.get(s, 0)) for s in shown),)
    return Chart("delivery", w("chart.delivery"), head, rows, draw)


def satisfaction(per_council: dict[str, tuple[int, int, int]], w: Words, *, most: int = 20) -> Chart:
    """满意/基本满意/不满意 per council (the councils with the most ratings drawn; all in the table)."""
    rated = sorted(((sum(v), name, v) for name, v in per_council.items() if sum(v)), key=lambda t: (-t[0], t[1]))
    drawn = rated[:most]
    kinds = ("satisfied", "basic", "unsatisfied")

    def draw(figure: Figure) -> None:
        if not drawn:
            return _empty(figure, w)
        axes = figure.add_subplot()
        names = list(range(len(drawn)))
        axes.set_yticks(names, [name for _, name, _ in drawn])
        left = [0] * len(drawn)
        for index, kind in enumerate(kinds):
            values = [v[index] for _, _, v in drawn]
            axes.barh(names, values, left=left, label=w(f"rating.{kind}"), color=_COLOURS[kind])
            left = [a + b for a, b in zip(left, values, strict=True)]
        axes.invert_yaxis()
        axes.legend(fontsize=8, ncols=3, loc="lower right")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        return None

    head = (w("col.council"),) + tuple(w(f"rating.{k}") for k in kinds)
    rows = tuple((name,) + tuple(str(x) for x in v) for _, name, v in rated)
    return Chart("satisfaction", w("chart.satisfaction"), head, rows, draw)


def height_for(chart: Chart) -> float:
    """Inches: the satisfaction chart grows with its councils."""
    if chart.key == "satisfaction":
        return max(2.4, 0.9 + 0.28 * min(len(chart.rows), 20))
    return 3.0
