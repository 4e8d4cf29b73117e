from __future__ import annotations

import json

import click

from ._app import App, BotError, pass_app


@click.group("config")
def config_group() -> None:
    """Inspect the campaign configuration."""


@config_group.command("check")
@pass_app
def check(app: App) -> None:
    """Validate the configuration and print it with secrets masked."""
    from bot.config import masked, unsearched_hashtags
    from bot.scheduler import build_jobs

    try:
        # The schedule is only fully checked by building it (cron fields, zero intervals).
        build_jobs(app.settings)
    except ValueError as exc:
        raise BotError(f"{app.settings.path}: {exc}") from None
    click.echo(json.dumps(masked(app.settings), indent=2, ensure_ascii=False))
    if missed := unsearched_hashtags(app.settings.config):
        click.echo(
            f"note: no [bluesky] query searches for {', '.join(missed)}; "
            "posts carrying only those tags are not collected",
            err=True,
        )
    click.echo(f"ok: {app.settings.path} is valid", err=True)


def register(cli: click.Group) -> None:
    cli.add_command(config_group)
