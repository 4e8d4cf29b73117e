from __future__ import annotations

import click

from ._app import App, pass_app


@click.group("db")
def db_group() -> None:
    """Database migrations."""


@db_group.command("upgrade")
@pass_app
def upgrade_cmd(app: App) -> None:
    """Apply pending migrations (safe to run again)."""
    from bot.storage import current_revision, upgrade

    upgrade(app.engine)
    click.echo(f"database at revision {current_revision(app.engine)}")


@db_group.command("current")
@pass_app
def current_cmd(app: App) -> None:
    """Show the database's revision and whether it is up to date."""
    from bot.storage import current_revision, head_revision

    current, head = current_revision(app.engine), head_revision()
    state = "up to date" if current == head else f"behind head {head}; run 'keep4o-bot db upgrade'"
    click.echo(f"{current or '(empty database)'}: {state}")


def register(cli: click.Group) -> None:
    cli.add_command(db_group)
