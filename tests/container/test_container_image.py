"""The Docker image: it builds, runs the CLI, and runs the daemon against the sandbox and stops cleanly.

Built and run with ``../shared/tools/container-check`` (podman/buildah; host network, so the
container reaches the sandbox and PostgreSQL on 127.0.0.1). Its exit status 77 means the
machine cannot run containers at all: that fails these tests loudly, it never passes them.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from bot.clock import utc_now
from bot.sandbox import Clock, Sandbox, generate_world, sandbox_env
from bot.storage import PetitionSnapshot, Post, make_engine, make_sessionmaker
from tests.conftest import ROOT, SHARED

# The first build makes the base image and installs every dependency: minutes, not seconds.
pytestmark = [pytest.mark.container, pytest.mark.timeout(1800)]

CHECK = str(SHARED / "tools" / "container-check")
CANNOT_RUN = 77
STOP_LIMIT = 10.0
# Dummy credentials: the default campaign needs them set to load, and the CLI never uses them here.
DUMMY_SECRETS = ["REDDIT_CLIENT_ID=x", "REDDIT_CLIENT_SECRET=x", "BLUESKY_APP_PASSWORD=x"]


def check(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [CHECK, *args], check=False, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode == CANNOT_RUN:
        pytest.fail(f"container-check cannot run containers on this machine (exit 77): {done.stderr.strip()}")
    return done


def in_image(*command: str, env: list[str] = DUMMY_SECRETS) -> subprocess.CompletedProcess[str]:
    flags = [part for pair in env for part in ("-e", pair)]
    return check("run", *flags, "--", *command)


@pytest.fixture(scope="module")
def image() -> None:
    built = check("build", timeout=3600)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]


def test_the_image_runs_the_cli(image: None) -> None:
    done = in_image("keep4o-bot", "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("keep4o-bot, version ")


def test_db_upgrade_in_the_image_creates_the_sqlite_database_in_the_data_volume(image: None) -> None:
    done = in_image("sh", "-c", "keep4o-bot db upgrade && keep4o-bot db current && ls /data")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("database at revision ")
    assert lines[1].endswith(": up to date")
    assert "keep4o.db" in lines[2:]


def test_the_campaign_files_database_is_the_one_used_and_charts_start_without_warnings(image: None) -> None:
    # Nothing in the image may override [database] url; matplotlib finds its cache built.
    script = (
        'sed \'s|^url = "sqlite:///data/keep4o.db"|url = "sqlite:////tmp/mine.db"|\''
        " config/keep4o.toml > /tmp/c.toml"
        " && keep4o-bot --config /tmp/c.toml db upgrade && ls /tmp/mine.db"
        " && test ! -e /data/keep4o.db && python3 -c 'import matplotlib.pyplot'"
    )
    done = in_image("sh", "-c", script)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "/tmp/mine.db"
    assert "matplotlib" not in done.stderr.lower()


def test_the_image_runs_as_a_non_root_user_without_build_tools(image: None) -> None:
    done = in_image("sh", "-c", "id -u; for t in pip pip3 gcc cc make curl; do command -v $t; done; true")
    assert done.stdout.split() == ["10001"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (chroot isolation shares the host's process table)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def bot_pid(runner: int) -> int | None:
    """The daemon's process inside the container: ``buildah run`` would kill, not forward, a signal."""
    for pid in descendants(runner):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(a.endswith(b"keep4o-bot") for a in argv) and b"run" in argv:
            return pid
    return None


def wait_for(condition: Callable[[], object], limit: float = 300.0) -> bool:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def stop_everything(runner: subprocess.Popen[str]) -> None:
    """Kill ``runner`` and all below it: an orphaned ``buildah run`` would hold its pipe open forever."""
    if runner.returncode is not None:  # it ended and was read to the end
        return
    for pid in [*descendants(runner.pid), runner.pid]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    try:
        runner.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        runner.stdout.close()  # type: ignore[union-attr]
        runner.wait(timeout=30)


def healthcheck_command(port: int) -> list[str]:
    """The Dockerfile's HEALTHCHECK command, pointed at ``port`` instead of the default 8787."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    found = re.search(r"^HEALTHCHECK [^\n]*\\\n\s*CMD (\[.*\])$", text, re.MULTILINE)
    assert found is not None, "the Dockerfile has no exec-form HEALTHCHECK"
    return [part.replace(":8787/", f":{port}/") for part in json.loads(found.group(1))]


@pytest.fixture
def live_sandbox() -> Iterator[Sandbox]:
    """A sandbox whose world is "now" (the daemon in the image runs on the real clock)."""
    now = utc_now()
    with Sandbox(world=generate_world(seed=11, now=now), clock=Clock(now, speed=1)) as sandbox:
        yield sandbox


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_the_daemon_in_the_image_stores_posts_and_snapshots_is_healthy_and_stops_on_sigterm(
    image: None, live_sandbox: Sandbox, db_url: str
) -> None:
    port = free_port()
    config = live_sandbox.config_toml(db_url) + (
        f'\n[server]\nhost = "127.0.0.1"\nport = {port}\n\n[schedule.jobs]\n'
        'poll_reddit = { every = "5s" }\npoll_bluesky = { every = "5s" }\npoll_petitions = { every = "5s" }\n'
    )
    secrets = [line for line in sandbox_env().splitlines() if line and not line.startswith("#")]
    env = [f"KEEP4O_CONFIG_TEXT={config}", f"DATABASE_URL={db_url}", *secrets]
    flags = [part for pair in env for part in ("-e", pair)]
    # The campaign file travels as a variable (container-check mounts nothing); exec keeps the bot
    # the process that receives the signal.
    script = 'printf "%s" "$KEEP4O_CONFIG_TEXT" > /tmp/c.toml && exec keep4o-bot --config /tmp/c.toml run'
    runner = subprocess.Popen(
        [CHECK, "run", *flags, "--", "sh", "-c", script],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    sessions = make_sessionmaker(make_engine(db_url))

    def stored() -> tuple[int, int, int]:
        try:
            with sessions() as session:
                per = dict(session.execute(select(Post.platform, func.count()).group_by(Post.platform)).all())
                snapshots = session.scalar(select(func.count()).select_from(PetitionSnapshot)) or 0
        except DBAPIError:  # the bot has not created its tables yet
            return 0, 0, 0
        return int(per.get("reddit", 0)), int(per.get("bluesky", 0)), int(snapshots)

    def healthz() -> dict[str, object] | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                return dict(json.loads(response.read()))
        except OSError:
            return None

    try:
        assert wait_for(lambda: runner.poll() is None and all(stored()), limit=600), stored()
        assert healthz() == {"alive": True}
        # The image's own HEALTHCHECK command, from a second container, agrees.
        assert in_image(*healthcheck_command(port), env=[]).returncode == 0
        pid = bot_pid(runner.pid)
        assert pid is not None
        os.kill(pid, signal.SIGTERM)
        assert wait_for(lambda: not Path(f"/proc/{pid}").exists(), STOP_LIMIT)
        output, _ = runner.communicate(timeout=120)
    finally:
        stop_everything(runner)
    assert runner.returncode == 0, output[-3000:]
    assert "received SIGTERM: stopping" in output
    assert "scheduler stopped" in output
    assert in_image(*healthcheck_command(port), env=[]).returncode != 0  # nothing answers any more
