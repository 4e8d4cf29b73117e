"""The job table: which jobs run, on which schedule and policy, and the slots they serve."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Job, load_settings
from bot.scheduler import build_jobs, cron_weekdays, latest_fire, make_spec, next_fire
from tests.conftest import ROOT
from tests.scheduler.conftest import make_settings

SECRETS = {
    "REDDIT_CLIENT_ID": "id-1234",
    "REDDIT_CLIENT_SECRET": "secret-1234",
    "BLUESKY_APP_PASSWORD": "pw-1234",
}


def noop(_ctx: object) -> None:
    return None


@pytest.fixture
def default_jobs() -> dict[str, object]:
    settings = load_settings(ROOT / "config/keep4o.toml", SECRETS)
    return {spec.name: spec for spec in build_jobs(settings)}


def test_the_default_campaign_schedules_every_poll_refresh_digest_alert_retention_and_rollup_job(
    default_jobs: dict[str, object],
) -> None:
    assert set(default_jobs) == {
        "poll_reddit",
        "search_reddit",
        "poll_bluesky",
        "poll_petitions",
        "refresh_reddit",
        "refresh_bluesky",
        "digest",
        "alerts",
        "retention",
        "rollups",
    }


def test_polls_may_start_up_to_half_a_period_late_and_coalesce(default_jobs: dict[str, object]) -> None:
    poll = default_jobs["poll_reddit"]
    assert poll.period == timedelta(minutes=10)  # type: ignore[attr-defined]
    assert poll.misfire_grace_time == 300  # type: ignore[attr-defined]
    assert poll.coalesce is True  # type: ignore[attr-defined]
    assert poll.watched is True  # type: ignore[attr-defined]


def test_the_digest_runs_daily_at_the_configured_local_time_and_is_caught_up(
    default_jobs: dict[str, object],
) -> None:
    digest = default_jobs["digest"]
    assert digest.catch_up is True  # type: ignore[attr-defined]
    assert digest.misfire_grace_time == 6 * 3600  # type: ignore[attr-defined]
    # 08:00 in Amsterdam is 07:00 UTC in winter.
    now = datetime(2026, 2, 20, 12, 0, tzinfo=UTC)
    assert latest_fire(digest, now) == datetime(2026, 2, 20, 7, 0, tzinfo=UTC)  # type: ignore[arg-type]
    assert next_fire(digest, now) == datetime(2026, 2, 21, 7, 0, tzinfo=UTC)  # type: ignore[arg-type]


def test_a_disabled_job_and_a_disabled_source_are_left_out() -> None:
    reddit = {"subreddits": ["ChatGPT"], "search_queries": ["keep4o"], "contact_username": "keep4o_bot"}
    bluesky = {"handle": "bot.example.org", "queries": ["#keep4o"]}
    petitions = [{"id": "p", "url": "https://example.org/p"}]
    enabled = make_settings("sqlite://", reddit=reddit, bluesky=bluesky, petitions=petitions)
    disabled = make_settings(
        "sqlite://",
        reddit=reddit | {"enabled": False},
        bluesky=bluesky | {"enabled": False},
        petitions=petitions,
        schedule={"jobs": {"alerts": {"every": "15m", "enabled": False}}},
    )
    left_out = {spec.name for spec in build_jobs(enabled)} - {spec.name for spec in build_jobs(disabled)}
    assert left_out == {
        "alerts",
        "poll_reddit",
        "search_reddit",
        "refresh_reddit",
        "poll_bluesky",
        "refresh_bluesky",
    }


def test_a_job_left_out_of_the_file_keeps_its_default_schedule() -> None:
    settings = make_settings(
        "sqlite://",
        petitions=[{"id": "p", "url": "https://example.org/p"}],
        schedule={"jobs": {"retention": {"cron": "0 4 * * *"}}},
    )
    specs = {spec.name: spec for spec in build_jobs(settings)}
    assert specs["poll_petitions"].period == timedelta(minutes=15)


def test_interval_slots_are_the_same_for_every_replica_whenever_it_started() -> None:
    spec = make_spec("poll_x", "x", noop, Job(every="10m", jitter="30s"))
    early = datetime(2026, 2, 20, 9, 0, 1, tzinfo=UTC)
    late = datetime(2026, 2, 20, 9, 9, 59, tzinfo=UTC)
    assert spec.slot(early) == spec.slot(late) == "2026-02-20T09:00:00Z"
    assert spec.slot(late + timedelta(seconds=1)) == "2026-02-20T09:10:00Z"


def test_the_scheduler_fires_interval_jobs_on_the_shared_grid() -> None:
    spec = make_spec("poll_x", "x", noop, Job(every="10m"))
    now = datetime(2026, 2, 20, 9, 3, 17, tzinfo=UTC)
    assert spec.trigger.get_next_fire_time(None, now) == datetime(2026, 2, 20, 9, 10, tzinfo=UTC)


def test_cron_slots_ignore_jitter_and_use_the_campaign_timezone() -> None:
    spec = make_spec("retention", "retention", noop, Job(cron="30 3 * * *", jitter="5m"), "Europe/Amsterdam")
    now = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    assert spec.slot(now) == "2026-07-01T01:30:00Z"  # 03:30 summer time


def test_crontab_weekdays_count_sunday_as_zero_unlike_apscheduler_3() -> None:
    assert cron_weekdays("0") == "sun"
    assert cron_weekdays("7") == "sun"
    assert cron_weekdays("1-5") == "mon,tue,wed,thu,fri"
    assert cron_weekdays("*/2") == "sun,tue,thu,sat"
    assert cron_weekdays("sat,sun") == "sun,sat"
    assert cron_weekdays("*") == "*"


def test_a_monday_cron_fires_on_monday() -> None:
    spec = make_spec("weekly", "w", noop, Job(cron="0 9 * * 1"), "UTC")
    monday = spec.trigger.get_next_fire_time(None, datetime(2026, 2, 20, tzinfo=UTC))  # a Friday
    assert monday is not None and monday.strftime("%A %H:%M") == "Monday 09:00"


def test_an_impossible_cron_is_an_error_naming_the_job() -> None:
    with pytest.raises(ValueError, match=r"schedule.jobs.retention: cron '61 \* \* \* \*'"):
        make_spec("retention", "retention", noop, Job(cron="61 * * * *"))
