"""The real job table against the sandbox: faults, backoff, a restart; nothing lost, nothing posted twice."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, Select, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import utc_now
from bot.config import load_settings
from bot.sandbox import Clock, Sandbox, generate_world
from bot.scheduler import Daemon
from bot.storage import Delivery, JobRun, PetitionSnapshot, Post
from tests.scheduler.conftest import daemon_config

JOBS = {"poll_reddit": "2s", "poll_bluesky": "2s", "poll_petitions": "2s", "digest": "3s"}


@pytest.fixture
def live_sandbox() -> Iterator[Sandbox]:
    now = utc_now()
    with Sandbox(world=generate_world(seed=5, now=now), clock=Clock(now, speed=1)) as sandbox:
        yield sandbox


def wait_for(sessions: sessionmaker[Session], query: Select[Any], limit: float = 180.0) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        with sessions() as session:
            if session.scalar(query):
                return True
        time.sleep(0.25)
    return False


def runs(job: str, status: str) -> Select[Any]:
    return select(func.count()).select_from(JobRun).where(JobRun.job == job, JobRun.status == status)


def test_a_failing_source_backs_off_while_the_others_go_on_and_a_restart_posts_nothing_twice(
    live_sandbox: Sandbox, engine: Engine, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    config = daemon_config(live_sandbox, tmp_path, str(engine.url), JOBS)
    settings = load_settings(config, {})
    # Enough 500s to outlast the collector's retries (3 rounds of prawcore's 3 tries): a failed poll.
    live_sandbox.inject("/r/", "500", times=9)

    first = Daemon(settings, engine)
    first.start()
    try:
        assert wait_for(sessions, runs("poll_reddit", "failed"))
        assert wait_for(sessions, select(runs("poll_bluesky", "ok").scalar_subquery() >= 3))
        assert wait_for(sessions, select(runs("poll_petitions", "ok").scalar_subquery() >= 3))
        assert wait_for(sessions, runs("poll_reddit", "ok"))  # the faults ran out: Reddit is back
        assert wait_for(sessions, select(func.count()).select_from(Delivery).where(Delivery.status == "done"))
    finally:
        first.stop()

    second = Daemon(settings, engine)
    second.start()
    try:
        done_before = _count(sessions, runs("digest", "ok"))
        assert wait_for(sessions, select(runs("digest", "ok").scalar_subquery() >= done_before + 2))
    finally:
        second.stop()

    with sessions() as session:
        failed = (
            session.execute(
                select(JobRun.error_class).where(JobRun.job == "poll_reddit", JobRun.status == "failed")
            )
            .scalars()
            .all()
        )
        deliveries = session.execute(select(Delivery.target, Delivery.status)).all()
        reddit_posts = session.scalar(select(func.count()).select_from(Post).where(Post.platform == "reddit"))
        snapshots = session.scalar(select(func.count()).select_from(PetitionSnapshot))
    assert failed and all(failed)  # every failure recorded with its error class
    assert sorted(deliveries) == [("bluesky", "done"), ("file", "done"), ("reddit", "done")]
    assert live_sandbox.requests("/api/submit") == 1  # the digest went to Reddit once
    assert reddit_posts and snapshots


def _count(sessions: sessionmaker[Session], query: Select[Any]) -> int:
    with sessions() as session:
        return int(session.scalar(query) or 0)
