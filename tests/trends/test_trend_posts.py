"""The most engaging posts: ranking, filters, and what is never shown."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from bot.config import Care, Match
from bot.sources import Matcher
from bot.trends import TopPosts, top_posts
from tests.trends.trend_data import add_posts, post_row

AMS = ZoneInfo("Europe/Amsterdam")
SINCE, UNTIL = datetime(2026, 2, 10, tzinfo=UTC), datetime(2026, 2, 17, tzinfo=UTC)
DAY = datetime(2026, 2, 14, 12, tzinfo=UTC)


# The care list as it is now: "hopeless" was added after some posts were collected.
CARE = Matcher(Match(hashtags=["keep4o"]), Care(distress_terms=["hopeless"])).is_sensitive


def top(sessions: sessionmaker[Session], care_applied: bool = False, **filters: object) -> TopPosts:
    with sessions() as session:
        return top_posts(
            session,
            since=SINCE,
            until=UNTIL,
            tz=AMS,
            sensitive=CARE,
            care_applied=care_applied,
            **filters,  # type: ignore[arg-type]
        )


def test_posts_are_ranked_by_engagement_and_limited(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        add_posts(s, *(post_row(DAY, likes=n, title=f"post {n}") for n in (5, 50, 20, 1)))
    found = top(sessions, limit=3)
    assert [(p.rank, p.title, p.engagement) for p in found.posts] == [
        (1, "post 50", 50),
        (2, "post 20", 20),
        (3, "post 5", 5),
    ]


def test_a_post_carries_its_link_place_and_local_time(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        add_posts(s, post_row(DAY, community="OpenAI", lang="nl", likes=3, replies=2))
    (post,) = top(sessions).posts
    assert post.url.startswith("https://www.reddit.com/comments/")
    assert (post.community, post.lang, post.likes, post.replies, post.engagement) == ("OpenAI", "nl", 3, 2, 5)
    assert post.created_at.isoformat() == "2026-02-14T13:00:00+01:00"


def test_sensitive_posts_are_counted_but_never_listed(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        add_posts(s, post_row(DAY, likes=999, sensitive=True), post_row(DAY, likes=1))
    found = top(sessions)
    assert [p.engagement for p in found.posts] == [1]
    assert found.withheld == 1


def test_a_post_the_care_list_has_grown_to_cover_is_withheld_though_stored_unflagged(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as s:
        add_posts(
            s,
            post_row(DAY, likes=999, text="I feel hopeless without 4o #keep4o"),
            post_row(DAY, likes=5, title="kept"),
            post_row(DAY, likes=1, title="also kept"),
        )
    found = top(sessions, limit=2)
    assert ([p.title for p in found.posts], found.withheld) == (["kept", "also kept"], 1)


def test_removed_and_deleted_posts_are_not_listed(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        add_posts(
            s, post_row(DAY, likes=9, state="removed", text=None), post_row(DAY, likes=8, state="deleted")
        )
    assert top(sessions).posts == ()


def test_platform_and_language_filters_narrow_the_list(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        add_posts(
            s,
            post_row(DAY, platform="reddit", lang="nl", likes=30),
            post_row(DAY, platform="bluesky", lang="nl", likes=20),
            post_row(DAY, platform="bluesky", lang="fr", likes=10),
        )
    assert [p.engagement for p in top(sessions, platform="bluesky").posts] == [20, 10]
    assert [p.engagement for p in top(sessions, lang="nl").posts] == [30, 20]
    assert [p.engagement for p in top(sessions, platform="bluesky", lang="fr").posts] == [10]


def test_posts_outside_the_range_are_left_out(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        add_posts(
            s, post_row(SINCE.replace(day=9), likes=100), post_row(UNTIL, likes=100), post_row(SINCE, likes=1)
        )
    assert [p.engagement for p in top(sessions).posts] == [1]


def test_the_withheld_count_of_a_grown_care_list_does_not_depend_on_how_many_are_shown(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as s:
        add_posts(
            s,
            *(post_row(DAY, likes=100 + n, title=f"kept {n}") for n in range(3)),
            *(post_row(DAY, likes=n, title=f"hopeless {n}") for n in range(5)),  # stored unflagged
        )
    assert [top(sessions, limit=n).withheld for n in (1, 3, 100)] == [5, 5, 5]


def test_once_the_flags_follow_the_care_list_only_they_are_counted(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        add_posts(s, post_row(DAY, likes=9, title="kept"), post_row(DAY, likes=1, sensitive=True))
    assert top(sessions, care_applied=True, limit=1).withheld == 1


def test_a_posts_control_codes_and_direction_overrides_are_not_shown(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        row = post_row(DAY, likes=1, author="\u202eexe.txt", title="\x1b[2J\x1b]8;;https://e.example\x07x")
        add_posts(s, {**row, "text": "bell\x07 nul-free\x9b tab\tand\nline"})
    (post,) = top(sessions).posts
    assert (post.author, post.title) == ("user-exe.txt", "[2J]8;;https://e.examplex")
    assert post.text == "bell nul-free tab\tand\nline"
