"""The sandbox's controllable time: the real clock, a fixed "now", or an accelerated one."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class Clock:
    """``now()`` = ``start + (real elapsed) * speed`` (speed 0 freezes time); thread-safe."""

    def __init__(self, start: datetime | None = None, speed: float = 1.0) -> None:
        self._lock = threading.Lock()
        self._anchor_real = time.monotonic()
        self._anchor = (start or datetime.now(UTC)).astimezone(UTC)
        self._speed = speed

    def now(self) -> datetime:
        with self._lock:
            return self._anchor + timedelta(seconds=(time.monotonic() - self._anchor_real) * self._speed)

    def set(self, when: datetime, speed: float | None = None) -> None:
        with self._lock:
            self._anchor_real = time.monotonic()
            self._anchor = when.astimezone(UTC)
            if speed is not None:
                self._speed = speed

    def advance(self, delta: timedelta) -> None:
        self.set(self.now() + delta)

    @property
    def speed(self) -> float:
        return self._speed
