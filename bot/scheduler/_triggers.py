"""Triggers from the config's ``every``/``cron`` entries, and the slots they define."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import Job, parse_duration

# Interval grids start here, so replicas started at different moments share their slots.
GRID_START = datetime(2000, 1, 1, tzinfo=UTC)
_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


_SLOT_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def format_slot(when: datetime) -> str:
    return when.astimezone(UTC).strftime(_SLOT_FORMAT)


def retries_of(slot: str) -> int:
    """How many retries of its first run a slot name is (``...+r2``: 2)."""
    return int(slot.partition("+r")[2] or 0)


def retry_slot(slot: str) -> str:
    """The name of the next retry of ``slot``."""
    return f"{slot.partition('+r')[0]}+r{retries_of(slot) + 1}"


def slot_time(slot: str) -> datetime:
    """The scheduled time a slot names; a retry (``...+r2``) serves its first run's time."""
    return datetime.strptime(slot.partition("+")[0], _SLOT_FORMAT).replace(tzinfo=UTC)


def cron_weekdays(field: str) -> str:
    """A crontab weekday field (0 or 7 = Sunday) as names, which APScheduler 3 reads unambiguously.

    APScheduler 3 counts 0 as *Monday*; passing numbers through would shift every weekday.
    """
    if field == "*":
        return field
    days: set[int] = set()
    for part in field.lower().split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if span == "*":
            low, high = 0, 6
        else:
            first, _, last = span.partition("-")
            low = _weekday_number(first)
            high = _weekday_number(last) if last else (6 if step_text else low)
        if high < low or step < 1:
            raise ValueError(f"weekday {part!r} is not a valid range")
        days.update(d % 7 for d in range(low, high + 1, step))
    return ",".join(_WEEKDAYS[d] for d in sorted(days))


def _weekday_number(text: str) -> int:
    if text in _WEEKDAYS:
        return _WEEKDAYS.index(text)
    if text.isdigit() and int(text) <= 7:
        return int(text)
    raise ValueError(f"weekday {text!r} is not 0-7 or a day name")


def cron_trigger(expr: str, timezone: str, jitter: int | None = None) -> CronTrigger:
    minute, hour, day, month, weekday = expr.split()
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=cron_weekdays(weekday),
        timezone=ZoneInfo(timezone),
        jitter=jitter,
    )


def schedule_trigger(name: str, job: Job, timezone: str) -> tuple[BaseTrigger, BaseTrigger | None, timedelta]:
    jitter = parse_duration(job.jitter) or None
    if job.every is not None:
        period = timedelta(seconds=parse_duration(job.every))
        if period <= timedelta(0):
            raise ValueError(f"schedule.jobs.{name}: 'every' must be longer than 0s")
        trigger = IntervalTrigger(seconds=int(period.total_seconds()), start_date=GRID_START, jitter=jitter)
        return trigger, None, period
    assert job.cron is not None  # the schema guarantees one of the two
    try:
        trigger = cron_trigger(job.cron, timezone, jitter)
        plain = cron_trigger(job.cron, timezone)
    except ValueError as exc:
        raise ValueError(f"schedule.jobs.{name}: cron {job.cron!r}: {exc}") from None
    first = plain.get_next_fire_time(None, GRID_START)
    second = None if first is None else plain.get_next_fire_time(first, first + timedelta(seconds=1))
    period = (second - first) if first and second else timedelta(days=1)
    return trigger, plain, period
