"""Running the sections in order, and the growth summary computed from their rows."""

from __future__ import annotations

import itertools
import math
import os
import sys
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from ._api import BUSY, run_api
from ._bulk import bench_settings, load
from ._daemon import FULL, SMOKE, run_daemon
from ._db import fresh_database
from ._digest import measure_digest
from ._trends import RUNS, measure_trends

Row = dict[str, Any]

# Smoke runs keep the year of snapshots but take them hourly instead of every 5 minutes.
SMOKE_SNAPSHOTS = timedelta(hours=1)
SMOKE_RUNS = 3
# (section, figure, is a cost): a cost (time) grows with the data; a rate (posts/s) should not.
GROWTH_FIGURES = (
    ("ingest", "posts_per_s", False),
    ("ingest", "naive_posts_per_s", False),
    ("trends", "day365_counted_ms", True),
    ("trends", "rollup_build_s", True),
    ("trends", "rollup_refresh_ms", True),
    ("trends", "day365_ms", True),
    ("trends", "hour48_ms", True),
    ("digest", "digest_ms", True),
    ("digest", "load_ms", True),
)
LINEAR = (0.85, 1.15)  # exponents counted as linear: a 10x bigger input costs 7x to 14x more


def _note(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def _stamped(rows: Sequence[Row]) -> list[Row]:
    """Rows with the one-minute load average when they were measured (the machine is shared)."""
    load1 = round(os.getloadavg()[0], 2)
    return [{**row, "load_avg": row.get("load_avg", load1)} for row in rows]


def _data_sections(
    sections: Sequence[str], sizes: Sequence[int], backends: Sequence[str], smoke: bool
) -> list[Row]:
    settings = bench_settings()
    every = SMOKE_SNAPSHOTS if smoke else timedelta(minutes=5)
    runs = SMOKE_RUNS if smoke else RUNS
    rows: list[Row] = []
    for backend in backends:
        for size in sizes:
            with fresh_database(backend) as engine:
                loaded = load(engine, size, snapshot_every=every)
                what = f"{loaded.posts:,} posts, {loaded.snapshots:,} snapshots"
                _note(f"{backend}: loaded {what} in {loaded.seconds:.0f} s")
                if "trends" in sections:
                    rows += _stamped([measure_trends(engine, settings, loaded, backend=backend, runs=runs)])
                    _note(f"{backend} {size:,}: trends {rows[-1]['day365_ms']} ms (365 days)")
                if "digest" in sections:
                    rows += _stamped([measure_digest(engine, settings, loaded, backend=backend, runs=runs)])
                    _note(f"{backend} {size:,}: digest {rows[-1]['digest_ms']} ms")
    return rows


def run(
    sections: Sequence[str], sizes: Sequence[int], backends: Sequence[str], *, smoke: bool = False
) -> list[Row]:
    """Every chosen section at every size and backend, then the growth summary."""
    rows: list[Row] = []
    if "ingest" in sections:
        from ._ingest import run_ingest

        _note("ingest")
        rows += _stamped(run_ingest(list(sizes), list(backends)))
    if "trends" in sections or "digest" in sections:
        rows += _data_sections(sections, sizes, backends, smoke)
    if "api" in sections:
        _note("api economy")
        rows += _stamped(run_api(backends, busy=BUSY[:1] if smoke else BUSY))
    if "daemon" in sections:
        _note("daemon")
        rows += _stamped(run_daemon(backends, SMOKE if smoke else FULL))
    return rows + growth(rows)


def _label(size: int) -> str:
    return f"{size // 1_000_000}M" if size >= 1_000_000 else f"{size // 1000}k"


def growth(rows: Sequence[Row]) -> list[Row]:
    """How each figure's cost grows per 10x more posts, from the smallest size to the largest.

    ``exponent`` is the slope on a log-log scale: 1 is linear, 0 flat, 2 quadratic. Rates
    (posts/s) are turned into cost per post first, so a steady rate reads as linear.
    """
    out: list[Row] = []
    for section, figure, cost in GROWTH_FIGURES:
        backends = dict.fromkeys(r["backend"] for r in rows if r["section"] == section)
        for backend in backends:
            points = sorted(
                (r["size"], r[figure])
                for r in rows
                if r["section"] == section and r["backend"] == backend and r.get(figure, 0) > 0
            )
            if len(points) < 2 or points[0][0] == points[-1][0]:
                continue
            costs = [(size, value if cost else size / value) for size, value in points]
            steps = [
                f"{_label(a)}->{_label(b)} x{cb / ca:.1f}" for (a, ca), (b, cb) in itertools.pairwise(costs)
            ]
            (small, first), (large, last) = costs[0], costs[-1]
            exponent = math.log(last / first) / math.log(large / small)
            low, high = LINEAR
            out.append(
                {
                    "section": "growth",
                    "backend": backend,
                    "size": large,
                    "figure": f"{section}.{figure}",
                    "steps": ", ".join(steps),
                    "per_10x": round(10**exponent, 1),
                    "exponent": round(exponent, 2),
                    "growth": "linear"
                    if low <= exponent <= high
                    else ("sublinear" if exponent < low else "superlinear"),
                }
            )
    return out
