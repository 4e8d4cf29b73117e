"""The trend table's aggregates, computed from the stored rows in the database.

Post queries join the rows to a ``periods(i, start, stop)`` VALUES list (built in
``_periods`` with zoneinfo, so DST days are 23 or 25 hours long) on
``start <= created_at < stop`` and group by ``i`` and platform. That is plain SQL on SQLite
and PostgreSQL alike, needs no timezone support in the database, and each period is an
index range scan on ``posts.created_at`` (``(platform, created_at)`` when a platform is
chosen). Only per-period, per-platform aggregates come back to Python, where they combine
(``combine``): the all-platform figures are sums, distinct authors included, because author
ids never coincide across platforms (Reddit ``t2_...`` fullnames, Bluesky ``did:...``).

Finished days and weeks are usually read from ``_rollups`` instead; these queries serve
the rest (today, the last hours, periods whose posts changed since the last rollup).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    column,
    distinct,
    func,
    literal,
    select,
    text,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from bot.storage import Petition, PetitionSnapshot, Post, to_driver
from bot.storage._models import UtcDateTime

from ._periods import Periods

PLATFORMS = ("reddit", "bluesky")
BEFORE = -1  # the index of the period before the first one (petition counts only)

Span = tuple[int, datetime, datetime]  # (period index, start, stop)


@dataclass(frozen=True, slots=True)
class Volume:
    """What the trend table shows of the posts created in one period (one platform, or all)."""

    posts: int
    by_platform: dict[str, int]
    engagement: int
    authors: int  # distinct non-empty author ids
    with_author: int  # posts whose author is still known (retention and deletions forget it)
    top_language: str | None  # the most common detected language (ties: alphabetical first)
    top_subreddit: str | None


NO_POSTS = Volume(0, dict.fromkeys(PLATFORMS, 0), 0, 0, 0, None, None)


@dataclass(frozen=True, slots=True)
class Tally:
    """One platform's posts of one period, counted so that platforms can be added up."""

    posts: int
    engagement: int
    authors: int
    with_author: int
    languages: dict[str, int]  # posts per detected language
    subreddits: dict[str, int]  # Reddit posts per subreddit


@dataclass(frozen=True, slots=True)
class Reading:
    """The last unflagged petition snapshot of one period."""

    count: int
    taken_at: datetime


@dataclass(frozen=True, slots=True)
class Aggregates:
    """Per-period aggregates keyed by period index; a missing index means no data."""

    volume: dict[int, Volume]
    signatures: dict[int, Reading]  # includes BEFORE


def _counted(counts: Iterable[dict[str, int]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for part in counts:
        for value, n in part.items():
            out[value] = out.get(value, 0) + n
    return out


def _top(counts: dict[str, int]) -> str | None:
    return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0] if counts else None


def summarise(parts: dict[str, Tally]) -> Volume:
    """The figures of the given platforms' posts of one period as one (see the module doc)."""
    if not parts:
        return NO_POSTS
    tallies = parts.values()
    return Volume(
        posts=sum(t.posts for t in tallies),
        by_platform={name: parts[name].posts if name in parts else 0 for name in PLATFORMS},
        engagement=sum(t.engagement for t in tallies),
        authors=sum(t.authors for t in tallies),
        with_author=sum(t.with_author for t in tallies),
        top_language=_top(_counted(t.languages for t in tallies)),
        top_subreddit=_top(_counted(t.subreddits for t in tallies)),
    )


# The periods as a table ``periods(i, start, stop)`` read from bound parameters. A VALUES list
# would write every boundary into the SQL text: a new statement per table, compiled every time
# (120 ms for a year of days) and never cached. From one JSON array (SQLite) or three arrays
# (PostgreSQL) the SQL stays the same, and SQLAlchemy and the database keep it compiled.
_PERIODS_SQL = {
    "sqlite": "SELECT json_extract(value, '$[0]') AS i, json_extract(value, '$[1]') AS start, "
    "json_extract(value, '$[2]') AS stop FROM json_each(:periods)",
    "postgresql": "SELECT * FROM unnest(CAST(:i AS integer[]), CAST(:start AS timestamp[]), "
    "CAST(:stop AS timestamp[])) AS periods (i, start, stop)",
}


def _periods_cte(session: Session, spans: Sequence[Span]) -> CTE:
    dialect = session.get_bind().dialect
    # The column type's own conversion, so boundaries compare with stored times as stored.
    to_db = to_driver(UtcDateTime(), dialect)
    if dialect.name == "sqlite":
        rows = [[i, to_db(start), to_db(stop)] for i, start, stop in spans]
        params: dict[str, Any] = {"periods": json.dumps(rows)}
    else:
        params = {
            "i": [i for i, _, _ in spans],
            "start": [to_db(start) for _, start, _ in spans],
            "stop": [to_db(stop) for _, _, stop in spans],
        }
    table = text(_PERIODS_SQL[dialect.name]).bindparams(**params)
    return table.columns(
        column("i", Integer), column("start", UtcDateTime()), column("stop", UtcDateTime())
    ).cte("periods")


def indexed(periods: Periods) -> list[Span]:
    return [(i, start, stop) for i, (start, stop) in enumerate(periods.spans())]


def _post_filters(platform: str | None) -> list[ColumnElement[bool]]:
    return [] if platform is None else [Post.platform == platform]


def platform_tallies(
    session: Session, spans: Sequence[Span], platform: str | None = None
) -> dict[int, dict[str, Tally]]:
    """Each period's figures per platform (only periods and platforms with posts): two queries."""
    if not spans:
        return {}
    p = _periods_cte(session, spans)
    in_period = and_(Post.created_at >= p.c.start, Post.created_at < p.c.stop)
    counts = (
        select(
            p.c.i,
            Post.platform,
            func.count(Post.id),
            func.coalesce(func.sum(Post.engagement), 0),
            func.count(distinct(Post.author_id)),
            func.count(Post.author_id),
        )
        .select_from(p)
        .join(Post, in_period)
        .where(*_post_filters(platform))
        .group_by(p.c.i, Post.platform)
    )

    def counted(kind: str, value: InstrumentedAttribute[str | None]) -> Select[Any]:
        return (
            select(p.c.i, Post.platform, literal(kind, String).label("kind"), value, func.count())
            .select_from(p)
            .join(Post, in_period)
            .where(value.is_not(None), *_post_filters(platform))
            .group_by(p.c.i, Post.platform, value)
        )

    values: dict[tuple[int, str, str], dict[str, int]] = {}
    for i, name, kind, value, n in session.execute(
        counted("language", Post.lang).union_all(counted("subreddit", Post.community))
    ):
        values.setdefault((i, name, kind), {})[value] = n
    out: dict[int, dict[str, Tally]] = {}
    for i, name, posts, engagement, authors, with_author in session.execute(counts):
        out.setdefault(i, {})[name] = Tally(
            posts=posts,
            engagement=int(engagement),
            authors=authors,
            with_author=with_author,
            languages=values.get((i, name, "language"), {}),
            subreddits=values.get((i, name, "subreddit"), {}),
        )
    return out


def post_volume(session: Session, periods: Periods, platform: str | None = None) -> dict[int, Volume]:
    """The figures of each period with posts, from the posts themselves."""
    return volumes(session, indexed(periods), platform)


def volumes(session: Session, spans: Sequence[Span], platform: str | None = None) -> dict[int, Volume]:
    return {i: summarise(parts) for i, parts in platform_tallies(session, spans, platform).items()}


def petition_readings(session: Session, periods: Periods, petition_key: str) -> dict[int, Reading]:
    """Each period's last trusted count of one petition, with the period before the first as BEFORE.

    One index lookup per period (the newest trusted snapshot before its end, on
    ``(petition_id, taken_at)``) rather than joining every snapshot to the periods: a year of
    5-minute snapshots is 105,000 rows, a year of days 366 lookups.
    """
    petition_id = session.scalar(select(Petition.id).where(Petition.key == petition_key))
    if petition_id is None:
        return {}
    p = _periods_cte(session, [(BEFORE, *periods.before()), *indexed(periods)])
    s = PetitionSnapshot
    last = (
        select(s.id)
        # A flagged count (a fall, an implausible jump) is not a reading until a later one confirms it.
        .where(s.petition_id == petition_id, s.trusted, s.taken_at >= p.c.start, s.taken_at < p.c.stop)
        .order_by(s.taken_at.desc())
        .limit(1)
        .correlate(p)
        .scalar_subquery()
    )
    rows = session.execute(select(p.c.i, s.count, s.taken_at).select_from(p).join(s, s.id == last))
    return {i: Reading(count=count, taken_at=taken_at) for i, count, taken_at in rows}


def language_totals(
    session: Session, since: datetime, until: datetime, platform: str | None = None
) -> list[tuple[str | None, int]]:
    """Posts per detected language (``None``: undetected) created in ``[since, until)``, most first."""
    n = func.count(Post.id)
    stmt = (
        select(Post.lang, n)
        .where(Post.created_at >= since, Post.created_at < until, *_post_filters(platform))
        .group_by(Post.lang)
        .order_by(n.desc(), Post.lang)
    )
    return [(lang, count) for lang, count in session.execute(stmt)]
