"""One PRAW client per process: the Reddit jobs share its OAuth token and take turns using it."""

from __future__ import annotations

import dataclasses
import linecache
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.sandbox import Clock, Sandbox, World
from bot.sources import PollSummary, RedditError, poll_reddit, refresh_reddit
from bot.sources._reddit_client import CONNECTIONS, Connections, Endpoint
from tests.sources.reddit_sandbox import NOW, add, make_settings

TOKEN = "/api/v1/access_token"
QUERIES = 3  # the sandbox campaign's search_queries


def poll(settings: Settings, sessions: sessionmaker[Session], sb: Sandbox, **kwargs: bool) -> PollSummary:
    return poll_reddit(settings, sessions, clock=sb.clock.now, **kwargs)


def with_secret(settings: Settings, secret: str) -> Settings:
    secrets = dataclasses.replace(settings.secrets, reddit_client_secret=SecretStr(secret))
    return dataclasses.replace(settings, secrets=secrets)


def test_two_consecutive_polls_make_one_token_request(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    add(sb, 1, minutes_ago=5)
    first = poll(settings, sessions, sb)
    add(sb, 2, minutes_ago=1)
    second = poll(settings, sessions, sb)
    assert (first.new, first.requests, second.new, second.requests) == (1, 1, 1, 1)
    assert sb.requests(TOKEN) == 1
    assert sb.requests("/r/") == 2


def test_the_listing_the_search_and_the_refresh_share_one_token(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    add(sb, 1, minutes_ago=5)
    poll(settings, sessions, sb)
    poll(settings, sessions, sb, search=True)
    refresh_reddit(settings, sessions, clock=sb.clock.now)
    assert sb.requests(TOKEN) == 1
    assert sb.requests() == 1 + 1 + QUERIES + 1


def test_a_token_reddit_stops_accepting_is_replaced_once_and_then_reused(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    poll(settings, sessions, sb)
    sb.inject("/r/", "expired_token")
    assert poll(settings, sessions, sb).requests == 2  # the refused request and its repeat
    poll(settings, sessions, sb)
    assert sb.requests(TOKEN) == 2


def test_a_changed_secret_never_borrows_the_client_of_the_old_one(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    poll(settings, sessions, sb)
    with pytest.raises(RedditError, match="401"):
        poll(with_secret(settings, "not-the-secret"), sessions, sb)
    poll(settings, sessions, sb)
    assert sb.requests(TOKEN) == 2  # the first poll's and the refused one
    assert sb.requests("/r/") == 2


def test_another_server_gets_a_client_of_its_own(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session], tmp_path: Path, db_url: str
) -> None:
    with Sandbox(world=World(), clock=Clock(NOW, speed=0)) as other:
        poll(settings, sessions, sb)
        poll(make_settings(other, tmp_path / "other", db_url), sessions, other)
        assert (sb.requests(TOKEN), sb.requests("/r/")) == (1, 1)
        assert (other.requests(TOKEN), other.requests("/r/")) == (1, 1)


def _blocked_on_the_client_lock(thread: threading.Thread) -> bool:
    """Whether ``thread`` stands at ``with connection.lock`` in the Reddit client."""
    frame = sys._current_frames().get(thread.ident or -1)
    return (
        frame is not None
        and frame.f_code.co_filename.endswith("_reddit_client.py")
        and "with connection.lock" in linecache.getline(frame.f_code.co_filename, frame.f_lineno)
    )


def _wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.01)


def test_a_job_waits_while_another_is_using_the_client(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    add(sb, 1, minutes_ago=5)
    done: list[PollSummary] = []
    worker = threading.Thread(target=lambda: done.append(poll(settings, sessions, sb)))
    with CONNECTIONS.get(settings).lock:
        worker.start()
        _wait_until(lambda: _blocked_on_the_client_lock(worker))
        assert sb.requests() == 0
    worker.join(timeout=30)
    assert [summary.new for summary in done] == [1]


def test_jobs_running_at_once_count_only_their_own_requests(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    for n in range(3):
        add(sb, n, minutes_ago=5 + n)
    results: dict[str, PollSummary] = {}
    jobs = {
        "listing": lambda: poll(settings, sessions, sb),
        "search": lambda: poll(settings, sessions, sb, search=True),
    }
    threads = [threading.Thread(target=lambda k=k, f=f: results.update({k: f()})) for k, f in jobs.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert (results["listing"].requests, results["search"].requests) == (1, QUERIES)
    assert sb.requests(TOKEN) == 1


def test_the_least_recently_used_client_is_dropped_beyond_the_bound(settings: Settings) -> None:
    clients = Connections(size=2)
    a, b, c = (with_secret(settings, secret) for secret in ("a", "b", "c"))
    first_a, first_b = clients.get(a), clients.get(b)
    assert clients.get(a) is first_a
    clients.get(c)  # b is now the least recently used
    assert clients.get(a) is first_a
    assert clients.get(b) is not first_b


def test_an_endpoint_never_shows_its_secrets(settings: Settings) -> None:
    shown = repr(Endpoint.of(settings))
    assert "sandbox-secret" not in shown
    assert "sandbox-password" not in shown
    assert "keep4o_bot" in shown  # the account name is not secret
