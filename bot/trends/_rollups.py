"""Rollups: the trend figures of finished days and weeks, stored so tables need not recount.

A year's daily table aggregated from a million posts takes seconds; read from 365 rollup
rows it takes milliseconds. The rollups are a cache of ``posts`` and are never trusted
blindly: a period is read from its rollup only if it has ended, its rollup exists for this
timezone, and no post change noted since (``post_changes``, written by every storage write
in the same transaction) overlaps it. Everything else is counted from the posts
(``_query``), so a missing or stale rollup makes a table slower, never wrong.

``refresh_rollups`` (the daemon's ``rollups`` job) builds what is missing, rebuilds what
the noted changes overlap and then drops those notes.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from bot.storage import Post, PostChange, TrendRollup

from ._periods import By, Periods, cut_periods
from ._query import NO_POSTS, PLATFORMS, Span, Volume, platform_tallies, summarise

ROLLED: tuple[By, ...] = ("day", "week")
ALL = "*"  # the scope of the all-platform figures
# Periods per query and transaction while rebuilding: short transactions, a bounded VALUES list.
_BATCH = 100
_T = TypeVar("_T")


def _batches(items: Sequence[_T]) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), _BATCH):
        yield items[start : start + _BATCH]


class _Spans:
    """Merged ``[start, stop)`` spans, asked whether they overlap a period."""

    def __init__(self, spans: Sequence[tuple[datetime, datetime]]) -> None:
        merged: list[list[datetime]] = []
        for start, stop in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], stop)
            else:
                merged.append([start, stop])
        self._starts = [m[0] for m in merged]
        self._stops = [m[1] for m in merged]

    def overlaps(self, start: datetime, stop: datetime) -> bool:
        k = bisect_right(self._starts, start) - 1  # the last span starting at or before ``start``
        if k >= 0 and self._stops[k] > start:
            return True
        return k + 1 < len(self._starts) and self._starts[k + 1] < stop


def _finished(periods: Periods, now: datetime) -> list[Span]:
    return [(i, start, stop) for i, (start, stop) in enumerate(periods.spans()) if stop <= now]


def cached_volumes(
    session: Session, periods: Periods, now: datetime, platform: str | None = None
) -> dict[int, Volume]:
    """The figures of the periods that can be read from rollups, by period index."""
    finished = _finished(periods, now) if periods.by in ROLLED else []
    if not finished:
        return {}
    low, high = finished[0][1], finished[-1][2]
    pending = _Spans(
        session.execute(
            select(PostChange.start, PostChange.stop).where(PostChange.stop > low, PostChange.start < high)
        ).all()
    )
    r = TrendRollup
    # All platforms: the "*" rows, and the platform rows for the posts per platform.
    scopes = [platform] if platform else [ALL, *PLATFORMS]
    rows = session.execute(
        select(r.start, r.stop, r.scope, r.posts, r.engagement, r.authors, r.with_author)
        .add_columns(r.top_language, r.top_subreddit)
        .where(
            r.timezone == periods.tz.key,
            r.by == periods.by,
            r.scope.in_(scopes),
            r.start >= low,
            r.start < high,
        )
    )
    stored: dict[tuple[datetime, str], tuple[Any, ...]] = {(row[0], row[2]): tuple(row) for row in rows}
    main = platform or ALL
    shown = [platform] if platform else PLATFORMS
    out = {}
    for i, start, stop in finished:
        row = stored.get((start, main))
        if row is None or row[1] != stop or pending.overlaps(start, stop):
            continue
        # A platform row is always written with its "*" row (see _rebuild).
        by_platform = dict.fromkeys(PLATFORMS, 0) | {name: stored[(start, name)][3] for name in shown}
        _, _, _, posts, engagement, authors, with_author, language, subreddit = row
        out[i] = Volume(posts, by_platform, engagement, authors, with_author, language, subreddit)
    return out


def refresh_rollups(sessions: sessionmaker[Session], tz: ZoneInfo, now: datetime) -> int:
    """Bring the rollups of ``tz`` up to date with the posts; how many periods were (re)built.

    Each batch of periods commits on its own, so a first build over a long history never holds
    SQLite's write lock for long. The notes read at the start are dropped only at the end: a
    crash in between leaves them, and a note written meanwhile (not read) survives to the next
    refresh, so every change is rolled up at least once after it was made.
    """
    with sessions.begin() as session:
        changes = session.execute(select(PostChange.id, PostChange.start, PostChange.stop)).all()
        # Only one timezone is kept current: another's rollups would go stale unnoticed once the
        # notes below are dropped.
        session.execute(delete(TrendRollup).where(TrendRollup.timezone != tz.key))
        first = session.scalar(select(func.min(Post.created_at)))
        todo: list[tuple[By, list[tuple[datetime, datetime]]]] = []
        if first is not None and first < now:
            dirty = _Spans([(start, stop) for _, start, stop in changes])
            for by in ROLLED:
                r = TrendRollup
                have = set(
                    session.scalars(select(r.start).where(r.timezone == tz.key, r.by == by, r.scope == ALL))
                )
                spans = [
                    (start, stop)
                    for _, start, stop in _finished(cut_periods(first, now, by, tz), now)
                    if start not in have or dirty.overlaps(start, stop)
                ]
                todo.append((by, spans))
    for by, spans in todo:
        for batch in _batches(spans):
            with sessions.begin() as session:
                _rebuild(session, tz.key, by, batch, now)
    with sessions.begin() as session:
        for ids in _batches([change_id for change_id, _, _ in changes]):
            session.execute(delete(PostChange).where(PostChange.id.in_(ids)))
    return sum(len(spans) for _, spans in todo)


def _rebuild(
    session: Session, tz: str, by: str, spans: Sequence[tuple[datetime, datetime]], now: datetime
) -> None:
    found = platform_tallies(session, [(i, start, stop) for i, (start, stop) in enumerate(spans)])
    r = TrendRollup
    session.execute(delete(r).where(r.timezone == tz, r.by == by, r.start.in_([start for start, _ in spans])))
    rows = []
    for i, (start, stop) in enumerate(spans):
        parts = found.get(i, {})
        scoped = {ALL: summarise(parts)}
        scoped |= {name: summarise({name: parts[name]}) if name in parts else NO_POSTS for name in PLATFORMS}
        for scope, v in scoped.items():
            rows.append({
                "timezone": tz, "by": by, "scope": scope, "start": start, "stop": stop,
                "posts": v.posts, "engagement": v.engagement, "authors": v.authors,
                "with_author": v.with_author, "top_language": v.top_language,
                "top_subreddit": v.top_subreddit, "computed_at": now,
            })  # fmt: skip
    session.execute(insert(r), rows)
