"""The results as tables, one per section, and the issue's targets with PASS or MISS."""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.table import Table

Row = dict[str, Any]
ORDER = ("ingest", "trends", "digest", "api", "daemon", "growth")
_OPS: dict[str, Callable[[float, float], bool]] = {"<=": operator.le, ">=": operator.ge, "==": operator.eq}


@dataclass(frozen=True)
class Target:
    text: str
    section: str
    figure: str
    op: str  # "<=", ">=" or "=="
    limit: float
    where: tuple[tuple[str, object], ...] = ()  # only rows with these field values

    def applies(self, row: Row) -> bool:
        return row["section"] == self.section and all(row.get(k) == v for k, v in self.where)


TARGETS = (
    Target(
        "ingest >= 50,000 posts/s on SQLite", "ingest", "posts_per_s", ">=", 50_000, (("backend", "sqlite"),)
    ),
    Target("ingest >= 20x the naive baseline", "ingest", "ratio", ">=", 20),
    Target(
        "365-day trend table <= 100 ms at 1M posts", "trends", "day365_ms", "<=", 100, (("size", 1_000_000),)
    ),
    Target("digest <= 250 ms at 1M posts", "digest", "digest_ms", "<=", 250, (("size", 1_000_000),)),
    Target("idle daemon <= 150 MB resident", "daemon", "idle_rss_mb", "<=", 150),
    Target("quiet poll: query requests = minimum", "api", "over_minimum", "==", 0, (("kind", "quiet"),)),
    Target(
        "quiet poll: no requests besides the queries", "api", "other_requests", "==", 0, (("kind", "quiet"),)
    ),
)


def _margin(target: Target, value: float) -> str:
    if target.op == "==":
        return f"{value:+g}"
    if value == 0:
        return "-"
    ratio = value / target.limit if target.op == "<=" else target.limit / value
    return f"{ratio:.2f}x the limit" if target.op == "<=" else f"{ratio:.2f}x short"


def verdicts(rows: Sequence[Row]) -> list[Row]:
    """One verdict per target and measured row; a target with no row at its size is "not measured"."""
    out: list[Row] = []
    for target in TARGETS:
        matching = [r for r in rows if target.applies(r) and target.figure in r]
        if not matching:
            out.append({"target": target.text, "verdict": "not measured"})
        for row in matching:
            value = row[target.figure]
            ok = _OPS[target.op](value, target.limit)
            where: Row = {k: row[k] for k in ("backend", "size", "source") if k in row}
            out.append(
                {
                    "target": target.text,
                    **where,
                    "value": value,
                    "limit": target.limit,
                    "verdict": "PASS" if ok else "MISS",
                    "margin": "" if ok else _margin(target, value),
                }
            )
    return out


def _cell(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def _table(title: str, rows: Sequence[Row], skip: tuple[str, ...] = ()) -> Table:
    columns = [c for c in dict.fromkeys(k for r in rows for k in r) if c not in skip]
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, justify="left" if isinstance(rows[0].get(column), str) else "right")
    for row in rows:
        table.add_row(*(_cell(row.get(c, "")) for c in columns))
    return table


def print_table(rows: Sequence[Row], console: Console | None = None) -> None:
    """Each section's rows, then every target's verdict."""
    console = console or Console(width=200)
    sections = [s for s in ORDER if any(r["section"] == s for r in rows)]
    for section in sections:
        console.print(_table(section, [r for r in rows if r["section"] == section], skip=("section",)))
    console.print(_table("targets", verdicts(rows)))
