"""Reddit collector: the subreddits' ``/new`` as one multireddit, and site-wide search.

Why newest-first pages and not ``before=<checkpoint>``: Reddit answers ``before`` with an
empty listing when the anchor post has been removed or has dropped out of the 1000-item
listing cache, which is indistinguishable from "nothing new", so a poll anchored on it would
stall silently (PRAW's stream works around this by dropping ``before`` every 30th call). So
each poll reads ``/r/a+b+c/new?limit=100`` from the top and follows ``after`` until it meets the
checkpoint: the fullname of the newest post the previous poll saw, or, if that post is gone, any
post created before it. A quiet poll is therefore one request.

Crash safety: pages arrive newest first, so the checkpoint may only move to the new head once
every page down to the old checkpoint is stored. Each page is upserted in its own transaction
and the checkpoint is written in the transaction of the last page. A crash or a failed request
on page 2 leaves page 1 stored and the old checkpoint in place; the next poll reads page 1 again
(an idempotent upsert) and goes on to the rest. Nothing is skipped, nothing duplicated.

Search (``search=True``) runs each configured query site-wide with ``sort=new&t=day``. The
search index lags, so a query reads until ``SEARCH_OVERLAP`` before the newest post its last
run saw. Results are deduplicated by fullname across queries and, through the upsert, with
the listing.

Only posts that match the campaign (``bot.sources.Matcher``) are stored.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.clock import utc_now
from bot.config import Settings
from bot.storage import get_checkpoint, set_checkpoint, upsert_posts

from ._match import Matcher
from ._polled import mark_polled
from ._record import PollSummary
from ._reddit_client import RedditClient
from ._reddit_normalise import normalise_page

log = logging.getLogger(__name__)

PAGE_SIZE = 100
LISTING_PAGES = 10  # Reddit's listings end after 1000 items
SEARCH_PAGES = 3  # search stops after about 250 results
SEARCH_OVERLAP = timedelta(hours=2)


@dataclass(frozen=True)
class Mark:
    """Where a listing was: the newest post's fullname and creation time (epoch seconds)."""

    fullname: str
    created: float

    def dumps(self) -> str:
        return json.dumps({"fullname": self.fullname, "created_utc": self.created})

    @classmethod
    def loads(cls, value: str | None) -> Mark | None:
        if value is None:
            return None
        try:
            data = json.loads(value)
            return cls(str(data["fullname"]), float(data["created_utc"]))
        except (ValueError, TypeError, KeyError):
            log.warning("reddit: ignoring an unreadable checkpoint %r", value[:80])
            return None

    @classmethod
    def of(cls, post: Mapping[str, Any]) -> Mark | None:
        try:
            return cls(str(post["name"]), float(post["created_utc"]))
        except (KeyError, TypeError, ValueError):
            return None


def listing_checkpoint(subreddits: list[str]) -> str:
    # Order and case of the configured names do not matter; another set starts afresh.
    return "reddit:new:" + "+".join(sorted(s.lower() for s in subreddits))


def search_checkpoint(query: str) -> str:
    return f"reddit:search:{query}"


@dataclass
class _Walk:
    """One newest-first read of a listing, page by page, ending at ``stop`` (see module docstring)."""

    client: RedditClient
    sessions: sessionmaker[Session]
    matcher: Matcher
    clock: Callable[[], datetime]
    seen: set[str]
    new: int = 0
    updated: int = 0

    def run(
        self,
        path: str,
        params: Mapping[str, str | int],
        *,
        checkpoint: str,
        stop: Callable[[Mapping[str, Any]], bool],
        max_pages: int,
    ) -> None:
        head: Mark | None = None
        after: str | None = None
        for number in range(1, max_pages + 1):
            page_params = {**params, "limit": PAGE_SIZE} | ({"after": after} if after else {})
            posts, after = self.client.listing(path, page_params)
            now = self.clock()
            if head is None:
                # A post claiming to be from the future would stay newest, and the mark, for good.
                marks = (m for m in map(Mark.of, posts) if m is not None and m.created <= now.timestamp())
                head = next(marks, None)
            fresh = []
            reached = False
            for post in posts:
                if stop(post):
                    reached = True
                    break
                fresh.append(post)
            records = [r for r in normalise_page(fresh, self.matcher) if r.platform_id not in self.seen]
            self.seen.update(r.platform_id for r in records)
            last = reached or after is None or number == max_pages
            with self.sessions.begin() as session:
                new, updated = upsert_posts(session, records, now)
                if last and head is not None:
                    set_checkpoint(session, checkpoint, head.dumps(), now)
            self.new, self.updated = self.new + new, self.updated + updated
            log.debug("reddit: %s page %d: %d posts, %d stored", path, number, len(posts), len(records))
            if last:
                if not reached and after is not None:
                    log.warning(
                        "reddit: %s: more than %d posts since the last poll", path, number * PAGE_SIZE
                    )
                return


def _until_checkpoint(mark: Mark | None) -> Callable[[Mapping[str, Any]], bool]:
    """The listing's stop rule: the checkpoint's own post, or (if that is gone) one created before it."""

    def stop(post: Mapping[str, Any]) -> bool:
        seen = Mark.of(post)
        return (
            mark is not None
            and seen is not None
            and (seen.fullname == mark.fullname or seen.created < mark.created)
        )

    return stop


def _older_than(mark: Mark | None, overlap: timedelta) -> Callable[[Mapping[str, Any]], bool]:
    """Search's stop rule: a post created ``overlap`` before the newest the last run saw."""

    def stop(post: Mapping[str, Any]) -> bool:
        seen = Mark.of(post)
        return mark is not None and seen is not None and seen.created < mark.created - overlap.total_seconds()

    return stop


def poll_reddit(
    settings: Settings,
    sessions: sessionmaker[Session],
    *,
    clock: Callable[[], datetime] = utc_now,
    search: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> PollSummary:
    """Store the campaign's new Reddit posts: the subreddits' ``/new`` or, with ``search``, site-wide search.

    The two are separate jobs (the listing every few minutes, search about hourly); the summary's
    source is ``reddit`` or ``reddit-search``. Raises :class:`RedditError` when Reddit cannot be
    read; pages stored before that stay stored.
    """
    client = RedditClient(settings, sleep=sleep)
    config = client.config
    walk = _Walk(client, sessions, Matcher(settings.config.match, settings.config.care), clock, set())
    if search:
        for query in config.search_queries:
            name = search_checkpoint(query)
            walk.run(
                "search",
                {"q": query, "sort": "new", "t": "day", "type": "link"},
                checkpoint=name,
                stop=_older_than(_load(sessions, name), SEARCH_OVERLAP),
                max_pages=SEARCH_PAGES,
            )
    else:
        name = listing_checkpoint(config.subreddits)
        walk.run(
            f"r/{'+'.join(config.subreddits)}/new",
            {},
            checkpoint=name,
            stop=_until_checkpoint(_load(sessions, name)),
            max_pages=LISTING_PAGES,
        )
    source = "reddit-search" if search else "reddit"
    mark_polled(sessions, source, clock())
    return PollSummary(source, new=walk.new, updated=walk.updated, requests=client.requests)


def _load(sessions: sessionmaker[Session], name: str) -> Mark | None:
    with sessions() as session:
        return Mark.loads(get_checkpoint(session, name))
