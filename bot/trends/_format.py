"""Numbers and times for people: thousands separators, signs, gaps, period labels (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ._periods import By

GAP = "–"  # no data; never shown as 0
_BLOCKS = "▁▂▃▄▅▆▇█"


def number(value: int | None) -> str:
    return GAP if value is None else f"{value:,}"


def counted(n: int, one: str, many: str) -> str:
    """``1 reply``, ``2,000 replies``."""
    return f"{n:,} {one if n == 1 else many}"


def signed(value: int | None) -> str:
    return GAP if value is None else f"{value:+,}"


def rate(value: float | None) -> str:
    return GAP if value is None else f"{value:,.1f}"


def text(value: str | None) -> str:
    return GAP if value is None else value


def period_label(start: datetime, by: By) -> str:
    """``start`` (aware, local) as a label; an hour shows its zone, so a repeated DST hour is distinct."""
    if by == "hour":
        return start.strftime("%Y-%m-%d %H:%M %Z")
    if by == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d} {start:%d %b}"
    return start.strftime("%a %Y-%m-%d")


def local_time(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%d %H:%M")


def sparkline(values: Sequence[float | None]) -> str:
    """One block character per value, scaled between the smallest and largest; a gap is a space."""
    known = [v for v in values if v is not None]
    if not known:
        return ""
    low, high = min(known), max(known)
    span = (high - low) or 1
    top = len(_BLOCKS) - 1
    return "".join(" " if v is None else _BLOCKS[round((v - low) / span * top)] for v in values)


def snippet(title: str | None, body: str | None, width: int = 80) -> str:
    """The title (else the text) on one line, cut to ``width`` characters with an ellipsis."""
    words = " ".join((title or body or "").split())
    return words if len(words) <= width else words[: width - 1].rstrip() + "…"
