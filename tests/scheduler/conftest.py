"""What the scheduler tests share: a clock the test moves, and settings without live sources."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from bot.config import Config, Secrets, Settings

if TYPE_CHECKING:
    from bot.sandbox import Sandbox

T0 = datetime(2026, 2, 20, 9, 3, 0, tzinfo=UTC)


class FakeClock:
    """A clock that only moves when the test says so (thread-safe: jobs read it from worker threads)."""

    def __init__(self, start: datetime = T0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._now += delta

    def set(self, when: datetime) -> None:
        with self._lock:
            self._now = when


def make_settings(db_url: str, **sections: Any) -> Settings:
    """A campaign with no Reddit or Bluesky; ``sections`` replace whole config sections."""
    raw: dict[str, Any] = {
        "campaign": {"name": "test", "title": "#test", "timezone": "Europe/Amsterdam"},
        "match": {"hashtags": ["keep4o"]},
        "database": {"url": db_url},
    }
    raw.update(sections)
    return Settings(
        config=Config.model_validate(raw), secrets=Secrets(), path=Path("test.toml"), database_url=db_url
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def daemon_config(sandbox: Sandbox, folder: Path, db_url: str, jobs: dict[str, str], **reddit: str) -> Path:
    """The sandbox's campaign for a daemon: health server on a free port, ``jobs`` every N seconds."""
    path = sandbox.write_config(folder / "keep4o.toml", db_url)
    text = path.read_text(encoding="utf-8")
    for key, value in reddit.items():
        text, found = re.subn(rf"(?m)^{key} = .*$", f"{key} = {value}", text)
        assert found == 1, f"the sandbox config has no [reddit] {key}"
    text += '\n[server]\nhost = "127.0.0.1"\nport = 0\n\n[schedule.jobs]\n'
    text += "".join(f'{name} = {{ every = "{every}" }}\n' for name, every in jobs.items())
    path.write_text(text, encoding="utf-8")
    return path
