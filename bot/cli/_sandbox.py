from __future__ import annotations

import signal
import time
from pathlib import Path
from types import FrameType

import click

from ._app import App, BotError, pass_app


def _fault(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> list[tuple[str, str, int]]:
    if not values:
        return []
    # Here, not at the top: only the sandbox command with --fault pays for importing aiohttp.
    from bot.sandbox import FAULTS

    faults = []
    for value in values:
        prefix, _, rest = value.partition(":")
        kind, _, times = rest.partition(":")
        if not prefix.startswith("/") or kind not in FAULTS or not (times or "1").isdigit():
            raise click.BadParameter(
                f"{value!r} is not PATH_PREFIX:FAULT[:TIMES] with FAULT one of {', '.join(FAULTS)}"
            )
        faults.append((prefix, kind, int(times or 1)))
    return faults


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@click.command("sandbox")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8700, show_default=True, help="0: any free port."
)
@click.option("--seed", type=int, default=42, show_default=True, help="Seed of the generated world.")
@click.option(
    "--speed",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    help="How fast sandbox time runs (0 freezes it, 60 makes a minute a second).",
)
@click.option(
    "--write-config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a campaign file pointing at the sandbox, and a .env beside it.",
)
@click.option("--db-url", help="Database of the written campaign (default: SQLite beside it).")
@click.option(
    "--fault",
    "faults",
    multiple=True,
    callback=_fault,
    metavar="PREFIX:FAULT[:TIMES]",
    help="Fail requests from the start, e.g. /r/:503:2 (repeatable).",
)
def sandbox(
    *,
    host: str,
    port: int,
    seed: int,
    speed: float,
    config_path: Path | None,
    db_url: str | None,
    faults: list[tuple[str, str, int]],
) -> None:
    """Run local Reddit, Bluesky and petition servers for trying the bot out (Ctrl-C stops)."""
    from bot.clock import utc_now
    from bot.sandbox import Clock, Fault, Sandbox, generate_world
    from bot.sandbox._campaign import config_lines, sandbox_env

    clock = Clock(utc_now(), speed=speed)
    armed = [Fault(prefix, kind, times) for prefix, kind, times in faults]
    server = Sandbox(generate_world(seed=seed, now=clock.now()), clock, host=host, port=port, faults=armed)
    try:
        server.start()
    except OSError as exc:
        raise BotError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    try:
        # Before the first line: whoever reads the URL may send SIGTERM at once.
        signal.signal(signal.SIGTERM, _stop_on_sigterm)
        written = None
        if config_path is not None:
            database = db_url or f"sqlite:///{config_path.resolve().parent / 'keep4o-sandbox.db'}"
            try:
                written = server.write_config(config_path, database)
            except FileExistsError as exc:
                raise BotError(str(exc)) from None
        click.echo(f"keep4o sandbox running at {server.url} (seed {seed}, clock speed {speed:g})")
        if written is not None:
            click.echo(f"wrote {written} and {written.parent / '.env'}")
            click.echo(f"try: export KEEP4O_CONFIG={written}; keep4o-bot db upgrade; keep4o-bot poll all")
        else:
            click.echo("\nConfig lines:\n" + config_lines(server.url))
            click.echo("Credentials (.env):\n" + sandbox_env())
        click.echo("Ctrl-C stops the sandbox.", err=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        click.echo("sandbox stopped", err=True)
    finally:
        server.stop()


@click.command("demo")
@click.option("--seed", type=int, default=42, show_default=True, help="Seed of the generated world.")
@click.option(
    "--speed", type=click.FloatRange(min=0), default=60.0, show_default=True, help="Sandbox clock speed-up."
)
@pass_app
def demo(app: App, seed: int, speed: float) -> None:
    """Start the sandbox and the bot against it with a throwaway database (Ctrl-C stops both)."""
    from ._demo import run_demo

    run_demo(app, seed, speed)


def register(cli: click.Group) -> None:
    cli.add_command(sandbox)
    cli.add_command(demo)
