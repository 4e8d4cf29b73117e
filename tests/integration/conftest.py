"""The Bluesky reference network (``../shared/tools/bsky-devenv``) for ``@pytest.mark.devenv`` tests."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

import pytest

from tests.conftest import SHARED

DEVENV = SHARED / "tools" / "bsky-devenv"


@dataclass(frozen=True)
class Devenv:
    pds: str = "http://127.0.0.1:2583"
    appview: str = "http://127.0.0.1:2584"
    password: str = "hunter2"  # of alice.test, bob.test and carla.test


@pytest.fixture(scope="session")
def devenv() -> Devenv:
    """The running reference network, started if it is not (idempotent); a failure to start fails."""
    try:
        done = subprocess.run(
            [str(DEVENV), "start"], capture_output=True, text=True, timeout=900, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.fail(f"{DEVENV} start: {exc}")
    if done.returncode != 0 or "pds=" not in done.stdout:
        pytest.fail(f"{DEVENV} start failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return Devenv()
