"""A PNG line chart of a petition's signatures over the last 30 days, with its alt text.

Built on matplotlib's object API with the Agg canvas (no pyplot, no global state),
so charts can be drawn from any thread and without a display.
"""

from __future__ import annotations

import io
from datetime import timedelta

from ._model import PetitionReport
from ._words import day_label, num

# Bluesky shows images at up to 2000 px and accepts blobs up to 1 MB; this stays far below.
SIZE_INCHES = (8, 4.5)
DPI = 100


def chart_png(petition: PetitionReport) -> bytes | None:
    """The chart, or ``None`` when there are fewer than two days to draw."""
    if len(petition.series) < 2:
        return None
    # Imported here: matplotlib costs the idle daemon ~40 MB for a chart drawn once a day.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    days = [(point.day - petition.series[0].day).days for point in petition.series]
    counts = [point.count for point in petition.series]
    figure = Figure(figsize=SIZE_INCHES, dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.plot(days, counts, marker="o", markersize=3, linewidth=2, color="#1f6feb")
    if petition.goal is not None and petition.goal <= max(counts) * 1.5:
        axes.axhline(petition.goal, linestyle="--", color="#888888", linewidth=1)
    # A petition's name is shown as written: "$5 … $10" is not mathematical notation.
    axes.set_title(f"{petition.name}: signatures, last {len(days)} days", parse_math=False)
    step = max(1, (days[-1] + 7) // 8)  # about eight date labels, whatever the span
    ticks = [d for d in range(0, days[-1] + 1, step)]
    axes.set_xticks(ticks, labels=[f"{petition.series[0].day + timedelta(days=d):%d %b}" for d in ticks])
    axes.yaxis.set_major_formatter(lambda value, _pos: f"{value:,.0f}")
    axes.grid(alpha=0.3)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def chart_alt(petition: PetitionReport) -> str:
    """What the chart shows, in words, for people who cannot see it."""
    first, last = petition.series[0], petition.series[-1]
    text = (
        f"Line chart of signatures on the petition “{petition.name}” over {len(petition.series)} days: "
        f"{num(first.count)} on {day_label(first.day)}, {num(last.count)} on {day_label(last.day)} "
        f"({last.count - first.count:+,})."
    )
    if petition.goal is not None:
        text += f" The goal is {num(petition.goal)}."
    return text
