from __future__ import annotations

import click

from ._app import App, not_built, pass_app


@click.command("poll")
@click.argument("source", type=click.Choice(["reddit", "bluesky", "petitions", "all"]))
@pass_app
def poll(app: App, source: str) -> None:
    """Fetch what is new from SOURCE once and store it."""
    not_built(f"poll {source}", 5 if source == "petitions" else 4)


def register(cli: click.Group) -> None:
    cli.add_command(poll)
