"""``keep4o-bot run`` as a process: SIGTERM stops it cleanly within 10 s, exit status 0."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox import Sandbox
from bot.scheduler import DaemonRunning, one_daemon_per_file
from bot.storage import JobRun, make_engine, make_sessionmaker
from tests.conftest import ROOT
from tests.scheduler.conftest import daemon_config

BOT = str(Path(sys.executable).parent / "keep4o-bot")
STOP_LIMIT = 10  # seconds: the promise made to Docker's stop


def wait_for(condition: Callable[[], bool], limit: float = 60.0) -> bool:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def start_bot(config: Path, folder: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    return subprocess.Popen(
        [BOT, "--config", str(config), "run"],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def job_statuses(sessions: sessionmaker[Session], job: str) -> list[str]:
    """The job's runs so far ([] while the bot has not created its tables yet)."""
    try:
        with sessions() as session:
            return list(session.scalars(select(JobRun.status).where(JobRun.job == job).order_by(JobRun.id)))
    except OperationalError:
        return []


def test_sigterm_while_a_poll_hangs_exits_0_within_10_seconds_and_marks_the_run_aborted(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    db_url = f"sqlite:///{tmp_path / 'bot.db'}"
    # Every Reddit request stalls for a minute, longer than the client's own timeout allows.
    sandbox.inject("/r/", "timeout", times=100, seconds=60)
    config = daemon_config(sandbox, tmp_path, db_url, {"poll_reddit": "2s"}, timeout_seconds="60")
    bot = start_bot(config, tmp_path)
    sessions = make_sessionmaker(make_engine(db_url))
    try:
        assert wait_for(lambda: sandbox.requests("/r/") > 0 and bot.poll() is None)
        assert wait_for(lambda: job_statuses(sessions, "poll_reddit") == ["running"])
        bot.send_signal(signal.SIGTERM)
        output, _ = bot.communicate(timeout=STOP_LIMIT)
    finally:
        if bot.poll() is None:
            bot.kill()
    assert bot.returncode == 0, output
    assert "received SIGTERM: stopping" in output
    assert "stopped while still running: poll_reddit (marked aborted)" in output
    assert job_statuses(sessions, "poll_reddit") == ["aborted"]


def test_sigterm_to_an_idle_daemon_exits_0_within_10_seconds(sandbox: Sandbox, tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'bot.db'}"
    config = daemon_config(sandbox, tmp_path, db_url, {"poll_petitions": "1s"})
    bot = start_bot(config, tmp_path)
    sessions = make_sessionmaker(make_engine(db_url))
    try:
        assert wait_for(lambda: "ok" in job_statuses(sessions, "poll_petitions"))
        bot.send_signal(signal.SIGTERM)
        output, _ = bot.communicate(timeout=STOP_LIMIT)
    finally:
        if bot.poll() is None:
            bot.kill()
    assert bot.returncode == 0, output
    assert "scheduler stopped" in output


def test_a_config_error_stops_start_up_with_one_line_and_exit_1(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(
        '[campaign]\nname = "x"\ntitle = "x"\n[match]\nhashtags = ["a"]\n[server]\nport = "http"\n'
    )
    command = [BOT, "--config", str(config), "run"]
    done = subprocess.run(command, check=False, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(f"error: {config}: server.port: Input should be a valid integer")


def test_a_second_daemon_on_the_same_sqlite_file_is_refused_with_one_line(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    # It would run every job a second time and close the first one's running jobs as abandoned.
    db_url = f"sqlite:///{tmp_path / 'bot.db'}"
    config = daemon_config(sandbox, tmp_path, db_url, {"poll_petitions": "1s"})
    first = start_bot(config, tmp_path)
    sessions = make_sessionmaker(make_engine(db_url))
    try:
        assert wait_for(lambda: "ok" in job_statuses(sessions, "poll_petitions"))
        second = start_bot(config, tmp_path)
        output, _ = second.communicate(timeout=60)
        assert second.returncode == 1, output
        database = tmp_path / "bot.db"
        assert output.strip().splitlines() == [
            f"error: another keep4o-bot run (process {first.pid}) already uses {database}; stop it first"
        ]
        assert first.poll() is None  # the first one carries on
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=STOP_LIMIT)
    assert first.returncode == 0


def test_the_daemon_lock_is_made_with_the_database_folder_on_a_first_start(tmp_path: Path) -> None:
    # The default database is data/keep4o.db: on a fresh install data/ does not exist yet.
    url = f"sqlite:///{tmp_path / 'data' / 'bot.db'}"
    with one_daemon_per_file(url):
        assert (tmp_path / "data" / "bot.db.daemon.lock").read_text() == str(os.getpid())
        refused = pytest.raises(DaemonRunning, match=rf"another keep4o-bot run \(process {os.getpid()}\)")
        with refused, one_daemon_per_file(url):
            pass
    with one_daemon_per_file(url):  # released with the first
        pass
