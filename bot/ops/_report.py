"""What a collector reports to the daemon's metrics while it runs, without knowing about them.

The runner installs a sink for the duration of a run (a context variable, so it follows the
run's thread); a collector calls :func:`report_rate_limit` with the remaining requests of its
rate-limit window, and outside the daemon (the CLI) the call does nothing.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_sink: contextvars.ContextVar[Callable[[int], None] | None] = contextvars.ContextVar(
    "rate_limit", default=None
)


def report_rate_limit(remaining: int | None) -> None:
    """Record the requests left in the current source's rate-limit window (None: unknown)."""
    sink = _sink.get()
    if sink is not None and remaining is not None:
        sink(remaining)


@contextmanager
def rate_limit_sink(sink: Callable[[int], None]) -> Iterator[None]:
    token = _sink.set(sink)
    try:
        yield
    finally:
        _sink.reset(token)
