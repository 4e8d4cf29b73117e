"""A database that is briefly unavailable: the job fails cleanly, writes nothing, and the next run works.

SQLite "unavailable" is another connection holding the write lock; PostgreSQL "unavailable"
is a restart: connections refused and every session terminated.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Job
from bot.ops import Metrics
from bot.scheduler import Daemon, JobContext, Runner, make_spec
from bot.storage import Checkpoint, JobRun, make_engine, upgrade
from tests.conftest import PG_SERVER
from tests.scheduler.conftest import FakeClock, make_settings


class Outage:
    """Makes the database unavailable between ``begin`` and ``end``."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self._locker: sqlite3.Connection | None = None
        self._admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")

    def begin(self) -> None:
        if self.url.get_backend_name() == "sqlite":
            # timeout=0: taking the lock must not wait, or a job already writing would meet
            # this helper's own "database is locked" instead of an outage.
            self._locker = sqlite3.connect(str(self.url.database), isolation_level=None, timeout=0)
            self._locker.execute("BEGIN IMMEDIATE")  # holds the write lock
            return
        name = self.url.database
        with self._admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
            )

    def end(self) -> None:
        if self._locker is not None:
            self._locker.rollback()
            self._locker.close()
            self._locker = None
            return
        with self._admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{self.url.database}" ALLOW_CONNECTIONS true'))

    def close(self) -> None:
        self._admin.dispose()


@pytest.fixture
def short_wait_engine(db_url: str) -> Iterator[Engine]:
    """The daemon's engine, but giving up on a locked SQLite file after 0.2 s instead of 10 s."""
    engine = make_engine(db_url)
    if engine.dialect.name == "sqlite":

        def short_busy_timeout(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA busy_timeout=200")

        event.listen(engine, "connect", short_busy_timeout)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def outage(db_url: str) -> Iterator[Outage]:
    broken = Outage(db_url)
    yield broken
    broken.close()


def a_runner(engine: Engine, clock: FakeClock, metrics: Metrics | None = None) -> Runner:
    settings = make_settings(str(engine.url))
    return Runner(settings, engine, clock=clock, metrics=metrics or Metrics(), replica="r1")


def statuses(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return list(session.scalars(select(JobRun.status).order_by(JobRun.id)))


def written(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return list(session.scalars(select(Checkpoint.name).order_by(Checkpoint.name)))


def test_a_job_whose_database_goes_away_mid_write_fails_cleanly_and_the_next_run_works(
    short_wait_engine: Engine, outage: Outage, clock: FakeClock
) -> None:
    # PostgreSQL goes away after the job's first row; a SQLite file can only be locked
    # before the job's first write (a writer holds the lock until it commits), between its
    # read and its writes.
    sqlite = short_wait_engine.dialect.name == "sqlite"
    failures: list[BaseException] = []

    def write_two_rows(ctx: JobContext) -> None:
        name = ctx.clock().isoformat()
        first_run = len(statuses(ctx.sessions)) == 1  # only the first run meets the outage
        with ctx.sessions.begin() as session:
            session.execute(text("SELECT 1"))  # connected before the outage
            if first_run and sqlite:
                outage.begin()
            try:
                session.add(Checkpoint(name=f"{name}-a", value="1", updated_at=ctx.clock()))
                session.flush()
                if first_run and not sqlite:
                    outage.begin()
                session.add(Checkpoint(name=f"{name}-b", value="2", updated_at=ctx.clock()))
                session.flush()
            except Exception as exc:
                failures.append(exc)
                raise
            finally:
                if first_run:
                    outage.end()

    runner = a_runner(short_wait_engine, clock)
    spec = make_spec("poll_x", "x", write_two_rows, Job(every="10m"))
    first = runner.run(spec)
    assert first.status == "failed"
    (failure,) = failures  # raised by the job's own write, not by taking the database away
    assert isinstance(failure, OperationalError)
    assert first.error is not None and "OperationalError" in first.error
    sessions = runner.sessions
    assert written(sessions) == []  # no partial write
    clock.advance(spec.period)
    assert runner.run(spec).status == "ok"
    assert statuses(sessions) == ["failed", "ok"]
    assert len(written(sessions)) == 2


def test_a_database_that_does_not_answer_skips_the_run_and_the_next_one_works(
    short_wait_engine: Engine, outage: Outage, clock: FakeClock
) -> None:
    calls: list[str] = []
    metrics = Metrics()
    runner = a_runner(short_wait_engine, clock, metrics)
    spec = make_spec("poll_x", "x", lambda ctx: calls.append("ran"), Job(every="10m"))
    outage.begin()
    try:
        down = runner.run(spec)
    finally:
        outage.end()
    assert down.status == "db-unavailable"
    assert calls == []
    assert metrics.registry.get_sample_value("keep4o_job_failures_total", {"job": "poll_x"}) == 1
    clock.advance(spec.period)
    assert runner.run(spec).status == "ok"
    assert calls == ["ran"]
    assert statuses(runner.sessions) == ["ok"]


def test_a_daily_job_whose_database_does_not_answer_is_retried_soon_not_tomorrow(
    short_wait_engine: Engine, outage: Outage, clock: FakeClock
) -> None:
    calls: list[str] = []
    spec = make_spec(
        "digest", "digest", lambda ctx: calls.append("ran"), Job(cron="0 8 * * *"), catch_up=True
    )
    daemon = Daemon(make_settings(str(short_wait_engine.url)), short_wait_engine, clock=clock, specs=[spec])
    slot = spec.slot(clock())
    outage.begin()
    try:
        down = daemon.run_job("digest")
    finally:
        outage.end()
    assert (down.status, down.retry_in) == ("db-unavailable", timedelta(seconds=30))
    retry = daemon.scheduler.get_job("digest:retry")
    assert retry is not None and retry.args == ("digest", f"{slot}+r1")
    assert daemon.run_job("digest", f"{slot}+r1").status == "ok"
    assert calls == ["ran"]


def test_a_run_whose_outcome_cannot_be_recorded_is_closed_as_abandoned_by_the_next(
    short_wait_engine: Engine, outage: Outage, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    runner = a_runner(short_wait_engine, clock)
    spec = make_spec("poll_x", "x", lambda ctx: None, Job(every="10m"))

    def and_then_the_database_goes(ctx: JobContext) -> None:
        outage.begin()

    first = make_spec("poll_x", "x", and_then_the_database_goes, Job(every="10m"))
    try:
        runner.run(first)
    finally:
        outage.end()
    assert "could not record the run's outcome (ok): OperationalError" in caplog.text
    assert statuses(runner.sessions) == ["running"]
    clock.advance(spec.period)
    assert runner.run(spec).status == "ok"
    assert statuses(runner.sessions) == ["abandoned", "ok"]


def test_a_failed_writes_error_names_the_problem_never_the_posts_it_was_writing(
    engine: Engine, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    # SQLAlchemy's own message carries the statement and its parameters: post texts, handles,
    # posts the care list keeps from ever being quoted. Logs, job_runs and /readyz show them.
    words = "words of a post that must never be quoted"

    def write_twice(ctx: JobContext) -> None:
        with ctx.sessions.begin() as session:
            session.add(Checkpoint(name="twice", value=words, updated_at=ctx.clock()))
        with ctx.sessions.begin() as session:
            session.add(Checkpoint(name="twice", value=words, updated_at=ctx.clock()))

    runner = a_runner(engine, clock)
    outcome = runner.run(make_spec("poll_x", "x", write_twice, Job(every="10m")))

    assert outcome.status == "failed" and outcome.error is not None
    assert outcome.error.startswith("IntegrityError: ")
    with runner.sessions() as session:
        (message,) = session.scalars(select(JobRun.error_message))
    assert message and "\n" not in message
    for said in (outcome.error, message, caplog.text):
        assert words not in said and "INSERT INTO" not in said


def test_a_sqlite_connection_that_became_read_only_is_replaced_not_kept(tmp_path: Path) -> None:
    # A connection opened while the file could not be written stays read-only after the file
    # is fixed; the pool must not hand it out again. (query_only makes one without chmod, which
    # root, running these tests, would ignore.)
    engine = make_engine(f"sqlite:///{tmp_path / 'ro.db'}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA query_only=ON")
    write = text("INSERT INTO checkpoints (name, value, updated_at) VALUES ('n', 'v', '2026-01-01')")

    with pytest.raises(OperationalError, match="readonly database"), engine.begin() as conn:
        conn.execute(write)
    with engine.begin() as conn:
        conn.execute(write)

    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM checkpoints")) == 1
    engine.dispose()


def test_a_database_that_answers_reads_but_fails_the_jobs_is_not_ready(
    engine: Engine, clock: FakeClock
) -> None:
    # A full disk or a file turned read-only: SELECT 1 still works, every job's write fails.
    broken = True

    def write(ctx: JobContext) -> None:
        if broken:
            raise OperationalError(
                "INSERT INTO posts …", {}, sqlite3.OperationalError("database or disk is full")
            )

    spec = make_spec("poll_x", "x", write, Job(every="10m"))
    daemon = Daemon(make_settings(str(engine.url)), engine, clock=clock, specs=[spec])
    daemon.start()
    try:
        for _ in range(3):
            assert daemon.run_job("poll_x").status == "failed"
            clock.advance(spec.period)
        ready, body = daemon.readiness()
        assert not ready
        assert body["database"] == "failing: 3 runs in a row failed: database or disk is full"
        broken = False
        assert daemon.run_job("poll_x").status == "ok"
        ready, body = daemon.readiness()
        assert ready and body["database"] == "ok"
    finally:
        daemon.stop()
