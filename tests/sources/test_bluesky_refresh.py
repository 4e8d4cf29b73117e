"""Engagement refresh with getPosts: new numbers stored with snapshots, deleted posts purged."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.sandbox import BlueskyPost, Sandbox
from bot.sources import poll_bluesky, refresh_bluesky
from bot.storage import EngagementSnapshot, Post

GET_POSTS = "/xrpc/app.bsky.feed.getPosts"
GET_THREAD = "/xrpc/app.bsky.feed.getPostThread"

AddPost = Callable[..., BlueskyPost]
MakeSettings = Callable[..., Settings]


def _post(sessions: sessionmaker[Session], uri: str) -> Post:
    with sessions() as db:
        post = db.scalar(select(Post).where(Post.platform_id == uri))
    assert post is not None
    return post


def _snapshots(sessions: sessionmaker[Session], uri: str) -> list[tuple[int, int, int]]:
    query = (
        select(EngagementSnapshot.likes, EngagementSnapshot.replies, EngagementSnapshot.reposts)
        .join(Post, Post.id == EngagementSnapshot.post_id)
        .where(Post.platform_id == uri)
        .order_by(EngagementSnapshot.taken_at)
    )
    with sessions() as db:
        return [(likes, replies, reposts) for likes, replies, reposts in db.execute(query)]


def test_new_engagement_is_stored_with_a_snapshot(
    bsky: Sandbox, bsky_settings: MakeSettings, bsky_post: AddPost, sessions: sessionmaker[Session]
) -> None:
    settings = bsky_settings()
    post = bsky_post("#keep4o loved it")
    poll_bluesky(settings, sessions, clock=bsky.clock.now)
    with bsky.world.lock:
        post.like_count, post.reply_count, post.repost_count, post.quote_count = 12, 3, 2, 1
    bsky.clock.advance(timedelta(hours=1))

    summary = refresh_bluesky(settings, sessions, clock=bsky.clock.now)

    stored = _post(sessions, post.uri)
    assert (stored.likes, stored.replies, stored.reposts, stored.engagement) == (12, 3, 3, 18)
    assert _snapshots(sessions, post.uri) == [(0, 0, 0), (12, 3, 3)]
    assert (summary.source, summary.updated, summary.removed, summary.requests) == (
        "bluesky-refresh",
        1,
        0,
        1,
    )


def test_unchanged_numbers_add_no_snapshot(
    bsky: Sandbox, bsky_settings: MakeSettings, bsky_post: AddPost, sessions: sessionmaker[Session]
) -> None:
    settings = bsky_settings()
    post = bsky_post("#keep4o")
    poll_bluesky(settings, sessions, clock=bsky.clock.now)
    bsky.clock.advance(timedelta(hours=1))

    summary = refresh_bluesky(settings, sessions, clock=bsky.clock.now)

    assert summary.updated == 0
    assert _snapshots(sessions, post.uri) == [(0, 0, 0)]


def test_a_post_getposts_no_longer_returns_is_marked_deleted_and_purged(
    bsky: Sandbox, bsky_settings: MakeSettings, bsky_post: AddPost, sessions: sessionmaker[Session]
) -> None:
    settings = bsky_settings()
    kept = bsky_post("#keep4o staying")
    deleted = bsky_post("#keep4o regret posting this")
    poll_bluesky(settings, sessions, clock=bsky.clock.now)
    bsky.world.delete_bluesky_post(deleted.uri)
    bsky.clock.advance(timedelta(minutes=30))

    summary = refresh_bluesky(settings, sessions, clock=bsky.clock.now)

    gone = _post(sessions, deleted.uri)
    assert (gone.state, gone.text, gone.author_handle, gone.author_id) == ("deleted", None, None, None)
    assert gone.gone_at == bsky.clock.now()
    assert _post(sessions, kept.uri).state == "live"
    assert summary.removed == 1


def test_posts_are_read_25_at_a_time(
    bsky: Sandbox, bsky_settings: MakeSettings, bsky_post: AddPost, sessions: sessionmaker[Session]
) -> None:
    settings = bsky_settings(queries=["#keep4o"])
    for i in range(30):
        bsky_post(f"#keep4o {i}", ago=timedelta(minutes=i + 1))
    poll_bluesky(settings, sessions, clock=bsky.clock.now)
    bsky.reset_counters()

    summary = refresh_bluesky(settings, sessions, clock=bsky.clock.now)

    assert bsky.requests() == bsky.requests(GET_POSTS) == 2
    assert summary.requests == 2


def test_posts_older_than_the_refresh_age_are_left_alone(
    bsky: Sandbox, bsky_settings: MakeSettings, bsky_post: AddPost, sessions: sessionmaker[Session]
) -> None:
    settings = bsky_settings(refresh_max_age="1d")
    post = bsky_post("#keep4o")
    poll_bluesky(settings, sessions, clock=bsky.clock.now)
    bsky.world.delete_bluesky_post(post.uri)
    bsky.clock.advance(timedelta(days=2))
    bsky.reset_counters()

    summary = refresh_bluesky(settings, sessions, clock=bsky.clock.now)

    assert bsky.requests(GET_POSTS) == 0
    assert summary.removed == 0
    assert _post(sessions, post.uri).state == "live"


def test_a_deleted_post_stays_purged_when_search_shows_a_stale_copy(
    bsky: Sandbox, bsky_settings: MakeSettings, bsky_post: AddPost, sessions: sessionmaker[Session]
) -> None:
    settings = bsky_settings()
    post = bsky_post("#keep4o")
    poll_bluesky(settings, sessions, clock=bsky.clock.now)
    bsky.world.delete_bluesky_post(post.uri)
    refresh_bluesky(settings, sessions, clock=bsky.clock.now)
    with bsky.world.lock:
        post.deleted = False  # a lagging search replica still has it

    poll_bluesky(settings, sessions, clock=bsky.clock.now)

    stored = _post(sessions, post.uri)
    assert (stored.state, stored.text) == ("deleted", None)


def test_an_empty_answer_for_posts_that_are_still_there_purges_nothing(
    bsky: Sandbox, bsky_settings: MakeSettings, bsky_post: AddPost, sessions: sessionmaker[Session]
) -> None:
    # Purging cannot be undone: one post of the batch is looked up before any is purged.
    settings = bsky_settings()
    posts = [bsky_post(f"#keep4o {i}", ago=timedelta(minutes=5 + i)) for i in range(3)]
    poll_bluesky(settings, sessions, clock=bsky.clock.now)
    bsky.inject(GET_POSTS, "empty")

    summary = refresh_bluesky(settings, sessions, clock=bsky.clock.now)

    assert summary.removed == 0
    assert all(_post(sessions, p.uri).state == "live" for p in posts)
    assert bsky.requests(GET_THREAD) == 1


def test_a_batch_whose_posts_were_all_deleted_is_purged(
    bsky: Sandbox, bsky_settings: MakeSettings, bsky_post: AddPost, sessions: sessionmaker[Session]
) -> None:
    settings = bsky_settings()
    posts = [bsky_post(f"#keep4o {i}", ago=timedelta(minutes=5 + i)) for i in range(3)]
    poll_bluesky(settings, sessions, clock=bsky.clock.now)
    for post in posts:  # an author deleting a thread, or the last few posts of the refresh
        bsky.world.delete_bluesky_post(post.uri)

    assert refresh_bluesky(settings, sessions, clock=bsky.clock.now).removed == 3
    assert all(_post(sessions, p.uri).state == "deleted" for p in posts)
    assert bsky.requests(GET_THREAD) == 1  # the look-up that confirmed it
