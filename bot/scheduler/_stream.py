"""Long-running collectors (Bluesky's Jetstream) supervised in a thread of their own.

A stream is not a scheduled job: it runs until the daemon stops. When it fails it is
restarted after the same capped backoff as a failing job, so a refused connection is
retried without hammering the server.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.ops import Metrics, log_context
from bot.sources import JETSTREAM_CURSOR_CHECKPOINT

from ._runner import backoff_delay

log = logging.getLogger("bot.scheduler")

Follow = Callable[[threading.Event], None]  # runs until the event is set
_RESTART_CAP = timedelta(minutes=10)
# A stream that ends by itself (the server closed it) is reopened after this pause.
_REOPEN_PAUSE = 1.0


class Stream:
    def __init__(
        self,
        name: str,
        source: str,
        follow: Follow,
        metrics: Metrics,
        backoff: Callable[[int], timedelta] = lambda failures: backoff_delay(failures, _RESTART_CAP),
        *,
        progress: str | None = None,
    ) -> None:
        self.name = name
        self.source = source
        # The checkpoint whose ``updated_at`` moves while the stream receives: how staleness
        # tells a connected but silent stream from a working one.
        self.progress = progress
        self._follow = follow
        self._metrics = metrics
        self._backoff = backoff
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"stream-{name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float) -> bool:
        """Ask the stream to end; whether it did within ``timeout`` seconds."""
        self._stop.set()
        if self._thread.ident is None:  # never started
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def alive(self) -> bool:
        return self._thread.is_alive()

    def _loop(self) -> None:
        failures = 0
        with log_context(self.name, self.source, None):
            while not self._stop.is_set():
                try:
                    self._follow(self._stop)
                    failures = 0
                    self._stop.wait(_REOPEN_PAUSE)
                except Exception as exc:
                    failures += 1
                    delay = self._backoff(failures)
                    self._metrics.job_failures.labels(self.name).inc()
                    log.error(
                        "stream failed (%d in a row): %s: %s; restarting in %ds",
                        failures,
                        type(exc).__name__,
                        exc,
                        delay.total_seconds(),
                    )
                    self._stop.wait(delay.total_seconds())


def build_streams(
    settings: Settings, sessions: sessionmaker[Session], clock: Callable[[], datetime], metrics: Metrics
) -> list[Stream]:
    """The Jetstream follower when ``[bluesky] mode = "jetstream"`` (it replaces the Bluesky poll)."""
    bluesky = settings.config.bluesky
    if bluesky is None or not bluesky.enabled or bluesky.mode != "jetstream":
        return []

    def follow(stop: threading.Event) -> None:
        from bot.sources import run_jetstream

        run_jetstream(settings, sessions, stop=stop, clock=clock)

    return [Stream("jetstream", "bluesky", follow, metrics, progress=JETSTREAM_CURSOR_CHECKPOINT)]
