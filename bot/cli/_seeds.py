from __future__ import annotations

import click

from ._app import not_built


@click.group("seeds")
def seeds_group() -> None:
    """The background articles the digest links to."""


@seeds_group.command("list")
def list_cmd() -> None:
    """List the articles in seeds/ with language, date and topics."""
    not_built("seeds list", 2)


def register(cli: click.Group) -> None:
    cli.add_command(seeds_group)
