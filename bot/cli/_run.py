from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ._app import App, BotError, pass_app

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from bot.config import Settings
    from bot.scheduler import StopSignal, Transition

log = logging.getLogger(__name__)


@click.command("run")
@pass_app
def run(app: App) -> None:
    """Run the scheduled worker (the daemon) until stopped (SIGTERM or Ctrl-C).

    Applies pending migrations first, serves /healthz, /readyz and /metrics on [server] port.
    """
    from bot.ops import cap_malloc_arenas
    from bot.scheduler import DaemonRunning, StopSignal, one_daemon_per_file

    cap_malloc_arenas()
    settings = app.settings
    try:
        with one_daemon_per_file(settings.database_url), StopSignal() as stop:
            aborted = _run_daemon(app, settings, stop)
    except DaemonRunning as exc:
        raise BotError(str(exc)) from None
    if aborted:
        # The aborted jobs' worker threads are not daemon threads and would keep the process
        # alive until they finish; their transactions roll back when the process ends.
        logging.shutdown()
        sys.stdout.flush()
        os._exit(0)


def _run_daemon(app: App, settings: Settings, stop: StopSignal) -> list[str]:
    """Run until ``stop``; the jobs still running at the end (aborted)."""
    from bot.ops import configure_logging, secret_values, serve_health
    from bot.scheduler import Daemon, build_jobs, run_until_signalled
    from bot.storage import make_engine, upgrade

    # The command group logs warnings only; the daemon's run lines are INFO.
    configure_logging(app.log_format, debug=app.debug, secrets=secret_values(settings))
    try:
        specs = build_jobs(settings)
    except ValueError as exc:
        raise BotError(f"{settings.path}: {exc}") from None
    # Each job may hold a lock connection and a session connection at once.
    engine = make_engine(settings.database_url, pool_size=len(specs) + 2, max_overflow=len(specs) + 4)
    upgrade(engine)
    _apply_care_list(settings, engine)
    daemon = Daemon(settings, engine, specs=specs, notify=_operator_notify(settings))
    server = settings.config.server
    try:
        health = serve_health(daemon, daemon.metrics.registry, server.host, server.port)
    except OSError as exc:
        raise BotError(f"cannot serve the health endpoints on {server.host}:{server.port}: {exc}") from None
    try:
        return run_until_signalled(daemon, stop)
    finally:
        health.stop()
        engine.dispose()


def _apply_care_list(settings: Settings, engine: Engine) -> None:
    from bot.clock import utc_now
    from bot.sources import apply_care_list
    from bot.storage import make_sessionmaker

    flagged = apply_care_list(settings, make_sessionmaker(engine), utc_now())
    if flagged:
        log.info("the care list covers %d more stored posts: flagged, no longer quoted", flagged)


def _operator_notify(settings: Settings) -> Callable[[Transition], None] | None:
    """Operator alerts also go to the file target's folder when ``file`` is an alert target."""
    from bot.clock import utc_now
    from bot.ops import append_operator_alert

    if "file" not in settings.config.alerts.targets:
        return None
    directory = Path(settings.config.digest.file_directory)

    def notify(change: Transition) -> None:
        append_operator_alert(directory, change.kind, change.message, utc_now())

    return notify


def _when(value: datetime | None, now: datetime) -> str:
    if value is None:
        return "-"
    seconds = int((value - now).total_seconds())
    ago, span = seconds < 0, abs(seconds)
    text = f"{span // 3600}h{span % 3600 // 60:02d}m" if span >= 3600 else f"{span // 60}m{span % 60:02d}s"
    return f"{value:%Y-%m-%d %H:%M} UTC ({text} {'ago' if ago else 'from now'})"


@click.command("status")
@pass_app
def status(app: App) -> None:
    """Show the last job runs, failures and next runs from the database."""
    from bot.clock import utc_now
    from bot.scheduler import backoff_delay, build_jobs, job_status, next_fire, stale_sources

    settings = app.offline_settings  # it only reads the database: no API credentials needed
    try:
        specs = build_jobs(settings)
    except ValueError as exc:
        raise BotError(f"{settings.path}: {exc}") from None
    now = utc_now()
    app.require_schema()
    with app.sessions() as session:
        statuses = [job_status(session, spec.name) for spec in specs]
        stale = stale_sources(session)
    for spec, st in zip(specs, statuses, strict=True):
        click.echo(f"{spec.name} ({spec.source})")
        if st.last_status is None:
            click.echo("  last run:     never")
        else:
            took = f", took {st.last_duration_s:.1f}s" if st.last_duration_s is not None else ""
            click.echo(
                f"  last run:     {st.last_status}, {_when(st.last_started, now)}{took} on {st.replica}"
            )
        click.echo(f"  last success: {_when(st.last_success, now)}")
        if st.last_error is not None:
            click.echo(
                f"  last error:   {_when(st.last_error_at, now)}: {st.last_error.splitlines()[0][:200]}"
            )
        upcoming = next_fire(spec, now)
        if st.failures_in_row:
            click.echo(f"  failures in a row: {st.failures_in_row}")
            # The daemon skips the slots before its backoff has passed and retries at its end.
            retry = (st.last_error_at or now) + backoff_delay(st.failures_in_row, spec.period)
            if retry > now:
                click.echo(f"  next run:     {_when(retry, now)}, a retry after the backoff")
                continue
        click.echo(f"  next run:     {_when(upcoming, now)}")
    if stale:
        for source, reason in sorted(stale.items()):
            click.echo(f"STALE {source}: {reason}")
    else:
        click.echo("no stale sources")


def register(cli: click.Group) -> None:
    cli.add_command(run)
    cli.add_command(status)
