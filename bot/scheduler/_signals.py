"""Stopping on SIGTERM/SIGINT: stop taking jobs, let running ones finish (or abort them), exit 0."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Any

from ._daemon import Daemon

log = logging.getLogger("bot.scheduler")


class StopSignal:
    """Turns SIGTERM and SIGINT into a request to stop, from the moment it is entered.

    Entered before migrations and start-up, so a stop asked for while the bot is still
    starting ends it cleanly too. Must be used in the main thread (where signals arrive).
    """

    def __init__(self) -> None:
        self.event = threading.Event()
        self._previous: dict[int, Any] = {}

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        log.info("received %s: stopping", signal.Signals(signum).name)
        self.event.set()

    def __enter__(self) -> StopSignal:
        for sig in (signal.SIGTERM, signal.SIGINT):
            self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *_exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)

    @property
    def requested(self) -> bool:
        return self.event.is_set()


def run_until_signalled(daemon: Daemon, stop: StopSignal) -> list[str]:
    """Start, run until ``stop`` is requested, stop; returns the jobs the stop aborted."""
    if stop.requested:
        return []
    daemon.start()
    # Wake now and then to notice a scheduler thread that died.
    died = False
    while not stop.event.wait(1.0):
        if not daemon.alive():
            died = True
            break
    aborted = daemon.stop()
    if died:
        raise RuntimeError("the scheduler thread stopped unexpectedly")
    return aborted
