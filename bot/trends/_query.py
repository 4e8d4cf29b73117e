"""The trend table's aggregates, computed in the database: one query per metric family.

Every query joins the rows to a ``periods(i, start, stop)`` VALUES list (built in
``_periods`` with zoneinfo, so DST days are 23 or 25 hours long) on
``start <= created_at < stop`` and groups by ``i``. That is plain SQL on SQLite and
PostgreSQL alike, needs no timezone support in the database, and each period is an
index range scan on ``posts.created_at`` (``(platform, created_at)`` when a platform
is chosen) or ``petition_snapshots(petition_id, taken_at)``. Only per-period
aggregates come back to Python.
"""

from __future__ import annotations

from collections.abc import Sequence
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
)
from sqlalchemy import values as sql_values
from sqlalchemy.orm import InstrumentedAttribute, Session

from bot.storage import Petition, PetitionSnapshot, Post
from bot.storage._models import UtcDateTime

from ._periods import Periods

PLATFORMS = ("reddit", "bluesky")
BEFORE = -1  # the index of the period before the first one (petition counts only)


@dataclass(frozen=True, slots=True)
class Volume:
    """Posts created in one period."""

    posts: int
    by_platform: dict[str, int]
    engagement: int
    authors: int  # distinct non-empty author ids
    with_author: int  # posts whose author is still known (retention and deletions forget it)


@dataclass(frozen=True, slots=True)
class Reading:
    """The last unflagged petition snapshot of one period."""

    count: int
    taken_at: datetime


@dataclass(frozen=True, slots=True)
class Aggregates:
    """Per-period aggregates keyed by period index; a missing index means no data."""

    volume: dict[int, Volume]
    top_language: dict[int, str]
    top_subreddit: dict[int, str]
    signatures: dict[int, Reading]  # includes BEFORE


def _periods_cte(spans: Sequence[tuple[int, datetime, datetime]]) -> CTE:
    table = sql_values(
        column("i", Integer), column("start", UtcDateTime()), column("stop", UtcDateTime()), name="periods"
    )
    return table.data(list(spans)).cte("periods")


def _indexed(periods: Periods) -> list[tuple[int, datetime, datetime]]:
    return [(i, start, stop) for i, (start, stop) in enumerate(periods.spans())]


def _post_filters(platform: str | None) -> list[ColumnElement[bool]]:
    return [] if platform is None else [Post.platform == platform]


def post_volume(session: Session, periods: Periods, platform: str | None = None) -> dict[int, Volume]:
    """Posts, posts per platform, engagement and distinct authors of each period with posts."""
    p = _periods_cte(_indexed(periods))
    per_platform = [func.count(Post.id).filter(Post.platform == name) for name in PLATFORMS]
    stmt = (
        select(
            p.c.i,
            func.count(Post.id),
            func.coalesce(func.sum(Post.engagement), 0),
            func.count(distinct(Post.author_id)),
            func.count(Post.author_id),
            *per_platform,
        )
        .select_from(p)
        .join(Post, and_(Post.created_at >= p.c.start, Post.created_at < p.c.stop))
        .where(*_post_filters(platform))
        .group_by(p.c.i)
    )
    out = {}
    for i, posts, engagement, authors, with_author, *counts in session.execute(stmt):
        out[i] = Volume(
            posts=posts,
            by_platform=dict(zip(PLATFORMS, counts, strict=True)),
            engagement=int(engagement),
            authors=authors,
            with_author=with_author,
        )
    return out


def top_values(
    session: Session, periods: Periods, platform: str | None = None
) -> tuple[dict[int, str], dict[int, str]]:
    """The most common language and subreddit of each period (ties: alphabetical first)."""
    p = _periods_cte(_indexed(periods))
    in_period = and_(Post.created_at >= p.c.start, Post.created_at < p.c.stop)

    def counted(
        kind: str, value: InstrumentedAttribute[str | None], *where: ColumnElement[bool]
    ) -> Select[Any]:
        return (
            select(p.c.i, literal(kind, String).label("kind"), value.label("value"), func.count().label("n"))
            .select_from(p)
            .join(Post, in_period)
            .where(value.is_not(None), *_post_filters(platform), *where)
            .group_by(p.c.i, value)
        )

    both = counted("language", Post.lang).union_all(
        counted("subreddit", Post.community, Post.platform == "reddit")
    )
    u = both.subquery()
    rank = func.row_number().over(partition_by=(u.c.i, u.c.kind), order_by=(u.c.n.desc(), u.c.value))
    ranked = select(u.c.i, u.c.kind, u.c.value, rank.label("r")).subquery()
    languages: dict[int, str] = {}
    subreddits: dict[int, str] = {}
    for i, kind, value in session.execute(
        select(ranked.c.i, ranked.c.kind, ranked.c.value).where(ranked.c.r == 1)
    ):
        (languages if kind == "language" else subreddits)[i] = value
    return languages, subreddits


def petition_readings(session: Session, periods: Periods, petition_key: str) -> dict[int, Reading]:
    """Each period's last unflagged count of one petition, with the period before the first as BEFORE."""
    p = _periods_cte([(BEFORE, *periods.before()), *_indexed(periods)])
    s = PetitionSnapshot
    rank = func.row_number().over(partition_by=p.c.i, order_by=s.taken_at.desc())
    ranked = (
        select(p.c.i, s.count, s.taken_at, rank.label("r"))
        .select_from(p)
        .join(s, and_(s.taken_at >= p.c.start, s.taken_at < p.c.stop))
        .join(Petition, Petition.id == s.petition_id)
        # A flagged count (a fall, an implausible jump) is not a reading until a later one confirms it.
        .where(Petition.key == petition_key, s.flag.is_(None))
        .subquery()
    )
    stmt = select(ranked.c.i, ranked.c.count, ranked.c.taken_at).where(ranked.c.r == 1)
    return {i: Reading(count=count, taken_at=taken_at) for i, count, taken_at in session.execute(stmt)}


def aggregate(
    session: Session, periods: Periods, *, platform: str | None = None, petition_key: str | None = None
) -> Aggregates:
    """All the trend table's aggregates: three queries (posts, top values, petition)."""
    languages, subreddits = top_values(session, periods, platform)
    return Aggregates(
        volume=post_volume(session, periods, platform),
        top_language=languages,
        top_subreddit=subreddits,
        signatures={} if petition_key is None else petition_readings(session, periods, petition_key),
    )


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
