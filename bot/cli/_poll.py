"""``keep4o-bot poll SOURCE``: one poll of one source, or of all, with a line per source."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import click
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.storage import first_line

from ._app import App, pass_app

if TYPE_CHECKING:
    # Only a type: importing the collectors (PRAW, atproto) would slow every command's start.
    from bot.sources import PollSummary

log = logging.getLogger(__name__)

SOURCES = ("reddit", "bluesky", "petitions")
Poll = Callable[[Settings, sessionmaker[Session]], "PollSummary"]


# Each poll function is imported when it runs, so a source whose code is broken fails alone.
def _reddit(settings: Settings, sessions: sessionmaker[Session]) -> PollSummary:
    from bot.sources import poll_reddit

    return poll_reddit(settings, sessions)


def _reddit_search(settings: Settings, sessions: sessionmaker[Session]) -> PollSummary:
    from bot.sources import poll_reddit

    return poll_reddit(settings, sessions, search=True)


def _bluesky(settings: Settings, sessions: sessionmaker[Session]) -> PollSummary:
    from bot.sources import poll_bluesky

    return poll_bluesky(settings, sessions)


def _petitions(settings: Settings, sessions: sessionmaker[Session]) -> PollSummary:
    from bot.petitions import poll_petitions

    return poll_petitions(settings, sessions)


POLLS: dict[str, list[tuple[str, Poll]]] = {
    "reddit": [("reddit", _reddit), ("reddit-search", _reddit_search)],
    "bluesky": [("bluesky", _bluesky)],
    "petitions": [("petitions", _petitions)],
}


def skip_reason(settings: Settings, source: str) -> str | None:
    """Why ``source`` is not polled with these settings, or ``None`` if it is."""
    config = settings.config
    section = {"reddit": config.reddit, "bluesky": config.bluesky}.get(source)
    if source == "petitions":
        return None if config.petitions else "no [[petitions]] configured"
    if section is None:
        return f"no [{source}] section"
    return None if section.enabled else "disabled"


def _one_line(exc: Exception) -> str:
    text = first_line(exc)
    # The bot's own errors are worded for the operator; anything else also names its type.
    if type(exc).__module__.startswith("bot.") and text:
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


@click.command("poll")
@click.argument("source", type=click.Choice([*SOURCES, "all"]))
@pass_app
def poll(app: App, source: str) -> None:
    """Fetch what is new from SOURCE once and store it.

    Prints one line per source (reddit polls its subreddits, then runs its searches). A source
    that fails prints an error line and the others still run; the exit status is then 1.
    """
    settings = app.settings
    app.require_schema()
    failed = False
    for name in SOURCES if source == "all" else (source,):
        reason = skip_reason(settings, name)
        if reason is not None:
            click.echo(f"{name}: skipped ({reason})")
            continue
        for label, run in POLLS[name]:
            try:
                summary = run(settings, app.sessions)
            except Exception as exc:
                failed = True
                log.debug("%s poll failed", label, exc_info=True)
                click.echo(f"error: {label}: {_one_line(exc)}", err=True)
            else:
                click.echo(summary.line())
    if failed:
        raise click.exceptions.Exit(1)


def register(cli: click.Group) -> None:
    cli.add_command(poll)
