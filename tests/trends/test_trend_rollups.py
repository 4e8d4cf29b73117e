"""Rollups: finished days and weeks read from stored aggregates, never staler than the posts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.scheduler._retention import purge_post_content
from bot.sources import PostRecord
from bot.storage import PostChange, TrendRollup, mark_gone, upsert_posts
from bot.trends import TrendTable, cut_periods, refresh_rollups, trend_table
from bot.trends._rollups import _Spans
from tests.trends.trend_data import campaign_month

AMS = ZoneInfo("Europe/Amsterdam")
# The month ends after the fall-back of 25 October: one 25-hour day among the rolled-up ones.
NOW = datetime(2026, 11, 3, 14, 20, tzinfo=UTC)
PETITION = "changeorg-keep-gpt-4o"


def table(
    sessions: sessionmaker[Session], by: str = "day", platform: str | None = None, days: int = 40
) -> TrendTable:
    periods = cut_periods(NOW - timedelta(days=days), NOW, by, AMS)  # type: ignore[arg-type]
    with sessions() as session:
        return trend_table(session, periods, now=NOW, platform=platform, petition=PETITION)


def refresh(sessions: sessionmaker[Session], tz: ZoneInfo = AMS) -> int:
    return refresh_rollups(sessions, tz, NOW)


def count(sessions: sessionmaker[Session], model: type[PostChange] | type[TrendRollup]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def month(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with sessions.begin() as session:
        campaign_month(session, NOW)
    return sessions


def old_post(n: int, created_at: datetime, **fields: object) -> PostRecord:
    values: dict[str, object] = {
        "platform": "bluesky",
        "platform_id": f"at://did:plc:late/app.bsky.feed.post/{n}",
        "url": f"https://bsky.app/profile/did:plc:late/post/{n}",
        "author_handle": "late.bsky.social",
        "author_id": "did:plc:late",
        "title": None,
        "text": "Still here #keep4o",
        "created_at": created_at,
        "lang": "pt",
        "community": None,
        "matched_terms": ("keep4o",),
        "likes": 5,
    }
    return PostRecord(**{**values, **fields})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("by", "platform"),
    [("day", None), ("day", "reddit"), ("day", "bluesky"), ("week", None), ("week", "bluesky")],
)
def test_a_table_from_rollups_equals_the_table_counted_from_posts(
    month: sessionmaker[Session], by: str, platform: str | None
) -> None:
    counted = table(month, by, platform)
    assert refresh(month) > 0
    assert table(month, by, platform) == counted


def test_finished_days_are_read_from_their_rollups_and_today_from_the_posts(
    month: sessionmaker[Session],
) -> None:
    refresh(month)
    counted = table(month)
    with month.begin() as session:  # a rollup that disagrees with the posts shows which one is read
        session.execute(update(TrendRollup).values(posts=TrendRollup.posts + 1000))
    read = table(month)
    assert [r.posts - c.posts for r, c in zip(read.rows, counted.rows, strict=True)] == [
        0 if r.partial or r.period_start < datetime(2026, 9, 29, tzinfo=AMS) else 1000 for r in read.rows
    ]


def test_refreshing_again_without_changes_rebuilds_nothing(month: sessionmaker[Session]) -> None:
    built = refresh(month)
    assert built == count(month, TrendRollup) // 3  # one row per period and scope: all, reddit, bluesky
    assert count(month, PostChange) == 0
    assert refresh(month) == 0


def test_a_late_post_in_a_rolled_up_day_counts_before_and_after_the_next_refresh(
    month: sessionmaker[Session],
) -> None:
    refresh(month)
    day = datetime(2026, 10, 10, 9, tzinfo=UTC)
    before = next(r for r in table(month).rows if r.period_start.date().isoformat() == "2026-10-10")
    with month.begin() as session:
        upsert_posts(session, [old_post(1, day)], NOW)
    noted = next(r for r in table(month).rows if r.period_start.date().isoformat() == "2026-10-10")
    assert (noted.posts, noted.posts_bluesky) == (before.posts + 1, (before.posts_bluesky or 0) + 1)
    assert refresh(month) == 2  # that day and its week
    assert table(month) == table(month)  # and the rebuilt rollup agrees
    assert next(r for r in table(month).rows if r.period_start.date().isoformat() == "2026-10-10") == noted


def test_authors_forgotten_by_a_removal_or_by_retention_leave_the_rollups(
    month: sessionmaker[Session],
) -> None:
    with month.begin() as session:
        upsert_posts(session, [old_post(1, datetime(2026, 10, 12, 9, tzinfo=UTC), lang=None)], NOW)
    refresh(month)
    authors = table(month).rows[-23].authors  # 12 October
    with month.begin() as session:
        mark_gone(session, "bluesky", ["at://did:plc:late/app.bsky.feed.post/1"], "deleted", NOW)
    after_removal = table(month)
    assert after_removal.rows[-23].authors == (authors or 0) - 1
    refresh(month)
    assert table(month) == after_removal
    with month.begin() as session:
        purge_post_content(session, NOW - timedelta(days=20))
    after_retention = table(month)
    purged = [r for r in after_retention.rows if r.posts and r.period_end <= NOW - timedelta(days=20)]
    assert purged and all(r.authors is None for r in purged)
    refresh(month)
    assert table(month) == after_retention


def test_rollups_of_another_timezone_are_dropped_and_never_read(month: sessionmaker[Session]) -> None:
    refresh(month, ZoneInfo("Asia/Tokyo"))
    tokyo = count(month, TrendRollup)
    refresh(month)
    with month() as session:
        zones = set(session.scalars(select(TrendRollup.timezone).distinct()))
    assert zones == {"Europe/Amsterdam"}
    assert tokyo > 0


def test_an_empty_database_has_nothing_to_roll_up(sessions: sessionmaker[Session]) -> None:
    assert refresh(sessions) == 0
    assert count(sessions, TrendRollup) == 0


def test_spans_overlap_a_period_only_when_they_share_an_instant() -> None:
    h = [datetime(2026, 1, 1, hour, tzinfo=UTC) for hour in range(12)]
    spans = _Spans([(h[5], h[6]), (h[1], h[2]), (h[2], h[3])])  # the last two merge
    assert spans.overlaps(h[0], h[1]) is False  # ends where a span starts
    assert spans.overlaps(h[3], h[5]) is False  # between spans
    assert spans.overlaps(h[6], h[9]) is False  # starts where a span ends
    assert spans.overlaps(h[0], h[4]) is True
    assert spans.overlaps(h[2], h[3]) is True
    assert spans.overlaps(h[4], h[7]) is True
    assert _Spans([]).overlaps(h[0], h[11]) is False
