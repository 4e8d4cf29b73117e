"""Searching Bluesky through the sandbox with the real atproto SDK: windows, pages, dedupe, checkpoints."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Care, Match, Settings, load_settings, parse_duration
from bot.sandbox import BlueskyPost, Sandbox
from bot.sandbox._campaign import BLUESKY_DID
from bot.sources import BlueskyError, Matcher, poll_bluesky
from bot.sources._bluesky import _read_page, _Run
from bot.sources._record import MAX_COUNT
from bot.storage import Post, get_checkpoint, make_engine, make_sessionmaker, upgrade
from tests.conftest import SANDBOX_NOW

SEARCH = "/xrpc/app.bsky.feed.searchPosts"
BOB = "did:plc:bobsandbox00000000000"  # an account of the `bsky` fixture

AddPost = Callable[..., BlueskyPost]
MakeSettings = Callable[..., Settings]


def _stored(sessions: sessionmaker[Session]) -> dict[str, Post]:
    with sessions() as db:
        return {p.platform_id: p for p in db.scalars(select(Post).where(Post.platform == "bluesky"))}


def _no_sleep(seconds: float) -> None:
    raise AssertionError(f"nothing should have made the poll wait ({seconds} s)")


def test_poll_of_the_generated_world_stores_exactly_the_matching_posts_its_queries_reach(
    sandbox: Sandbox, db_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    settings = load_settings(sandbox.write_config(tmp_path / "keep4o.toml", db_url), environ={})
    assert settings.config.bluesky is not None
    assert settings.config.bluesky.queries == ["#keep4o", "keep4o", "#4oforever", '"keep 4o"']
    queried_terms = {"keep4o", "4oforever", "keep 4o"}
    window_start = SANDBOX_NOW - timedelta(seconds=parse_duration(settings.config.bluesky.backfill))
    matcher = Matcher(settings.config.match, settings.config.care)
    with sandbox.world.lock:
        expected = {
            p.uri
            for p in sandbox.world.bluesky_posts.values()
            if not p.deleted
            and window_start <= min(p.created_at, p.indexed_at)
            and p.indexed_at <= SANDBOX_NOW
            and p.did != BLUESKY_DID
            and queried_terms & set(matcher.terms([p.text], p.tags))
        }

    summary = poll_bluesky(settings, sessions, clock=sandbox.clock.now, sleep=_no_sleep)

    assert len(expected) > 10  # the generated world has campaign posts in the last day
    assert set(_stored(sessions)) == expected
    assert summary.new == len(expected)


def test_first_poll_stores_matching_posts_of_the_backfill_window(
    bsky: Sandbox, bsky_settings: MakeSettings, bsky_post: AddPost, sessions: sessionmaker[Session]
) -> None:
    tagged = bsky_post("Still here for 4o #keep4o", ago=timedelta(hours=1))
    worded = bsky_post("please keep4o in ChatGPT", ago=timedelta(hours=2))
    bsky_post("#keep4o but from last week", ago=timedelta(days=7))
    bsky_post("keep4offline is a different thing", ago=timedelta(hours=1))

    summary = poll_bluesky(bsky_settings(), sessions, clock=bsky.clock.now, sleep=_no_sleep)

    stored = _stored(sessions)
    assert set(stored) == {tagged.uri, worded.uri}
    assert stored[tagged.uri].matched_terms == ["keep4o", "keep 4o"]
    assert stored[tagged.uri].author_handle == "alice.sandbox.test"
    assert (summary.source, summary.new, summary.updated) == ("bluesky", 2, 0)


def test_a_post_found_by_several_queries_is_stored_once(
    bsky: Sandbox, bsky_settings: MakeSettings, bsky_post: AddPost, sessions: sessionmaker[Session]
) -> None:
    post = bsky_post("keep4o! #keep4o #4oforever, keep 4o")
    settings = bsky_settings(queries=["#keep4o", "keep4o", "#4oforever", '"keep 4o"'])

    summary = poll_bluesky(settings, sessions, clock=bsky.clock.now, sleep=_no_sleep)

    assert bsky.requests(SEARCH) == 4
    assert list(_stored(sessions)) == [post.uri]
    assert summary.new == 1


def test_a_quiet_poll_costs_one_request_per_query(
    bsky: Sandbox, bsky_settings: MakeSettings, bsky_post: AddPost, sessions: sessionmaker[Session]
) -> None:
    for i in range(30):
        bsky_post(f"#keep4o number {i}", ago=timedelta(minutes=40 - i))
    settings = bsky_settings()
    poll_bluesky(settings, sessions, clock=bsky.clock.now, sleep=_no_sleep)
    bsky.reset_counters()

    summary = poll_bluesky(settings, sessions, clock=bsky.clock.now, sleep=_no_sleep)

    assert settings.config.bluesky is not None
    queries = len(settings.config.bluesky.queries)
    assert bsky.requests() == bsky.requests(SEARCH) == queries
    assert (summary.new, summary.updated, summary.requests) == (0, 0, queries)


def test_the_next_poll_stores_only_what_is_new(
    bsky: Sandbox, bsky_settings: MakeSettings, bsky_post: AddPost, sessions: sessionmaker[Session]
) -> None:
    settings = bsky_settings()
    first = bsky_post("#keep4o first")
    poll_bluesky(settings, sessions, clock=bsky.clock.now, sleep=_no_sleep)
    bsky.clock.advance(timedelta(minutes=10))
    second = bsky_post("#keep4o second", ago=timedelta(minutes=3))

    summary = poll_bluesky(settings, sessions, clock=bsky.clock.now, sleep=_no_sleep)

    assert summary.new == 1
    assert set(_stored(sessions)) == {first.uri, second.uri}


def test_the_overlap_catches_posts_the_index_showed_late_but_not_older_ones(
    bsky: Sandbox, bsky_settings: MakeSettings, bsky_post: AddPost, sessions: sessionmaker[Session]
) -> None:
    settings = bsky_settings(queries=["#keep4o"], overlap="15m")
    newest = bsky_post("#keep4o newest", ago=timedelta(minutes=1))
    poll_bluesky(settings, sessions, clock=bsky.clock.now, sleep=_no_sleep)
    # Indexed before the newest post, but only searchable now (the search index lags).
    late = bsky_post("#keep4o indexed late", ago=timedelta(minutes=10))
    too_late = bsky_post("#keep4o indexed long ago", ago=timedelta(minutes=30))

    summary = poll_bluesky(settings, sessions, clock=bsky.clock.now, sleep=_no_sleep)

    assert summary.new == 1
    assert set(_stored(sessions)) == {newest.uri, late.uri}
    assert too_late.uri not in _stored(sessions)
    with sessions() as db:
        assert get_checkpoint(db, "bluesky:search:#keep4o") == newest.indexed_at.isoformat()


def test_pages_are_followed_through_the_whole_first_window(
    bsky: Sandbox, bsky_settings: MakeSettings, bsky_post: AddPost, sessions: sessionmaker[Session]
) -> None:
    posts = [bsky_post(f"#keep4o post {i}", ago=timedelta(seconds=30 * i + 10)) for i in range(250)]

    summary = poll_bluesky(
        bsky_settings(queries=["#keep4o"]), sessions, clock=bsky.clock.now, sleep=_no_sleep
    )

    assert bsky.requests(SEARCH) == 3
    assert set(_stored(sessions)) == {p.uri for p in posts}
    assert summary.new == 250


def test_a_burst_is_paged_back_to_the_checkpoint_and_no_further(
    bsky: Sandbox, bsky_settings: MakeSettings, bsky_post: AddPost, sessions: sessionmaker[Session]
) -> None:
    settings = bsky_settings(queries=["#keep4o"], overlap="15m")
    for i in range(250):  # all within the overlap: every later poll sees them again
        bsky_post(f"#keep4o old {i}", ago=timedelta(seconds=2 * i + 10))
    poll_bluesky(settings, sessions, clock=bsky.clock.now, sleep=_no_sleep)
    bsky.clock.advance(timedelta(hours=1))
    burst = [bsky_post(f"#keep4o burst {i}", ago=timedelta(seconds=10 * i + 5)) for i in range(150)]
    bsky.reset_counters()

    summary = poll_bluesky(settings, sessions, clock=bsky.clock.now, sleep=_no_sleep)

    # 400 hits: pages 1-2 hold the burst, page 3 only older posts; page 4 is never asked for.
    assert bsky.requests(SEARCH) == 3
    assert summary.new == 150
    assert {p.uri for p in burst} <= set(_stored(sessions))


def test_past_the_search_depth_limit_the_window_is_read_on_below_the_oldest_post(
    bsky: Sandbox, bsky_post: AddPost, tmp_path: Path
) -> None:
    # 10,150 posts on SQLite only: what is tested is paging, which does not depend on the backend.
    db_url = f"sqlite:///{tmp_path / 'deep.db'}"
    engine = make_engine(db_url)
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    settings = load_settings(bsky.write_config(tmp_path / "keep4o.toml", db_url), environ={})
    assert settings.config.bluesky is not None
    one_query = settings.config.bluesky.model_copy(update={"queries": ["#keep4o"]})
    settings = dataclasses.replace(settings, config=settings.config.model_copy(update={"bluesky": one_query}))
    for i in range(10_150):
        bsky_post(f"#keep4o {i}", ago=timedelta(seconds=4 * i + 10))

    summary = poll_bluesky(settings, sessions, clock=bsky.clock.now, sleep=_no_sleep)

    # 100 pages reach the 10,000-result limit; 2 more pages below `until` = the oldest post.
    assert bsky.requests(SEARCH) == 102
    assert summary.new == 10_150
    with sessions() as db:
        assert db.scalar(select(func.count()).select_from(Post)) == 10_150
    engine.dispose()


def test_the_bots_own_posts_are_never_stored(
    bsky: Sandbox, bsky_settings: MakeSettings, bsky_post: AddPost, sessions: sessionmaker[Session]
) -> None:
    bsky_post("Today's #keep4o digest: 120 posts", did=BLUESKY_DID)
    theirs = bsky_post("#keep4o replying to the digest", did=BOB)

    poll_bluesky(bsky_settings(), sessions, clock=bsky.clock.now, sleep=_no_sleep)

    assert list(_stored(sessions)) == [theirs.uri]


def test_a_poll_that_fails_mid_window_keeps_its_pages_and_the_next_poll_completes_the_window(
    bsky: Sandbox, bsky_settings: MakeSettings, bsky_post: AddPost, sessions: sessionmaker[Session]
) -> None:
    settings = bsky_settings(queries=["#keep4o"])
    posts = [bsky_post(f"#keep4o {i}", ago=timedelta(seconds=30 * i + 10)) for i in range(250)]

    def clock_that_breaks_page_two() -> datetime:
        # Called while page 1 is stored: from then on the search fails more often than is retried.
        if bsky.requests(SEARCH) == 1 and not bsky.pending_faults():
            bsky.inject(SEARCH, "500", times=4)
        return bsky.clock.now()

    with pytest.raises(BlueskyError, match=r"searchPosts failed 4 times.*stored so far: 100 new"):
        poll_bluesky(settings, sessions, clock=clock_that_breaks_page_two, sleep=lambda s: None)
    with sessions() as db:
        assert get_checkpoint(db, "bluesky:search:#keep4o") is None
    assert len(_stored(sessions)) == 100

    summary = poll_bluesky(settings, sessions, clock=bsky.clock.now, sleep=_no_sleep)

    assert summary.new == 150
    assert set(_stored(sessions)) == {p.uri for p in posts}


def test_posts_keep_the_time_bluesky_sorts_them_by(
    bsky: Sandbox, bsky_settings: MakeSettings, bsky_post: AddPost, sessions: sessionmaker[Session]
) -> None:
    post = bsky_post("#keep4o", ago=timedelta(minutes=5))
    poll_bluesky(bsky_settings(), sessions, clock=bsky.clock.now, sleep=_no_sleep)

    stored = _stored(sessions)[post.uri]

    assert stored.created_at == post.created_at.astimezone(UTC)
    assert stored.first_seen_at == bsky.clock.now()


def test_a_campaign_without_bluesky_is_one_clear_error(
    bsky: Sandbox, bsky_settings: MakeSettings, sessions: sessionmaker[Session]
) -> None:
    base = bsky_settings()
    settings = dataclasses.replace(base, config=base.config.model_copy(update={"bluesky": None}))

    with pytest.raises(BlueskyError, match=r"keep4o.toml: there is no \[bluesky\] section"):
        poll_bluesky(settings, sessions, clock=bsky.clock.now)


def test_nul_characters_and_impossible_counts_are_made_storable(
    bsky: Sandbox, bsky_post: AddPost, bsky_settings: MakeSettings, sessions: sessionmaker[Session]
) -> None:
    # PostgreSQL refuses NUL in text and integers past 2**31: the whole page would be refused.
    nul = bsky_post("bad\x00post #keep4o")
    nul.like_count, nul.quote_count = 2**31, 2**40
    good = bsky_post("a good post #keep4o", ago=timedelta(minutes=7))

    summary = poll_bluesky(
        bsky_settings(queries=["#keep4o"]), sessions, clock=bsky.clock.now, sleep=_no_sleep
    )

    stored = _stored(sessions)
    assert summary.new == 2 and set(stored) == {nul.uri, good.uri}
    assert stored[nul.uri].text == "badpost #keep4o"
    assert stored[nul.uri].likes == MAX_COUNT and stored[nul.uri].reposts == MAX_COUNT
    assert stored[nul.uri].engagement == 2 * MAX_COUNT


def test_an_indexed_time_in_the_future_does_not_become_the_checkpoint(
    bsky: Sandbox, sessions: sessionmaker[Session]
) -> None:
    now = bsky.clock.now()
    api = SimpleNamespace(did=None)  # reading a page makes no request
    matcher = Matcher(Match(hashtags=["keep4o"]), Care())
    run = _Run(api, sessions, matcher, handle="", clock=lambda: now)  # type: ignore[arg-type]
    view = {
        "uri": "at://did:plc:x/app.bsky.feed.post/3k",
        "author": {"did": "did:plc:x", "handle": "x.test"},
        "record": {"text": "#keep4o", "createdAt": "2999-01-01T00:00:00Z"},
        "indexedAt": "2999-01-01T00:00:00Z",
    }
    page = _read_page(run, [view], start=now - timedelta(days=1), checkpoint=None)
    assert page.newest == now  # the checkpoint a finished poll saves
    assert [r.created_at for r in page.records] == [datetime(2999, 1, 1, tzinfo=UTC)]
