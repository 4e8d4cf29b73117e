"""The job table: what the daemon runs, on which trigger, with which scheduling policy.

Slots: every run serves one *slot*, a point on the job's schedule computed from the
clock without jitter, so every replica names the same run the same way. Interval jobs
sit on a grid anchored at a fixed instant (not at start-up), cron jobs on their fire
times. ``job_runs (job, slot)`` is unique: a slot runs once, whichever replica claims it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.base import BaseTrigger
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Job, Schedule, Settings

from ._triggers import GRID_START, format_slot, schedule_trigger


@dataclass(frozen=True)
class JobContext:
    """What a job function gets: the settings, a session factory, the clock and its slot's time.

    ``slot`` is when the run was scheduled, not when it runs: a catch-up or a retry hours later
    still serves its slot (the digest of the day before the slot, not of the day it runs in).
    """

    settings: Settings
    sessions: sessionmaker[Session]
    clock: Callable[[], datetime]
    slot: datetime
    run: int | None = None  # its job_runs row (a delivery it holds ends with it)


JobFunc = Callable[[JobContext], object]


@dataclass(frozen=True)
class JobSpec:
    name: str  # the job id in the scheduler and in job_runs
    source: str  # what it talks to: backoff, staleness and metrics are per source
    func: JobFunc
    trigger: BaseTrigger  # jitter included
    period: timedelta  # the usual time between runs (caps the backoff)
    misfire_grace_time: int  # seconds a late run may still start
    coalesce: bool  # run once, not once per missed fire, after a stall
    watched: bool = False  # a poll whose silence makes the source stale
    catch_up: bool = False  # a slot missed while the bot was down runs once at start-up
    slot_trigger: BaseTrigger | None = None  # the same schedule without jitter (cron jobs)

    def slot(self, now: datetime) -> str:
        """The slot a run starting at ``now`` serves."""
        return format_slot(latest_fire(self, now))


def latest_fire(spec: JobSpec, now: datetime) -> datetime:
    """The last point of the job's jitter-free schedule at or before ``now``."""
    if spec.slot_trigger is None:
        steps = (now - GRID_START) // spec.period
        return GRID_START + steps * spec.period
    # APScheduler 3 has no "previous fire time": look back far enough, then walk forward.
    for back in (timedelta(hours=2), timedelta(days=2), timedelta(days=32), timedelta(days=400)):
        fire: datetime | None = spec.slot_trigger.get_next_fire_time(None, now - back)
        if fire is not None and fire <= now:
            while True:
                nxt = spec.slot_trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
                if nxt is None or nxt > now:
                    return fire.astimezone(UTC)
                fire = nxt
    return now


def next_fire(spec: JobSpec, now: datetime) -> datetime | None:
    """When the job is next due (without jitter), for ``status``."""
    if spec.slot_trigger is None:
        return latest_fire(spec, now) + spec.period
    fire = spec.slot_trigger.get_next_fire_time(None, now + timedelta(seconds=1))
    return None if fire is None else fire.astimezone(UTC)


# -- what each job does (imported lazily: a missing collector fails only its own job) -------------


def _poll_reddit(ctx: JobContext) -> object:
    from bot.sources import poll_reddit

    return poll_reddit(ctx.settings, ctx.sessions, clock=ctx.clock)


def _search_reddit(ctx: JobContext) -> object:
    from bot.sources import poll_reddit

    return poll_reddit(ctx.settings, ctx.sessions, clock=ctx.clock, search=True)


def _poll_bluesky(ctx: JobContext) -> object:
    from bot.sources import poll_bluesky

    return poll_bluesky(ctx.settings, ctx.sessions, clock=ctx.clock)


def _poll_petitions(ctx: JobContext) -> object:
    from bot.petitions import poll_petitions

    return poll_petitions(ctx.settings, ctx.sessions, clock=ctx.clock)


def _refresh_reddit(ctx: JobContext) -> object:
    from bot.sources import refresh_reddit

    return refresh_reddit(ctx.settings, ctx.sessions, clock=ctx.clock)


def _refresh_bluesky(ctx: JobContext) -> object:
    from bot.sources import refresh_bluesky

    return refresh_bluesky(ctx.settings, ctx.sessions, clock=ctx.clock)


class DeliveryIncomplete(Exception):
    """Some digest targets were not reached; the run counts as failed so it is retried."""


def _digest(ctx: JobContext) -> object:
    from bot.digest import last_full_day, run_digest

    day = last_full_day(ctx.slot, ctx.settings.config.campaign.timezone)
    result = run_digest(ctx.settings, ctx.sessions, clock=ctx.clock, date=day, run_id=ctx.run)
    # run_digest reports each target's failure as an outcome, not an exception. A retry
    # publishes only to the targets still missing, so retrying the whole job is safe; an
    # outcome no later run can change (a webhook that may have arrived) is not retried.
    missing = [o for o in result.outcomes if o.status != "done" and not o.final]
    if missing:
        raise DeliveryIncomplete("; ".join(o.line() for o in missing))
    return {
        "delivered": sum(1 for o in result.outcomes if o.status == "done" and not o.found),
        "already_delivered": sum(1 for o in result.outcomes if o.status == "done" and o.found),
        "unsettled": sum(1 for o in result.outcomes if o.status != "done"),
    }


def _alerts(ctx: JobContext) -> object:
    from bot.digest import run_alerts

    return run_alerts(ctx.settings, ctx.sessions, clock=ctx.clock, run_id=ctx.run)


def _retention(ctx: JobContext) -> object:
    from ._retention import run_retention

    return run_retention(ctx.settings, ctx.sessions, clock=ctx.clock)


def _rollups(ctx: JobContext) -> object:
    from zoneinfo import ZoneInfo

    from bot.trends import refresh_rollups

    tz = ZoneInfo(ctx.settings.config.campaign.timezone)
    return {"rebuilt": refresh_rollups(ctx.sessions, tz, ctx.clock())}


def job_settings(settings: Settings) -> dict[str, Job]:
    """The configured jobs over the defaults (a job left out of the file keeps its default schedule)."""
    schedule = settings.config.schedule
    jobs: dict[str, Job] = {str(k): v for k, v in Schedule().jobs.items()}
    jobs.update({str(k): v for k, v in schedule.jobs.items()})
    if "digest" not in jobs:
        at = settings.config.digest.time
        jobs["digest"] = Job(cron=f"{at.minute} {at.hour} * * *")
    return jobs


def build_jobs(settings: Settings) -> list[JobSpec]:
    """Every enabled job of the campaign; ``ValueError`` names a schedule that cannot be built."""
    config = settings.config
    reddit = config.reddit is not None and config.reddit.enabled
    bluesky = config.bluesky is not None and config.bluesky.enabled
    jetstream = config.bluesky is not None and config.bluesky.mode == "jetstream"
    # (job, config entry, source, function, watched for staleness, enabled by the campaign)
    table: list[tuple[str, str, str, JobFunc, bool, bool]] = [
        ("poll_reddit", "poll_reddit", "reddit", _poll_reddit, True, reddit),
        (
            "search_reddit",
            "search_reddit",
            "reddit-search",
            _search_reddit,
            True,
            reddit and bool(config.reddit and config.reddit.search_queries),
        ),
        # In jetstream mode the daemon follows the stream instead (see _stream.py).
        ("poll_bluesky", "poll_bluesky", "bluesky", _poll_bluesky, True, bluesky and not jetstream),
        ("poll_petitions", "poll_petitions", "petitions", _poll_petitions, True, bool(config.petitions)),
        # One config entry, two jobs: a Reddit outage must not hold up Bluesky's refresh.
        ("refresh_reddit", "refresh_engagement", "reddit-refresh", _refresh_reddit, False, reddit),
        ("refresh_bluesky", "refresh_engagement", "bluesky-refresh", _refresh_bluesky, False, bluesky),
        ("digest", "digest", "digest", _digest, False, True),
        ("alerts", "alerts", "alerts", _alerts, False, True),
        ("retention", "retention", "retention", _retention, False, True),
        # The trend table's per-day and per-week aggregates (bot.trends._rollups).
        ("rollups", "rollups", "rollups", _rollups, False, True),
    ]
    configured = job_settings(settings)
    specs = []
    for name, entry, source, func, watched, wanted in table:
        job = configured.get(entry)
        if job is None or not job.enabled or not wanted:
            continue
        specs.append(
            make_spec(
                name,
                source,
                func,
                job,
                config.campaign.timezone,
                entry=entry,
                watched=watched,
                catch_up=name == "digest",
            )
        )
    return specs


def make_spec(
    name: str,
    source: str,
    func: JobFunc,
    job: Job,
    timezone: str = "UTC",
    *,
    entry: str | None = None,
    watched: bool = False,
    catch_up: bool = False,
) -> JobSpec:
    """The spec of job ``name`` scheduled as ``job`` says (``entry``: its key in the config)."""
    trigger, plain, period = schedule_trigger(entry or name, job, timezone)
    grace, coalesce = _policy(name, period)
    return JobSpec(
        name,
        source,
        func,
        trigger,
        period,
        grace,
        coalesce,
        watched=watched,
        catch_up=catch_up,
        slot_trigger=plain,
    )


def _policy(name: str, period: timedelta) -> tuple[int, bool]:
    """``misfire_grace_time`` and ``coalesce``, chosen per kind of job.

    APScheduler's default grace is 1 s: a run delayed by a busy machine would be dropped.
    Every job coalesces: after a stall (a suspended laptop, a long GC) one run catches up;
    a burst of identical polls would only spend rate limit. ``max_instances`` is 1 for
    all jobs (set by the daemon): a slow poll is never overlapped by its next run.
    """
    seconds = int(period.total_seconds())
    if name == "digest":
        # Late is much better than never for the day's digest; restarts are covered by catch-up.
        return 6 * 3600, True
    if name == "retention":
        # Idempotent housekeeping: any time that day will do.
        return 12 * 3600, True
    # Polls: a run more than half a period late is not worth it, the next one is close.
    return max(1, seconds // 2), True
