from __future__ import annotations

import click

from ._app import App, not_built, pass_app


@click.command("digest")
@pass_app
def digest(app: App) -> None:
    """Compose the daily digest, print it and publish it to the configured targets."""
    not_built("digest", 7)


def register(cli: click.Group) -> None:
    cli.add_command(digest)
