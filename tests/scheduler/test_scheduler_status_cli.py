"""``keep4o-bot status``: the facts of /readyz, read from the database."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from bot.cli import cli
from bot.clock import utc_now
from bot.storage import Checkpoint, JobRun, make_sessionmaker

CONFIG = """
[campaign]
name = "t"
title = "#t"
[match]
hashtags = ["keep4o"]
[[petitions]]
id = "keep-4o"
url = "https://example.org/p/keep-4o"
[database]
url = "{url}"
"""


@pytest.fixture
def config(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.delenv("DATABASE_URL", raising=False)
    path = tmp_path / "c.toml"
    path.write_text(CONFIG.format(url=engine.url.render_as_string(hide_password=False)), encoding="utf-8")
    return path


def test_status_shows_last_runs_failures_next_runs_and_stale_sources(engine: Engine, config: Path) -> None:
    now = utc_now()
    with make_sessionmaker(engine).begin() as session:
        session.add_all(
            [
                JobRun(
                    job="poll_petitions",
                    slot="a",
                    started_at=now - timedelta(minutes=40),
                    finished_at=now - timedelta(minutes=40),
                    status="ok",
                    counts={},
                    replica="host:1",
                ),
                JobRun(
                    job="poll_petitions",
                    slot="b",
                    started_at=now - timedelta(minutes=20),
                    finished_at=now - timedelta(minutes=20),
                    status="failed",
                    counts={},
                    replica="host:1",
                    error_class="FetchError",
                    error_message="503 from change.org",
                ),
                JobRun(
                    job="poll_petitions",
                    slot="c",
                    started_at=now - timedelta(minutes=5),
                    finished_at=now - timedelta(minutes=5, seconds=-3),
                    status="failed",
                    counts={},
                    replica="host:2",
                    error_class="FetchError",
                    error_message="503 from change.org",
                ),
                Checkpoint(
                    name="stale:petitions",
                    value='{"stale": true, "reason": "2 failed polls in a row"}',
                    updated_at=now,
                ),
            ]
        )
    result = CliRunner().invoke(cli, ["--config", str(config), "status"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    block = lines[lines.index("poll_petitions (petitions)") : lines.index("poll_petitions (petitions)") + 6]
    assert block[1].startswith("  last run:     failed, ") and block[1].endswith("took 3.0s on host:2")
    last_ok = now - timedelta(minutes=40)
    assert block[2].startswith(f"  last success: {last_ok:%Y-%m-%d %H:%M} UTC (4") and block[2].endswith(
        "s ago)"
    )
    assert block[3].endswith(": FetchError: 503 from change.org")
    assert block[4] == "  failures in a row: 2"
    assert block[5].startswith("  next run:     ") and "from now" in block[5]
    assert "digest (digest)" in lines
    assert "  last run:     never" in lines
    assert lines[-1] == "STALE petitions: 2 failed polls in a row"


def test_status_on_a_database_without_runs_says_never(config: Path) -> None:
    result = CliRunner().invoke(cli, ["--config", str(config), "status"])
    assert result.exit_code == 0, result.output
    assert result.output.count("last run:     never") == 5  # petitions, digest, alerts, retention, rollups
    assert result.output.splitlines()[-1] == "no stale sources"


def test_a_job_backing_off_shows_its_retry_as_the_next_run(engine: Engine, config: Path) -> None:
    # The daemon skips the job's slots until the backoff has passed, then retries.
    now = utc_now()
    failed_at = now - timedelta(seconds=10)
    with make_sessionmaker(engine).begin() as session:
        session.add(
            JobRun(
                job="poll_petitions",
                slot="a",
                started_at=failed_at,
                finished_at=failed_at,
                status="failed",
                counts={},
                replica="host:1",
                error_class="FetchError",
                error_message="503 from change.org",
            )
        )
    result = CliRunner().invoke(cli, ["--config", str(config), "status"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    block = lines[lines.index("poll_petitions (petitions)") :]
    retry = failed_at + timedelta(seconds=30)  # the first failure's backoff
    assert block[5].startswith(f"  next run:     {retry:%Y-%m-%d %H:%M} UTC (0m")
    assert block[5].endswith("from now), a retry after the backoff")
