"""The queries behind a digest: a period's numbers from the database, as plain data.

Counting is done by the database (``GROUP BY`` over the indexed ``created_at`` and
``(platform, created_at)`` columns); Python only receives totals and a bounded
sample of the most engaging posts. Of a petition's month of snapshots it receives the
period's and the few older ones that decide a figure (``load_petitions``).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, CompoundSelect, ScalarSelect, case, func, select, union_all
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from bot.config import Config
from bot.petitions import WINDOWS, goal_of, shown_name
from bot.sources import JETSTREAM_CURSOR_CHECKPOINT, polled_checkpoint
from bot.storage import Checkpoint, Petition, PetitionSnapshot, Post

from ._model import NameCount, Period

SERIES_DAYS = 30
HISTORY_DAYS = SERIES_DAYS + 1  # how far back a petition's snapshots count
BASELINE_DAYS = 7
# The checkpoints whose moving shows that a platform's posts were being collected: a finished
# poll (the daemon's or the CLI's) or the Jetstream cursor.
_COLLECTING = {
    "reddit": (polled_checkpoint("reddit"), polled_checkpoint("reddit-search")),
    "bluesky": (polled_checkpoint("bluesky"), JETSTREAM_CURSOR_CHECKPOINT),
}
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
    # Oldest first: those of the last 31 days that decide a figure (see load_petitions),
    # or else the last one known.
    snapshots: tuple[SnapshotRow, ...]


@dataclass(frozen=True)
class PlatformData:
    platform: str
    posts: int
    baseline_posts: int  # in the 7 days before the period
    # Evidence that collection ran up to the period's end: the newest post first seen, and the
    # last finished poll or stream progress (engagement refreshes, which only re-read known posts,
    # are no evidence of it).
    last_new_post: datetime | None
    last_collected: datetime | None
    # The oldest post collected: days before it were not collected, so they are not zeros.
    first_post: datetime | None


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


def _local_days(end: datetime, timezone: str, count: int) -> list[tuple[datetime, datetime]]:
    """The UTC spans of the ``count`` local days up to the one holding the last instant before ``end``."""
    zone = ZoneInfo(timezone)
    last = (end - timedelta(microseconds=1)).astimezone(zone).date()
    midnights = [
        datetime.combine(last + timedelta(days=1 - back), time(0), tzinfo=zone).astimezone(UTC)
        for back in range(count, -1, -1)
    ]
    return list(itertools.pairwise(midnights))


def _deciding_older_ids(
    petition_ids: Sequence[int],
    since: datetime,
    until: datetime,
    end: datetime,
    days: Sequence[tuple[datetime, datetime]],
) -> CompoundSelect[int]:
    """Of each petition's snapshots in ``[since, until)``, the ids of the few that can still
    decide a figure at ``end``.

    Every snapshot after ``until`` is read anyway. Of the ones before, the figures read only:

    * the newest trusted, unflagged and state-bearing ones: the last count when nothing newer
      is trusted, what the next snapshot's milestones are judged against, the last state;
    * each local day's newest trusted one (the chart's series);
    * for each pace window W (``bot.petitions``), the newest trusted one at or before
      ``end - W`` and the oldest at or after it: the ends of the change and the pace over W.

    Any other snapshot of the month would change no figure. Each of these is one probe down
    the ``(petition_id, taken_at)`` index per petition.
    """
    snap = aliased(PetitionSnapshot)
    at = snap.taken_at
    trusted = snap.trusted.expression

    def first(
        which: ColumnElement[bool],
        low: ColumnElement[bool],
        high: ColumnElement[bool],
        *,
        newest: bool = True,
    ) -> ScalarSelect[int]:
        # Exactly one bound each way: given two lower bounds, SQLite seeks by one of them and
        # filters by the other, walking the index for weeks instead of stopping at one row.
        return (
            select(snap.id)
            .where(snap.petition_id == Petition.id, low, high, which)
            .order_by(at.desc() if newest else at)
            .limit(1)
            .correlate_except(snap)
            .scalar_subquery()
        )

    probes = [
        first(c, at >= since, at < until) for c in (trusted, snap.flag.is_(None), snap.state.isnot(None))
    ]
    probes += [
        first(trusted, at >= max(start, since), at < min(stop, until))
        for start, stop in days
        if start < until
    ]
    for window in WINDOWS.values():
        edge = end - window
        if since <= edge < until:
            probes += [
                first(trusted, at >= since, at <= edge),
                first(trusted, at >= edge, at < until, newest=False),
            ]
    return union_all(*(select(probe).where(Petition.id.in_(petition_ids)) for probe in probes))


def load_petitions(
    session: Session, config: Config, end: datetime, *, every_from: datetime
) -> tuple[PetitionData, ...]:
    """Each configured petition with the snapshots before ``end`` that decide its figures.

    Every snapshot from ``every_from`` on (the digest's day, the alerts' look-back); of the
    month before, only the few :func:`_deciding_older_ids` picks. The figures are those of
    the whole month, from a few hundred rows instead of ~9,000 a petition (5-minute snapshots).
    All petitions' rows come in one query.
    """
    keys = [spec.id for spec in config.petitions]
    rows = {row.key: row for row in session.scalars(select(Petition).where(Petition.key.in_(keys)))}
    ids = [row.id for row in rows.values()]
    snap = PetitionSnapshot
    columns = (snap.petition_id, snap.taken_at, snap.count, snap.state, snap.flag)
    days = _local_days(end, config.campaign.timezone, SERIES_DAYS)
    older = _deciding_older_ids(ids, end - timedelta(days=HISTORY_DAYS), every_from, end, days)
    both = union_all(
        select(*columns).where(snap.id.in_(older)),
        select(*columns).where(snap.petition_id.in_(ids), snap.taken_at >= every_from, snap.taken_at < end),
    ).subquery()
    snapshots: dict[int, list[SnapshotRow]] = {}
    # Plain rows, not ORM objects.
    found = session.execute(select(both).order_by(both.c.petition_id, both.c.taken_at)) if ids else ()
    for petition_id, *values in found:
        snapshots.setdefault(petition_id, []).append(SnapshotRow(*values))
    out = []
    for spec in config.petitions:
        row = rows.get(spec.id)
        if row is not None and row.id not in snapshots:  # nothing for a month: the last one known
            last = select(*columns[1:]).where(snap.petition_id == row.id, snap.taken_at < end)
            newest = session.execute(last.order_by(snap.taken_at.desc()).limit(1)).first()
            snapshots[row.id] = [SnapshotRow(*newest)] if newest else []
        out.append(
            PetitionData(
                key=spec.id,
                name=shown_name(spec, row),
                url=spec.url,
                goal=goal_of(spec, row),
                milestones=tuple(sorted(spec.milestones)),
                snapshots=tuple(snapshots.get(row.id, ()) if row else ()),
            )
        )
    return tuple(out)


def load_platforms(session: Session, platforms: Sequence[str], period: Period) -> tuple[PlatformData, ...]:
    base_start = period.start - timedelta(days=BASELINE_DAYS)
    in_period = func.sum(case((Post.created_at >= period.start, 1), else_=0))
    # Naming the platforms lets the (platform, created_at) index answer alone, without
    # reading the eight days' rows from the table.
    counts = {
        platform: (int(now or 0), int(total or 0) - int(now or 0))
        for platform, now, total in session.execute(
            select(Post.platform, in_period, func.count())
            .where(Post.platform.in_(platforms), Post.created_at >= base_start, Post.created_at < period.end)
            .group_by(Post.platform)
        )
    }
    # One indexed max per platform: a GROUP BY over all posts would read the whole table.
    newest = {
        p: session.scalar(select(func.max(Post.first_seen_at)).where(Post.platform == p)) for p in platforms
    }
    oldest = {
        p: session.scalar(select(func.min(Post.created_at)).where(Post.platform == p)) for p in platforms
    }
    names = [name for p in platforms for name in _COLLECTING.get(p, ())]
    moved = dict(
        session.execute(
            select(Checkpoint.name, Checkpoint.updated_at).where(Checkpoint.name.in_(names))
        ).all()
    )
    return tuple(
        PlatformData(
            platform=p,
            posts=counts.get(p, (0, 0))[0],
            baseline_posts=counts.get(p, (0, 0))[1],
            last_new_post=newest.get(p),
            last_collected=max(
                (t for name in _COLLECTING.get(p, ()) if (t := moved.get(name)) is not None), default=None
            ),
            first_post=oldest[p],
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
        petitions=load_petitions(session, config, period.end, every_from=period.start),
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
