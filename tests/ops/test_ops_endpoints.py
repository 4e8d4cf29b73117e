"""/healthz, /readyz and /metrics of a running daemon."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.clock import utc_now
from bot.config import Config, Job, Secrets, Settings
from bot.ops import HealthServer, serve_health
from bot.scheduler import Daemon, JobContext, make_spec
from bot.sources import PollSummary
from bot.storage import make_engine


def settings_for(url: str) -> Settings:
    config = Config.model_validate(
        {
            "campaign": {"name": "t", "title": "#t"},
            "match": {"hashtags": ["keep4o"]},
            "schedule": {"stale_after": "2h"},
        }
    )
    return Settings(config=config, secrets=Secrets(), path=Path("t.toml"), database_url=url)


def reddit_poll(_ctx: JobContext) -> PollSummary:
    return PollSummary(source="reddit", new=5, updated=1, requests=2)


def bluesky_poll(_ctx: JobContext) -> PollSummary:
    raise ConnectionError("bsky.social unreachable")


class Clock:
    def __init__(self) -> None:
        self.now = utc_now()

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def running(engine: Engine) -> Iterator[tuple[Daemon, HealthServer, Clock]]:
    clock = Clock()
    specs = [
        make_spec("poll_reddit", "reddit", reddit_poll, Job(every="1h"), watched=True),
        make_spec("poll_bluesky", "bluesky", bluesky_poll, Job(every="1h"), watched=True),
    ]
    daemon = Daemon(settings_for(str(engine.url)), engine, clock=clock, specs=specs)
    server = serve_health(daemon, daemon.metrics.registry, "127.0.0.1", 0)
    daemon.start()
    yield daemon, server, clock
    server.stop()
    daemon.stop()


def get(server: HealthServer, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}{path}", timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def get_json(server: HealthServer, path: str) -> tuple[int, dict[str, Any]]:
    status, body = get(server, path)
    return status, json.loads(body)


def test_healthz_is_200_while_the_scheduler_runs_and_503_after(
    running: tuple[Daemon, HealthServer, Clock],
) -> None:
    daemon, server, _ = running
    assert get_json(server, "/healthz") == (200, {"alive": True})
    daemon.stop()
    assert get_json(server, "/healthz") == (503, {"alive": False})


def test_readyz_reports_each_job_and_is_200_when_nothing_is_stale(
    running: tuple[Daemon, HealthServer, Clock],
) -> None:
    daemon, server, clock = running
    daemon.run_job("poll_reddit")
    daemon.run_job("poll_bluesky")
    status, body = get_json(server, "/readyz")
    assert status == 200
    assert body["ready"] is True and body["database"] == "ok" and body["stale"] == {}
    reddit, bluesky = body["jobs"]["poll_reddit"], body["jobs"]["poll_bluesky"]
    assert reddit["last_status"] == "ok"
    assert datetime.fromisoformat(reddit["last_success"]) == clock.now
    assert bluesky["last_success"] is None
    assert bluesky["last_error"] == "ConnectionError: bsky.social unreachable"
    assert bluesky["failures_in_row"] == 1
    # The failed poll's retry (in 30 s) comes before its regular run.
    next_retry = datetime.fromisoformat(bluesky["next_run"])
    assert next_retry < datetime.fromisoformat(reddit["next_run"])
    assert datetime.fromisoformat(reddit["next_run"]) > datetime.now(UTC)


def test_readyz_is_503_while_a_source_is_stale(running: tuple[Daemon, HealthServer, Clock]) -> None:
    daemon, server, clock = running
    daemon.run_job("poll_reddit")
    clock.now += timedelta(hours=3)
    daemon.check_staleness()
    status, body = get_json(server, "/readyz")
    assert status == 503
    assert body["ready"] is False
    assert set(body["stale"]) == {"reddit", "bluesky"}


def test_readyz_is_503_when_the_database_does_not_answer() -> None:
    # Nothing listens on port 9: every connection attempt is refused.
    engine = make_engine("postgresql+psycopg://postgres@127.0.0.1:9/keep4o?connect_timeout=5")
    daemon = Daemon(settings_for(str(engine.url)), engine, specs=[])
    server = serve_health(daemon, daemon.metrics.registry, "127.0.0.1", 0)
    try:
        status, body = get_json(server, "/readyz")
    finally:
        server.stop()
    assert status == 503
    assert body["ready"] is False
    assert body["database"].startswith("unavailable: ")


def test_metrics_are_prometheus_text_with_keep4o_names(running: tuple[Daemon, HealthServer, Clock]) -> None:
    daemon, server, _ = running
    daemon.run_job("poll_reddit")
    daemon.run_job("poll_bluesky")
    status, text = get(server, "/metrics")
    assert status == 200
    assert 'keep4o_posts_ingested_total{platform="reddit"} 5.0' in text
    assert 'keep4o_api_requests_total{source="reddit"} 2.0' in text
    assert 'keep4o_job_failures_total{job="poll_bluesky"} 1.0' in text
    assert 'keep4o_job_duration_seconds_count{job="poll_reddit"} 1.0' in text
    assert 'keep4o_job_last_success_timestamp_seconds{job="poll_reddit"}' in text
    names = {
        line.split("{")[0].split(" ")[0] for line in text.splitlines() if line and not line.startswith("#")
    }
    assert all(name.startswith("keep4o_") for name in names)


def test_an_unknown_path_is_404(running: tuple[Daemon, HealthServer, Clock]) -> None:
    _, server, _ = running
    assert get(server, "/admin")[0] == 404
