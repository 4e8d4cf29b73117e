"""Collectors report the rate-limit headroom the services announce, for the daemon's gauge."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.ops import rate_limit_sink
from bot.sandbox import Sandbox
from bot.sources import poll_bluesky, poll_reddit
from tests.sources.reddit_sandbox import NOW, make_settings


def test_a_reddit_poll_reports_the_remaining_requests(
    sb: Sandbox, tmp_path: Path, db_url: str, sessions: sessionmaker[Session]
) -> None:
    seen: list[int] = []
    with rate_limit_sink(seen.append):
        poll_reddit(make_settings(sb, tmp_path, db_url), sessions, clock=lambda: NOW)
    # The sandbox allows 1000 requests per 600 s window, as Reddit does; one poll used a few.
    assert seen and all(990 <= remaining < 1000 for remaining in seen)


def test_a_bluesky_poll_reports_the_remaining_requests(
    bsky: Sandbox, bsky_settings: Callable[..., Settings], sessions: sessionmaker[Session]
) -> None:
    seen: list[int] = []
    with rate_limit_sink(seen.append):
        poll_bluesky(bsky_settings(), sessions, clock=bsky.clock.now)
    # The login answers with createSession's own limit (30 per 5 minutes), then the calls
    # answer with the per-IP limit (3000 per 5 minutes): the gauge shows the latest.
    assert seen[0] == 29
    assert all(2900 <= remaining < 3000 for remaining in seen[1:])
