"""Several replicas on one PostgreSQL database: each job runs on one replica at a time, each slot once."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import utc_now
from bot.config import Job
from bot.ops import Metrics
from bot.scheduler import Daemon, JobContext, JobSpec, Runner, advisory_key, make_spec
from bot.storage import JobRun, make_engine
from tests.scheduler.conftest import FakeClock, make_settings

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("db_url", ["postgres"], indirect=True)]


@pytest.fixture
def second_engine(engine: Engine) -> Iterator[Engine]:
    """Another replica's own engine (its own connections) on the same database."""
    other = make_engine(str(engine.url.render_as_string(hide_password=False)))
    yield other
    other.dispose()


def runner(engine: Engine, clock: FakeClock, replica: str) -> Runner:
    return Runner(make_settings(str(engine.url)), engine, clock=clock, metrics=Metrics(), replica=replica)


def test_a_job_running_on_one_replica_is_skipped_by_another_which_runs_its_other_jobs(
    engine: Engine, second_engine: Engine, clock: FakeClock
) -> None:
    started, release = threading.Event(), threading.Event()

    def slow_poll(_ctx: JobContext) -> None:
        started.set()
        release.wait(30)

    slow = make_spec("poll_reddit", "reddit", slow_poll, Job(every="10m"))
    other = make_spec("poll_bluesky", "bluesky", lambda ctx: None, Job(every="10m"))
    a, b = runner(engine, clock, "A"), runner(second_engine, clock, "B")
    worker = threading.Thread(target=a.run, args=(slow,))
    worker.start()
    assert started.wait(30)
    assert b.run(slow, "2026-02-20T09:10:00Z").status == "busy"
    assert b.run(other).status == "ok"
    release.set()
    worker.join(30)
    assert b.run(slow, "2026-02-20T09:10:00Z").status == "ok"


def test_a_replica_that_dies_mid_job_does_not_block_the_job(
    engine: Engine, sessions: sessionmaker[Session], second_engine: Engine, clock: FakeClock
) -> None:
    spec = make_spec("poll_reddit", "reddit", lambda ctx: None, Job(every="10m"))
    dying = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    assert dying.scalar(select(func.pg_try_advisory_lock(advisory_key("poll_reddit"))))
    with sessions.begin() as session:
        session.add(
            JobRun(job="poll_reddit", slot="x", started_at=clock(), status="running", counts={}, replica="A")
        )
    b = runner(second_engine, clock, "B")
    assert b.run(spec).status == "busy"

    pid = dying.scalar(select(func.pg_backend_pid()))
    with second_engine.connect() as admin:
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    dying.invalidate()

    clock.advance(spec.period)
    assert b.run(spec).status == "ok"
    with sessions() as session:
        statuses = {
            replica: status for replica, status in session.execute(select(JobRun.replica, JobRun.status))
        }
    assert statuses == {"A": "abandoned", "B": "ok"}


def counting(name: str, executions: list[tuple[str, str]], lock: threading.Lock) -> JobSpec:
    spec_box: list[JobSpec] = []

    def job(ctx: JobContext) -> None:
        with lock:
            executions.append((name, spec_box[0].slot(ctx.clock())))
        time.sleep(0.2)  # long enough for the other replica to try the same slot meanwhile

    spec_box.append(make_spec(name, name, job, Job(every="1s")))
    return spec_box[0]


def test_two_daemons_on_one_database_never_run_a_job_twice_in_the_same_slot(
    engine: Engine, sessions: sessionmaker[Session], second_engine: Engine
) -> None:
    executions: list[tuple[str, str]] = []
    lock = threading.Lock()
    jobs = [counting("poll_a", executions, lock), counting("poll_b", executions, lock)]
    daemons = [
        Daemon(make_settings(str(e.url)), e, clock=utc_now, specs=jobs, replica=name)
        for e, name in ((engine, "A"), (second_engine, "B"))
    ]
    for daemon in daemons:
        daemon.start()
    deadline = time.monotonic() + 60
    while len(executions) < 16 and time.monotonic() < deadline:
        time.sleep(0.1)
    for daemon in daemons:
        daemon.stop()

    assert len(executions) >= 16
    twice = [key for key, n in Counter(executions).items() if n > 1]
    assert twice == []
    with sessions() as session:
        rows = session.execute(select(JobRun.job, JobRun.slot, JobRun.replica, JobRun.status)).all()
    assert sorted((job, slot) for job, slot, _, _ in rows) == sorted(executions)
    assert {status for *_, status in rows} == {"ok"}
    assert {replica for _, _, replica, _ in rows} == {"A", "B"}  # the work is shared
