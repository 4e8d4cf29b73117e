"""The Jetstream supervisor, rate-limit reporting and the retention job."""

from __future__ import annotations

import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Job
from bot.ops import Metrics, report_rate_limit
from bot.scheduler import JobContext, Runner, Stream, build_jobs, build_streams, make_spec, run_retention
from bot.sources import JETSTREAM_CURSOR_CHECKPOINT
from bot.storage import JobRun, Post, TrendRollup
from tests.scheduler.conftest import T0, FakeClock, make_settings

AMS = ZoneInfo("Europe/Amsterdam")
BLUESKY = {"handle": "bot.test", "queries": ["#keep4o"], "mode": "jetstream"}


def test_jetstream_mode_follows_the_stream_instead_of_polling_bluesky() -> None:
    settings = make_settings("sqlite://", bluesky=BLUESKY)
    assert "poll_bluesky" not in {spec.name for spec in build_jobs(settings)}
    assert "refresh_bluesky" in {spec.name for spec in build_jobs(settings)}
    [stream] = build_streams(settings, sessionmaker(), FakeClock(), Metrics())
    assert (stream.name, stream.source) == ("jetstream", "bluesky")
    # The checkpoint the collector moves as events arrive (tests/sources/test_bluesky_jetstream.py).
    assert stream.progress == JETSTREAM_CURSOR_CHECKPOINT


def test_search_mode_has_no_stream() -> None:
    settings = make_settings("sqlite://", bluesky={**BLUESKY, "mode": "search"})
    assert build_streams(settings, sessionmaker(), FakeClock(), Metrics()) == []


def test_a_failing_stream_is_restarted_and_ends_when_asked() -> None:
    attempts: list[int] = []
    second = threading.Event()

    def follow(stop: threading.Event) -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise ConnectionError("websocket refused")
        second.set()
        stop.wait()

    metrics = Metrics()
    stream = Stream("jetstream", "bluesky", follow, metrics, backoff=lambda failures: timedelta(seconds=0.1))
    stream.start()
    assert second.wait(60)
    assert stream.stop(10)
    assert not stream.alive()
    assert metrics.registry.get_sample_value("keep4o_job_failures_total", {"job": "jetstream"}) == 1


def test_a_collector_reports_its_rate_limit_to_the_source_gauge(engine: Engine, clock: FakeClock) -> None:
    def poll(_ctx: JobContext) -> None:
        report_rate_limit(2950)

    metrics = Metrics()
    Runner(make_settings(str(engine.url)), engine, clock=clock, metrics=metrics, replica="r").run(
        make_spec("poll_bluesky", "bluesky", poll, Job(every="10m"))
    )
    report_rate_limit(1)  # outside a run: nowhere to report, nothing happens
    assert metrics.registry.get_sample_value("keep4o_rate_limit_remaining", {"source": "bluesky"}) == 2950


def post(platform_id: str, days_old: int) -> Post:
    when = T0 - timedelta(days=days_old)
    return Post(
        platform="reddit",
        platform_id=platform_id,
        url=f"https://reddit.example/{platform_id}",
        author_handle="someone",
        author_id="t2_x",
        title="Keep 4o",
        text="#keep4o please",
        created_at=when,
        first_seen_at=when,
        last_seen_at=when,
        matched_terms=["keep4o"],
        likes=7,
    )


def test_retention_forgets_old_content_but_keeps_the_counts(
    engine: Engine, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    with sessions.begin() as session:
        session.add_all([post("t3_old", 91), post("t3_new", 89)])
        session.add(
            JobRun(job="poll_reddit", slot="x", started_at=T0 - timedelta(days=100), status="ok", counts={})
        )
    settings = make_settings(str(engine.url), schedule={"retention": "90d"})
    assert run_retention(settings, sessions, clock=clock) == {"purged": 1, "job_runs_deleted": 1}
    with sessions() as session:
        rows = {p.platform_id: p for p in session.scalars(select(Post))}
    old, new = rows["t3_old"], rows["t3_new"]
    assert (old.title, old.text, old.author_handle, old.likes) == (None, None, None, 7)
    assert (new.title, new.text, new.author_handle) == ("Keep 4o", "#keep4o please", "someone")
    assert run_retention(settings, sessions, clock=clock) == {"purged": 0, "job_runs_deleted": 0}


def test_the_rollups_job_rolls_up_the_finished_days_in_the_campaign_timezone(
    engine: Engine, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    with sessions.begin() as session:  # Wednesday 18 February and today, Friday 20 February
        session.add_all([post("t3_wednesday", 2), post("t3_today", 0)])
    settings = make_settings(str(engine.url))
    rollups = {spec.name: spec for spec in build_jobs(settings)}["rollups"]
    # Wednesday and Thursday; neither today nor this week (Monday 16 February on) has ended.
    assert rollups.func(JobContext(settings, sessions, clock, clock())) == {"rebuilt": 2}
    with sessions() as session:
        days = session.execute(
            select(TrendRollup.start, TrendRollup.posts)
            .where(TrendRollup.scope == "*")
            .order_by(TrendRollup.start)
        ).all()
    assert [(start.astimezone(AMS).date().isoformat(), posts) for start, posts in days] == [
        ("2026-02-18", 1),
        ("2026-02-19", 0),
    ]
