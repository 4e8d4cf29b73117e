"""Trends over the stored history: per-period tables, top posts, exports."""

from ._export import (
    POST_COLUMNS,
    TREND_COLUMNS,
    Column,
    post_records,
    posts_markdown,
    to_csv,
    to_json,
    trend_meta,
    trend_records,
    trends_markdown,
)
from ._format import counted
from ._periods import BY_CHOICES, By, PeriodError, Periods, cut_periods, date_range, last_days, period_start
from ._posts import TopPost, TopPosts, top_posts
from ._query import (
    PLATFORMS,
    Aggregates,
    Reading,
    Volume,
    language_totals,
    petition_readings,
    post_volume,
)
from ._render import posts_renderable, trends_renderable
from ._rollups import refresh_rollups
from ._table import TrendRow, TrendTable, aggregate, project, trend_table

__all__ = [
    "BY_CHOICES",
    "PLATFORMS",
    "POST_COLUMNS",
    "TREND_COLUMNS",
    "Aggregates",
    "By",
    "Column",
    "PeriodError",
    "Periods",
    "Reading",
    "TopPost",
    "TopPosts",
    "TrendRow",
    "TrendTable",
    "Volume",
    "aggregate",
    "counted",
    "cut_periods",
    "date_range",
    "language_totals",
    "last_days",
    "period_start",
    "petition_readings",
    "post_records",
    "post_volume",
    "posts_markdown",
    "posts_renderable",
    "project",
    "refresh_rollups",
    "to_csv",
    "to_json",
    "top_posts",
    "trend_meta",
    "trend_records",
    "trend_table",
    "trends_markdown",
    "trends_renderable",
]
