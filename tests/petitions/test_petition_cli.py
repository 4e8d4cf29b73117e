"""``keep4o-bot petitions``: the status table, through the CLI (on both databases)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from bot.cli import cli
from bot.cli._petitions import age
from bot.config import load_settings
from bot.petitions import poll_petitions
from bot.sandbox import Clock, Sandbox, generate_world
from bot.storage import Petition, PetitionSnapshot, make_sessionmaker

H = timedelta(hours=1)


def write_config(tmp_path: Path, db_url: str, petitions: str) -> Path:
    path = tmp_path / "keep4o.toml"
    path.write_text(
        f"""
[campaign]
name = "keep4o-test"
title = "#keep4o (test)"
timezone = "UTC"

[match]
hashtags = ["keep4o"]

{petitions}

[database]
url = {json.dumps(db_url)}

[sandbox]
enabled = true
""",
        encoding="utf-8",
    )
    return path


def petitions_toml(url: str) -> str:
    return f"""
[[petitions]]
id = "changeorg-keep-gpt-4o"
url = "{url}/p/keep-gpt-4o"
name = "Keep GPT-4o available in ChatGPT"
goal = 25000
milestones = [21000, 22000, 30000]

[[petitions]]
id = "uk-parliament-700001"
url = "{url}/petitions/700001.json"
adapter = "uk_parliament"
"""


@pytest.fixture
def recent_sandbox() -> Iterator[Sandbox]:
    """A sandbox whose clock is an hour behind real time, frozen: the CLI reads with the real clock."""
    start = datetime.now(UTC) - 25 * H
    with Sandbox(world=generate_world(seed=7, now=start), clock=Clock(start, speed=0)) as sandbox:
        yield sandbox


def test_the_table_shows_count_goal_change_pace_projection_age_and_state(
    recent_sandbox: Sandbox, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    sb = recent_sandbox
    path = write_config(tmp_path, db_url, petitions_toml(sb.url))
    settings = load_settings(path, {})
    sessions = make_sessionmaker(engine)
    uk = sb.world.petitions["700001"]
    # The UK count moves between the last two polls, so the last one reads the JSON API
    # (an unchanged count is answered 304 "not-modified"; see test_petition_tracker).
    uk.series = [(sb.now() - 48 * H, 180_000), (sb.now() + timedelta(hours=24, minutes=30), 180_412)]
    polled = {}
    # Real time is N = start + 25 h; polls at N-25h, N-23h, N-2h, N-1h and N-5min.
    for step in (timedelta(0), 2 * H, 21 * H, H, timedelta(minutes=55)):
        sb.clock.advance(step)
        poll_petitions(settings, sessions, clock=sb.now)
        polled[sb.now()] = sb.world.petitions["keep-gpt-4o"].count_at(sb.now())
    times = sorted(polled)
    last, first_in_day, day_ago = polled[times[-1]], polled[times[1]], polled[times[0]]
    pace = (last - first_in_day) / ((times[-1] - times[1]).total_seconds() / 3600)

    result = CliRunner().invoke(cli, ["--config", str(path), "petitions"], env={"COLUMNS": "250"})

    assert result.exit_code == 0, result.output
    line = next(row for row in result.output.splitlines() if "Keep GPT-4o available in ChatGPT" in row)
    assert f"{last:,}" in line
    assert f"25,000 ({last / 25_000:.0%})" in line
    assert f"{last - day_ago:+,}" in line  # change over 24 h: N-5min against N-25h
    assert f"{pace:,.1f}/h" in line  # the 24-hour window starts at N-24h, so at the N-23h snapshot
    assert re.search(r"\d+ min ago \(embedded-json\)", line)
    assert line.rstrip().rstrip("│").rstrip().endswith("open")
    uk_line = next(row for row in result.output.splitlines() if "Require AI companies" in row)
    assert "180,412" in uk_line
    assert "no goal set" in uk_line and "json-api" in uk_line
    # Each petition states the method of its own projection.
    said = " ".join(result.output.split())
    assert said.count("): changes: latest snapshot minus") == 2
    assert "Method (Keep GPT-4o available in ChatGPT): changes:" in said


def test_a_petition_never_read_says_so(engine: Engine, db_url: str, tmp_path: Path) -> None:
    path = write_config(tmp_path, db_url, petitions_toml("http://127.0.0.1:9"))
    result = CliRunner().invoke(cli, ["--config", str(path), "petitions"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert result.output.count("no snapshots yet") == 2


def test_without_petitions_in_the_config_it_says_so(engine: Engine, db_url: str, tmp_path: Path) -> None:
    path = write_config(tmp_path, db_url, "")
    result = CliRunner().invoke(cli, ["--config", str(path), "petitions"])
    assert (result.exit_code, result.output) == (0, "no petitions configured\n")


def test_an_unmigrated_database_is_a_one_line_error(tmp_path: Path) -> None:
    path = write_config(tmp_path, f"sqlite:///{tmp_path / 'empty.db'}", petitions_toml("http://127.0.0.1:9"))
    (tmp_path / "empty.db").touch()
    result = CliRunner().invoke(cli, ["--config", str(path), "petitions"])
    assert result.exit_code == 1
    assert result.output == "error: the database has no tables yet; run 'keep4o-bot db upgrade'\n"


@pytest.mark.parametrize(
    ("seconds", "said"),
    [(5, "just now"), (60, "1 min ago"), (59 * 60, "59 min ago"), (3600, "1 h ago"), (47 * 3600, "47 h ago"),
     (3 * 86400, "3 d ago"), (-30, "just now")],
)  # fmt: skip
def test_ages_read_the_way_people_say_them(seconds: int, said: str) -> None:
    assert age(timedelta(seconds=seconds)) == said


def test_a_title_read_from_the_page_is_shown_as_written(engine: Engine, db_url: str, tmp_path: Path) -> None:
    path = write_config(tmp_path, db_url, petitions_toml("http://127.0.0.1:9"))
    now = datetime.now(UTC)
    with make_sessionmaker(engine).begin() as session:
        # The UK petition has no configured name: its page's title is shown, brackets and all.
        petition = Petition(
            key="uk-parliament-700001", url="http://127.0.0.1:9", title="[bold]Rich[/bold] \x1b[2J[/]"
        )
        session.add(petition)
        session.flush()
        session.add(PetitionSnapshot(petition_id=petition.id, taken_at=now, count=1_000, strategy="json-api"))
    result = CliRunner().invoke(cli, ["--config", str(path), "petitions"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "[bold]Rich[/bold] [2J[/]" in result.output
    assert "\x1b" not in result.output
