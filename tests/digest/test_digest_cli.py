"""``keep4o-bot digest``: print, publish to the configured targets, dry runs and usage errors."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from digest_data import PERIOD, START, add_post
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import cli
from bot.storage import Delivery, Digest, Post

CAMPAIGN = """
[campaign]
name = "keep4o"
title = "#keep4o"
timezone = "Europe/Amsterdam"

[match]
hashtags = ["keep4o"]

[reddit]
subreddits = ["ChatGPT"]
contact_username = "keep4o_bot"

[digest]
targets = ["file"]
file_directory = "{out}"
"""


@pytest.fixture
def campaign(tmp_path: Path) -> Path:
    path = tmp_path / "keep4o.toml"
    path.write_text(CAMPAIGN.format(out=tmp_path / "out"))
    return path


def _run(campaign: Path, db_url: str, *args: str) -> Result:
    env = {
        "DATABASE_URL": db_url,
        "REDDIT_CLIENT_ID": "id",
        "REDDIT_CLIENT_SECRET": "secret",
        "KEEP4O_CONFIG": None,
    }
    return CliRunner().invoke(cli, ["--config", str(campaign), "digest", *args], env=env)


def _recorded(sessions: sessionmaker[Session]) -> tuple[int, int]:
    with sessions() as session:
        return (
            session.scalar(select(func.count()).select_from(Digest)) or 0,
            session.scalar(select(func.count()).select_from(Delivery)) or 0,
        )


@pytest.mark.parametrize("value", ["yesterday", "2026-02-30", "2999-01-01", "0001-01-01"])
def test_a_bad_date_is_a_usage_error(campaign: Path, value: str) -> None:
    result = _run(campaign, "sqlite://", "--date", value)
    assert result.exit_code == 2
    assert "Invalid value for '--date'" in result.output


def test_an_unknown_target_is_a_usage_error(campaign: Path) -> None:
    result = _run(campaign, "sqlite://", "--date", "2026-02-20", "--target", "mastodon")
    assert result.exit_code == 2
    assert "unknown target 'mastodon'" in result.output


def test_a_dry_run_prints_and_records_nothing(
    campaign: Path, db_url: str, engine: Engine, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    with sessions.begin() as session:
        add_post(session, START + timedelta(hours=1), text="Day one of #keep4o", likes=4)
    result = _run(campaign, db_url, "--date", PERIOD.key, "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("#keep4o daily digest · Fri 2026-02-20\n")
    assert "1. “Day one of #keep4o” (r/ChatGPT, 4 points, 0 comments)" in result.stdout
    assert "file: dry run, nothing published" in result.stderr
    assert _recorded(sessions) == (0, 0)
    assert not (tmp_path / "out").exists()


def test_the_digest_is_published_to_the_configured_targets_once(
    campaign: Path, db_url: str, engine: Engine, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    first = _run(campaign, db_url, "--date", PERIOD.key, "--format", "json")
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["key"] == "2026-02-20"
    assert f"file: delivered {(tmp_path / 'out' / 'digest-2026-02-20.md').as_uri()}" in first.stderr
    again = _run(campaign, db_url, "--date", PERIOD.key, "--format", "markdown")
    assert again.stdout.startswith("# #keep4o daily digest · Fri 2026-02-20")
    assert "file: already delivered" in again.stderr
    assert _recorded(sessions) == (1, 1)


def test_a_care_term_added_since_collection_covers_the_stored_posts_and_their_count(
    campaign: Path, db_url: str, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        add_post(session, START + timedelta(hours=1), text="Feeling hopeless #keep4o", likes=9)
        add_post(session, START + timedelta(hours=2), text="Sign the petition #keep4o", likes=1)
    campaign.write_text(campaign.read_text() + '\n[care]\ndistress_terms = ["hopeless"]\n')
    dry = _run(campaign, db_url, "--date", PERIOD.key, "--dry-run", "--format", "json")
    published = _run(campaign, db_url, "--date", PERIOD.key, "--format", "json")
    # A dry run records nothing; the published run flags the post first, so the count is right.
    assert json.loads(dry.stdout)["content"]["conversation"]["sensitive"] == 0
    assert json.loads(published.stdout)["content"]["conversation"]["sensitive"] == 1
    assert "Feeling hopeless" not in dry.stdout + published.stdout
    with sessions() as session:
        assert session.scalars(select(Post.text).where(Post.sensitive)).all() == ["Feeling hopeless #keep4o"]


def test_a_target_that_is_not_delivered_fails_the_command(
    campaign: Path, db_url: str, engine: Engine, tmp_path: Path
) -> None:
    (tmp_path / "out").write_text("a file where the directory should be")
    result = _run(campaign, db_url, "--date", PERIOD.key)
    assert result.exit_code == 1
    assert "error: 1 of 1 targets not delivered: file: failed (NotDelivered: cannot write" in result.stderr
