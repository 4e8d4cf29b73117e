from __future__ import annotations

import click

from ._app import App, not_built, pass_app


@click.command("run")
@pass_app
def run(app: App) -> None:
    """Run the scheduled worker (the daemon) until stopped."""
    not_built("run", 6)


@click.command("status")
@pass_app
def status(app: App) -> None:
    """Show the last job runs, failures and next runs from the database."""
    not_built("status", 6)


def register(cli: click.Group) -> None:
    cli.add_command(run)
    cli.add_command(status)
