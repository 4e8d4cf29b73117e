"""``keep4o-bot demo``: the sandbox and the daemon together, with a throwaway database.

The daemon is the real one (``run`` minus signals handled the same way); only its schedule
is shortened and its clock is the sandbox's accelerated clock, so a newcomer sees a whole
cycle (polls, petition snapshots, a trend table, a digest posted) within a minute or two.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import utc_now
from bot.config import Job, JobName, Schedule, Settings, load_settings

from ._app import App

# Real seconds; the sandbox clock runs faster, so each poll covers a good stretch of world time.
DEMO_JOBS: dict[JobName, Job] = {
    "poll_reddit": Job(every="10s"),
    "search_reddit": Job(every="30s"),
    "poll_bluesky": Job(every="10s"),
    "poll_petitions": Job(every="10s"),
    "refresh_engagement": Job(every="30s"),
    "digest": Job(every="30s"),
    "alerts": Job(every="20s"),
    "retention": Job(cron="30 3 * * *"),
}
FIRST_ROUND = ("poll_reddit", "poll_bluesky", "poll_petitions")
_REPORT_EVERY = 3.0


def demo_settings(path: Path, db_url: str) -> Settings:
    """The sandbox's campaign with the demo's short schedule and a free port for the health server."""
    # No process environment: real credentials or DATABASE_URL set in the shell must not leak in.
    settings = dataclasses.replace(load_settings(path, environ={}), database_url=db_url)
    config = settings.config.model_copy(
        update={
            "schedule": Schedule(jobs=DEMO_JOBS, stale_after="2h"),
            "server": settings.config.server.model_copy(update={"host": "127.0.0.1", "port": 0}),
        }
    )
    return dataclasses.replace(settings, config=config)


@dataclasses.dataclass
class _Seen:
    counts: tuple[int, int, int] = (0, 0, 0)
    digests: set[tuple[str, str]] = dataclasses.field(default_factory=set)
    table_shown: bool = False


def _counts(session: Session) -> tuple[int, int, int]:
    from bot.storage import PetitionSnapshot, Post

    per_platform = dict(session.execute(select(Post.platform, func.count()).group_by(Post.platform)).all())
    snapshots = session.scalar(select(func.count()).select_from(PetitionSnapshot)) or 0
    return int(per_platform.get("reddit", 0)), int(per_platform.get("bluesky", 0)), int(snapshots)


def _delivered(session: Session) -> list[tuple[str, str, str]]:
    from bot.storage import Delivery, Digest

    rows = session.execute(
        select(Digest.key, Delivery.target, Delivery.remote_url)
        .join(Delivery, Delivery.digest_id == Digest.id)
        .where(Digest.kind == "digest", Delivery.status == "done")
        .order_by(Delivery.id)
    )
    return [(key, target, url or "") for key, target, url in rows]


def _trend_table(session: Session, settings: Settings, now: datetime) -> None:
    from rich.console import Console

    from bot.trends import cut_periods, last_days, trend_table, trends_renderable

    tz = ZoneInfo(settings.config.campaign.timezone)
    start, end = last_days(7, now, tz)
    petition = settings.config.petitions[0].id if settings.config.petitions else None
    table = trend_table(session, cut_periods(start, end, "day", tz), now=now, petition=petition)
    Console(file=sys.stdout, width=None if sys.stdout.isatty() else 160).print(trends_renderable(table))


def _report(sessions: sessionmaker[Session], settings: Settings, now: datetime, seen: _Seen) -> None:
    with sessions() as session:
        counts = _counts(session)
        delivered = _delivered(session)
        if counts != seen.counts:
            seen.counts = counts
            reddit, bluesky, snapshots = counts
            click.echo(
                f"stored: {reddit} Reddit posts, {bluesky} Bluesky posts, {snapshots} petition snapshots"
            )
        for key, target, url in delivered:
            if (key, target) not in seen.digests:
                seen.digests.add((key, target))
                click.echo(f"digest {key} posted to {target}: {url}")
        if delivered and not seen.table_shown:
            seen.table_shown = True
            _trend_table(session, settings, now)
            click.echo("The bot keeps polling; Ctrl-C stops the bot and the sandbox.")


def run_demo(app: App, seed: int, speed: float) -> None:
    from bot.ops import secret_values, serve_health
    from bot.sandbox import Clock, Sandbox, generate_world
    from bot.scheduler import Daemon, StopSignal
    from bot.storage import make_engine, upgrade

    folder = Path(tempfile.mkdtemp(prefix="keep4o-demo-"))
    aborted: list[str] = []
    try:
        with StopSignal() as stop:
            start = utc_now()
            with Sandbox(world=generate_world(seed=seed, now=start), clock=Clock(start, speed=speed)) as sb:
                db_url = f"sqlite:///{folder / 'demo.db'}"
                settings = demo_settings(sb.write_config(folder / "keep4o.toml", db_url), db_url)
                # The group set the level; the demo's own lines tell the story, not the runs'.
                app.quiet_logging(secret_values(settings))
                engine = make_engine(settings.database_url)
                upgrade(engine)
                daemon = Daemon(settings, engine, clock=sb.clock.now)
                health = serve_health(daemon, daemon.metrics.registry, "127.0.0.1", 0)
                click.echo(
                    f"sandbox: {sb.url} (Reddit, Bluesky, Change.org, UK Parliament), clock at {speed:g}x"
                )
                click.echo(f"bot: database {folder / 'demo.db'}, digests in {folder / 'digests'}")
                click.echo(f"health: http://127.0.0.1:{health.port}/healthz  /readyz  /metrics")
                seen = _Seen()
                # One round of polls first, so the first digest has the history to summarise.
                for job in FIRST_ROUND:
                    if not stop.requested:
                        click.echo(f"{job}: {daemon.run_job(job).status}")
                daemon.start()
                try:
                    while not stop.event.wait(_REPORT_EVERY):
                        _report(daemon.runner.sessions, settings, sb.clock.now(), seen)
                finally:
                    click.echo("stopping the bot and the sandbox ...")
                    aborted = daemon.stop()
                    health.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if aborted:
        # As in ``run``: worker threads of aborted jobs would otherwise hold the process open.
        logging.shutdown()
        sys.stdout.flush()
        os._exit(0)
