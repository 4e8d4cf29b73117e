"""Calendar periods (hour, day, week) in the campaign's timezone, as UTC instants.

SQLite has no timezone support, and grouping on a UTC offset fixed for the whole
window would put the hours around a DST change in the wrong day. So periods are
computed here with ``zoneinfo`` as explicit boundaries (a 23-hour or 25-hour day
is simply a longer or shorter span) and the database groups rows by which
boundary pair they fall between (see ``_query``): the same SQL on both databases,
and it walks the ``created_at`` index range by range.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

By = Literal["hour", "day", "week"]
BY_CHOICES: tuple[By, ...] = ("hour", "day", "week")
# Above this a table is unreadable and the VALUES list nears SQLite's bound-parameter limit.
MAX_PERIODS = 10_000


class PeriodError(ValueError):
    """A window that cannot be cut into periods, as one line."""


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    # fold=0 maps a midnight skipped by DST onto the instant the day really begins.
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def period_start(instant: datetime, by: By, tz: ZoneInfo) -> datetime:
    """The UTC start of the ``by`` period (in ``tz``) that holds ``instant``."""
    local = instant.astimezone(tz)
    if by == "hour":
        # replace() keeps ``fold``, so the repeated hour of a DST fall-back stays itself.
        return local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
    day = local.date()
    if by == "week":
        day -= timedelta(days=day.weekday())  # ISO weeks start on Monday
    return _midnight(day, tz)


def next_period_start(start: datetime, by: By, tz: ZoneInfo) -> datetime:
    """The UTC start of the period after the one starting at ``start``."""
    if by == "hour":
        return period_start(start + timedelta(hours=1), by, tz)
    step = timedelta(days=7 if by == "week" else 1)
    return _midnight(start.astimezone(tz).date() + step, tz)


def previous_period_start(start: datetime, by: By, tz: ZoneInfo) -> datetime:
    """The UTC start of the period before the one starting at ``start``."""
    if by == "hour":
        return period_start(start - timedelta(seconds=1), by, tz)
    step = timedelta(days=7 if by == "week" else 1)
    return _midnight(start.astimezone(tz).date() - step, tz)


@dataclass(frozen=True, slots=True)
class Periods:
    """Consecutive periods ``[bounds[i], bounds[i + 1])``, all aware UTC."""

    by: By
    tz: ZoneInfo
    bounds: tuple[datetime, ...]

    def __len__(self) -> int:
        return len(self.bounds) - 1

    def spans(self) -> list[tuple[datetime, datetime]]:
        return list(zip(self.bounds, self.bounds[1:], strict=False))

    def before(self) -> tuple[datetime, datetime]:
        """The period just before the first one (where a first change is measured from)."""
        return previous_period_start(self.bounds[0], self.by, self.tz), self.bounds[0]


def cut_periods(since: datetime, until: datetime, by: By, tz: ZoneInfo) -> Periods:
    """The periods that overlap ``[since, until)``; the first starts at or before ``since``."""
    if until <= since:
        raise PeriodError("the end of the range must be after its start")
    bounds = [period_start(since, by, tz)]
    while bounds[-1] < until:
        if len(bounds) > MAX_PERIODS:
            raise PeriodError(f"more than {MAX_PERIODS:,} periods; use a coarser --by or a shorter range")
        bounds.append(next_period_start(bounds[-1], by, tz))
    return Periods(by=by, tz=tz, bounds=tuple(bounds))


def last_days(days: int, now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """``[since, until)`` covering today (in ``tz``) and the ``days - 1`` days before it, up to ``now``."""
    if days < 1:
        raise PeriodError("--days must be at least 1")
    today = now.astimezone(tz).date()
    return _midnight(today - timedelta(days=days - 1), tz), now


def date_range(since: date, until: date | None, now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """``[since, until]`` as whole local days (``until`` inclusive), never past ``now``."""
    if until is not None and until < since:
        raise PeriodError(f"--until {until} is before --since {since}")
    start = _midnight(since, tz)
    end = now if until is None else min(_midnight(until + timedelta(days=1), tz), now)
    if end <= start:
        raise PeriodError(f"--since {since} is in the future")
    return start, end
