"""The report's charts: matplotlib figures rendered to inline SVG (pure, no pyplot state).

Text is drawn as paths (matplotlib's default), so a chart looks the same in any
browser without fonts or network; SVG metadata and random ids are pinned so the
same data gives the same bytes.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import matplotlib
from matplotlib.dates import (
    AutoDateLocator,
    ConciseDateFormatter,
    DateFormatter,
    DayLocator,
    HourLocator,
    date2num,
)
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

REDDIT = "#ff4500"
BLUESKY = "#0a7aff"
SIGNATURES = ("#2e7d32", "#6a1b9a", "#00838f", "#ef6c00")
INK = "#333333"
GRID = "#e6e6e6"
_SVG_START = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_SIZE = re.compile(r'\s(width|height)="[^"]*pt"')


@dataclass(frozen=True, slots=True)
class Line:
    """One petition's counts over time; ``None`` breaks the line (no reading there)."""

    label: str
    points: tuple[tuple[datetime, int | None], ...]  # naive local times
    goal: int | None = None


def _thousands(value: float, _pos: float) -> str:
    return f"{value:,.0f}"


def _counts(axis: matplotlib.axis.Axis) -> None:
    """Whole numbers with separators: a count has no tick at 2.5."""
    axis.set_major_locator(MaxNLocator(integer=True))
    axis.set_major_formatter(FuncFormatter(_thousands))


def _figure(width: float, height: float) -> tuple[Figure, matplotlib.axes.Axes]:
    # Sized close to the page box each chart fills, so its text keeps a readable size.
    fig = Figure(figsize=(width, height), layout="constrained")
    ax = fig.subplots()
    ax.spines[["top", "right"]].set_visible(False)
    ax.spines[["left", "bottom"]].set_color("#999999")
    ax.tick_params(colors=INK, labelsize=9)
    ax.grid(axis="y", color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    return fig, ax


def _svg(fig: Figure, salt: str) -> str:
    """The figure as an ``<svg>`` element that scales to its container."""
    out = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": salt}):
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    svg = _SVG_START.sub("", out.getvalue(), count=1)
    head, _, rest = svg.partition(">")
    return _SIZE.sub("", head) + f' role="img" aria-label="{salt}">' + rest


# matplotlib.dates has no type annotations, hence the ignores below.
def _days(times: Sequence[datetime]) -> list[float]:
    """Naive local times as matplotlib date numbers (days)."""
    return [float(v) for v in date2num(list(times))]  # type: ignore[no-untyped-call]


def _date_axis(ax: matplotlib.axes.Axes, start: datetime, end: datetime) -> None:
    """The report's range on the x axis, with ticks that name the day and month.

    Up to two days get hour ticks, up to two months day ticks ("05 Nov"), longer ranges
    month ticks with the year; matplotlib's own choice named neither the day nor the month
    of a one-day range (minutes as fractions) and left November unnamed on a month's range.
    """
    low, high = _days([start, end])
    ax.set_xlim(low, high)
    span = high - low
    locator: matplotlib.ticker.Locator
    if span <= 2:
        locator = HourLocator(byhour=range(0, 24, 6))  # type: ignore[no-untyped-call]
        formatter: matplotlib.ticker.Formatter = DateFormatter("%d %b %H:%M")  # type: ignore[no-untyped-call]
    elif span <= 62:
        locator = DayLocator(interval=math.ceil(span / 8))  # type: ignore[no-untyped-call]
        formatter = DateFormatter("%d %b")  # type: ignore[no-untyped-call]
    else:
        locator = AutoDateLocator(maxticks=10)  # type: ignore[no-untyped-call]
        formatter = ConciseDateFormatter(locator)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(formatter)


def _empty(ax: matplotlib.axes.Axes, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="#888888")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.spines[:].set_visible(False)


def signatures_chart(lines: Sequence[Line], start: datetime, end: datetime) -> str:
    """Petition counts over ``[start, end]`` (naive local), one line per petition, goals dashed."""
    fig, ax = _figure(10, 3.4)
    drawn = False
    for line, colour in zip(lines, SIGNATURES * (len(lines) // len(SIGNATURES) + 1), strict=False):
        xs = _days([x for x, _ in line.points])
        ys = [math.nan if y is None else y for _, y in line.points]
        if not any(y is not None for _, y in line.points):
            continue
        drawn = True
        ax.plot(xs, ys, color=colour, linewidth=2.2, label=line.label, marker="o" if len(xs) < 40 else None)
        if line.goal is not None:
            ax.axhline(line.goal, color=colour, linestyle="--", linewidth=1, alpha=0.7)
            ax.annotate(
                f"goal {line.goal:,}",
                (1, line.goal),
                xycoords=("axes fraction", "data"),
                ha="right",
                va="bottom",
                fontsize=8,
                color=colour,
            )
    if not drawn:
        _empty(ax, "no signature counts in this range")
    else:
        _date_axis(ax, start, end)
        _counts(ax.yaxis)
        if len(lines) > 1:
            legend = ax.legend(frameon=False, fontsize=9, loc="upper left")
            # A petition's name is shown as written: "$5 … $10" is not mathematical notation.
            for text in legend.get_texts():
                text.set_parse_math(False)
    return _svg(fig, "signatures over time")


def posts_chart(days: Sequence[datetime], reddit: Sequence[int], bluesky: Sequence[int]) -> str:
    """Posts per day (naive local midnights), stacked by platform."""
    fig, ax = _figure(6.4, 3.4)
    if not days or (not any(reddit) and not any(bluesky)):
        _empty(ax, "no posts in this range")
    else:
        width = 0.8
        xs = [x + 0.5 for x in _days(days)]  # each bar over its own day, not across midnight
        ax.bar(xs, reddit, width=width, color=REDDIT, label="Reddit")
        ax.bar(xs, bluesky, width=width, bottom=reddit, color=BLUESKY, label="Bluesky")
        _date_axis(ax, days[0], days[-1] + timedelta(days=1))
        _counts(ax.yaxis)
        ax.legend(frameon=False, fontsize=9, loc="lower left", bbox_to_anchor=(0, 1), ncols=2)
    return _svg(fig, "posts per day by platform")


def languages_chart(counts: Sequence[tuple[str, int]]) -> str:
    """Posts per language, largest on top."""
    fig, ax = _figure(4.2, 3.4)
    if not counts:
        _empty(ax, "no posts in this range")
    else:
        labels = [name for name, _ in counts][::-1]
        values = [n for _, n in counts][::-1]
        bars = ax.barh(labels, values, color="#5c6bc0", height=0.65)
        ax.bar_label(bars, labels=[f"{v:,}" for v in values], padding=3, fontsize=8, color=INK)
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", color=GRID, linewidth=0.8)
        _counts(ax.xaxis)
        ax.margins(x=0.08)
    return _svg(fig, "posts by language")
