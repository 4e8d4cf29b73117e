"""Reddit engagement refresh: ``/api/info`` for the live posts still young enough to change.

Scores and comment counts move for a few days; after ``[reddit] refresh_max_age`` a post is left
as it is. Posts that come back ``[removed]`` or ``[deleted]`` are marked so and their title, text
and author purged (Reddit's Data API terms). A post ``/api/info`` does not return at all is left
alone: Reddit returns gone posts with placeholders, so a missing one is an anomaly, not a deletion.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import utc_now
from bot.config import Settings, parse_duration
from bot.storage import Post, mark_gone, upsert_posts

from ._match import Matcher
from ._record import PollSummary
from ._reddit_client import RedditClient
from ._reddit_normalise import normalise_page

log = logging.getLogger(__name__)

INFO_BATCH = 100  # /api/info takes up to 100 fullnames


def _refreshable(sessions: sessionmaker[Session], since: datetime) -> list[str]:
    with sessions() as session:
        query = (
            select(Post.platform_id)
            .where(Post.platform == "reddit", Post.state == "live", Post.created_at >= since)
            .order_by(Post.created_at.desc())
        )
        return list(session.scalars(query))


def refresh_reddit(
    settings: Settings,
    sessions: sessionmaker[Session],
    *,
    clock: Callable[[], datetime] = utc_now,
    sleep: Callable[[float], None] = time.sleep,
) -> PollSummary:
    """Update engagement of recent live Reddit posts, purging the removed and deleted ones.

    Each batch of 100 is stored in its own transaction, so a failure part-way keeps what was
    refreshed; raises :class:`RedditError` when Reddit cannot be read.
    """
    client = RedditClient(settings, sleep=sleep)
    matcher = Matcher(settings.config.match, settings.config.care)
    max_age = timedelta(seconds=parse_duration(client.config.refresh_max_age))
    fullnames = _refreshable(sessions, clock() - max_age)
    updated = removed = 0
    for start in range(0, len(fullnames), INFO_BATCH):
        batch = fullnames[start : start + INFO_BATCH]
        posts, _ = client.listing("api/info", {"id": ",".join(batch)})
        records = normalise_page(posts, matcher, keep_unmatched=True)
        wanted = set(batch)
        records = [r for r in records if r.platform_id in wanted]
        if len(records) < len(batch):
            log.warning("reddit: /api/info returned %d of %d posts", len(records), len(batch))
        with sessions.begin() as session:
            now = clock()
            updated += upsert_posts(session, [r for r in records if r.state == "live"], now)[1]
            for state in ("removed", "deleted"):
                gone = [r.platform_id for r in records if r.state == state]
                if gone:
                    removed += mark_gone(session, "reddit", gone, state, now)
    return PollSummary("reddit-refresh", updated=updated, removed=removed, requests=client.requests)
