from __future__ import annotations

import click

from ._app import App, not_built, pass_app


@click.command("petitions")
@pass_app
def petitions(app: App) -> None:
    """Show every petition with count, goal, pace, projection and state."""
    not_built("petitions", 5)


def register(cli: click.Group) -> None:
    cli.add_command(petitions)
