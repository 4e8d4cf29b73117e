"""The trend table from stored rows, on SQLite and PostgreSQL: buckets, gaps, filters, metrics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from bot.trends import TrendTable, cut_periods, trend_table
from bot.trends._query import language_totals
from tests.trends.trend_data import add_counts, add_petition, add_posts, post_row

AMS = ZoneInfo("Europe/Amsterdam")
PETITION = "changeorg-keep-gpt-4o"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def table(
    sessions: sessionmaker[Session],
    since: datetime,
    until: datetime,
    by: str = "day",
    *,
    now: datetime | None = None,
    platform: str | None = None,
) -> TrendTable:
    periods = cut_periods(since, until, by, AMS)  # type: ignore[arg-type]
    with sessions() as session:
        return trend_table(session, periods, now=now or utc(2030, 1, 1), platform=platform, petition=PETITION)


def test_posts_fall_into_local_days_around_a_spring_forward(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        add_posts(
            s,
            post_row(utc(2026, 3, 28, 22, 59)),  # 23:59 CET, 28 March
            post_row(utc(2026, 3, 28, 23, 0)),  # 00:00 CET, 29 March
            post_row(utc(2026, 3, 29, 21, 59)),  # 23:59 CEST, 29 March
            post_row(utc(2026, 3, 29, 22, 0)),  # 00:00 CEST, 30 March
        )
    rows = table(sessions, utc(2026, 3, 28, 12), utc(2026, 3, 30, 12)).rows
    assert [(r.period_start.date().isoformat(), r.posts) for r in rows] == [
        ("2026-03-28", 1),
        ("2026-03-29", 2),
        ("2026-03-30", 1),
    ]


def test_the_two_local_two_oclocks_of_a_fall_back_are_counted_apart(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        add_posts(
            s,
            post_row(utc(2026, 10, 25, 0, 30)),  # 02:30 CEST
            post_row(utc(2026, 10, 25, 1, 10)),  # 02:10 CET
            post_row(utc(2026, 10, 25, 1, 50)),  # 02:50 CET
        )
    rows = table(sessions, utc(2026, 10, 24, 23), utc(2026, 10, 25, 3), "hour").rows
    counted = [(r.period_start.isoformat(), r.posts) for r in rows]
    assert counted == [
        ("2026-10-25T01:00:00+02:00", 0),
        ("2026-10-25T02:00:00+02:00", 1),
        ("2026-10-25T02:00:00+01:00", 2),
        ("2026-10-25T03:00:00+01:00", 0),
    ]


def test_the_fall_back_day_holds_all_25_hours_of_posts(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        add_posts(s, *(post_row(utc(2026, 10, 24, 22, 30) + timedelta(hours=h)) for h in range(25)))
    rows = table(sessions, utc(2026, 10, 25, 12), utc(2026, 10, 25, 13)).rows
    assert [r.posts for r in rows] == [25]


def test_weekly_periods_add_up_the_posts_of_their_days(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        add_posts(
            s,
            post_row(utc(2026, 10, 18, 22, 30)),
            post_row(utc(2026, 10, 25, 22, 59)),
            post_row(utc(2026, 10, 25, 23)),
        )
    rows = table(sessions, utc(2026, 10, 20), utc(2026, 10, 28), "week").rows
    assert [(r.period_start.date().isoformat(), r.posts) for r in rows] == [
        ("2026-10-19", 2),
        ("2026-10-26", 1),
    ]


def test_posts_are_counted_per_platform_with_engagement_and_distinct_authors(
    sessions: sessionmaker[Session],
) -> None:
    day = utc(2026, 2, 14, 12)
    with sessions.begin() as s:
        add_posts(
            s,
            post_row(day, platform="reddit", author="t2_a", likes=10, replies=2),
            post_row(day, platform="reddit", author="t2_a", likes=5),
            post_row(day, platform="bluesky", author="did:plc:b", likes=1, replies=1, reposts=1),
            post_row(day, platform="bluesky", author=None, state="deleted"),
        )
    (row,) = table(sessions, day, utc(2026, 2, 14, 13)).rows
    assert (row.posts, row.posts_reddit, row.posts_bluesky) == (4, 2, 2)
    assert row.engagement == 20
    assert row.authors == 2


def test_top_language_and_subreddit_are_the_most_common_ties_alphabetical(
    sessions: sessionmaker[Session],
) -> None:
    day = utc(2026, 2, 14, 12)
    with sessions.begin() as s:
        add_posts(
            s,
            post_row(day, lang="nl", community="OpenAI"),
            post_row(day, lang="nl", community="ChatGPT"),
            post_row(day, lang="fr", community="OpenAI"),
            post_row(day, platform="bluesky", lang="fr"),
            post_row(day, platform="bluesky", lang="en"),
        )
    (row,) = table(sessions, day, utc(2026, 2, 14, 13)).rows
    assert (row.top_language, row.top_subreddit) == ("fr", "OpenAI")


def test_a_period_without_posts_has_zero_posts_and_no_top_values(sessions: sessionmaker[Session]) -> None:
    (row,) = table(sessions, utc(2026, 2, 14, 12), utc(2026, 2, 14, 13)).rows
    assert (row.posts, row.posts_reddit, row.posts_bluesky, row.engagement, row.authors) == (0, 0, 0, 0, 0)
    assert (row.top_language, row.top_subreddit) == (None, None)


def test_authors_are_a_gap_once_retention_has_forgotten_them(sessions: sessionmaker[Session]) -> None:
    day = utc(2026, 2, 14, 12)
    with sessions.begin() as s:
        add_posts(s, post_row(day, author=None), post_row(day, author=None))
    (row,) = table(sessions, day, utc(2026, 2, 14, 13)).rows
    assert (row.posts, row.authors) == (2, None)


def test_a_platform_filter_counts_only_that_platform_and_blanks_the_other(
    sessions: sessionmaker[Session],
) -> None:
    day = utc(2026, 2, 14, 12)
    with sessions.begin() as s:
        add_posts(
            s,
            post_row(day, platform="reddit", lang="de", likes=100),
            post_row(day, platform="bluesky", lang="ja", likes=3),
            post_row(day, platform="bluesky", lang="ja", likes=4),
        )
    (row,) = table(sessions, day, utc(2026, 2, 14, 13), platform="bluesky").rows
    assert (row.posts, row.posts_reddit, row.posts_bluesky) == (2, None, 2)
    assert (row.engagement, row.top_language, row.top_subreddit) == (7, "ja", None)


def test_signatures_are_the_last_count_of_each_period_with_change_and_pace(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as s:
        petition = add_petition(s)
        add_counts(
            s,
            petition,
            (utc(2026, 2, 13, 22), 1_000),  # 13 Feb 23:00 local: the day before the range
            (utc(2026, 2, 14, 10), 1_100),
            (utc(2026, 2, 14, 22), 1_240),  # 14 Feb 23:00 local
        )
    (row,) = table(sessions, utc(2026, 2, 13, 23), utc(2026, 2, 14, 23)).rows
    assert (row.signatures, row.signatures_change, row.signatures_per_hour) == (1_240, 240, 10.0)


def test_a_period_without_a_count_is_a_gap_and_so_is_the_change_after_it(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as s:
        petition = add_petition(s)
        add_counts(
            s, petition, (utc(2026, 2, 10, 12), 500), (utc(2026, 2, 12, 12), 900), (utc(2026, 2, 13, 12), 950)
        )
    rows = table(sessions, utc(2026, 2, 10, 12), utc(2026, 2, 13, 13)).rows
    assert [(r.signatures, r.signatures_change, r.signatures_per_hour) for r in rows] == [
        (500, None, None),  # nothing the day before the range
        (None, None, None),  # the collector was down: a gap, not zero
        (900, None, None),  # no count the day before
        (950, 50, round(50 / 24, 2)),
    ]


def test_flagged_counts_are_not_readings_until_a_later_one_confirms_them(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as s:
        petition = add_petition(s)
        add_counts(s, petition, (utc(2026, 2, 10, 12), 500), (utc(2026, 2, 11, 12), 510))
        add_counts(s, petition, (utc(2026, 2, 11, 13), 12), flag="fall")
        # A jump late on the 12th, confirmed by the next reading after midnight: the 12th ends on it,
        # as the digest's and pace's figures do.
        add_counts(s, petition, (utc(2026, 2, 12, 10), 520))
        add_counts(s, petition, (utc(2026, 2, 12, 22), 5000), flag="jump confirmed")
        add_counts(s, petition, (utc(2026, 2, 13, 1), 5050))
    rows = table(sessions, utc(2026, 2, 10, 12), utc(2026, 2, 13, 14)).rows
    assert [r.signatures for r in rows] == [500, 510, 5000, 5050]


def test_only_the_chosen_petition_is_counted(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        other = add_petition(s, key="uk-parliament", goal=None)
        add_counts(s, other, (utc(2026, 2, 10, 12), 99_999))
    (row,) = table(sessions, utc(2026, 2, 10, 12), utc(2026, 2, 10, 13)).rows
    assert row.signatures is None


def test_only_the_period_holding_now_is_partial(sessions: sessionmaker[Session]) -> None:
    rows = table(sessions, utc(2026, 2, 10, 12), utc(2026, 2, 11, 12), now=utc(2026, 2, 11, 12)).rows
    assert [r.partial for r in rows] == [False, True]


def test_language_totals_count_undetected_posts_as_none(sessions: sessionmaker[Session]) -> None:
    day = utc(2026, 2, 14, 12)
    with sessions.begin() as s:
        add_posts(s, post_row(day, lang="en"), post_row(day, lang="en"), post_row(day, lang=None))
        add_posts(s, post_row(utc(2026, 2, 20), lang="fr"))
    with sessions() as s:
        assert language_totals(s, day, utc(2026, 2, 15)) == [("en", 2), (None, 1)]
