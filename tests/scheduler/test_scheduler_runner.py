"""The runner: every run recorded, failures retried with capped backoff, slots run once."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from pydantic import SecretStr
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Job, Secrets
from bot.ops import Metrics
from bot.scheduler import JobContext, Runner, backoff_delay, build_jobs, make_spec
from bot.sources import BlueskyRateLimited, PollSummary
from bot.storage import Delivery, JobRun
from tests.publishers.publish_support import webhook_receiver
from tests.scheduler.conftest import FakeClock, make_settings


def runner_for(engine: Engine, clock: FakeClock, metrics: Metrics | None = None) -> Runner:
    settings = make_settings(str(engine.url))
    return Runner(settings, engine, clock=clock, metrics=metrics or Metrics(), replica="test-replica")


def runs(sessions: sessionmaker[Session], job: str) -> list[JobRun]:
    with sessions() as session:
        return list(session.scalars(select(JobRun).where(JobRun.job == job).order_by(JobRun.id)))


def poll_ok(_ctx: JobContext) -> PollSummary:
    return PollSummary(source="reddit", new=3, updated=2, removed=1, requests=4)


def poll_broken(_ctx: JobContext) -> PollSummary:
    raise ConnectionError("sandbox said 503")


def test_a_successful_run_is_recorded_with_its_counts(
    engine: Engine, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    runner = runner_for(engine, clock)
    outcome = runner.run(make_spec("poll_reddit", "reddit", poll_ok, Job(every="10m")))
    assert outcome.status == "ok"
    [row] = runs(sessions, "poll_reddit")
    assert (row.status, row.slot, row.replica) == ("ok", "2026-02-20T09:00:00Z", "test-replica")
    assert row.counts == {"source": "reddit", "new": 3, "updated": 2, "removed": 1, "requests": 4}
    assert row.finished_at == clock()
    assert row.error_class is None


def test_a_failing_run_is_recorded_with_error_class_and_message(
    engine: Engine, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    outcome = runner_for(engine, clock).run(make_spec("poll_reddit", "reddit", poll_broken, Job(every="10m")))
    assert outcome.status == "failed"
    assert outcome.retry_in == timedelta(seconds=30)
    [row] = runs(sessions, "poll_reddit")
    assert (row.status, row.error_class, row.error_message) == (
        "failed",
        "ConnectionError",
        "sandbox said 503",
    )


def test_a_rate_limited_job_is_not_retried_before_the_reset_the_source_named(
    engine: Engine, clock: FakeClock
) -> None:
    calls: list[datetime] = []

    def limited(ctx: JobContext) -> PollSummary:
        calls.append(ctx.clock())
        raise BlueskyRateLimited("bluesky: rate limited on searchPosts for 600 s more", retry_after=600)

    runner = runner_for(engine, clock)
    spec = make_spec("poll_bluesky", "bluesky", limited, Job(every="2m"))
    outcome = runner.run(spec)
    assert outcome.status == "failed"
    assert outcome.retry_in == timedelta(seconds=600)  # not the 30 s backoff: it would be refused again
    clock.advance(timedelta(minutes=2))
    assert runner.run(spec).status == "backoff"  # nor the regular runs before the reset
    clock.advance(timedelta(minutes=8))
    assert runner.run(spec).status == "failed"
    assert len(calls) == 2


def test_a_slot_that_already_ran_is_not_run_again(
    engine: Engine, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    calls: list[str] = []
    spec = make_spec("poll_reddit", "reddit", lambda ctx: calls.append("run"), Job(every="10m"))
    runner = runner_for(engine, clock)
    assert runner.run(spec).status == "ok"
    clock.advance(timedelta(minutes=2))  # still the 09:00 slot
    assert runner.run(spec).status == "taken"
    assert calls == ["run"]
    assert len(runs(sessions, "poll_reddit")) == 1


def test_backoff_doubles_from_30_seconds_and_is_capped_by_the_period() -> None:
    period = timedelta(minutes=10)
    assert [backoff_delay(n, period).total_seconds() for n in range(1, 7)] == [30, 60, 120, 240, 480, 600]
    assert backoff_delay(40, timedelta(days=1)) == timedelta(hours=1)


def test_after_a_failure_the_job_waits_out_its_backoff_then_retries(
    engine: Engine, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    attempts: list[datetime] = []

    def flaky(ctx: JobContext) -> None:
        attempts.append(ctx.clock())
        if len(attempts) <= 2:
            raise TimeoutError("read timed out")

    spec = make_spec("poll_reddit", "reddit", flaky, Job(every="10m"))
    runner = runner_for(engine, clock)
    assert runner.run(spec).status == "failed"
    clock.advance(timedelta(seconds=10))
    assert runner.run(spec, "2026-02-20T09:00:00Z+r1").status == "backoff"
    clock.advance(timedelta(seconds=20))
    second = runner.run(spec, "2026-02-20T09:00:00Z+r1")
    assert second.status == "failed"
    assert second.retry_in == timedelta(seconds=60)  # doubled
    clock.advance(timedelta(seconds=59))
    assert runner.run(spec, "2026-02-20T09:00:00Z+r2").status == "ok"
    assert [r.status for r in runs(sessions, "poll_reddit")] == ["failed", "failed", "ok"]
    assert len(attempts) == 3


def test_a_failing_job_does_not_stop_other_jobs(
    engine: Engine, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    runner = runner_for(engine, clock)
    broken = make_spec("poll_reddit", "reddit", poll_broken, Job(every="10m"))
    healthy = make_spec("poll_bluesky", "bluesky", poll_ok, Job(every="10m"))
    for _ in range(3):
        runner.run(broken)
        assert runner.run(healthy).status == "ok"
        clock.advance(timedelta(minutes=10))
    assert [r.status for r in runs(sessions, "poll_bluesky")] == ["ok", "ok", "ok"]
    assert [r.status for r in runs(sessions, "poll_reddit")] == ["failed", "failed", "failed"]


def test_a_retry_of_a_slot_that_meanwhile_succeeded_does_nothing(
    engine: Engine, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    calls: list[str] = []
    spec = make_spec("digest", "digest", lambda ctx: calls.append("digest"), Job(cron="0 8 * * *"))
    runner = runner_for(engine, clock)
    assert runner.run(spec).status == "ok"
    assert runner.run(spec, f"{runs(sessions, 'digest')[0].slot}+r1").status == "taken"
    assert calls == ["digest"]


def test_a_run_left_running_by_a_dead_process_is_closed_as_abandoned(
    engine: Engine, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    with sessions.begin() as session:
        session.add(JobRun(job="poll_reddit", slot="old", started_at=clock(), status="running", counts={}))
    runner_for(engine, clock).run(make_spec("poll_reddit", "reddit", poll_ok, Job(every="10m")))
    assert [(r.slot, r.status) for r in runs(sessions, "poll_reddit")] == [
        ("old", "abandoned"),
        ("2026-02-20T09:00:00Z", "ok"),
    ]


def test_runs_feed_the_metrics(engine: Engine, clock: FakeClock) -> None:
    metrics = Metrics()
    runner = runner_for(engine, clock, metrics)
    runner.run(make_spec("poll_reddit", "reddit", poll_ok, Job(every="10m")))
    runner.run(make_spec("poll_bluesky", "bluesky", poll_broken, Job(every="10m")))
    value = metrics.registry.get_sample_value
    assert value("keep4o_posts_ingested_total", {"platform": "reddit"}) == 3
    assert value("keep4o_api_requests_total", {"source": "reddit"}) == 4
    assert value("keep4o_job_runs_total", {"job": "poll_reddit", "status": "ok"}) == 1
    assert value("keep4o_job_failures_total", {"job": "poll_bluesky"}) == 1
    assert value("keep4o_job_duration_seconds_count", {"job": "poll_reddit"}) == 1
    assert value("keep4o_job_last_success_timestamp_seconds", {"job": "poll_reddit"}) == clock().timestamp()


def test_the_digest_job_fails_for_a_retry_while_a_target_is_missing_but_not_for_a_webhook_that_cannot_tell(
    engine: Engine, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    webhook = {"name": "chat", "format": "json", "url_env": "CHAT_WEBHOOK_URL"}
    digest = {"targets": ["webhook"], "webhooks": [webhook]}
    with webhook_receiver() as hook:
        secrets = Secrets(webhook_urls={"chat": SecretStr(hook.url)})
        settings = dataclasses.replace(make_settings(str(engine.url), digest=digest), secrets=secrets)
        (job,) = [spec for spec in build_jobs(settings) if spec.name == "digest"]
        runner = Runner(settings, engine, clock=clock, metrics=Metrics(), replica="test-replica")
        hook.statuses = [400]  # refused: nothing arrived, a later run may get through
        refused = runner.run(job)
        clock.advance(timedelta(minutes=1))
        hook.statuses = [0]  # read, then no answer: it may have arrived, and a webhook cannot be asked
        unsure = runner.run(job, f"{refused.slot}+r1")
    assert (refused.status, refused.retry_in) == ("failed", timedelta(seconds=30))
    assert "webhook:chat: failed (NotDelivered: webhook:chat: HTTP 400" in (refused.error or "")
    assert (unsure.status, unsure.counts) == ("ok", {"delivered": 0, "already_delivered": 0, "unsettled": 1})
    assert len(hook.bodies) == 2
    # The delivery names the run that last held it: a run that ends (crash, shutdown) lets go.
    with sessions() as session:
        held_by = session.scalar(select(Delivery.run_id))
        last_run = max(session.scalars(select(JobRun.id).where(JobRun.job == "digest")))
    assert held_by == last_run
