"""API economy: requests per poll against the sandbox, quiet and busy, beside the minimum possible.

The minimum (issue 9): one request per source query when nothing is new, plus ceil(N/100)
when N new posts are waiting (100 is both platforms' page size). Reddit polls one query
(the subreddits as one multireddit ``/new``); Bluesky searches each configured query, so
its minimum is summed per query over the new posts that query returns. Requests that are
not queries (Reddit's OAuth token, a Bluesky login) are reported beside them; only the first
polls, which are not reported, should make any: the Reddit client and its token last as long as
the process (``bot.sources._reddit_client.CONNECTIONS``), the Bluesky session is saved.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings, load_settings
from bot.sandbox import BlueskyPost, Clock, RedditPost, Sandbox, World, generate_world
from bot.sandbox._bluesky_search import matches, parse_query
from bot.sandbox._factory import FIRST_REDDIT_ID, base36, make_bluesky_post
from bot.sources import PollSummary, poll_bluesky, poll_reddit
from bot.storage import make_sessionmaker

from ._db import fresh_database

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
STEP = timedelta(minutes=10)  # the default schedule's time between polls
BUSY = (50, 250, 900)  # Reddit's listings end at 1000 posts, so N stays below that
PAGE = 100
QUERY_PATHS = {"reddit": "/r/", "bluesky": "/xrpc/app.bsky.feed.searchPosts"}

Poll = Callable[..., PollSummary]


def _drop_future(world: World, now: datetime) -> None:
    """Keep only what exists at ``now``: new posts appear only when the benchmark adds them."""
    with world.lock:
        for key in [k for k, p in world.reddit_posts.items() if p.created_at > now]:
            del world.reddit_posts[key]
        for key in [k for k, b in world.bluesky_posts.items() if b.indexed_at > now]:
            del world.bluesky_posts[key]


def _add_posts(world: World, count: int, since: datetime, until: datetime, did: str) -> list[BlueskyPost]:
    """``count`` campaign posts on each platform, spread over ``(since, until]``."""
    with world.lock:
        newest = max((int(p.id, 36) for p in world.reddit_posts.values()), default=FIRST_REDDIT_ID)
    gap = (until - since) / (count + 1)
    added = []
    for i in range(count):
        at = since + gap * (i + 1)
        world.add_reddit_post(
            RedditPost(
                id=base36(newest + 1 + i),
                subreddit="ChatGPT",
                author=f"bench{i % 97}",
                title=f"Day {i}: still asking OpenAI to #keep4o",
                selftext="The petition is the one place they have to count us.",
                created_at=at,
            )
        )
        added.append(world.add_bluesky_post(make_bluesky_post(did, f"Post {i}: please #keep4o", at)))
    return added


def _bluesky_minimum(settings: Settings, new: Sequence[BlueskyPost]) -> int:
    queries = settings.config.bluesky.queries if settings.config.bluesky else []
    hits = [sum(matches(p, parse_query(q), None, None) for p in new) for q in queries]
    return sum(1 + math.ceil(n / PAGE) for n in hits)


class _Bench:
    def __init__(
        self, sb: Sandbox, settings: Settings, sessions: sessionmaker[Session], backend: str
    ) -> None:
        self.sb, self.settings, self.sessions, self.backend = sb, settings, sessions, backend

    def poll(self, source: str, kind: str, size: int, minimum: int) -> dict[str, Any]:
        fn: Poll = poll_reddit if source == "reddit" else poll_bluesky
        self.sb.reset_counters()
        summary = fn(self.settings, self.sessions, clock=self.sb.clock.now)
        queries = self.sb.requests(QUERY_PATHS[source])
        return {
            "section": "api",
            "backend": self.backend,
            "size": size,
            "source": source,
            "kind": kind,
            "requests": queries,
            "minimum": minimum,
            "over_minimum": queries - minimum,
            "other_requests": self.sb.requests() - queries,
            "new": summary.new,
        }


def run_api(backends: Sequence[str], busy: Sequence[int] = BUSY) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for backend in backends:
        world = generate_world(seed=7, now=T0)
        _drop_future(world, T0)
        did = next(a.did for a in world.bluesky_accounts.values() if a.app_password is None)
        with (
            fresh_database(backend) as engine,
            tempfile.TemporaryDirectory(prefix="keep4o-bench-api-") as folder,
            Sandbox(world=world, clock=Clock(T0, speed=0)) as sb,
        ):
            settings = load_settings(sb.write_config(Path(folder) / "keep4o.toml", _url(engine)), environ={})
            bench = _Bench(sb, settings, make_sessionmaker(engine), backend)
            queries = len(settings.config.bluesky.queries) if settings.config.bluesky else 0
            for source in ("reddit", "bluesky"):  # the first polls read the backlog
                bench.poll(source, "first", 0, 0)
            sb.clock.advance(STEP)
            rows.append(bench.poll("reddit", "quiet", 0, 1))
            rows.append(bench.poll("bluesky", "quiet", 0, queries))
            for count in busy:
                before = sb.clock.now()
                sb.clock.advance(STEP)
                new = _add_posts(world, count, before, sb.clock.now(), did)
                rows.append(bench.poll("reddit", "busy", count, 1 + math.ceil(count / PAGE)))
                rows.append(bench.poll("bluesky", "busy", count, _bluesky_minimum(settings, new)))
    return rows


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)
