"""The daemon: an APScheduler 3 ``BackgroundScheduler`` driving the job table through the runner.

Missed digests: catch-up reads the database's own records (``job_runs``) rather than
keeping APScheduler's SQLAlchemy job store. The job store would pickle each replica's
schedule into a table that must not be shared between replicas, and it only knows that a
fire time passed, not whether the digest went out. ``job_runs`` is already shared,
replica-safe (unique per slot) and records success, so "the last digest slot has no
successful run" is exactly the question to ask at start-up.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from bot.clock import utc_now
from bot.config import Settings
from bot.ops import Metrics
from bot.storage import first_line

from ._jobs import JobSpec, build_jobs, latest_fire
from ._records import attempts_at, first_run_started, job_status, slot_succeeded
from ._runner import Outcome, Runner
from ._staleness import Transition, assess, record, stale_sources
from ._stream import Stream, build_streams
from ._triggers import GRID_START, format_slot, retry_slot

log = logging.getLogger("bot.scheduler")

# Job runs in a row the database failed before /readyz says so, though it still answers reads.
DATABASE_FAILURES_UNREADY = 3

STOP_TIMEOUT = 10.0
# Left of the stop timeout for marking aborted runs and closing the database.
_STOP_MARGIN = 1.5
WATCH_EVERY = timedelta(seconds=60)

Notify = Callable[[Transition], None]


def replica_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


class Daemon:
    """The scheduled worker; ``start`` returns at once, ``stop`` returns within ``stop_timeout``."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        *,
        clock: Callable[[], datetime] = utc_now,
        specs: Sequence[JobSpec] | None = None,
        replica: str | None = None,
        metrics: Metrics | None = None,
        notify: Notify | None = None,
        streams: Sequence[Stream] | None = None,
        watch_every: timedelta = WATCH_EVERY,
        stop_timeout: float = STOP_TIMEOUT,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.clock = clock
        self.specs = list(build_jobs(settings) if specs is None else specs)
        self.metrics = metrics or Metrics()
        self.runner = Runner(
            settings, engine, clock=clock, metrics=self.metrics, replica=replica or replica_name()
        )
        self.notify = notify
        self.streams = list(
            build_streams(settings, self.runner.sessions, clock, self.metrics) if streams is None else streams
        )
        self.watch_every = watch_every
        self.stop_timeout = stop_timeout
        self.started_at = clock()
        self._by_name = {spec.name: spec for spec in self.specs}
        self._stopping = threading.Event()
        # One worker per job (and the watchdog): a poll waiting out a rate limit holds up no one else.
        self.scheduler = BackgroundScheduler(
            timezone="UTC",
            executors={"default": ThreadPoolExecutor(max_workers=len(self.specs) + 2)},
            job_defaults={"max_instances": 1},
        )

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        self.started_at = self.clock()
        for spec in self.specs:
            self.scheduler.add_job(
                self._fire,
                spec.trigger,
                args=[spec.name],
                id=spec.name,
                name=spec.name,
                misfire_grace_time=spec.misfire_grace_time,
                coalesce=spec.coalesce,
                max_instances=1,
            )
        self.scheduler.add_job(
            self.check_staleness,
            IntervalTrigger(seconds=max(1, int(self.watch_every.total_seconds())), start_date=GRID_START),
            id="watchdog",
            name="watchdog",
            misfire_grace_time=int(self.watch_every.total_seconds()),
            coalesce=True,
            max_instances=1,
        )
        self.scheduler.start()
        for stream in self.streams:
            stream.start()
        for name, slot in self.catch_up():
            log.warning(
                "the %s of slot %s was missed while the bot was down; running it after a round of polls",
                name,
                slot,
            )
            self._schedule_once(name, slot, delay=timedelta(0), kind="catch-up", polls_first=True)
        log.info("scheduler started with %d jobs: %s", len(self.specs), ", ".join(self._by_name))

    def stop(self) -> list[str]:
        """Stop taking jobs, give running ones until the timeout, close the database.

        Returns the jobs that were still running and were marked aborted; their open
        transactions are rolled back by the database when the process exits.
        """
        deadline = time.monotonic() + max(0.0, self.stop_timeout - _STOP_MARGIN)
        self._stopping.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        for stream in self.streams:
            if not stream.stop(max(0.0, deadline - time.monotonic())):
                log.warning("the %s stream did not end in time", stream.name)
        while self.runner.inflight() and time.monotonic() < deadline:
            time.sleep(0.05)
        aborted = self.runner.abort_inflight() if self.runner.inflight() else []
        if aborted:
            log.warning("stopped while still running: %s (marked aborted)", ", ".join(aborted))
        self.engine.dispose()
        log.info("scheduler stopped")
        return aborted

    def alive(self) -> bool:
        # BackgroundScheduler keeps its loop thread in ``_thread``; no public accessor exists.
        thread = getattr(self.scheduler, "_thread", None)
        return bool(self.scheduler.running and thread is not None and thread.is_alive())

    # -- running jobs --------------------------------------------------------------------------

    def run_job(self, name: str, slot: str | None = None) -> Outcome:
        """Run one job now (what the scheduler calls); a failure schedules its retry."""
        spec = self._by_name[name]
        if self._stopping.is_set():
            return Outcome(name, slot, "stopping", "")
        outcome = self.runner.run(spec, slot)
        # A database that did not answer is retried too: the next trigger may be a day away.
        retried = outcome.status in ("failed", "db-unavailable")
        if retried and outcome.retry_in is not None and not self._stopping.is_set():
            retry = retry_slot(outcome.slot or spec.slot(self.clock()))
            self._schedule_once(name, retry, delay=outcome.retry_in, kind="retry")
        return outcome

    def _fire(self, name: str, slot: str | None = None) -> None:
        self.run_job(name, slot)

    def _fire_after_polls(self, name: str, slot: str) -> None:
        # A catch-up publishes what is known now: without a round of polls first it would publish,
        # for good, the numbers the bot had when it stopped ("no data yet" after a long stop).
        for spec in self.specs:
            if spec.name.startswith("poll_"):
                self.run_job(spec.name)
                # One already running (its regular slot came first) is waited for, not skipped.
                deadline = time.monotonic() + spec.period.total_seconds()
                while spec.name in self.runner.inflight() and time.monotonic() < deadline:
                    if self._stopping.wait(0.2):
                        return
        self.run_job(name, slot)

    def _schedule_once(
        self, name: str, slot: str, *, delay: timedelta, kind: str, polls_first: bool = False
    ) -> None:
        spec = self._by_name[name]
        self.scheduler.add_job(
            self._fire_after_polls if polls_first else self._fire,
            DateTrigger(run_date=utc_now() + delay),
            args=[name, slot],
            id=f"{name}:{kind}",
            name=f"{name} ({kind})",
            replace_existing=True,
            misfire_grace_time=spec.misfire_grace_time,
            max_instances=1,
        )

    def catch_up(self) -> list[tuple[str, str]]:
        """Slots of catch-up jobs (the digest) that passed with no successful run while the bot was down."""
        now = self.clock()
        missed: list[tuple[str, str]] = []
        with self.runner.sessions() as session:
            first = first_run_started(session)
            if first is None:  # a fresh database: nothing was missed, the bot was not there
                return []
            for spec in self.specs:
                # An interval schedule (the demo's digest) comes round again soon; only a
                # daily cron slot is worth catching up.
                if not spec.catch_up or spec.slot_trigger is None:
                    continue
                fire = latest_fire(spec, now)
                slot = format_slot(fire)
                if fire < first or slot_succeeded(session, spec.name, slot):
                    continue
                tried = attempts_at(session, spec.name, slot)
                missed.append((spec.name, slot if tried == 0 else f"{slot}+r{tried}"))
        return missed

    # -- health --------------------------------------------------------------------------------

    def check_staleness(self) -> list[Transition]:
        """Assess every watched source; alert once when one goes stale and once when it recovers."""
        now = self.clock()
        changes: list[Transition] = []
        try:
            with self.runner.sessions() as session:
                streams = [(s.source, s.progress) for s in self.streams if s.progress is not None]
                healths = assess(session, self.specs, self.settings, now, self.started_at, streams=streams)
            for health in healths:
                self.metrics.source_stale.labels(health.source).set(1 if health.stale else 0)
                change = record(self.runner.sessions, health, now)
                if change is not None:
                    changes.append(change)
        except SQLAlchemyError as exc:
            log.error("staleness check stopped: the database is unavailable: %s", type(exc).__name__)
        # Changes recorded before a failure are stored: the next check will not see them again,
        # so they are alerted now or never.
        for change in changes:
            self.metrics.operator_alerts.labels(change.kind).inc()
            if change.kind == "alert":
                log.error("ALERT: %s", change.message)
            else:
                log.warning("RECOVERED: %s", change.message)
            if self.notify is not None:
                try:
                    self.notify(change)
                except Exception as exc:
                    log.error(
                        "could not deliver the operator %s: %s: %s", change.kind, type(exc).__name__, exc
                    )
        return changes

    def next_runs(self) -> dict[str, datetime | None]:
        runs: dict[str, datetime | None] = {}
        if not self.scheduler.running:
            return runs
        for job in self.scheduler.get_jobs():
            name = job.id.split(":")[0]
            when = job.next_run_time
            if name in self._by_name and when is not None and (runs.get(name) is None or when < runs[name]):
                runs[name] = when
        return runs

    def readiness(self) -> tuple[bool, dict[str, Any]]:
        """``/readyz``: ready when the scheduler runs, the database answers and no source is stale.

        A database that answers reads but fails the jobs' writes (a full disk, a file turned
        read-only) is down too: after ``DATABASE_FAILURES_UNREADY`` runs in a row it failed.
        """
        next_runs = self.next_runs()
        try:
            with self.runner.sessions() as session:
                session.execute(text("SELECT 1"))
                statuses = {spec.name: job_status(session, spec.name) for spec in self.specs}
                stale = stale_sources(session)
        except SQLAlchemyError as exc:
            detail = first_line(exc) or type(exc).__name__
            return False, {"ready": False, "scheduler": self.alive(), "database": f"unavailable: {detail}"}
        failing = self.runner.database_failures >= DATABASE_FAILURES_UNREADY
        jobs = {
            name: {
                "last_status": st.last_status,
                "last_success": _iso(st.last_success),
                "last_error": st.last_error,
                "last_error_at": _iso(st.last_error_at),
                "failures_in_row": st.failures_in_row,
                "next_run": _iso(next_runs.get(name)),
            }
            for name, st in statuses.items()
        }
        streams = {stream.name: stream.alive() for stream in self.streams}
        ready = self.alive() and not stale and all(streams.values()) and not failing
        database = (
            f"failing: {self.runner.database_failures} runs in a row failed: {self.runner.database_error}"
            if failing
            else "ok"
        )
        body = {
            "ready": ready,
            "scheduler": self.alive(),
            "database": database,
            "stale": stale,
            "streams": streams,
            "jobs": jobs,
        }
        return ready, body


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.isoformat()
