"""``keep4o-bot``: a thin command layer over the library."""

from __future__ import annotations

from pathlib import Path

import click

from bot._version import __version__
from bot.ops import remove_logging

from . import _config, _db, _digest, _petitions, _poll, _run, _sandbox, _seeds, _trends
from ._app import App, BotError, Group, pass_app


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="keep4o-bot")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="KEEP4O_CONFIG",
    help="Campaign file (default: config/keep4o.toml; env KEEP4O_CONFIG).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Log lines for people or JSON lines for machines.",
)
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, debug: bool, log_format: str) -> None:
    """Watch a campaign on Reddit and Bluesky, track its petitions, post a daily digest."""
    ctx.obj = app = App(config_path=config_path, debug=debug, log_format=log_format)
    app.quiet_logging()
    # The handler writes to this invocation's stderr; a later one (tests invoke many) gets its own.
    ctx.call_on_close(remove_logging)


for module in (_config, _db, _digest, _petitions, _poll, _run, _sandbox, _seeds, _trends):
    module.register(cli)


def main() -> None:
    cli(prog_name="keep4o-bot")


__all__ = ["App", "BotError", "cli", "main", "pass_app"]
