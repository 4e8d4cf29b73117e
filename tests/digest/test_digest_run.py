"""``run_digest``: the day it covers, and one composition per day whatever happens later."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from digest_data import START, add_post, make_config
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Secrets, Settings
from bot.digest import run_digest

MORNING_AFTER = datetime(2026, 2, 21, 7, 0, tzinfo=UTC)  # 08:00 in Amsterdam


def _settings(tmp_path: Path) -> Settings:
    config = make_config(digest={"targets": ["file"], "file_directory": str(tmp_path / "out")})
    return Settings(config=config, secrets=Secrets(), path=tmp_path / "keep4o.toml", database_url="")


def test_by_default_the_digest_covers_the_last_full_local_day(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    result = run_digest(_settings(tmp_path), sessions, clock=lambda: MORNING_AFTER, dry_run=True)
    assert result.content.period.key == "2026-02-20"
    assert [(o.target, o.status) for o in result.outcomes] == [("file", "dry_run")]


def test_a_day_that_is_not_over_is_refused(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="2026-02-21 is not over yet in Europe/Amsterdam"):
        run_digest(_settings(tmp_path), sessions, clock=lambda: MORNING_AFTER, date=MORNING_AFTER.date())


def test_a_later_run_publishes_the_first_composition_of_the_day(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    settings = _settings(tmp_path)
    with sessions.begin() as session:
        add_post(session, START + timedelta(hours=1), text="First words", likes=2)
    run_digest(settings, sessions, clock=lambda: MORNING_AFTER)
    with sessions.begin() as session:
        add_post(session, START + timedelta(hours=2), text="Collected late", likes=99)
    result = run_digest(
        settings, sessions, clock=lambda: MORNING_AFTER + timedelta(hours=1), targets=["file"]
    )
    assert [(o.target, o.status, o.found) for o in result.outcomes] == [("file", "done", True)]
    assert result.content.conversation.platforms[0].posts == 1
    assert "Collected late" not in json.dumps(result.content.conversation.platforms[0].top, default=str)
