"""Reddit failing in every way the sandbox can: nothing lost, nothing duplicated, the checkpoint safe."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from requests.structures import CaseInsensitiveDict
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import utc_now
from bot.config import Settings
from bot.sandbox import Sandbox
from bot.sources import PollSummary, RedditError, poll_reddit, refresh_reddit
from bot.sources._reddit import Mark, listing_checkpoint
from bot.sources._reddit_client import _readable_limits
from tests.sources.reddit_sandbox import add, checkpoints, make_settings, post_count, stored


class Crash(Exception):
    """Stands for the process dying part-way through a poll."""


@pytest.fixture
def settings(sb: Sandbox, tmp_path: Path, db_url: str) -> Settings:
    return make_settings(sb, tmp_path, db_url, timeout=1)


@pytest.fixture
def sleeps() -> list[float]:
    return []


def poll(
    settings: Settings, sessions: sessionmaker[Session], sb: Sandbox, sleeps: list[float]
) -> PollSummary:
    return poll_reddit(settings, sessions, clock=sb.clock.now, sleep=sleeps.append)


def listing_mark(settings: Settings, sessions: sessionmaker[Session]) -> Mark | None:
    assert settings.config.reddit is not None
    return Mark.loads(checkpoints(sessions).get(listing_checkpoint(settings.config.reddit.subreddits)))


def test_a_429_waits_retry_after_then_carries_on(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session], sleeps: list[float]
) -> None:
    add(sb, 1, minutes_ago=5)
    sb.inject("/r/", "429", seconds=1)
    assert poll(settings, sessions, sb, sleeps).new == 1
    assert sleeps == [1.0]


def test_rate_limited_again_and_again_gives_up_with_one_line_and_stores_nothing(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session], sleeps: list[float]
) -> None:
    add(sb, 1, minutes_ago=5)
    sb.inject("/r/", "429", times=4, seconds=1)
    with pytest.raises(RedditError, match="still rate limited after 3 waits") as failure:
        poll(settings, sessions, sb, sleeps)
    assert "\n" not in str(failure.value)
    assert (post_count(sessions), checkpoints(sessions)) == (0, {})
    assert poll(settings, sessions, sb, sleeps).new == 1


@pytest.mark.parametrize("fault", ["500", "502", "503", "timeout", "expired_token"])
def test_a_transient_failure_is_retried_by_prawcore(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session], sleeps: list[float], fault: str
) -> None:
    add(sb, 1, minutes_ago=5)
    sb.inject("/r/", fault, seconds=2)
    summary = poll(settings, sessions, sb, sleeps)
    assert (summary.new, post_count(sessions), sleeps) == (1, 1, [])
    assert sb.requests("/r/") == 2


def test_an_expired_token_is_replaced_once(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session], sleeps: list[float]
) -> None:
    add(sb, 1, minutes_ago=5)
    sb.inject("/r/", "expired_token")
    poll(settings, sessions, sb, sleeps)
    assert sb.requests("/api/v1/access_token") == 2


@pytest.mark.parametrize("fault", ["malformed", "truncated"])
def test_a_broken_body_is_retried_after_a_backoff(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session], sleeps: list[float], fault: str
) -> None:
    add(sb, 1, minutes_ago=5)
    sb.inject("/r/", fault)
    assert poll(settings, sessions, sb, sleeps).new == 1
    assert sleeps == [2.0]


def test_server_errors_beyond_prawcores_retries_back_off_and_recover(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session], sleeps: list[float]
) -> None:
    add(sb, 1, minutes_ago=5)
    sb.inject("/r/", "503", times=3)
    assert poll(settings, sessions, sb, sleeps).new == 1
    assert sleeps == [2.0]


def test_a_failure_that_outlasts_the_backoff_gives_up_cleanly(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session], sleeps: list[float]
) -> None:
    add(sb, 1, minutes_ago=5)
    sb.inject("/r/", "malformed", times=3)
    with pytest.raises(RedditError, match=r"BadJSON.*gave up after 3 attempts"):
        poll(settings, sessions, sb, sleeps)
    assert sleeps == [2.0, 4.0]
    assert (post_count(sessions), checkpoints(sessions)) == (0, {})
    assert poll(settings, sessions, sb, sleeps).new == 1


def _older_and_newer(sb: Sandbox) -> None:
    """One post a previous poll stored, then 250 new ones: three pages, newest first."""
    for n in range(1, 251):
        add(sb, n, minutes_ago=500 - n)


def test_a_crash_after_the_first_page_leaves_a_checkpoint_the_next_poll_completes_from(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session], sleeps: list[float]
) -> None:
    add(sb, 0, minutes_ago=1000)
    poll(settings, sessions, sb, sleeps)
    before = listing_mark(settings, sessions)
    _older_and_newer(sb)
    calls = 0

    def dies_on_page_two() -> datetime:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise Crash
        return sb.clock.now()

    with pytest.raises(Crash):
        poll_reddit(settings, sessions, clock=dies_on_page_two, sleep=sleeps.append)
    assert post_count(sessions) == 1 + 100
    assert listing_mark(settings, sessions) == before
    summary = poll(settings, sessions, sb, sleeps)
    assert (summary.new, summary.updated) == (150, 0)
    assert post_count(sessions) == 251
    assert listing_mark(settings, sessions) == Mark(
        "t3_p00250", sb.world.reddit_posts["t3_p00250"].created_at.timestamp()
    )


def test_a_failed_request_on_page_two_keeps_page_one_and_the_old_checkpoint(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session], sleeps: list[float]
) -> None:
    add(sb, 0, minutes_ago=1000)
    poll(settings, sessions, sb, sleeps)
    before = listing_mark(settings, sessions)
    _older_and_newer(sb)
    armed = False

    def breaks_reddit_after_page_one() -> datetime:
        nonlocal armed
        if not armed:
            armed = True
            sb.inject("/r/", "malformed", times=3)
        return sb.clock.now()

    with pytest.raises(RedditError):
        poll_reddit(settings, sessions, clock=breaks_reddit_after_page_one, sleep=sleeps.append)
    assert post_count(sessions) == 1 + 100
    assert listing_mark(settings, sessions) == before
    sb.reset_counters()
    assert poll(settings, sessions, sb, sleeps).new == 150
    assert sb.requests("/r/") == 3
    assert sorted(stored(sessions)) == [f"t3_p{n:05d}" for n in range(251)]


def test_refresh_survives_a_server_error(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session], sleeps: list[float]
) -> None:
    post = add(sb, 1, minutes_ago=5)
    poll(settings, sessions, sb, sleeps)
    post.score = 7
    sb.inject("/api/info", "503", times=3)
    assert refresh_reddit(settings, sessions, clock=sb.clock.now, sleep=sleeps.append).updated == 1
    assert stored(sessions)["t3_p00001"].likes == 7


LIMITS = ("x-ratelimit-remaining", "x-ratelimit-used", "x-ratelimit-reset")


@pytest.mark.parametrize(
    ("sent", "read"),
    [
        # Reddit's own: prawcore reads these, and gets them as whole numbers.
        (("997.0", "3", "247"), ("997", "3", "247")),
        # prawcore's int() fails on "3.0": rewritten.
        (("997.0", "3.0", "247.5"), ("997", "3", "247")),
        # Unreadable or incomplete: left out, as if the server had sent none.
        (("lots", "3", "1"), (None, None, None)),
        (("inf", "3", "1"), (None, None, None)),
        (("997.0", "1e400", "1"), (None, None, None)),
        (("997.0", "3", "-5"), (None, None, None)),
        (("997.0", None, None), (None, None, None)),
    ],
)
def test_rate_limit_headers_reach_prawcore_in_a_form_it_reads(
    sent: tuple[str | None, ...], read: tuple[str | None, ...]
) -> None:
    headers = CaseInsensitiveDict({n: v for n, v in zip(LIMITS, sent, strict=True) if v is not None})
    _readable_limits(headers)
    assert tuple(headers.get(name) for name in LIMITS) == read


def test_a_retry_after_given_as_a_date_becomes_seconds_and_an_unreadable_one_is_dropped() -> None:
    soon = utc_now() + timedelta(seconds=30)
    headers = CaseInsensitiveDict({"retry-after": format_datetime(soon, usegmt=True)})
    _readable_limits(headers)
    assert 28 <= float(headers["retry-after"]) <= 30
    for unreadable in ("soon", "nan", "-3"):
        headers = CaseInsensitiveDict({"retry-after": unreadable})
        _readable_limits(headers)
        assert "retry-after" not in headers  # the default wait applies
    headers = CaseInsensitiveDict({"retry-after": "7.5"})
    _readable_limits(headers)
    assert headers["retry-after"] == "7"
