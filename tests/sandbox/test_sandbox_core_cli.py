"""``keep4o-bot sandbox``: runs in the foreground, prints or writes its config, stops on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from bot.cli import cli
from bot.config import load_settings
from bot.sandbox import Sandbox, World


def start(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "sandbox", "--port", "0", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = start("--seed", "3", "--fault", "/r/:503:1", cwd=tmp_path)
    assert process.stdout is not None
    first = process.stdout.readline()
    url = first.split(" at ", 1)[1].split()[0]
    yield process, url
    if process.poll() is None:
        process.kill()
        process.wait()


def test_the_command_prints_the_url_and_config_lines_and_serves_until_sigterm(
    running: tuple[subprocess.Popen[str], str],
) -> None:
    process, url = running
    health = requests.get(f"{url}/_sandbox/health", timeout=10).json()
    faulted = requests.get(f"{url}/r/ChatGPT/new", timeout=10)
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    assert process.stdout is not None and process.stderr is not None
    out, err = process.stdout.read(), process.stderr.read()
    assert health["ok"] is True and health["reddit_posts"] > 0
    assert faulted.status_code == 503  # the --fault given on the command line
    assert f'oauth_url = "{url}"' in out
    assert "REDDIT_CLIENT_SECRET=sandbox-secret" in out
    assert process.returncode == 0
    assert "sandbox stopped" in err


def test_write_config_writes_a_campaign_and_env_the_bot_loads(tmp_path: Path) -> None:
    process = start("--write-config", str(tmp_path / "sb" / "campaign.toml"), cwd=tmp_path)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split(" at ", 1)[1].split()[0]
        written = process.stdout.readline()
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
    settings = load_settings(tmp_path / "sb" / "campaign.toml", environ={})
    assert "campaign.toml" in written
    assert settings.config.reddit is not None and settings.config.reddit.oauth_url == url
    assert settings.database_url == f"sqlite:///{tmp_path / 'sb' / 'keep4o-sandbox.db'}"
    assert (tmp_path / "sb" / ".env").read_text().count("sandbox") >= 5


@pytest.mark.parametrize("existing", ["campaign.toml", ".env"])
def test_write_config_never_replaces_a_campaign_or_its_credentials(tmp_path: Path, existing: str) -> None:
    (tmp_path / existing).write_text("REDDIT_CLIENT_SECRET=the-real-one\n")
    result = CliRunner().invoke(
        cli, ["sandbox", "--port", "0", "--write-config", str(tmp_path / "campaign.toml")]
    )
    assert result.exit_code == 1
    assert result.output == (
        f"error: {tmp_path / existing} already exists; the sandbox campaign needs a folder of its own\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == [existing]
    assert (tmp_path / existing).read_text() == "REDDIT_CLIENT_SECRET=the-real-one\n"


def test_a_taken_port_is_a_one_line_error() -> None:
    with Sandbox(world=World()) as taken:
        result = CliRunner().invoke(cli, ["sandbox", "--port", str(taken.port)])
    assert result.exit_code == 1
    assert result.output.startswith(f"error: cannot listen on 127.0.0.1:{taken.port}")
    assert len(result.output.strip().splitlines()) == 1


def test_a_malformed_fault_option_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["sandbox", "--fault", "/r/:teapot"])
    assert result.exit_code == 2
    assert "'/r/:teapot' is not PATH_PREFIX:FAULT[:TIMES]" in result.output
