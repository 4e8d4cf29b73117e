from __future__ import annotations

import json

import click

from ._app import App, pass_app


@click.group("config")
def config_group() -> None:
    """Inspect the campaign configuration."""


@config_group.command("check")
@pass_app
def check(app: App) -> None:
    """Validate the configuration and print it with secrets masked."""
    from bot.config import masked

    click.echo(json.dumps(masked(app.settings), indent=2, ensure_ascii=False))
    click.echo(f"ok: {app.settings.path} is valid", err=True)


def register(cli: click.Group) -> None:
    cli.add_command(config_group)
