"""Every fault the sandbox can inject during a Bluesky poll: handled, nothing lost, nothing duplicated."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from atproto_client.exceptions import UnauthorizedError
from atproto_client.request import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.sandbox import BlueskyPost, Sandbox
from bot.sources import BlueskyError, BlueskyRateLimited, poll_bluesky, refresh_bluesky
from bot.sources._bluesky_api import _refusal
from bot.storage import Post, get_checkpoint

SEARCH = "/xrpc/app.bsky.feed.searchPosts"
LOGIN = "/xrpc/com.atproto.server.createSession"

AddPost = Callable[..., BlueskyPost]
MakeSettings = Callable[..., Settings]


@pytest.fixture
def posts(bsky_post: AddPost) -> list[BlueskyPost]:
    """150 campaign posts: two pages of search results."""
    return [bsky_post(f"#keep4o {i}", ago=timedelta(seconds=20 * i + 10)) for i in range(150)]


def _stored_ids(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as db:
        return list(db.scalars(select(Post.platform_id)))


def _poll(bsky: Sandbox, settings: Settings, sessions: sessionmaker[Session], sleeps: list[float]) -> int:
    summary = poll_bluesky(settings, sessions, clock=bsky.clock.now, sleep=sleeps.append)
    return summary.new


@pytest.mark.parametrize("fault", ["500", "502", "503", "malformed", "truncated"])
def test_a_failing_page_is_retried_after_a_backoff_and_nothing_is_lost(
    fault: str,
    bsky: Sandbox,
    bsky_settings: MakeSettings,
    posts: list[BlueskyPost],
    sessions: sessionmaker[Session],
) -> None:
    settings = bsky_settings(queries=["#keep4o"])
    bsky.inject(SEARCH, fault, times=2)
    sleeps: list[float] = []

    new = _poll(bsky, settings, sessions, sleeps)

    assert sleeps == [1.0, 2.0]
    assert bsky.requests(SEARCH) == 2 + 2
    assert new == 150
    assert sorted(_stored_ids(sessions)) == sorted(p.uri for p in posts)


def test_a_timeout_is_retried(
    bsky: Sandbox, bsky_settings: MakeSettings, posts: list[BlueskyPost], sessions: sessionmaker[Session]
) -> None:
    settings = bsky_settings(queries=["#keep4o"], timeout_seconds=1)
    bsky.inject(SEARCH, "timeout", seconds=3)
    sleeps: list[float] = []

    new = _poll(bsky, settings, sessions, sleeps)

    assert sleeps == [1.0]
    assert new == 150
    assert sorted(_stored_ids(sessions)) == sorted(p.uri for p in posts)


def test_a_rate_limit_waits_until_the_reset_and_carries_on(
    bsky: Sandbox, bsky_settings: MakeSettings, posts: list[BlueskyPost], sessions: sessionmaker[Session]
) -> None:
    bsky.inject(SEARCH, "429", seconds=5)
    sleeps: list[float] = []

    new = _poll(bsky, bsky_settings(queries=["#keep4o"]), sessions, sleeps)

    # The reset is 5 s after the server's Date (both whole seconds, so 4 to 6 s).
    assert len(sleeps) == 1
    assert 4 <= sleeps[0] <= 6
    assert new == 150


def test_a_rate_limit_longer_than_a_poll_waits_stops_the_poll_and_the_next_poll_catches_up(
    bsky: Sandbox, bsky_settings: MakeSettings, posts: list[BlueskyPost], sessions: sessionmaker[Session]
) -> None:
    settings = bsky_settings(queries=["#keep4o"])
    bsky.inject(SEARCH, "429", seconds=900)
    sleeps: list[float] = []

    with pytest.raises(BlueskyRateLimited, match=r"rate limited on searchPosts for \d+ s more") as limited:
        _poll(bsky, settings, sessions, sleeps)

    assert 890 <= limited.value.retry_after <= 900  # the runner's next try waits for the reset
    assert sleeps == []
    with sessions() as db:
        assert get_checkpoint(db, "bluesky:search:#keep4o") is None
    assert _poll(bsky, settings, sessions, sleeps) == 150


def test_an_expired_token_means_exactly_one_fresh_login(
    bsky: Sandbox, bsky_settings: MakeSettings, posts: list[BlueskyPost], sessions: sessionmaker[Session]
) -> None:
    settings = bsky_settings(queries=["#keep4o"])
    bsky.inject(SEARCH, "expired_token")
    sleeps: list[float] = []

    new = _poll(bsky, settings, sessions, sleeps)

    assert bsky.requests(LOGIN) == 2  # the first login and the one after the rejection
    assert sleeps == []
    assert new == 150


def test_a_token_rejected_again_after_the_fresh_login_stops_the_poll(
    bsky: Sandbox, bsky_settings: MakeSettings, posts: list[BlueskyPost], sessions: sessionmaker[Session]
) -> None:
    bsky.inject(SEARCH, "expired_token", times=2)

    with pytest.raises(BlueskyError, match="searchPosts refused after a fresh login: 400 ExpiredToken"):
        _poll(bsky, bsky_settings(queries=["#keep4o"]), sessions, [])

    assert bsky.requests(LOGIN) == 2
    assert _stored_ids(sessions) == []


def test_a_server_that_keeps_failing_stops_the_poll_with_one_line_after_four_attempts(
    bsky: Sandbox, bsky_settings: MakeSettings, posts: list[BlueskyPost], sessions: sessionmaker[Session]
) -> None:
    bsky.inject(SEARCH, "503", times=10)
    sleeps: list[float] = []

    with pytest.raises(BlueskyError) as failure:
        _poll(bsky, bsky_settings(queries=["#keep4o"]), sessions, sleeps)

    assert str(failure.value) == (
        "bluesky: searchPosts failed 4 times, last: RequestException: "
        "503 NotEnoughResources: Service Unavailable (stored so far: 0 new, 0 updated)"
    )
    assert sleeps == [1.0, 2.0, 4.0]


def test_faults_on_every_page_of_a_repeated_poll_never_duplicate_a_post(
    bsky: Sandbox, bsky_settings: MakeSettings, posts: list[BlueskyPost], sessions: sessionmaker[Session]
) -> None:
    settings = bsky_settings(queries=["#keep4o", "keep4o"])
    for fault in ("500", "truncated", "malformed", "502", "expired_token"):
        bsky.inject(SEARCH, fault)
        _poll(bsky, settings, sessions, [])

    with sessions() as db:
        assert db.scalar(select(func.count()).select_from(Post)) == 150
    assert sorted(_stored_ids(sessions)) == sorted(p.uri for p in posts)


def test_a_forbidden_query_is_refused_without_a_fresh_login_and_the_other_queries_still_run(
    bsky: Sandbox, bsky_settings: MakeSettings, posts: list[BlueskyPost], sessions: sessionmaker[Session]
) -> None:
    # A proxy's 403 refuses the request, not the token: logging in again would not help, and
    # on every poll would spend the account's 300 logins a day.
    bsky.inject(SEARCH, "forbidden")

    with pytest.raises(BlueskyError) as failure:
        _poll(bsky, bsky_settings(queries=["#keep4o", "keep4o"]), sessions, [])

    assert str(failure.value) == (
        "bluesky: searchPosts refused: 403 Forbidden: Request forbidden by administrative rules."
        " (stored so far: 150 new, 0 updated)"
    )
    assert bsky.requests(LOGIN) == 1
    assert len(_stored_ids(sessions)) == 150  # by the second query
    with sessions() as db:
        assert get_checkpoint(db, "bluesky:search:#keep4o") is None  # read again next time
        assert get_checkpoint(db, "bluesky:search:keep4o") is not None


def test_an_empty_page_with_a_cursor_is_read_past(
    bsky: Sandbox, bsky_settings: MakeSettings, posts: list[BlueskyPost], sessions: sessionmaker[Session]
) -> None:
    # The AppView drops posts it hides after fetching a page, so a page can be empty mid-results.
    settings = bsky_settings(queries=["#keep4o"])
    bsky.inject(SEARCH, "empty")

    assert _poll(bsky, settings, sessions, []) == 50  # the second page; the first came back empty
    assert _poll(bsky, settings, sessions, []) == 100  # the first page's posts are newer than both
    assert sorted(_stored_ids(sessions)) == sorted(p.uri for p in posts)


def test_a_cursor_given_back_again_stops_the_query_instead_of_looping(
    bsky: Sandbox, bsky_settings: MakeSettings, posts: list[BlueskyPost], sessions: sessionmaker[Session]
) -> None:
    bsky.inject(SEARCH, "stuck_cursor", times=5)

    with pytest.raises(BlueskyError, match="searchPosts for '#keep4o' gave the same cursor twice"):
        _poll(bsky, bsky_settings(queries=["#keep4o"]), sessions, [])

    assert bsky.requests(SEARCH) == 2
    with sessions() as db:
        assert get_checkpoint(db, "bluesky:search:#keep4o") is None


def test_a_refusal_on_an_html_page_is_told_by_its_title_on_one_line() -> None:
    # Some proxies in front of the AppView answer 403 with an HTML page, not XRPC JSON.
    page = b"<html>\n<head><title>Request forbidden by\n administrative rules.</title></head></html>"
    refused = UnauthorizedError(Response(success=False, status_code=403, content=page, headers={}))
    assert _refusal(refused) == "403 Request forbidden by administrative rules."


def test_one_post_that_does_not_validate_is_skipped_and_the_rest_of_its_page_stored(
    bsky: Sandbox, bsky_settings: MakeSettings, posts: list[BlueskyPost], sessions: sessionmaker[Session]
) -> None:
    # Parsed by the SDK, the whole page failed on it, on every poll: the query stalled for good.
    settings = bsky_settings(queries=["#keep4o"])
    bsky.inject(SEARCH, "broken_post")
    sleeps: list[float] = []

    assert _poll(bsky, settings, sessions, sleeps) == 149
    assert sleeps == []  # not retried: the same page would come back the same
    with sessions() as db:
        assert get_checkpoint(db, "bluesky:search:#keep4o") is not None
    assert _poll(bsky, settings, sessions, sleeps) == 1  # the next poll reads it whole


def test_a_refresh_batch_with_a_post_that_does_not_validate_still_stores_the_others(
    bsky: Sandbox, bsky_settings: MakeSettings, posts: list[BlueskyPost], sessions: sessionmaker[Session]
) -> None:
    settings = bsky_settings(queries=["#keep4o"])
    _poll(bsky, settings, sessions, [])
    for post in posts:
        post.like_count += 1
    bsky.inject("/xrpc/app.bsky.feed.getPosts", "broken_post")

    summary = refresh_bluesky(settings, sessions, clock=bsky.clock.now, sleep=lambda _: None)

    assert (summary.updated, summary.removed) == (149, 0)  # all but the broken one, none purged
    assert bsky.requests("/xrpc/app.bsky.feed.getPosts") == 6  # 150 posts, 25 a call, none retried


def test_a_refresh_answer_holding_something_that_is_not_a_post_purges_nothing(
    bsky: Sandbox, bsky_settings: MakeSettings, posts: list[BlueskyPost], sessions: sessionmaker[Session]
) -> None:
    # Whose it is cannot be known, so no post of the batch can be taken for deleted.
    settings = bsky_settings(queries=["#keep4o"])
    _poll(bsky, settings, sessions, [])
    bsky.inject("/xrpc/app.bsky.feed.getPosts", "not_a_post")

    summary = refresh_bluesky(settings, sessions, clock=bsky.clock.now, sleep=lambda _: None)

    assert summary.removed == 0


def test_a_search_result_that_is_not_a_post_is_skipped(
    bsky: Sandbox, bsky_settings: MakeSettings, posts: list[BlueskyPost], sessions: sessionmaker[Session]
) -> None:
    bsky.inject(SEARCH, "not_a_post")
    assert _poll(bsky, bsky_settings(queries=["#keep4o"]), sessions, []) == 149
