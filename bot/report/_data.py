"""Everything the report shows, read from the database in a handful of aggregate queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Config
from bot.petitions import goal_of, shown_name
from bot.seeds import SeedArticle
from bot.sources import Matcher, care_list_applied
from bot.storage import Petition, Post
from bot.trends import (
    By,
    Periods,
    TopPosts,
    TrendTable,
    Volume,
    cut_periods,
    language_totals,
    last_days,
    petition_readings,
    post_volume,
    top_posts,
    trend_table,
)

# Hourly signature points read well up to about six weeks; beyond that, daily.
HOURLY_UP_TO_DAYS = 45
TOP_POSTS = 10
TOP_LANGUAGES = 8


@dataclass(frozen=True, slots=True)
class PetitionSeries:
    key: str
    name: str
    url: str
    goal: int | None
    points: tuple[tuple[datetime, int | None], ...]  # (local time, count); None: no reading then

    def readings(self) -> list[tuple[datetime, int]]:
        return [(t, c) for t, c in self.points if c is not None]

    @property
    def latest(self) -> int | None:
        found = self.readings()
        return found[-1][1] if found else None

    @property
    def change(self) -> int | None:
        found = self.readings()
        return found[-1][1] - found[0][1] if len(found) > 1 else None

    @property
    def from_the_start(self) -> bool:
        """Whether there is a reading at the range's first point, so the change spans the range."""
        return bool(self.points) and self.points[0][1] is not None

    def per_day(self, span: timedelta = timedelta(days=7)) -> tuple[float, timedelta] | None:
        """The average daily gain over the last ``span`` of readings, and how long they cover."""
        found = self.readings()
        if len(found) < 2:
            return None
        last_at, last = found[-1]
        first_at, first = next((t, c) for t, c in found if t >= last_at - span)
        covered = last_at - first_at
        days = covered.total_seconds() / 86400
        return ((last - first) / days, covered) if days > 0 else None


@dataclass(frozen=True, slots=True)
class Report:
    title: str
    timezone: str
    generated_at: datetime  # local
    since: datetime  # local
    until: datetime  # local
    trends: TrendTable  # daily
    totals: Volume | None  # the whole range; None without posts
    collected: bool  # any post ever stored: before the first, counts would say 0, not "no data"
    last_week: Volume | None
    week_before: Volume | None
    petitions: tuple[PetitionSeries, ...]
    languages: tuple[tuple[str, int], ...]
    top: TopPosts
    articles: tuple[SeedArticle, ...]


def _series(session: Session, periods: Periods, key: str) -> tuple[tuple[datetime, int | None], ...]:
    readings = petition_readings(session, periods, key)
    points = []
    for i, (start, _stop) in enumerate(periods.spans()):
        reading = readings.get(i)
        at = start if reading is None else reading.taken_at
        points.append((at.astimezone(periods.tz), None if reading is None else reading.count))
    return tuple(points)


def _petitions(
    session: Session, config: Config, since: datetime, now: datetime
) -> tuple[PetitionSeries, ...]:
    tz = ZoneInfo(config.campaign.timezone)
    by: By = "hour" if now - since <= timedelta(days=HOURLY_UP_TO_DAYS) else "day"
    periods = cut_periods(since, now, by, tz)
    stored = {p.key: p for p in session.scalars(select(Petition))}
    out = []
    for petition in config.petitions:
        row = stored.get(petition.id)
        out.append(
            PetitionSeries(
                key=petition.id,
                name=shown_name(petition, row),
                url=petition.url,
                goal=goal_of(petition, row),
                points=_series(session, periods, petition.id),
            )
        )
    return tuple(out)


def _languages(session: Session, since: datetime, until: datetime) -> tuple[tuple[str, int], ...]:
    counted = [(lang or "unknown", n) for lang, n in language_totals(session, since, until)]
    head, tail = counted[:TOP_LANGUAGES], counted[TOP_LANGUAGES:]
    return tuple(head + ([("other", sum(n for _, n in tail))] if tail else []))


def gather(
    session: Session, config: Config, *, days: int, now: datetime, articles: Sequence[SeedArticle]
) -> Report:
    """The report over the last ``days`` days up to ``now``."""
    tz = ZoneInfo(config.campaign.timezone)
    since, until = last_days(days, now, tz)
    daily = cut_periods(since, until, "day", tz)
    petition = config.petitions[0].id if config.petitions else None
    whole = post_volume(session, Periods("day", tz, (since, until)))
    weeks = post_volume(session, Periods("day", tz, (now - timedelta(days=14), now - timedelta(days=7), now)))
    return Report(
        title=config.campaign.title,
        timezone=config.campaign.timezone,
        generated_at=now.astimezone(tz),
        since=since.astimezone(tz),
        until=until.astimezone(tz),
        trends=trend_table(session, daily, now=now, petition=petition),
        totals=whole.get(0),
        collected=session.scalar(select(Post.id).limit(1)) is not None,
        last_week=weeks.get(1),
        week_before=weeks.get(0),
        petitions=_petitions(session, config, since, now),
        languages=_languages(session, since, until),
        top=top_posts(
            session,
            since=since,
            until=until,
            tz=tz,
            sensitive=Matcher(config.match, config.care).is_sensitive,
            care_applied=care_list_applied(session, config.care),
            limit=TOP_POSTS,
        ),
        articles=tuple(articles),
    )
