"""Trends: the 365-day daily and the 48-hour hourly trend table over a loaded year of history."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from bot.config import Settings
from bot.storage import make_sessionmaker, note_spans
from bot.trends import Periods, cut_periods, last_days, refresh_rollups, trend_table

from ._bulk import NOW, Loaded

RUNS = 5


def median_ms(work: Callable[[], object], runs: int = RUNS) -> float:
    """The median wall time of ``runs`` calls, after one warm-up call that is not counted.

    The warm-up fills what a running bot has warm anyway: SQLAlchemy's compiled-statement
    cache, the database's page cache, imported modules.
    """
    work()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2)


def measure_trends(
    engine: Engine, settings: Settings, loaded: Loaded, *, backend: str, runs: int = RUNS
) -> dict[str, Any]:
    """What ``keep4o-bot trends --days 365`` and ``--by hour --days 2`` spend building their rows.

    The year is timed twice: counted from the posts (``day365_counted_ms``: a database the
    ``rollups`` job has not caught up with), then as a running daemon keeps it, with the
    finished days read from their rollups (``day365_ms``). ``rollup_build_s`` is the first
    build over the whole history; ``rollup_refresh_ms`` one routine run after three days of
    posts changed (what engagement refreshes touch), which rebuilds those days and their weeks.
    """
    sessions = make_sessionmaker(engine)
    tz = ZoneInfo(settings.config.campaign.timezone)
    petition = settings.config.petitions[0].id
    year = cut_periods(*last_days(365, NOW, tz), "day", tz)
    hours = cut_periods(NOW - timedelta(hours=48), NOW, "hour", tz)

    def build(periods: Periods) -> Callable[[], object]:
        def table() -> object:
            with sessions() as session:
                built = trend_table(session, periods, now=NOW, petition=petition)
            if len(built.rows) != len(periods):
                raise RuntimeError(f"trend table has {len(built.rows)} rows for {len(periods)} periods")
            return built

        return table

    counted_ms = median_ms(build(year), max(1, runs // 2))
    started = time.perf_counter()
    refresh_rollups(sessions, tz, NOW)
    build_s = time.perf_counter() - started

    def routine_refresh() -> object:
        with sessions.begin() as session:
            note_spans(session, [(NOW - timedelta(days=3), NOW)])
        return refresh_rollups(sessions, tz, NOW)

    return {
        "section": "trends",
        "backend": backend,
        "size": loaded.posts,
        "snapshots": loaded.snapshots,
        "day365_counted_ms": counted_ms,
        "rollup_build_s": round(build_s, 2),
        "rollup_refresh_ms": median_ms(routine_refresh, runs),
        "day365_ms": median_ms(build(year), runs),
        "hour48_ms": median_ms(build(hours), runs),
        "runs": runs,
    }
