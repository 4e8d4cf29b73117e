"""The queries behind a digest: a period's numbers from the database, as plain data.

Counting is done by the database (``GROUP BY`` over the indexed ``created_at`` and
``(platform, created_at)`` columns); Python only receives totals and a bounded
sample of the most engaging posts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from bot.config import Config
from bot.storage import JobRun, Petition, PetitionSnapshot, Post

from ._model import NameCount, Period

SERIES_DAYS = 30
BASELINE_DAYS = 7
# Most engaging posts read per platform: the top posts are chosen from these (after the
# care check) and the background articles are matched against their words.
SAMPLE_PER_PLATFORM = 100
TOP_NAMES = 5


@dataclass(frozen=True)
class SnapshotRow:
    taken_at: datetime
    count: int
    state: str | None
    flag: str | None


@dataclass(frozen=True)
class PetitionData:
    key: str
    name: str
    url: str
    goal: int | None
    milestones: tuple[int, ...]
    snapshots: tuple[SnapshotRow, ...]  # oldest first: the last 30 days, or else the last one known


@dataclass(frozen=True)
class PlatformData:
    platform: str
    posts: int
    baseline_posts: int  # in the 7 days before the period
    # Evidence that collection ran up to the period's end: newest sighting and last good poll.
    last_seen: datetime | None
    last_poll: datetime | None


@dataclass(frozen=True)
class PostRow:
    platform: str
    url: str
    title: str | None
    text: str | None
    community: str | None
    likes: int
    replies: int
    reposts: int


@dataclass(frozen=True)
class DigestData:
    petitions: tuple[PetitionData, ...]
    platforms: tuple[PlatformData, ...]
    sample: tuple[PostRow, ...]  # live, not sensitive, most engaging first within each platform
    sensitive: int
    subreddits: tuple[NameCount, ...]
    languages: tuple[NameCount, ...]
    new_authors: int


def enabled_platforms(config: Config) -> tuple[str, ...]:
    return tuple(
        name
        for name, section in (("reddit", config.reddit), ("bluesky", config.bluesky))
        if section and section.enabled
    )


def _in_period(period: Period) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return (Post.created_at >= period.start, Post.created_at < period.end)


def load_petitions(session: Session, config: Config, end: datetime) -> tuple[PetitionData, ...]:
    out = []
    for spec in config.petitions:
        row = session.scalars(select(Petition).where(Petition.key == spec.id)).first()
        snapshots: Sequence[tuple[datetime, int, str | None, str | None]] = ()
        if row is not None:
            # Plain rows, not ORM objects: a month of 5-minute snapshots is ~9,000 rows a petition.
            snap = PetitionSnapshot
            recent = select(snap.taken_at, snap.count, snap.state, snap.flag).where(
                PetitionSnapshot.petition_id == row.id, PetitionSnapshot.taken_at < end
            )
            snapshots = (
                session.execute(
                    recent.where(PetitionSnapshot.taken_at >= end - timedelta(days=SERIES_DAYS + 1)).order_by(
                        PetitionSnapshot.taken_at
                    )
                )
                .tuples()
                .all()
            )
            if not snapshots:
                snapshots = (
                    session.execute(recent.order_by(PetitionSnapshot.taken_at.desc()).limit(1)).tuples().all()
                )
        out.append(
            PetitionData(
                key=spec.id,
                name=spec.name or (row.title if row and row.title else spec.id),
                url=spec.url,
                goal=spec.goal if spec.goal is not None else (row.goal if row else None),
                milestones=tuple(sorted(spec.milestones)),
                snapshots=tuple(SnapshotRow(*s) for s in snapshots),
            )
        )
    return tuple(out)


def load_platforms(session: Session, platforms: Sequence[str], period: Period) -> tuple[PlatformData, ...]:
    base_start = period.start - timedelta(days=BASELINE_DAYS)
    in_period = func.sum(case((Post.created_at >= period.start, 1), else_=0))
    counts = {
        platform: (int(now or 0), int(total or 0) - int(now or 0))
        for platform, now, total in session.execute(
            select(Post.platform, in_period, func.count())
            .where(Post.created_at >= base_start, Post.created_at < period.end)
            .group_by(Post.platform)
        )
    }
    # One indexed max per platform: a GROUP BY over all posts would read the whole table.
    seen = {
        p: session.scalar(select(func.max(Post.last_seen_at)).where(Post.platform == p)) for p in platforms
    }
    polls = dict(
        session.execute(
            select(JobRun.job, func.max(JobRun.finished_at))
            .where(JobRun.status == "ok", JobRun.job.in_([f"poll_{p}" for p in platforms]))
            .group_by(JobRun.job)
        ).all()
    )
    return tuple(
        PlatformData(
            platform=p,
            posts=counts.get(p, (0, 0))[0],
            baseline_posts=counts.get(p, (0, 0))[1],
            last_seen=seen.get(p),
            last_poll=polls.get(f"poll_{p}"),
        )
        for p in platforms
    )


def load_sample(session: Session, period: Period) -> tuple[PostRow, ...]:
    rank = (
        func.row_number()
        .over(partition_by=Post.platform, order_by=(Post.engagement.desc(), Post.created_at, Post.id))
        .label("rank")
    )
    ranked = (
        select(
            Post.platform,
            Post.url,
            Post.title,
            Post.text,
            Post.community,
            Post.likes,
            Post.replies,
            Post.reposts,
            rank,
        )
        .where(*_in_period(period), Post.state == "live", Post.sensitive.is_(False))
        .subquery()
    )
    rows = session.execute(
        select(ranked).where(ranked.c.rank <= SAMPLE_PER_PLATFORM).order_by(ranked.c.platform, ranked.c.rank)
    )
    return tuple(PostRow(*row[:8]) for row in rows)


def _top_names(
    session: Session, column: InstrumentedAttribute[str | None], period: Period, *where: ColumnElement[bool]
) -> tuple[NameCount, ...]:
    count = func.count().label("n")
    rows = session.execute(
        select(column, count)
        .where(*_in_period(period), column.isnot(None), *where)
        .group_by(column)
        .order_by(count.desc(), column)
        .limit(TOP_NAMES)
    )
    return tuple(NameCount(str(name), int(n)) for name, n in rows)


def load_new_authors(session: Session, period: Period) -> int:
    """Authors whose first post we know of falls inside the period.

    Starts from the period's authors and looks each one up in the (author_id, created_at) index,
    so the cost follows the day's volume, not the size of the history.
    """
    earlier = aliased(Post)
    before = (
        select(earlier.id)
        .where(
            earlier.platform == Post.platform,
            earlier.author_id == Post.author_id,
            earlier.created_at < period.start,
        )
        .exists()
    )
    newcomers = (
        select(Post.platform, Post.author_id)
        .where(Post.author_id.isnot(None), *_in_period(period), ~before)
        .distinct()
        .subquery()
    )
    return int(session.scalar(select(func.count()).select_from(newcomers)) or 0)


def load_digest_data(session: Session, config: Config, period: Period) -> DigestData:
    platforms = enabled_platforms(config)
    sensitive = session.scalar(
        select(func.count()).select_from(Post).where(*_in_period(period), Post.sensitive.is_(True))
    )
    return DigestData(
        petitions=load_petitions(session, config, period.end),
        platforms=load_platforms(session, platforms, period),
        sample=load_sample(session, period),
        sensitive=int(sensitive or 0),
        subreddits=_top_names(session, Post.community, period, Post.platform == "reddit"),
        languages=_top_names(session, Post.lang, period),
        new_authors=load_new_authors(session, period),
    )


def load_hourly(session: Session, since: datetime, until: datetime) -> dict[str, dict[datetime, int]]:
    """Posts per platform per UTC hour in ``[since, until)``; hours without posts are absent."""
    if session.get_bind().dialect.name == "postgresql":
        hour = func.to_char(Post.created_at, "YYYY-MM-DD HH24")
    else:
        hour = func.strftime("%Y-%m-%d %H", Post.created_at)
    rows = session.execute(
        select(Post.platform, hour.label("hour"), func.count())
        .where(Post.created_at >= since, Post.created_at < until)
        .group_by(Post.platform, hour)
    )
    out: dict[str, dict[datetime, int]] = {}
    for platform, label, n in rows:
        at = datetime.strptime(label, "%Y-%m-%d %H").replace(tzinfo=UTC)
        out.setdefault(platform, {})[at] = int(n)
    return out
