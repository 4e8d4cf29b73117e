"""A daily digest whose time passed while the bot was down runs once when the bot is back."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Job
from bot.scheduler import Daemon, JobContext, JobSpec, build_jobs, make_spec
from bot.storage import JobRun
from tests.scheduler.conftest import FakeClock, make_settings

DAY1_0730 = datetime(2026, 2, 20, 7, 30, tzinfo=UTC)
DAY1_1015 = datetime(2026, 2, 20, 10, 15, tzinfo=UTC)


def wait_for(condition: Callable[[], bool], limit: float = 30.0) -> bool:
    """Poll ``condition`` until true; the limit is only a safety net against hanging."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def specs(calls: list[datetime], *, fail: bool = False) -> list[JobSpec]:
    def digest(ctx: JobContext) -> None:
        calls.append(ctx.clock())
        if fail:
            raise RuntimeError("the target refused the post")

    return [
        make_spec("digest", "digest", digest, Job(cron="0 8 * * *"), "UTC", catch_up=True),
        make_spec("poll_x", "x", lambda ctx: None, Job(every="10m")),
    ]


def digest_runs(sessions: sessionmaker[Session]) -> list[tuple[str | None, str]]:
    with sessions() as session:
        rows = session.execute(
            select(JobRun.slot, JobRun.status).where(JobRun.job == "digest").order_by(JobRun.id)
        )
        return [(slot, status) for slot, status in rows]


def up_then_down(engine: Engine, clock: FakeClock, jobs: list[JobSpec]) -> None:
    """The bot runs at 07:30 (a poll is recorded), then stops before the 08:00 digest."""
    clock.set(DAY1_0730)
    daemon = Daemon(make_settings(str(engine.url)), engine, clock=clock, specs=jobs)
    daemon.start()
    assert daemon.run_job("poll_x").status == "ok"
    daemon.stop()


def test_a_digest_missed_while_down_runs_exactly_once_after_restart(
    engine: Engine, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    calls: list[datetime] = []
    jobs = specs(calls)
    up_then_down(engine, clock, jobs)
    assert calls == []

    clock.set(DAY1_1015)
    back = Daemon(make_settings(str(engine.url)), engine, clock=clock, specs=jobs)
    assert back.catch_up() == [("digest", "2026-02-20T08:00:00Z")]
    back.start()
    assert wait_for(lambda: digest_runs(sessions) == [("2026-02-20T08:00:00Z", "ok")])
    back.stop()

    clock.advance(timedelta(minutes=5))
    again = Daemon(make_settings(str(engine.url)), engine, clock=clock, specs=jobs)
    assert again.catch_up() == []
    again.start()
    again.stop()
    assert calls == [DAY1_1015]
    assert digest_runs(sessions) == [("2026-02-20T08:00:00Z", "ok")]


def test_a_fresh_database_has_no_digest_to_catch_up(engine: Engine, clock: FakeClock) -> None:
    clock.set(DAY1_1015)
    daemon = Daemon(make_settings(str(engine.url)), engine, clock=clock, specs=specs([]))
    assert daemon.catch_up() == []


def test_a_digest_that_failed_before_the_bot_went_down_is_retried_under_a_new_slot_name(
    engine: Engine, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    calls: list[datetime] = []
    up_then_down(engine, clock, specs(calls))
    clock.set(datetime(2026, 2, 20, 8, 0, 5, tzinfo=UTC))
    failing = Daemon(make_settings(str(engine.url)), engine, clock=clock, specs=specs(calls, fail=True))
    assert failing.runner.run(failing.specs[0]).status == "failed"

    clock.set(DAY1_1015)
    back = Daemon(make_settings(str(engine.url)), engine, clock=clock, specs=specs(calls))
    assert back.catch_up() == [("digest", "2026-02-20T08:00:00Z+r1")]
    back.start()
    assert wait_for(lambda: len(digest_runs(sessions)) == 2 and digest_runs(sessions)[1][1] == "ok")
    back.stop()
    assert digest_runs(sessions) == [("2026-02-20T08:00:00Z", "failed"), ("2026-02-20T08:00:00Z+r1", "ok")]


def test_a_digest_caught_up_after_midnight_covers_the_day_before_its_slot_not_before_today(
    engine: Engine, sessions: sessionmaker[Session], clock: FakeClock, tmp_path: Path
) -> None:
    digest = {"time": "08:00", "targets": ["file"], "file_directory": str(tmp_path)}
    settings = make_settings(str(engine.url), digest=digest)
    (job,) = [spec for spec in build_jobs(settings) if spec.name == "digest"]
    poll = make_spec("poll_x", "x", lambda ctx: None, Job(every="10m"))
    # Up at 07:30 on 20 February (Amsterdam), down before 08:00 until half past midnight.
    clock.set(datetime(2026, 2, 20, 6, 30, tzinfo=UTC))
    up = Daemon(settings, engine, clock=clock, specs=[job, poll])
    up.start()
    assert up.run_job("poll_x").status == "ok"
    up.stop()
    clock.set(datetime(2026, 2, 20, 23, 30, tzinfo=UTC))
    back = Daemon(settings, engine, clock=clock, specs=[job, poll])
    assert back.catch_up() == [("digest", "2026-02-20T07:00:00Z")]
    back.start()
    assert wait_for(lambda: digest_runs(sessions) == [("2026-02-20T07:00:00Z", "ok")])
    back.stop()
    # The 08:00 digest of the 20th is the 19th's; the 20th's is the next morning's.
    assert [path.name for path in tmp_path.glob("digest-*.md")] == ["digest-2026-02-19.md"]


def test_a_caught_up_digest_goes_out_after_a_round_of_polls_not_with_what_the_bot_knew_when_it_stopped(
    engine: Engine, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    order: list[str] = []

    def digest(ctx: JobContext) -> None:
        order.append("digest")

    jobs = [
        make_spec("digest", "digest", digest, Job(cron="0 8 * * *"), "UTC", catch_up=True),
        make_spec("poll_x", "x", lambda ctx: order.append("poll_x"), Job(every="10m")),
        make_spec("poll_y", "y", lambda ctx: order.append("poll_y"), Job(every="10m")),
    ]
    up_then_down(engine, clock, jobs)
    order.clear()

    clock.set(DAY1_1015)
    back = Daemon(make_settings(str(engine.url)), engine, clock=clock, specs=jobs)
    back.start()
    assert wait_for(lambda: "digest" in order)
    back.stop()
    # (A regular poll may also fire meanwhile; what matters is what ran before the digest.)
    assert {"poll_x", "poll_y"} <= set(order[: order.index("digest")])


def test_a_caught_up_digest_waits_for_a_poll_that_was_already_running(
    engine: Engine, clock: FakeClock
) -> None:
    order: list[str] = []
    polling, release = threading.Event(), threading.Event()

    def slow_poll(ctx: JobContext) -> None:
        polling.set()
        release.wait(30)
        order.append("poll_x")

    jobs = [
        make_spec(
            "digest",
            "digest",
            lambda ctx: order.append("digest"),
            Job(cron="0 8 * * *"),
            "UTC",
            catch_up=True,
        ),
        make_spec("poll_x", "x", slow_poll, Job(every="10m")),
    ]
    clock.set(DAY1_1015)
    daemon = Daemon(make_settings(str(engine.url)), engine, clock=clock, specs=jobs)
    regular = threading.Thread(target=daemon.run_job, args=("poll_x",))
    regular.start()
    assert polling.wait(30)
    catch_up = threading.Thread(target=daemon._fire_after_polls, args=("digest", "2026-02-20T08:00:00Z"))
    catch_up.start()
    catch_up.join(0.5)
    assert order == []  # the digest waits for the poll under way, rather than going out without it
    release.set()
    regular.join(30)
    catch_up.join(30)
    assert order == ["poll_x", "digest"]
