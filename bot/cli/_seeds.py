from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from ._app import BotError


@click.group("seeds")
def seeds_group() -> None:
    """The background articles the digest links to."""


@seeds_group.command("list")
def list_cmd() -> None:
    """List the articles in seeds/ with language, date and topics."""
    from bot.seeds import SeedError, load_manifest

    try:
        articles = load_manifest()
    except SeedError as exc:
        raise BotError(str(exc)) from exc
    table = Table("id", "lang", "date", "title", "topics")
    for a in articles:
        table.add_row(a.id, a.language, str(a.date or "-"), a.title, ", ".join(a.topics))
    Console(width=160).print(table)


def register(cli: click.Group) -> None:
    cli.add_command(seeds_group)
