"""Bluesky by search: ``app.bsky.feed.searchPosts`` per configured query, and engagement refresh.

(The streaming alternative, and when to prefer it, is described in ``_jetstream.py``.)

A query's window starts at its checkpoint (the newest ``indexedAt`` a finished poll saw) minus
``overlap``, because the search index lags behind the network; the first poll reads
``backfill`` back. Pages come newest first (``sort=latest``); the cursor is followed until a
page holds nothing newer than the checkpoint, a post older than the window start (servers that
ignore ``since`` show them), or no cursor; an empty page with a cursor is read past, and a
cursor given twice is an error, not a loop. Search stops paginating at 10,000 results; past
that the window is read on from ``until`` = the oldest post seen. A query that fails does not
stop the others (the poll still reports the failure), except on a rate limit, which is the
account's.

Posts are matched locally (text, hashtags, links), so a query may be broad; only matches are
stored, never the bot's own posts (its digests). Each page is stored in one transaction; the
checkpoint moves only once the whole window is stored, so a crash or a failed call mid-window
leaves the old checkpoint and the next poll reads the window again (upserts are idempotent).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

from atproto_client import models
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import utc_now
from bot.config import Settings, parse_duration
from bot.storage import Post, get_checkpoint, mark_gone, set_checkpoint, upsert_posts

from ._bluesky_api import (
    DEFAULT_RATE_LIMIT_WAIT,
    BlueskyApi,
    BlueskyBadRequest,
    BlueskyError,
    BlueskyRateLimited,
    bluesky_config,
)
from ._bluesky_normalise import MalformedPost, as_json, indexed_at, parse_time, record_from_post_view
from ._match import Matcher
from ._polled import mark_polled
from ._record import PollSummary, PostRecord

log = logging.getLogger(__name__)

PAGE_SIZE = 100
SEARCH_DEPTH = 10_000  # results searchPosts pages through before it refuses the cursor
GET_POSTS_BATCH = 25
_MS = timedelta(milliseconds=1)


@dataclass
class _Run:
    """One poll's running state: what it has seen, what it stored."""

    api: BlueskyApi
    sessions: sessionmaker[Session]
    matcher: Matcher
    handle: str
    clock: Callable[[], datetime]
    seen: set[str] = field(default_factory=set)
    new: int = 0
    updated: int = 0

    def is_own(self, record: PostRecord) -> bool:
        """The bot's own posts (its digests) are never campaign posts."""
        return record.author_handle == self.handle or (
            self.api.did is not None and record.author_id == self.api.did
        )

    def store(self, records: Sequence[PostRecord]) -> None:
        with self.sessions.begin() as db:
            new, updated = upsert_posts(db, records, self.clock())
        self.new += new
        self.updated += updated


@dataclass
class _Page:
    """What one page of a window held."""

    records: list[PostRecord] = field(default_factory=list)
    newest: datetime | None = None  # indexedAt
    oldest: datetime | None = None  # sortAt (the record's created_at), what `until` compares with
    fresh: bool = False  # anything newer than the checkpoint
    reached_start: bool = False
    read: int = 0  # results that were readable posts


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    return max(a, b) if a and b else a or b


def _earlier(a: datetime | None, b: datetime | None) -> datetime | None:
    return min(a, b) if a and b else a or b


def _read_page(run: _Run, views: Sequence[Any], start: datetime, checkpoint: datetime | None) -> _Page:
    page = _Page()
    now = run.clock()
    for view in views:
        if not isinstance(view, Mapping):
            log.warning("bluesky: skipped a search result that is not a post: %r", view)
            continue
        data = as_json(view)
        try:
            # Not later than now: the newest indexedAt becomes the checkpoint, and one claimed
            # in the year 2999 would hide every post until then.
            when = min(indexed_at(data), now)
            record = record_from_post_view(data, run.matcher)
        except MalformedPost as exc:
            log.warning("bluesky: skipped a search result: %s", exc)
            continue
        page.read += 1
        if when < start:
            page.reached_start = True
            continue
        page.newest = _later(page.newest, when)
        page.oldest = _earlier(page.oldest, record.created_at)
        page.fresh = page.fresh or checkpoint is None or when > checkpoint
        if record.platform_id in run.seen:
            continue  # another query (or an earlier page) already had it
        run.seen.add(record.platform_id)
        if record.matched_terms and not run.is_own(record):
            page.records.append(record)
    return page


@dataclass(frozen=True)
class _Results:
    posts: list[Any]  # postViews as JSON, each checked by the normaliser
    cursor: str | None


def _results(api: BlueskyApi, what: str, nsid: str, params: Any) -> _Results:
    """An answer's posts as raw JSON, checked one by one by the normaliser.

    Not parsed into SDK models: the SDK validates a page as a whole, so one post without, say,
    its ``indexedAt`` made the page unreadable, on every poll, and the query stalled for good.
    """
    answer = api.call(what, lambda c: c.invoke_query(nsid, params=params, output_encoding="application/json"))
    content = answer.content
    posts = content.get("posts") if isinstance(content, dict) else None
    if not isinstance(posts, list):
        raise BlueskyError(f"bluesky: {what} answered without a list of posts")
    cursor = content.get("cursor")
    return _Results(posts, cursor if isinstance(cursor, str) and cursor else None)


def _search(api: BlueskyApi, params: Any) -> _Results:
    return _results(api, "searchPosts", "app.bsky.feed.searchPosts", params)


def _get_posts(api: BlueskyApi, params: Any) -> _Results:
    return _results(api, "getPosts", "app.bsky.feed.getPosts", params)


def _poll_query(run: _Run, query: str, overlap: timedelta, backfill: timedelta) -> None:
    name = f"bluesky:search:{query}"
    with run.sessions() as db:
        checkpoint = parse_time(get_checkpoint(db, name))
    start = checkpoint - overlap if checkpoint else run.clock() - backfill
    newest = checkpoint
    until: datetime | None = None
    cursor: str | None = None
    depth, oldest = 0, None  # of the current `until` segment
    cursors: set[str] = set()  # given in the current `until` segment
    while True:
        params = models.AppBskyFeedSearchPosts.Params(
            q=query,
            sort="latest",
            since=_iso(start),
            until=_iso(until) if until else None,
            limit=PAGE_SIZE,
            cursor=cursor,
        )
        try:
            response = _search(run.api, params)
        except BlueskyBadRequest:
            if cursor is None:
                raise
            response = None  # the cursor was refused as too deep
        if response is not None:
            page = _read_page(run, response.posts, start, checkpoint)
            run.store(page.records)
            newest, oldest = _later(newest, page.newest), _earlier(oldest, page.oldest)
            # An empty page can still have a cursor (the AppView drops posts it hides after
            # fetching a page): it is read past, and counts as a full page towards the depth.
            depth += len(response.posts) or PAGE_SIZE
            if page.read and (not page.fresh or page.reached_start):
                break
            if depth < SEARCH_DEPTH:
                if not response.cursor:
                    break  # the end of the results
                if response.cursor in cursors:
                    raise BlueskyError(f"bluesky: searchPosts for {query!r} gave the same cursor twice")
                cursors.add(cursor := response.cursor)
                continue
        # Search pages no deeper: read on below the oldest post seen. `until` is exclusive, so
        # the oldest post's millisecond is read again (and deduplicated).
        if oldest is None or (until is not None and oldest + _MS >= until):
            break
        until, cursor, depth, oldest, cursors = oldest + _MS, None, 0, None, set()
    if newest is not None and newest != checkpoint:
        with run.sessions.begin() as db:
            set_checkpoint(db, name, newest.isoformat(), run.clock())


def poll_bluesky(
    settings: Settings,
    sessions: sessionmaker[Session],
    *,
    clock: Callable[[], datetime] = utc_now,
    search: bool = False,
    sleep: Callable[[float], None] = time.sleep,
    max_wait: float = DEFAULT_RATE_LIMIT_WAIT,
) -> PollSummary:
    """Search every configured query once; ``search`` is accepted for symmetry and ignored.

    Raises :class:`BlueskyError` (one line) when a query cannot be finished, once every other
    query has had its turn; what was stored stays stored, and that query's checkpoint stays
    where it was.
    """
    config = bluesky_config(settings)
    matcher = Matcher(settings.config.match, settings.config.care)
    with BlueskyApi(settings, sessions, clock=clock, sleep=sleep, max_wait=max_wait) as api:
        api.login()
        run = _Run(api, sessions, matcher, config.handle, clock)
        overlap = timedelta(seconds=parse_duration(config.overlap))
        backfill = timedelta(seconds=parse_duration(config.backfill))
        failed: list[BlueskyError] = []
        for query in config.queries:
            try:
                _poll_query(run, query, overlap, backfill)
            except BlueskyRateLimited as exc:  # the limit is the account's: the others would wait too
                exc.args = (f"{exc} (stored so far: {run.new} new, {run.updated} updated)",)
                raise
            except BlueskyError as exc:  # one query's failure does not keep the others from running
                failed.append(exc)
        if failed:
            said = "; ".join(dict.fromkeys(str(exc) for exc in failed))
            raise type(failed[0])(f"{said} (stored so far: {run.new} new, {run.updated} updated)")
        log.debug("bluesky: %s; ratelimit-remaining %s", dict(api.calls), api.ratelimit_remaining)
        mark_polled(sessions, "bluesky", clock())
        return PollSummary("bluesky", new=run.new, updated=run.updated, requests=api.requests)


def _live_uris(sessions: sessionmaker[Session], since: datetime) -> list[str]:
    query = (
        select(Post.platform_id)
        .where(Post.platform == "bluesky", Post.state == "live", Post.created_at >= since)
        .order_by(Post.created_at)
    )
    with sessions() as db:
        return list(db.scalars(query))


def _views(api: BlueskyApi, uris: Sequence[str]) -> Iterator[tuple[list[str], list[Any]]]:
    remaining = iter(uris)
    while batch := list(islice(remaining, GET_POSTS_BATCH)):
        response = _get_posts(api, models.AppBskyFeedGetPosts.Params(uris=batch))
        yield batch, list(response.posts)


def _gone(api: BlueskyApi, uri: str) -> bool:
    """Whether the AppView confirms a post deleted: its thread is "NotFound"."""
    params = models.AppBskyFeedGetPostThread.Params(uri=uri, depth=0, parent_height=0)
    try:
        api.call(
            "getPostThread",
            lambda c: c.invoke_query(
                "app.bsky.feed.getPostThread", params=params, output_encoding="application/json"
            ),
        )
    except BlueskyBadRequest as exc:
        if exc.error == "NotFound":
            return True
        raise
    return False


def refresh_bluesky(
    settings: Settings,
    sessions: sessionmaker[Session],
    *,
    clock: Callable[[], datetime] = utc_now,
    sleep: Callable[[float], None] = time.sleep,
    max_wait: float = DEFAULT_RATE_LIMIT_WAIT,
) -> PollSummary:
    """Re-read live posts younger than ``refresh_max_age`` with ``getPosts`` (25 a call).

    New numbers are stored (with a snapshot when they changed); a post the AppView no longer
    returns was deleted, so it is marked deleted and its text and author are purged. Purging
    cannot be undone, so when a batch comes back with none of its posts, one of them is looked
    up with ``getPostThread`` first: if it is there, the empty answer was the server's fault and
    nothing is purged. Nor is anything when the answer holds results that are not posts.
    """
    config = bluesky_config(settings)
    matcher = Matcher(settings.config.match, settings.config.care)
    uris = _live_uris(sessions, clock() - timedelta(seconds=parse_duration(config.refresh_max_age)))
    updated = removed = 0
    with BlueskyApi(settings, sessions, clock=clock, sleep=sleep, max_wait=max_wait) as api:
        api.login()
        try:
            for batch, views in _views(api, uris):
                records: list[PostRecord] = []
                returned: set[str] = set()
                unreadable = 0  # results that are not posts at all: whose they are is unknown
                for view in views:
                    if not isinstance(view, Mapping):
                        unreadable += 1
                        continue
                    data = as_json(view)
                    returned.add(str(data.get("uri")))
                    try:
                        records.append(record_from_post_view(data, matcher))
                    except MalformedPost as exc:
                        log.warning("bluesky: kept a post getPosts returned malformed: %s", exc)
                missing = [uri for uri in batch if uri not in returned]
                if unreadable:
                    log.warning("bluesky: getPosts returned posts it could not read; none marked deleted")
                    missing = []
                elif missing and not returned and not _gone(api, missing[0]):
                    log.warning(
                        "bluesky: getPosts returned none of %d posts, but %s is there; none marked deleted",
                        len(batch),
                        missing[0],
                    )
                    missing = []
                with sessions.begin() as db:
                    now = clock()
                    updated += upsert_posts(db, records, now)[1]
                    removed += mark_gone(db, "bluesky", missing, "deleted", now)
        except BlueskyError as exc:
            exc.args = (f"{exc} (refreshed so far: {updated} updated, {removed} removed)",)
            raise
        return PollSummary("bluesky-refresh", updated=updated, removed=removed, requests=api.requests)
