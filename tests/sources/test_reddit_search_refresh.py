"""Reddit site-wide search and the engagement refresh, with the real PRAW against the sandbox."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.sandbox import Sandbox
from bot.sources import PollSummary, poll_reddit, refresh_reddit
from bot.storage import EngagementSnapshot
from tests.sources.reddit_sandbox import add, post_count, stored

QUERIES = 3  # the sandbox campaign's search_queries


def search(settings: Settings, sessions: sessionmaker[Session], sb: Sandbox) -> PollSummary:
    return poll_reddit(settings, sessions, clock=sb.clock.now, search=True)


def refresh(settings: Settings, sessions: sessionmaker[Session], sb: Sandbox) -> PollSummary:
    return refresh_reddit(settings, sessions, clock=sb.clock.now)


def snapshots(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(EngagementSnapshot)) or 0


def test_search_finds_campaign_posts_outside_the_configured_subreddits(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    add(sb, 1, minutes_ago=30, subreddit="technology")
    summary = search(settings, sessions, sb)
    assert (summary.source, summary.new, summary.requests) == ("reddit-search", 1, QUERIES)
    assert stored(sessions)["t3_p00001"].community == "technology"
    assert poll_reddit(settings, sessions, clock=sb.clock.now).new == 0  # not in the listing


def test_a_post_found_by_the_listing_is_not_new_to_search(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    add(sb, 1, minutes_ago=30)
    assert poll_reddit(settings, sessions, clock=sb.clock.now).new == 1
    assert search(settings, sessions, sb).new == 0
    assert post_count(sessions) == 1


def test_a_post_found_by_two_queries_is_stored_once(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    add(sb, 1, minutes_ago=30, subreddit="technology", selftext="#keep4o #4oforever")
    assert search(settings, sessions, sb).new == 1
    assert post_count(sessions) == 1


def test_a_search_result_the_campaign_rules_reject_is_not_stored(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    # Search finds the phrase "keep 4o" across the full stop; the matcher does not.
    add(sb, 1, minutes_ago=30, subreddit="technology", selftext="What we keep. 4o was retired anyway.")
    add(sb, 2, minutes_ago=20, subreddit="technology", title="keep 4o", selftext="")
    assert search(settings, sessions, sb).new == 1
    assert set(stored(sessions)) == {"t3_p00002"}


def test_a_quiet_search_is_one_request_per_query(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    for n in range(150):
        add(sb, n, minutes_ago=(150 - n) * 9, subreddit="technology")  # 22.5 hours of posts
    first = search(settings, sessions, sb)
    assert (first.new, first.requests) == (150, 2 + 1 + 1)  # two pages for "keep4o", one per other query
    sb.reset_counters()
    again = search(settings, sessions, sb)
    assert (again.new, again.requests) == (0, QUERIES)
    assert sb.requests("/search") == QUERIES


def test_search_rereads_an_overlap_for_posts_the_index_shows_late(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    add(sb, 1, minutes_ago=10, subreddit="technology")
    search(settings, sessions, sb)
    add(sb, 2, minutes_ago=60, subreddit="technology")  # older than the newest seen, indexed only now
    assert search(settings, sessions, sb).new == 1


def test_refresh_updates_engagement_and_snapshots_only_what_changed(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    posts = [add(sb, n, minutes_ago=60 - n) for n in range(3)]
    poll_reddit(settings, sessions, clock=sb.clock.now)
    posts[0].score, posts[0].num_comments = 99, 12
    sb.clock.advance(timedelta(hours=1))
    sb.reset_counters()
    summary = refresh(settings, sessions, sb)
    assert (summary.source, summary.new, summary.updated, summary.removed, summary.requests) == (
        "reddit-refresh",
        0,
        1,
        0,
        1,
    )
    assert sb.requests("/api/info") == 1
    refreshed = stored(sessions)["t3_p00000"]
    assert (refreshed.likes, refreshed.replies, refreshed.last_seen_at) == (99, 12, sb.clock.now())
    assert snapshots(sessions) == 3 + 1


def test_refresh_purges_removed_and_deleted_posts(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    for n in range(3):
        add(sb, n, minutes_ago=60 - n)
    poll_reddit(settings, sessions, clock=sb.clock.now)
    sb.world.remove_reddit_post("t3_p00000", by="moderator")
    sb.world.remove_reddit_post("t3_p00001", by="deleted")
    summary = refresh(settings, sessions, sb)
    assert summary.removed == 2
    posts = stored(sessions)
    for fullname, state in (("t3_p00000", "removed"), ("t3_p00001", "deleted")):
        post = posts[fullname]
        assert (post.state, post.title, post.text, post.author_handle, post.author_id) == (
            state,
            None,
            None,
            None,
            None,
        )
        assert post.gone_at == sb.clock.now()
    assert posts["t3_p00002"].text is not None
    assert refresh(settings, sessions, sb).removed == 0


def test_refresh_asks_in_batches_of_100_for_young_posts_only(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    old = add(sb, 0, minutes_ago=4 * 24 * 60)
    for n in range(1, 151):
        add(sb, n, minutes_ago=300 - n)
    poll_reddit(settings, sessions, clock=sb.clock.now)
    old.score = 500
    sb.reset_counters()
    summary = refresh(settings, sessions, sb)
    assert (summary.requests, sb.requests("/api/info")) == (2, 2)
    assert stored(sessions)["t3_p00000"].likes == 1


def test_refresh_with_nothing_stored_makes_no_request(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    assert refresh(settings, sessions, sb).requests == 0
    assert sb.requests() == 0
