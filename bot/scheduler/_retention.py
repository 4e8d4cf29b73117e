"""Retention: drop post content (and old job-run rows) older than ``[schedule] retention``.

Reddit's terms ask not to keep content longer than needed; counts, engagement history
and matched terms stay, so trends over old periods keep working.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import utc_now
from bot.config import Settings, parse_duration
from bot.storage import JobRun, Post, note_spans


def purge_post_content(session: Session, before: datetime) -> int:
    """Forget title, text and author of posts created before ``before``; how many were purged."""
    kept = (
        Post.created_at < before,
        or_(Post.title.is_not(None), Post.text.is_not(None), Post.author_handle.is_not(None)),
    )
    # Forgetting authors changes the trend table's author counts from the oldest purged post on.
    oldest = session.scalar(select(func.min(Post.created_at)).where(*kept))
    if oldest is None:
        return 0
    result = session.execute(
        update(Post)
        .where(*kept)
        .values(title=None, text=None, author_handle=None, author_id=None)
        .execution_options(synchronize_session=False)
    )
    note_spans(session, [(oldest, before)])
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def delete_old_job_runs(session: Session, before: datetime) -> int:
    result = session.execute(
        delete(JobRun)
        .where(JobRun.started_at < before, JobRun.status != "running")
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def run_retention(
    settings: Settings, sessions: sessionmaker[Session], *, clock: Callable[[], datetime] = utc_now
) -> dict[str, int]:
    before = clock() - timedelta(seconds=parse_duration(settings.config.schedule.retention))
    with sessions.begin() as session:
        purged = purge_post_content(session, before)
        runs = delete_old_job_runs(session, before)
    return {"purged": purged, "job_runs_deleted": runs}
