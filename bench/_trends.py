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
from bot.storage import make_sessionmaker
from bot.trends import Periods, cut_periods, last_days, trend_table

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
    """What ``keep4o-bot trends --days 365`` and ``--by hour --days 2`` spend building their rows."""
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

    return {
        "section": "trends",
        "backend": backend,
        "size": loaded.posts,
        "snapshots": loaded.snapshots,
        "day365_ms": median_ms(build(year), runs),
        "hour48_ms": median_ms(build(hours), runs),
        "runs": runs,
    }
