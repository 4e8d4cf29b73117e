"""The trend table: per-period aggregates projected into rows (``project`` is pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ._periods import By, Periods
from ._query import BEFORE, NO_POSTS, PLATFORMS, Aggregates, Reading, petition_readings, volumes
from ._rollups import cached_volumes


@dataclass(frozen=True, slots=True)
class TrendRow:
    """One period. ``None`` means "no data" (a gap), never zero."""

    period_start: datetime  # aware, in the campaign timezone
    period_end: datetime
    partial: bool  # the period had not ended when the table was made
    signatures: int | None  # the petition's last count in the period
    signatures_change: int | None  # since the previous period's last count
    signatures_per_hour: float | None  # that change over the hours between the two counts
    posts: int
    posts_reddit: int | None  # None when the table is limited to another platform
    posts_bluesky: int | None
    engagement: int  # likes + replies + reposts, as last seen, of the period's posts
    authors: int | None  # distinct authors; None when no post's author is known any more
    top_language: str | None
    top_subreddit: str | None


@dataclass(frozen=True, slots=True)
class TrendTable:
    by: By
    timezone: str
    petition: str | None  # the config id of the petition in the signature columns
    platform: str | None  # None: all platforms
    rows: tuple[TrendRow, ...]


def _pace(reading: Reading | None, previous: Reading | None) -> tuple[int | None, float | None]:
    if reading is None or previous is None:
        return None, None
    change = reading.count - previous.count
    hours = (reading.taken_at - previous.taken_at).total_seconds() / 3600
    return change, round(change / hours, 2) if hours > 0 else None


def project(
    periods: Periods,
    aggregates: Aggregates,
    *,
    now: datetime,
    platform: str | None = None,
    petition: str | None = None,
) -> TrendTable:
    """One row per period, in order; periods without posts have zero posts and no top values."""
    rows = []
    signatures = aggregates.signatures
    for i, (start, stop) in enumerate(periods.spans()):
        reading = signatures.get(i)
        change, per_hour = _pace(reading, signatures.get(BEFORE if i == 0 else i - 1))
        volume = aggregates.volume.get(i, NO_POSTS)
        counts = volume.by_platform
        shown = {name: (None if platform not in (None, name) else counts[name]) for name in PLATFORMS}
        rows.append(
            TrendRow(
                period_start=start.astimezone(periods.tz),
                period_end=stop.astimezone(periods.tz),
                partial=stop > now,
                signatures=None if reading is None else reading.count,
                signatures_change=change,
                signatures_per_hour=per_hour,
                posts=volume.posts,
                posts_reddit=shown["reddit"],
                posts_bluesky=shown["bluesky"],
                engagement=volume.engagement,
                # None (unknown) only when there were posts but none still has its author.
                authors=volume.authors if volume.with_author or not volume.posts else None,
                top_language=volume.top_language,
                top_subreddit=volume.top_subreddit,
            )
        )
    return TrendTable(
        by=periods.by,
        timezone=periods.tz.key,
        petition=petition,
        platform=platform,
        rows=tuple(rows),
    )


def aggregate(
    session: Session,
    periods: Periods,
    *,
    now: datetime,
    platform: str | None = None,
    petition_key: str | None = None,
) -> Aggregates:
    """The table's figures: finished days and weeks from their rollups, the rest from the posts."""
    volume = cached_volumes(session, periods, now, platform)
    rest = [(i, start, stop) for i, (start, stop) in enumerate(periods.spans()) if i not in volume]
    volume.update(volumes(session, rest, platform))
    return Aggregates(
        volume=volume,
        signatures={} if petition_key is None else petition_readings(session, periods, petition_key),
    )


def trend_table(
    session: Session,
    periods: Periods,
    *,
    now: datetime,
    platform: str | None = None,
    petition: str | None = None,
) -> TrendTable:
    """The trend table over ``periods``; ``petition`` is the config id of the petition to show."""
    aggregates = aggregate(session, periods, now=now, platform=platform, petition_key=petition)
    return project(periods, aggregates, now=now, platform=platform, petition=petition)
