"""When generated people post: a daily rhythm, bursts, and weighted random choices."""

from __future__ import annotations

import math
import random
from bisect import bisect
from datetime import datetime, timedelta
from itertools import accumulate

# Hours (UTC) people post most: Europe's and America's evenings.
_HOURLY = [0.5, 0.4, 0.3, 0.3, 0.3, 0.4, 0.6, 0.8, 1.0, 1.1, 1.1, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.8, 2.0, 2.1,
           2.0, 1.7, 1.2, 0.8]  # fmt: skip


class Weighted:
    """Names drawn in proportion to their weights."""

    def __init__(self, *weighted: tuple[str, int]) -> None:
        self.names = [name for name, _ in weighted]
        self.cumulative = list(accumulate(weight for _, weight in weighted))

    def pick(self, rng: random.Random) -> str:
        return self.names[bisect(self.cumulative, rng.random() * self.cumulative[-1])]


def intensity(at: datetime, start: datetime) -> float:
    """Relative posting rate: the daily rhythm times the bursts."""
    day = (at - start).total_seconds() / 86400
    burst = 1 + 4 * math.exp(-(((day - 12) / 1.2) ** 2)) + 2 * math.exp(-(((day - 27) / 0.8) ** 2))
    return _HOURLY[at.hour] * burst


def post_times(rng: random.Random, start: datetime, end: datetime, per_day: float) -> list[datetime]:
    """Post times in [start, end) following the rhythm, about ``per_day`` a day on average."""
    out = []
    hour = start.replace(minute=0, second=0, microsecond=0)
    while hour < end:
        expected = per_day / 24 * intensity(hour, start) / 1.25
        for _ in range(poisson(rng, expected)):
            at = hour + timedelta(seconds=rng.uniform(0, 3600))
            if start <= at < end:
                out.append(at)
        hour += timedelta(hours=1)
    return sorted(out)


def poisson(rng: random.Random, mean: float) -> int:
    if mean > 50:  # Knuth's method underflows for big means; the normal approximation is good there
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k
