"""The command layer: help, version, exit codes, config check, migrations and seeds."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from bot import __version__
from bot.cli import cli
from bot.storage import head_revision, make_engine, upgrade
from tests.conftest import ROOT

CAMPAIGN = """
[campaign]
name = "demo"
title = "#demo"

[match]
hashtags = ["demo"]

[bluesky]
handle = "demo.test"
queries = ["#demo"]
"""


def all_commands(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += all_commands(command, (*prefix, name))
    return found


@pytest.fixture
def campaign(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "demo.toml"
    path.write_text(CAMPAIGN)
    return path


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"keep4o-bot, version {__version__}"


def test_the_commands_of_every_issue_exist() -> None:
    names = {" ".join(c) for c in all_commands()}
    assert {
        "run",
        "poll",
        "digest",
        "trends",
        "report",
        "sandbox",
        "demo",
        "db upgrade",
        "db current",
        "config check",
        "seeds list",
    } <= names


@pytest.mark.parametrize("command", all_commands(), ids=" ".join)
def test_every_command_has_help(command: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: ")


def test_a_usage_error_exits_2() -> None:
    result = CliRunner().invoke(cli, ["poll", "twitter"])
    assert result.exit_code == 2
    assert "'twitter' is not one of" in result.output


def test_a_config_error_is_one_line_and_exits_1(campaign: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--config", str(campaign), "config", "check"], env={"KEEP4O_CONFIG": None}
    )
    assert result.exit_code == 1
    assert (
        result.output
        == f"error: {campaign}: bluesky: secret BLUESKY_APP_PASSWORD is not set (environment or .env)\n"
    )


@pytest.mark.parametrize(
    ("job", "problem"),
    [
        ('retention = { cron = "99 99 * * *" }', "schedule.jobs.retention: cron '99 99 * * *': "),
        ('poll_bluesky = { every = "0s" }', "schedule.jobs.poll_bluesky: 'every' must be longer than 0s"),
    ],
)
def test_config_check_refuses_a_schedule_the_daemon_could_not_build(
    campaign: Path, job: str, problem: str
) -> None:
    campaign.write_text(CAMPAIGN + f"\n[schedule.jobs]\n{job}\n")
    env = {"BLUESKY_APP_PASSWORD": "pw", "KEEP4O_CONFIG": None}
    result = CliRunner().invoke(cli, ["--config", str(campaign), "config", "check"], env=env)
    assert result.exit_code == 1
    assert result.output.startswith(f"error: {campaign}: {problem}")
    assert len(result.output.splitlines()) == 1


def test_an_unexpected_failure_is_one_line_without_debug_and_a_traceback_with_it(
    campaign: Path, tmp_path: Path
) -> None:
    # A folder where the SQLite file should be: nothing the bot words for the operator.
    env = {"BLUESKY_APP_PASSWORD": "pw", "DATABASE_URL": f"sqlite:///{tmp_path}"}
    quiet = CliRunner().invoke(cli, ["--config", str(campaign), "db", "current"], env=env)
    assert quiet.exit_code == 1
    assert quiet.output == "error: OperationalError: unable to open database file\n"
    loud = CliRunner().invoke(cli, ["--debug", "--config", str(campaign), "db", "current"], env=env)
    assert loud.exit_code == 1
    assert isinstance(loud.exception, OperationalError)


def test_config_check_prints_the_effective_config_with_secrets_masked(campaign: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--config", str(campaign), "config", "check"], env={"BLUESKY_APP_PASSWORD": "pw-secret-123"}
    )
    assert result.exit_code == 0, result.output
    assert "pw-secret-123" not in result.output
    shown = json.loads(result.stdout)
    assert shown["secrets"]["bluesky_app_password"] == "****"
    assert shown["bluesky"]["handle"] == "demo.test"


def test_db_upgrade_then_current(campaign: Path, db_url: str) -> None:
    env = {"BLUESKY_APP_PASSWORD": "pw", "DATABASE_URL": db_url}
    before = CliRunner().invoke(cli, ["--config", str(campaign), "db", "current"], env=env)
    assert before.output == "(no revision): the database has no tables yet; run 'keep4o-bot db upgrade'\n"
    for _ in range(2):
        upgraded = CliRunner().invoke(cli, ["--config", str(campaign), "db", "upgrade"], env=env)
        assert upgraded.exit_code == 0, upgraded.output
    after = CliRunner().invoke(cli, ["--config", str(campaign), "db", "current"], env=env)
    assert after.output.strip().endswith(": up to date")


def test_a_database_behind_newer_or_not_made_by_migrations_is_named_as_such(
    campaign: Path, db_url: str
) -> None:
    env = {"BLUESKY_APP_PASSWORD": "pw", "DATABASE_URL": db_url}

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, ["--config", str(campaign), *args], env=env)

    engine = make_engine(db_url)
    upgrade(engine, "0001")
    assert invoke("db", "current").output == (
        f"0001: the database is at revision 0001, behind {head_revision()}; run 'keep4o-bot db upgrade'\n"
    )
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    newer = (
        f"the database is at revision 0099, which this keep4o-bot (up to {head_revision()}) does not know: "
        "a newer version made it; upgrade keep4o-bot"
    )
    assert invoke("db", "current").output == f"0099: {newer}\n"
    for command in (["db", "upgrade"], ["trends", "--days", "1"], ["status"]):
        result = invoke(*command)
        assert (result.exit_code, result.output) == (1, f"error: {newer}\n")
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
    unrecorded = (
        "the database has tables but no migration record (alembic_version): "
        "keep4o-bot's migrations did not make it"
    )
    assert invoke("db", "current").output == f"(no revision): {unrecorded}\n"
    assert invoke("db", "upgrade").output == f"error: {unrecorded}\n"
    engine.dispose()


def test_another_applications_table_does_not_stop_the_first_upgrade(campaign: Path, db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE spatial_ref_sys (srid integer PRIMARY KEY)"))  # PostGIS's, say
    engine.dispose()
    env = {"BLUESKY_APP_PASSWORD": "pw", "DATABASE_URL": db_url}
    result = CliRunner().invoke(cli, ["--config", str(campaign), "db", "upgrade"], env=env)
    assert (result.exit_code, result.output) == (0, f"database at revision {head_revision()}\n")


def test_seeds_list_shows_every_article() -> None:
    result = CliRunner().invoke(cli, ["seeds", "list"])
    assert result.exit_code == 0
    for article_id in ("nl-gpt4o-retired-keep4o", "fr-protest-gpt4o-shutdown", "en-true-value-of-4o"):
        assert article_id in result.output


def test_python_dash_m_bot_is_the_same_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--version"], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == f"keep4o-bot, version {__version__}"


def test_output_piped_into_a_reader_that_stops_ends_quietly() -> None:
    # The pipe's reading end is closed before the command writes (as `| head -1` does once it has
    # its line): the write fails with EPIPE.
    command = subprocess.Popen(
        [sys.executable, "-m", "bot", "seeds", "list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert command.stdout is not None
    command.stdout.close()
    _, errors = command.communicate(timeout=60)
    assert (command.returncode, errors) == (1, b"")


@pytest.mark.parametrize(
    "command", [["trends", "--format", "csv"], ["posts"], ["petitions"], ["db", "current"], ["status"]]
)
def test_read_only_commands_need_no_api_secrets(campaign: Path, tmp_path: Path, command: list[str]) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'ro.db'}"}
    assert CliRunner().invoke(cli, ["--config", str(campaign), "db", "upgrade"], env=env).exit_code == 0
    result = CliRunner().invoke(cli, ["--config", str(campaign), *command], env=env)
    assert result.exit_code == 0, result.output
    assert "BLUESKY_APP_PASSWORD" not in result.output


def test_config_check_notes_hashtags_no_bluesky_query_searches_for(campaign: Path) -> None:
    tags = CAMPAIGN.replace('hashtags = ["demo"]', 'hashtags = ["demo", "Save4o", "bring4oback"]')

    def check(text: str) -> Result:
        campaign.write_text(text)
        env = {"BLUESKY_APP_PASSWORD": "pw"}
        result = CliRunner().invoke(cli, ["--config", str(campaign), "config", "check"], env=env)
        assert result.exit_code == 0, result.output
        return result

    assert (
        "note: no [bluesky] query searches for #Save4o, #bring4oback; "
        "posts carrying only those tags are not collected\n"
    ) in check(tags).stderr
    searched = tags.replace('queries = ["#demo"]', 'queries = ["#demo", "save4o", "#Bring4oBack"]')
    assert "note:" not in check(searched).stderr
