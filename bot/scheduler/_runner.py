"""Running one job: lock it, claim its slot, run it, record what happened, back off after failures.

Nothing a job does can escape into the scheduler: every outcome, including a database that
does not answer, becomes an :class:`Outcome`, a log line and metrics.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from bot.config import Settings
from bot.ops import Masker, Metrics, log_context, rate_limit_sink, secret_values
from bot.sources import BlueskyRateLimited, PollSummary
from bot.storage import first_line

from ._jobs import JobContext, JobSpec
from ._locks import JobLock
from ._records import abandon_orphans, claim_run, failure_streak, finish_run, slot_succeeded
from ._triggers import retries_of, slot_time

log = logging.getLogger("bot.scheduler")

BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
# The longest a rate limit's reset holds a job back (a reset header a year out is a server's bug).
MAX_RATE_LIMIT_WAIT = timedelta(days=1)
# A retry may fire a moment before its backoff has fully elapsed by this clock.
_BACKOFF_TOLERANCE = timedelta(seconds=1)
_PLATFORMS = ("reddit", "bluesky")


def backoff_delay(failures: int, period: timedelta) -> timedelta:
    """Wait after ``failures`` failures in a row: 30 s doubling, never beyond the job's period or 1 h."""
    if failures <= 0:
        return timedelta(0)
    cap = min(period, BACKOFF_MAX)
    delay: timedelta = BACKOFF_BASE * 2 ** min(failures - 1, 16)
    return min(delay, cap)


@dataclass(frozen=True)
class Outcome:
    job: str
    slot: str | None
    # ok | failed | busy (another run holds the lock) | taken (slot already run)
    # | backoff (waiting after failures) | db-unavailable
    status: str
    run_id: str
    counts: Mapping[str, Any] = field(default_factory=dict)
    error: str | None = None
    retry_in: timedelta | None = None  # when a failed job should be tried again


def counts_of(result: object) -> dict[str, Any]:
    """A job's return value as the counts stored with its run."""
    if result is None:
        return {}
    if isinstance(result, bool):
        return {"result": result}
    if isinstance(result, int):
        return {"count": result}
    if isinstance(result, Mapping):
        return {str(k): v for k, v in result.items() if isinstance(v, int | float | str | bool)}
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return {
            f.name: getattr(result, f.name)
            for f in dataclasses.fields(result)
            if isinstance(getattr(result, f.name), int | float | str | bool)
        }
    return {}


class Runner:
    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        *,
        clock: Callable[[], datetime],
        metrics: Metrics,
        replica: str,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        self.clock = clock
        self.metrics = metrics
        self.replica = replica
        self.mask = Masker(secret_values(settings))
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._inflight: dict[int, str] = {}  # job_runs id -> job, for runs still going
        # Runs in a row, of any job, that the database failed (kept here: it may not take writes).
        self.database_failures = 0
        self.database_error: str | None = None
        # Jobs a rate limit holds back, and until when (this process's; a restart asks again).
        self._not_before: dict[str, datetime] = {}

    def _local_lock(self, name: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(name, threading.Lock())

    def run(self, spec: JobSpec, slot: str | None = None) -> Outcome:
        """Run ``spec`` once for ``slot`` (default: the slot of the clock's now)."""
        run_id = uuid.uuid4().hex[:12]
        with log_context(spec.name, spec.source, run_id):
            now = self.clock()
            slot = slot or spec.slot(now)
            lock = JobLock(self.engine, spec.name, self._local_lock(spec.name))
            try:
                if not lock.acquire():
                    log.info("skipped slot %s: another run of this job is in progress", slot)
                    return self._skipped(spec, slot, run_id, "busy")
            except SQLAlchemyError as exc:
                return self._db_unavailable(spec, slot, run_id, exc)
            try:
                return self._claim_and_run(spec, slot, run_id, now)
            finally:
                lock.release()

    def _claim_and_run(self, spec: JobSpec, slot: str, run_id: str, now: datetime) -> Outcome:
        try:
            with self.sessions.begin() as session:
                if abandoned := abandon_orphans(session, spec.name, now):
                    log.warning(
                        "closed %d run(s) of this job left unfinished by a stopped process", abandoned
                    )
                failures, last_failure = failure_streak(session, spec.name)
                base = slot.partition("+")[0]
                # A retry or catch-up whose slot meanwhile succeeded (here or elsewhere) has nothing to do.
                done = base != slot and slot_succeeded(session, spec.name, base)
            if done:
                log.info("skipped slot %s: slot %s already succeeded", slot, base)
                return self._skipped(spec, slot, run_id, "taken")
            with self._guard:
                limited_until = self._not_before.get(spec.name)
            if limited_until is not None and now < limited_until - _BACKOFF_TOLERANCE:
                log.debug("skipped slot %s: rate limited until %s", slot, limited_until)
                return self._skipped(spec, slot, run_id, "backoff", retry_in=limited_until - now)
            if failures and last_failure is not None:
                due = last_failure + backoff_delay(failures, spec.period) - _BACKOFF_TOLERANCE
                if now < due:
                    log.debug(
                        "skipped slot %s: backing off after %d failure(s) until %s", slot, failures, due
                    )
                    return self._skipped(spec, slot, run_id, "backoff", retry_in=due - now)
            row_id = claim_run(self.sessions, spec.name, slot, self.replica, now)
        except SQLAlchemyError as exc:
            return self._db_unavailable(spec, slot, run_id, exc)
        if row_id is None:
            log.info("skipped slot %s: it already ran (here or on another replica)", slot)
            return self._skipped(spec, slot, run_id, "taken")
        return self._execute(spec, slot, run_id, row_id, failures)

    def _execute(self, spec: JobSpec, slot: str, run_id: str, row_id: int, failures: int) -> Outcome:
        log.debug("started slot %s", slot)
        started = time.monotonic()
        with self._guard:
            self._inflight[row_id] = spec.name
        gauge = self.metrics.rate_limit_remaining.labels(spec.source)
        try:
            with rate_limit_sink(gauge.set):
                result = spec.func(
                    JobContext(self.settings, self.sessions, self.clock, slot_time(slot), run=row_id)
                )
        except Exception as exc:
            if isinstance(exc, OperationalError | InterfaceError):  # the database, not a bug
                self._database_failed(exc)
            seconds = time.monotonic() - started
            retry_in = backoff_delay(failures + 1, spec.period)
            if isinstance(exc, BlueskyRateLimited):
                # Not before the reset the source named, nor its regular runs: sooner is refused again.
                asked = min(timedelta(seconds=exc.retry_after), MAX_RATE_LIMIT_WAIT)
                retry_in = max(retry_in, asked)
                with self._guard:
                    self._not_before[spec.name] = self.clock() + retry_in
            log.error(
                "failed after %.1fs (%d in a row): %s: %s; next try in %ds",
                seconds,
                failures + 1,
                type(exc).__name__,
                first_line(exc),
                retry_in.total_seconds(),
                exc_info=log.isEnabledFor(logging.DEBUG),
            )
            self._record(row_id, status="failed", error=exc)
            self._observe(spec, "failed", seconds)
            error = self.mask(f"{type(exc).__name__}: {first_line(exc)}")
            return Outcome(spec.name, slot, "failed", run_id, error=error, retry_in=retry_in)
        finally:
            with self._guard:
                self._inflight.pop(row_id, None)
        seconds = time.monotonic() - started
        counts = counts_of(result)
        with self._guard:
            self.database_failures, self.database_error = 0, None
            self._not_before.pop(spec.name, None)
        self._record(row_id, status="ok", counts=counts)
        self._observe(spec, "ok", seconds, result)
        summary = (
            result.line()
            if isinstance(result, PollSummary)
            else ", ".join(f"{k}={v}" for k, v in counts.items())
        )
        log.info("done in %.1fs%s", seconds, f": {summary}" if summary else "")
        return Outcome(spec.name, slot, "ok", run_id, counts=counts)

    def _record(
        self,
        row_id: int,
        *,
        status: str,
        counts: dict[str, Any] | None = None,
        error: BaseException | None = None,
    ) -> None:
        try:
            finish_run(
                self.sessions,
                row_id,
                status=status,
                now=self.clock(),
                counts=counts,
                error=error,
                mask=self.mask,
            )
        except SQLAlchemyError as exc:
            # The run stays "running" in the table; the job's next run closes it as abandoned.
            log.error("could not record the run's outcome (%s): %s", status, type(exc).__name__)

    def _skipped(
        self, spec: JobSpec, slot: str, run_id: str, status: str, retry_in: timedelta | None = None
    ) -> Outcome:
        self.metrics.job_runs.labels(spec.name, status).inc()
        return Outcome(spec.name, slot, status, run_id, retry_in=retry_in)

    def _database_failed(self, exc: SQLAlchemyError) -> None:
        with self._guard:
            self.database_failures += 1
            self.database_error = first_line(exc) or type(exc).__name__

    def _db_unavailable(self, spec: JobSpec, slot: str, run_id: str, exc: SQLAlchemyError) -> Outcome:
        self._database_failed(exc)
        message = first_line(exc) or type(exc).__name__
        # The failure streak is in the database that did not answer: count this slot's retries.
        retry_in = backoff_delay(retries_of(slot) + 1, spec.period)
        log.error(
            "skipped slot %s: the database is unavailable: %s; next try in %ds",
            slot,
            message,
            retry_in.total_seconds(),
        )
        self.metrics.job_runs.labels(spec.name, "db-unavailable").inc()
        self.metrics.job_failures.labels(spec.name).inc()
        return Outcome(spec.name, slot, "db-unavailable", run_id, error=message, retry_in=retry_in)

    def _observe(self, spec: JobSpec, status: str, seconds: float, result: object = None) -> None:
        m = self.metrics
        m.job_runs.labels(spec.name, status).inc()
        m.job_duration.labels(spec.name).observe(seconds)
        if status != "ok":
            m.job_failures.labels(spec.name).inc()
            return
        m.job_last_success.labels(spec.name).set(self.clock().timestamp())
        if isinstance(result, PollSummary):
            platform = spec.source.split("-")[0]
            if platform in _PLATFORMS:
                m.posts_ingested.labels(platform).inc(result.new)
                m.posts_updated.labels(platform).inc(result.updated)
            elif spec.source == "petitions":
                m.petition_snapshots.inc(result.new)
            m.api_requests.labels(spec.source).inc(result.requests)
        elif spec.source == "digest" and isinstance(result, Mapping):
            m.digest_deliveries.labels("digest").inc(int(result.get("delivered", 0)))
        elif spec.source == "alerts" and isinstance(result, int):
            m.digest_deliveries.labels("alert").inc(result)

    def abort_inflight(self) -> list[str]:
        """Mark the runs still going as aborted (at shutdown, when they did not finish in time)."""
        with self._guard:
            inflight = dict(self._inflight)
        for row_id in inflight:
            self._record(
                row_id, status="aborted", error=TimeoutError("stopped by shutdown before it finished")
            )
        return list(inflight.values())

    def inflight(self) -> list[str]:
        with self._guard:
            return list(self._inflight.values())
