"""How unmodified PRAW experiences the sandbox's injected Reddit failures."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import praw
import prawcore
import pytest

from bot.sandbox import Clock, RedditPost, Sandbox, World

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    world = World()
    for n in range(1, 6):
        world.add_reddit_post(RedditPost(f"f{n}", "ChatGPT", "a", f"Post {n}", "", T0 - timedelta(minutes=n)))
    with Sandbox(world=world, clock=Clock(T0, speed=0)) as running:
        yield running


def connect(sb: Sandbox) -> praw.Reddit:
    return praw.Reddit(
        client_id="sandbox-client",
        client_secret="sandbox-secret",
        user_agent="python:keep4o-bot-tests:1.0 (by /u/keep4o_bot)",
        oauth_url=sb.url,
        reddit_url=sb.url,
        short_url=sb.url,
        check_for_updates=False,
    )


def newest(reddit: praw.Reddit) -> list[str]:
    return [s.id for s in reddit.subreddit("ChatGPT").new(limit=5)]


def test_a_429_raises_too_many_requests_with_retry_after_and_is_not_retried(sb: Sandbox) -> None:
    sb.inject("/r/", "429", seconds=4)
    with pytest.raises(prawcore.TooManyRequests) as caught:
        newest(connect(sb))
    assert caught.value.retry_after == "4"
    assert sb.requests("/r/") == 1


def test_a_503_is_retried_and_the_retry_succeeds(sb: Sandbox) -> None:
    sb.inject("/r/", "503", times=1)
    assert newest(connect(sb)) == ["f1", "f2", "f3", "f4", "f5"]
    assert sb.requests("/r/") == 2


def test_three_502s_in_a_row_raise_server_error_after_three_attempts(sb: Sandbox) -> None:
    sb.inject("/r/", "502", times=3)
    with pytest.raises(prawcore.ServerError):
        newest(connect(sb))
    assert sb.requests("/r/") == 3


def test_malformed_json_raises_bad_json(sb: Sandbox) -> None:
    sb.inject("/r/", "malformed")
    with pytest.raises(prawcore.BadJSON):
        newest(connect(sb))


def test_a_truncated_body_raises_bad_json(sb: Sandbox) -> None:
    sb.inject("/r/", "truncated")
    with pytest.raises(prawcore.BadJSON):
        newest(connect(sb))


def test_an_expired_token_makes_praw_authenticate_again_and_retry(sb: Sandbox) -> None:
    reddit = connect(sb)
    newest(reddit)
    sb.reset_counters()
    sb.inject("/r/", "expired_token")
    assert newest(reddit) == ["f1", "f2", "f3", "f4", "f5"]
    assert sb.requests("/api/v1/access_token") == 1
    assert sb.requests("/r/") == 2


def test_a_stall_longer_than_prawcore_timeout_is_retried(sb: Sandbox) -> None:
    # prawcore reads PRAWCORE_TIMEOUT once, at import: run PRAW in a fresh interpreter.
    sb.inject("/r/", "timeout", times=1, seconds=3)
    program = textwrap.dedent(
        f"""
        import praw
        reddit = praw.Reddit(client_id="sandbox-client", client_secret="sandbox-secret",
            user_agent="python:keep4o-bot-tests:1.0 (by /u/keep4o_bot)", oauth_url="{sb.url}",
            reddit_url="{sb.url}", short_url="{sb.url}", check_for_updates=False)
        print(",".join(s.id for s in reddit.subreddit("ChatGPT").new(limit=5)))
        """
    )
    env = {**os.environ, "PRAWCORE_TIMEOUT": "1"}
    done = subprocess.run(
        [sys.executable, "-c", program], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "f1,f2,f3,f4,f5"
    assert sb.requests("/r/") == 2


def test_faults_on_the_token_endpoint_fail_authentication(sb: Sandbox) -> None:
    sb.inject("/api/v1/access_token", "500", times=1)
    with pytest.raises(prawcore.ResponseException) as caught:
        newest(connect(sb))
    assert caught.value.response.status_code == 500
