"""``keep4o-bot poll``: a summary line per source, errors per source, exit status."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine

from bot.cli import cli
from bot.sandbox import Sandbox
from tests.sources.reddit_sandbox import add, empty_sandbox

# The real environment must not leak into the command (a DATABASE_URL would win over the file).
CLEAN_ENV = {
    name: None for name in ("DATABASE_URL", "KEEP4O_CONFIG", "REDDIT_CLIENT_ID", "REDDIT_CLIENT_SECRET")
}


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    yield from empty_sandbox()


def write_campaign(sb: Sandbox, tmp_path: Path, db_url: str, *, edit: tuple[str, str] = ("", "")) -> Path:
    path = sb.write_config(tmp_path / "campaign" / "keep4o.toml", db_url)
    path.write_text(path.read_text(encoding="utf-8").replace(*edit), encoding="utf-8")
    return path


def with_a_wrong_reddit_secret(path: Path) -> Path:
    env_file = path.parent / ".env"
    env_file.write_text(env_file.read_text().replace("sandbox-secret", "wrong-secret"))
    return path


def run(path: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(path), "poll", *args], env=CLEAN_ENV)


def without_bluesky_and_petitions(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    text = text.replace("[bluesky]\nenabled = true", "[bluesky]\nenabled = false")
    head, _, rest = text.partition("[[petitions]]")
    path.write_text(head + "[digest]" + rest.partition("[digest]")[2], encoding="utf-8")


def test_poll_reddit_prints_the_listing_and_search_summaries(
    sb: Sandbox, tmp_path: Path, db_url: str, engine: Engine
) -> None:
    add(sb, 1, minutes_ago=5)
    add(sb, 2, minutes_ago=4, subreddit="technology")
    result = run(write_campaign(sb, tmp_path, db_url), "reddit")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "reddit: 1 new, 0 updated, 0 removed, 1 API requests",
        "reddit-search: 1 new, 0 updated, 0 removed, 3 API requests",
    ]


def test_a_failing_source_prints_one_error_line_each_and_exits_1(
    sb: Sandbox, tmp_path: Path, db_url: str, engine: Engine
) -> None:
    path = with_a_wrong_reddit_secret(write_campaign(sb, tmp_path, db_url))
    result = run(path, "reddit")
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert [line.split(":")[1].strip() for line in errors] == ["reddit", "reddit-search"]
    assert "401" in errors[0]


def test_debug_and_the_log_format_apply_to_a_one_shot_command_too(
    sb: Sandbox, tmp_path: Path, db_url: str, engine: Engine
) -> None:
    path = with_a_wrong_reddit_secret(write_campaign(sb, tmp_path, db_url))
    plain = CliRunner().invoke(cli, ["--config", str(path), "poll", "reddit"], env=CLEAN_ENV)
    loud = CliRunner().invoke(cli, ["--debug", "--config", str(path), "poll", "reddit"], env=CLEAN_ENV)
    args = ["--debug", "--log-format", "json", "--config", str(path), "poll", "reddit"]
    machine = CliRunner().invoke(cli, args, env=CLEAN_ENV)
    assert "Traceback" not in plain.stderr
    assert "reddit poll failed\nTraceback (most recent call last):" in loud.stderr
    logged = [json.loads(line) for line in machine.stderr.splitlines() if not line.startswith("error: ")]
    assert any(entry["message"] == "reddit poll failed" and "exception" in entry for entry in logged)
    assert "wrong-secret" not in loud.stderr + machine.stderr


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_locked_database_is_named_as_the_cause(
    sb: Sandbox, tmp_path: Path, db_url: str, engine: Engine
) -> None:
    add(sb, 1, minutes_ago=5)
    path = write_campaign(sb, tmp_path, db_url)
    locker = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")  # another writer, holding on past the 10 s busy timeout
    try:
        result = run(path, "reddit")
    finally:
        locker.rollback()
        locker.close()
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == "error: reddit: OperationalError: database is locked"


def test_poll_all_tries_every_source_and_names_the_skipped_ones(
    sb: Sandbox, tmp_path: Path, db_url: str, engine: Engine
) -> None:
    path = write_campaign(sb, tmp_path, db_url)
    without_bluesky_and_petitions(path)
    result = run(path, "all")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "reddit: 0 new, 0 updated, 0 removed, 1 API requests",
        "reddit-search: 0 new, 0 updated, 0 removed, 3 API requests",
        "bluesky: skipped (disabled)",
        "petitions: skipped (no [[petitions]] configured)",
    ]


def test_a_database_without_the_schema_is_one_line_asking_for_an_upgrade(
    sb: Sandbox, tmp_path: Path, db_url: str
) -> None:
    if db_url.startswith("sqlite:///"):
        Path(db_url.removeprefix("sqlite:///")).touch()  # an empty file, as PostgreSQL's is an empty database
    result = run(write_campaign(sb, tmp_path, db_url), "reddit")
    assert result.exit_code == 1
    assert result.output.strip() == "error: the database has no tables yet; run 'keep4o-bot db upgrade'"
    assert sb.requests() == 0


def test_an_unknown_source_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["poll", "mastodon"], env=CLEAN_ENV)
    assert result.exit_code == 2
    assert "'mastodon' is not one of" in result.output
