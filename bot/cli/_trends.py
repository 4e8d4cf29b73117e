from __future__ import annotations

import click

from ._app import App, not_built, pass_app


@click.command("trends")
@pass_app
def trends(app: App) -> None:
    """One row per period: signatures, posts, engagement, authors."""
    not_built("trends", 8)


@click.command("posts")
@pass_app
def posts(app: App) -> None:
    """The most engaging posts with their links."""
    not_built("posts", 8)


@click.command("report")
@pass_app
def report(app: App) -> None:
    """Write a self-contained HTML report with charts."""
    not_built("report", 8)


def register(cli: click.Group) -> None:
    for command in (trends, posts, report):
        cli.add_command(command)
