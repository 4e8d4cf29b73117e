from __future__ import annotations

import click

from ._app import not_built


@click.command("sandbox")
def sandbox() -> None:
    """Run local Reddit, Bluesky and petition servers for trying the bot out."""
    not_built("sandbox", 3)


@click.command("demo")
def demo() -> None:
    """Start the sandbox and the bot against it with a throwaway database."""
    not_built("demo", 3)


def register(cli: click.Group) -> None:
    cli.add_command(sandbox)
    cli.add_command(demo)
