from __future__ import annotations

import click

from ._app import App, BotError, pass_app, schema_advice


@click.group("db")
def db_group() -> None:
    """Database migrations."""


@db_group.command("upgrade")
@pass_app
def upgrade_cmd(app: App) -> None:
    """Apply pending migrations (safe to run again)."""
    from bot.storage import current_revision, schema, upgrade

    found = schema(app.engine)
    if found.state in ("newer", "unrecorded"):
        raise BotError(schema_advice(found))
    upgrade(app.engine)
    click.echo(f"database at revision {current_revision(app.engine)}")


@db_group.command("current")
@pass_app
def current_cmd(app: App) -> None:
    """Show the database's revision and whether it is up to date."""
    from bot.storage import schema

    found = schema(app.engine)
    state = "up to date" if found.state == "current" else schema_advice(found)
    click.echo(f"{found.current or '(no revision)'}: {state}")


def register(cli: click.Group) -> None:
    cli.add_command(db_group)
