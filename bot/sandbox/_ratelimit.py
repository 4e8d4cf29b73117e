"""Fixed-window rate limits with the PDS's ``ratelimit-*`` headers.

The PDS counts with rate-limiter-flexible: a key's window opens with its first
request and lasts ``duration``; past ``points`` requests it answers 429 until the
window closes. Windows run on the sandbox clock so tests can step past them.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class LimitStatus:
    limit: int
    window: int  # seconds
    remaining: int
    reset_at: datetime
    exceeded: bool

    def headers(self, now: datetime) -> dict[str, str]:
        """The headers the PDS sets; a refusal also says how long to wait (``retry-after``)."""
        out = {
            "ratelimit-limit": str(self.limit),
            "ratelimit-remaining": str(self.remaining),
            "ratelimit-reset": str(math.floor(self.reset_at.timestamp())),
            "ratelimit-policy": f"{self.limit};w={self.window}",
        }
        if self.exceeded:
            out["retry-after"] = str(max(0, math.ceil((self.reset_at - now).total_seconds())))
        return out


class FixedWindowLimiter:
    def __init__(self, points: int, window: timedelta) -> None:
        self.points = points
        self.window = window
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[datetime, int]] = {}  # key -> (window start, consumed)

    def consume(self, key: str, now: datetime) -> LimitStatus:
        with self._lock:
            start, used = self._windows.get(key, (now, 0))
            if now >= start + self.window or now < start:
                start, used = now, 0
            used += 1
            self._windows[key] = (start, used)
        return LimitStatus(
            limit=self.points,
            window=int(self.window.total_seconds()),
            remaining=max(0, self.points - used),
            reset_at=start + self.window,
            exceeded=used > self.points,
        )


def tightest(statuses: list[LimitStatus]) -> LimitStatus:
    """What the PDS reports when several limits apply: a refusal first, else the least remaining."""
    return min(statuses, key=lambda s: (not s.exceeded, s.remaining))
