"""The CLI's shared pieces: the lazily loaded application context and error handling."""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import click
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from bot.config import ConfigError, Settings, load_settings
from bot.storage import Schema, first_line, make_engine, make_sessionmaker


class BotError(click.ClickException):
    """A runtime failure shown as one line (exit 1)."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


@dataclass
class App:
    """What commands need, built on first use so ``--help`` works without a config."""

    config_path: Path | None
    debug: bool = False
    log_format: str = "text"
    _engines: dict[str, Engine] = field(default_factory=dict)

    @cached_property
    def settings(self) -> Settings:
        """The configuration with every secret an enabled source or target needs."""
        return self._load(check_secrets=True)

    @cached_property
    def offline_settings(self) -> Settings:
        """The configuration without the secret check, for commands that only read the database."""
        # A command that loaded the settings with their secrets has these already: one read.
        return self.__dict__.get("settings") or self._load(check_secrets=False)

    def _load(self, *, check_secrets: bool) -> Settings:
        try:
            settings = load_settings(self.config_path, check_secrets=check_secrets)
        except ConfigError as exc:
            raise BotError(str(exc)) from exc
        from bot.ops import secret_values

        # From here on, a library's log line cannot show a credential the bot holds.
        self.quiet_logging(secret_values(settings))
        return settings

    def quiet_logging(self, secrets: Sequence[str] = ()) -> None:
        """Warnings and errors on stderr (everything with ``--debug``), as text or JSON, secrets masked.

        A command's own output says what it did; the daemon raises the level for its run lines.
        """
        from bot.ops import configure_logging

        configure_logging(self.log_format, debug=self.debug, secrets=secrets)
        if not self.debug:
            logging.getLogger().setLevel(logging.WARNING)

    @property
    def engine(self) -> Engine:
        url = self.offline_settings.database_url
        if url not in self._engines:
            self._engines[url] = make_engine(url)
        return self._engines[url]

    @property
    def sessions(self) -> sessionmaker[Session]:
        return make_sessionmaker(self.engine)

    def require_schema(self) -> None:
        """Go on only with a database at this version's schema; otherwise say in one line what to do."""
        from bot.storage import schema

        url = make_url(self.offline_settings.database_url)
        # Checked before connecting: SQLite would create an empty file (and make_engine its
        # folder) at a mistyped path.
        file = url.database if url.get_backend_name() == "sqlite" and url.database != ":memory:" else None
        if file and not Path(file).is_file():
            raise BotError(f"there is no database at {file}; 'keep4o-bot db upgrade' creates it")
        try:
            found = schema(self.engine)
        except DBAPIError as exc:
            raise BotError(f"cannot open the database: {first_line(exc) or type(exc).__name__}") from exc
        if found.state != "current":
            raise BotError(schema_advice(found))


def schema_advice(found: Schema) -> str:
    """What a database not at this version's schema needs, as one line."""
    return {
        "empty": "the database has no tables yet; run 'keep4o-bot db upgrade'",
        "behind": f"the database is at revision {found.current}, behind {found.head}; "
        "run 'keep4o-bot db upgrade'",
        "newer": f"the database is at revision {found.current}, which this keep4o-bot (up to "
        f"{found.head}) does not know: a newer version made it; upgrade keep4o-bot",
        "unrecorded": "the database has tables but no migration record (alembic_version): "
        "keep4o-bot's migrations did not make it",
    }[found.state]


pass_app = click.make_pass_decorator(App)


class Day(click.ParamType[dt.date]):
    """A calendar day written YYYY-MM-DD, within years the date arithmetic around it can reach."""

    name = "YYYY-MM-DD"
    first, last = dt.date(1970, 1, 1), dt.date(9000, 12, 31)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            day = dt.datetime.strptime(str(value), "%Y-%m-%d").date()
        except ValueError:
            self.fail(f"{value!r} is not a date like 2026-11-22", param, ctx)
        if not self.first <= day <= self.last:
            self.fail(f"{day} is not between {self.first} and {self.last}", param, ctx)
        return day


DAY = Day()


class Group(click.Group):
    """Turns unexpected exceptions into one line and exit 1, unless ``--debug`` is given."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except BrokenPipeError:
            # The reader of piped output stopped (`| head`): end quietly, as other tools do, with
            # stdout pointed at /dev/null so the interpreter's final flush cannot fail again.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except Exception as exc:
            app = ctx.find_object(App)
            if app is not None and app.debug:
                raise
            logging.getLogger("bot").debug("command failed", exc_info=True)
            message = first_line(exc) or type(exc).__name__
            click.echo(f"error: {type(exc).__name__}: {message}", err=True)
            sys.exit(1)
