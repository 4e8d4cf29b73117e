"""``trends``, ``posts`` and ``report`` on the command line: formats, ranges and one-line errors."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import cli
from bot.trends import TREND_COLUMNS
from tests.trends.trend_data import add_counts, add_petition, add_posts, post_row

CAMPAIGN = """
[campaign]
name = "keep4o"
title = "#keep4o"
timezone = "Europe/Amsterdam"

[match]
hashtags = ["keep4o"]

[[petitions]]
id = "changeorg-keep-gpt-4o"
url = "https://www.change.org/p/keep-gpt-4o"
name = "Keep GPT-4o"
goal = 25000

[database]
url = "{db_url}"
"""


@pytest.fixture
def config(tmp_path: Path, db_url: str, sessions: sessionmaker[Session]) -> Path:
    """A campaign on a migrated database holding a few February days of posts and counts."""
    path = tmp_path / "keep4o.toml"
    path.write_text(CAMPAIGN.format(db_url=db_url))
    with sessions.begin() as s:
        add_posts(
            s,
            post_row(
                datetime(2026, 2, 10, 9, tzinfo=UTC), platform="reddit", lang="en", likes=40, title="Top"
            ),
            post_row(
                datetime(2026, 2, 11, 9, tzinfo=UTC), platform="bluesky", lang="nl", likes=5, text="Tweede"
            ),
            post_row(
                datetime(2026, 2, 11, 10, tzinfo=UTC),
                platform="bluesky",
                lang="nl",
                likes=900,
                sensitive=True,
            ),
        )
        petition = add_petition(s)
        add_counts(
            s,
            petition,
            (datetime(2026, 2, 10, 20, tzinfo=UTC), 20_000),
            (datetime(2026, 2, 11, 20, tzinfo=UTC), 20_480),
        )
    return path


def run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args], env={"DATABASE_URL": None})


def usage_error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    return result.stderr.strip().splitlines()[-1]


RANGE = ("--since", "2026-02-10", "--until", "2026-02-12")


def test_trends_writes_csv_when_piped(config: Path) -> None:
    result = run(config, "trends", *RANGE)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == [c.name for c in TREND_COLUMNS]
    assert [(r["period_start"], r["posts"], r["signatures"], r["signatures_change"]) for r in rows] == [
        ("2026-02-10T00:00:00+01:00", "1", "20000", ""),
        ("2026-02-11T00:00:00+01:00", "2", "20480", "480"),
        ("2026-02-12T00:00:00+01:00", "0", "", ""),
    ]


def test_trends_as_json_by_hour_for_one_platform(config: Path) -> None:
    result = run(
        config,
        "trends",
        "--since",
        "2026-02-11",
        "--until",
        "2026-02-11",
        "--by",
        "hour",
        "--platform",
        "bluesky",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["by"], document["platform"], len(document["rows"])) == ("hour", "bluesky", 24)
    busy = [r for r in document["rows"] if r["posts"]]
    assert [(r["period_start"], r["posts"], r["posts_reddit"]) for r in busy] == [
        ("2026-02-11T10:00:00+01:00", 1, None),
        ("2026-02-11T11:00:00+01:00", 1, None),
    ]


def test_trends_as_markdown_and_as_a_table(config: Path) -> None:
    markdown = run(config, "trends", *RANGE, "--format", "markdown")
    assert markdown.stdout.splitlines()[2].startswith("| Tue 2026-02-10 | 20,000 | – | – | 1 |")
    table = run(config, "trends", *RANGE, "--format", "table")
    assert "Trends by day (Europe/Amsterdam)" in table.stdout
    assert "20,480 signatures (+480 since 10 Feb)" in table.stdout


def test_trends_over_the_last_days_ends_with_today_still_running(
    config: Path, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as s:
        add_posts(s, post_row(datetime.now(UTC) - timedelta(hours=1)))
    document = json.loads(run(config, "trends", "--days", "2", "--format", "json").stdout)
    assert len(document["rows"]) == 2
    assert sum(r["posts"] for r in document["rows"]) == 1
    assert [r["partial"] for r in document["rows"]] == [False, True]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--days", "3", "--since", "2026-02-10"), "Error: give either --days or --since/--until, not both"),
        (
            ("--since", "2026-02-10", "--until", "2026-02-01"),
            "Error: --until 2026-02-01 is before --since 2026-02-10",
        ),
        (
            (
                "--until",
                "2026-02-01",
            ),
            "Error: --until needs --since",
        ),
        (
            (
                "--since",
                "2030-01-01",
            ),
            "Error: --since 2030-01-01 is in the future",
        ),
        (
            (
                "--since",
                "2026-02-30",
            ),
            "Error: Invalid value for '--since': '2026-02-30' is not a date like 2026-11-22",
        ),
        (
            (
                "--by",
                "month",
            ),
            "Error: Invalid value for '--by': 'month' is not one of 'hour', 'day', 'week'.",
        ),
        (
            (
                "--days",
                "0",
            ),
            "Error: Invalid value for '--days': 0 is not in the range 1<=x<=36500.",
        ),
        (
            ("--days", "99999999999999999999"),
            "Error: Invalid value for '--days': 99999999999999999999 is not in the range 1<=x<=36500.",
        ),
        (
            ("--since", "0001-01-01", "--until", "0001-01-02"),
            "Error: Invalid value for '--since': 0001-01-01 is not between 1970-01-01 and 9000-12-31",
        ),
        (
            ("--since", "9000-12-30", "--until", "9000-12-31"),
            "Error: --since 9000-12-30 is in the future",
        ),
        (
            ("--days", "900", "--by", "hour"),
            "Error: more than 10,000 periods; use a coarser --by or a shorter range",
        ),
        (
            (
                "--petition",
                "nope",
            ),
            "Error: --petition 'nope' is not in the config (known: changeorg-keep-gpt-4o)",
        ),
        (
            (
                "--format",
                "xml",
            ),
            "Error: Invalid value for '--format': 'xml' is not one of 'table', 'csv', 'json', 'markdown'.",
        ),
    ],
)
def test_bad_trends_arguments_are_usage_errors(config: Path, args: tuple[str, ...], message: str) -> None:
    assert usage_error(run(config, "trends", *args)) == message


def test_a_mistyped_database_path_is_named_and_not_created(tmp_path: Path) -> None:
    path = tmp_path / "typo.toml"
    path.write_text(CAMPAIGN.format(db_url=f"sqlite:///{tmp_path / 'dta' / 'keep4o.db'}"))
    result = run(path, "trends", "--days", "1")
    assert result.exit_code == 1
    missing = tmp_path / "dta" / "keep4o.db"
    assert result.stderr == f"error: there is no database at {missing}; 'keep4o-bot db upgrade' creates it\n"
    assert not (tmp_path / "dta").exists()


def test_an_unmigrated_database_is_a_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.toml"
    path.write_text(CAMPAIGN.format(db_url=f"sqlite:///{tmp_path / 'empty.db'}"))
    (tmp_path / "empty.db").touch()
    result = run(path, "trends", "--days", "1")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: the database has no tables yet; run 'keep4o-bot db upgrade'"


def test_posts_lists_the_top_posts_without_sensitive_ones(config: Path) -> None:
    result = run(config, "posts", "--since", "2026-02-01", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [(r["rank"], r["title"] or r["text"], r["engagement"]) for r in document["rows"]] == [
        (1, "Top", 40),
        (2, "Tweede", 5),
    ]
    assert document["withheld"] == 1


def test_posts_filters_by_language_and_limits(config: Path) -> None:
    rows = list(
        csv.DictReader(io.StringIO(run(config, "posts", "--since", "2026-02-01", "--lang", "NL").stdout))
    )
    assert [r["text"] for r in rows] == ["Tweede"]
    rows = list(
        csv.DictReader(io.StringIO(run(config, "posts", "--since", "2026-02-01", "--top", "1").stdout))
    )
    assert [r["title"] for r in rows] == ["Top"]


def test_posts_as_a_table_says_what_was_withheld(config: Path) -> None:
    result = run(config, "posts", "--since", "2026-02-01", "--format", "table")
    assert "r/ChatGPT" in result.stdout
    assert "1 posts matching the care list are counted but not shown." in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--top", "0"), "Error: Invalid value for '--top': 0 is not in the range 1<=x<=1000."),
        (
            ("--platform", "x"),
            "Error: Invalid value for '--platform': 'x' is not one of 'reddit', 'bluesky'.",
        ),
        (("--since", "2030-01-01"), "Error: --since 2030-01-01 is in the future"),
        (
            ("--since", "0001-01-01"),
            "Error: Invalid value for '--since': 0001-01-01 is not between 1970-01-01 and 9000-12-31",
        ),
        (
            ("--lang", "english"),
            "Error: Invalid value for '--lang': 'english' is not a language code like nl or fil",
        ),
    ],
)
def test_bad_posts_arguments_are_usage_errors(config: Path, args: tuple[str, ...], message: str) -> None:
    assert usage_error(run(config, "posts", *args)) == message


def test_report_writes_one_html_file(config: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = run(config, "report", "--out", str(out), "--days", "7")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"wrote {out} (")
    html = out.read_text()
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "Keep GPT-4o" in html


def test_report_into_a_missing_folder_is_a_one_line_error(config: Path, tmp_path: Path) -> None:
    result = run(config, "report", "--out", str(tmp_path / "nope" / "r.html"))
    assert result.exit_code == 1
    assert (
        result.stderr.strip()
        == f"error: cannot write {tmp_path / 'nope' / 'r.html'}: No such file or directory"
    )


def test_report_days_out_of_range_is_a_usage_error(config: Path) -> None:
    assert usage_error(run(config, "report", "--days", "0")) == (
        "Error: Invalid value for '--days': 0 is not in the range 1<=x<=400."
    )
