"""The ``job_runs`` table as the daemon's memory: claims, outcomes, failure streaks, catch-up.

Everything the daemon decides across restarts and replicas (backoff, staleness, a missed
digest) is read from these rows, never from one process's memory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.storage import JobRun, first_line

# A failure streak longer than this is reported as this; the backoff is capped long before.
_STREAK_WINDOW = 50
_MESSAGE_LIMIT = 2000


def claim_run(
    sessions: sessionmaker[Session], job: str, slot: str, replica: str, now: datetime
) -> int | None:
    """Insert the ``running`` row for ``(job, slot)``; None when that slot already has a run."""
    with sessions() as session:
        row = JobRun(job=job, slot=slot, replica=replica, started_at=now, status="running", counts={})
        session.add(row)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return None
        return row.id


def finish_run(
    sessions: sessionmaker[Session],
    run_id: int,
    *,
    status: str,
    now: datetime,
    counts: dict[str, Any] | None = None,
    error: BaseException | None = None,
    mask: Callable[[str], str] = str,
) -> None:
    """Record the run's outcome; ``mask`` hides secrets in the error message (shown by /readyz)."""
    values: dict[str, Any] = {"status": status, "finished_at": now, "counts": counts or {}}
    if error is not None:
        values["error_class"] = type(error).__name__
        values["error_message"] = mask(first_line(error) or type(error).__name__)[:_MESSAGE_LIMIT]
    with sessions.begin() as session:
        session.execute(update(JobRun).where(JobRun.id == run_id).values(**values))


def abandon_orphans(session: Session, job: str, now: datetime) -> int:
    """Close ``running`` rows left by a run that died; call only while holding the job's lock."""
    result = session.execute(
        update(JobRun)
        .where(JobRun.job == job, JobRun.status == "running")
        .values(status="abandoned", finished_at=now, error_message="the process running it stopped")
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def failure_streak(session: Session, job: str) -> tuple[int, datetime | None]:
    """Failed runs in a row at the end of the job's history, and when the last one ended."""
    rows = session.execute(
        select(JobRun.status, JobRun.finished_at)
        .where(JobRun.job == job, JobRun.status.in_(("ok", "failed")))
        .order_by(JobRun.started_at.desc(), JobRun.id.desc())
        .limit(_STREAK_WINDOW)
    ).all()
    streak = 0
    for status, _finished in rows:
        if status != "failed":
            break
        streak += 1
    return streak, (rows[0][1] if streak else None)


def slot_succeeded(session: Session, job: str, slot: str) -> bool:
    """Whether the slot, or a retry of it (``slot+rN``), ended well."""
    found = session.scalar(
        select(func.count())
        .select_from(JobRun)
        .where(
            JobRun.job == job,
            JobRun.status == "ok",
            or_(JobRun.slot == slot, JobRun.slot.like(f"{slot}+%")),
        )
    )
    return bool(found)


def attempts_at(session: Session, job: str, slot: str) -> int:
    """How many runs the slot (with its retries) already has."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(JobRun)
            .where(JobRun.job == job, or_(JobRun.slot == slot, JobRun.slot.like(f"{slot}+%")))
        )
        or 0
    )


def first_run_started(session: Session) -> datetime | None:
    """When the bot first ran any job here (None on a fresh database)."""
    return session.scalar(select(func.min(JobRun.started_at)))


@dataclass(frozen=True)
class JobStatus:
    """What ``status`` and ``/readyz`` say about one job, from its rows."""

    job: str
    last_status: str | None = None
    last_started: datetime | None = None
    last_duration_s: float | None = None
    last_success: datetime | None = None
    last_error_at: datetime | None = None
    last_error: str | None = None
    failures_in_row: int = 0
    replica: str | None = None


def job_status(session: Session, job: str) -> JobStatus:
    last = session.scalars(
        select(JobRun).where(JobRun.job == job).order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(1)
    ).first()
    if last is None:
        return JobStatus(job)
    last_ok = session.scalar(
        select(func.max(JobRun.finished_at)).where(JobRun.job == job, JobRun.status == "ok")
    )
    failed = session.scalars(
        select(JobRun)
        .where(JobRun.job == job, JobRun.status == "failed")
        .order_by(JobRun.started_at.desc(), JobRun.id.desc())
        .limit(1)
    ).first()
    duration = (last.finished_at - last.started_at).total_seconds() if last.finished_at else None
    return JobStatus(
        job=job,
        last_status=last.status,
        last_started=last.started_at,
        last_duration_s=duration,
        last_success=last_ok,
        last_error_at=failed.finished_at if failed else None,
        last_error=f"{failed.error_class}: {failed.error_message}" if failed else None,
        failures_in_row=failure_streak(session, job)[0],
        replica=last.replica,
    )
