"""Fixture pages shaped like the real ones, and a sandbox serving petition pages."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.sandbox import Clock, Sandbox, generate_world

PAGES = Path(__file__).parent / "pages"
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def page() -> Callable[[str], str]:
    """Reads a fixture page from tests/petitions/pages/."""

    def read(name: str) -> str:
        return (PAGES / name).read_text(encoding="utf-8")

    return read


@pytest.fixture
def petition_sandbox() -> Iterator[Sandbox]:
    """The generated world at T0, time frozen until a test moves it."""
    with Sandbox(world=generate_world(seed=7, now=T0), clock=Clock(T0, speed=0)) as sandbox:
        yield sandbox
