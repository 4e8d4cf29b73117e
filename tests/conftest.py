"""Shared fixtures: every storage-backed test runs on SQLite and on PostgreSQL.

PostgreSQL is the server on 127.0.0.1:5432 (``KEEP4O_TEST_PG`` overrides the
server URL); each test gets a database of its own, dropped afterwards.
``@pytest.mark.devenv`` tests get Bluesky's reference network (``devenv``).
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot.sources._reddit_client import CONNECTIONS
from bot.storage import make_engine, make_sessionmaker, upgrade

if TYPE_CHECKING:
    from bot.sandbox import Sandbox

PG_SERVER = os.environ.get("KEEP4O_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEVENV = SHARED / "tools" / "bsky-devenv"
# The first start installs Node and @atproto/dev-env (about five minutes); the start
# happens inside the first devenv test's setup, which pytest-timeout counts.
DEVENV_START_SECONDS = 900


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("devenv") and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(DEVENV_START_SECONDS + 300))


def _admin() -> Engine:
    return create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")


@pytest.fixture(autouse=True)
def no_cached_reddit_clients() -> Iterator[None]:
    """No test borrows a Reddit client cached by an earlier one (a later sandbox may get its port)."""
    CONNECTIONS.clear()
    yield
    CONNECTIONS.clear()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database, on each backend in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    name = f"keep4o_test_{uuid.uuid4().hex[:12]}"
    admin = _admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated database."""
    eng = make_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


SANDBOX_NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A running sandbox serving the generated world (seed 7) with its clock frozen at SANDBOX_NOW."""
    # Imported here so a broken sandbox fails only the tests that use it.
    from bot.sandbox import Clock, Sandbox, generate_world

    world = generate_world(seed=7, now=SANDBOX_NOW)
    with Sandbox(world=world, clock=Clock(SANDBOX_NOW, speed=0)) as running:
        yield running


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
            [str(DEVENV), "start"],
            capture_output=True,
            text=True,
            timeout=DEVENV_START_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.fail(f"{DEVENV} start: {exc}")
    if done.returncode != 0 or "pds=" not in done.stdout:
        pytest.fail(f"{DEVENV} start failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return Devenv()
