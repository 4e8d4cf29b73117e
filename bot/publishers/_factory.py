"""Targets by name ("file", "bluesky", "reddit", "webhook:<name>") and their publishers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from bot.clock import utc_now
from bot.config import Config, Settings
from bot.sources import BlueskyApi

from ._bluesky import BlueskyAccount, BlueskyPublisher
from ._delivery import Publisher
from ._file import FilePublisher
from ._reddit import RedditPublisher, reddit_client
from ._webhook import WebhookPublisher

KINDS = ("file", "bluesky", "reddit", "webhook")


class TargetError(ValueError):
    """A target that is unknown or lacks what it needs; one line."""


def _expand(config: Config, name: str) -> list[str]:
    if name == "webhook":
        return [f"webhook:{w.name}" for w in config.digest.webhooks]
    return [name]


def target_names(
    config: Config, requested: Sequence[str] | None = None, *, alerts: bool = False
) -> list[str]:
    """The configured targets (of the digest, or of alerts), or the requested ones, checked."""
    names = (
        requested if requested is not None else (config.alerts.targets if alerts else config.digest.targets)
    )
    out: list[str] = []
    for name in names:
        kind, _, webhook = name.partition(":")
        if kind not in KINDS or (webhook and kind != "webhook"):
            raise TargetError(f"unknown target {name!r} (use {', '.join(KINDS)} or webhook:<name>)")
        if kind == "webhook" and webhook and webhook not in {w.name for w in config.digest.webhooks}:
            raise TargetError(f"no [[digest.webhooks]] named {webhook!r}")
        if kind == "webhook" and not config.digest.webhooks:
            raise TargetError("the 'webhook' target needs at least one [[digest.webhooks]]")
        if kind == "reddit" and not config.digest.reddit_subreddit:
            raise TargetError("the 'reddit' target needs [digest] reddit_subreddit")
        if kind == "bluesky" and config.bluesky is None:
            raise TargetError("the 'bluesky' target needs a [bluesky] section (the bot's handle)")
        out += [n for n in _expand(config, name) if n not in out]
    return out


def bluesky_login(
    settings: Settings, sessions: sessionmaker[Session], *, clock: Callable[[], datetime] = utc_now
) -> BlueskyAccount:
    """The bot's account, logged in as the collectors log in.

    The session they saved is resumed, so a digest or an alert makes no ``createSession`` call
    (Bluesky allows 300 a day per account); without one, or when it is rejected, the login is
    fresh and saved for the next run. ``getSession`` checks the session and names the account.
    """
    if settings.config.bluesky is None or settings.secrets.bluesky_app_password is None:
        raise TargetError("bluesky: needs a [bluesky] section and BLUESKY_APP_PASSWORD")
    api = BlueskyApi(settings, sessions, clock=clock)
    api.login()
    me = api.call("getSession", lambda client: client.com.atproto.server.get_session())
    return BlueskyAccount(api.client, me.did, me.handle)


def make_publishers(
    settings: Settings,
    names: Sequence[str],
    sessions: sessionmaker[Session],
    *,
    clock: Callable[[], datetime] = utc_now,
) -> list[Publisher]:
    """Publishers for ``names``; clients log in on first use, so one bad login fails one target."""
    config = settings.config
    webhooks = {w.name: w for w in config.digest.webhooks}
    out: list[Publisher] = []
    for name in names:
        kind, _, webhook = name.partition(":")
        if kind == "file":
            out.append(FilePublisher(Path(config.digest.file_directory)))
        elif kind == "bluesky":
            out.append(
                BlueskyPublisher(
                    lambda: bluesky_login(settings, sessions, clock=clock), chart=config.digest.chart
                )
            )
        elif kind == "reddit":
            username = settings.secrets.reddit_username
            out.append(
                RedditPublisher(
                    lambda: reddit_client(settings),
                    config.digest.reddit_subreddit or "",
                    username.get_secret_value() if username else "",
                )
            )
        elif kind == "webhook":
            url = settings.secrets.webhook_urls.get(webhook)
            if url is None:
                raise TargetError(
                    f"webhook {webhook!r}: its URL variable {webhooks[webhook].url_env} is not set"
                )
            out.append(WebhookPublisher(webhook, webhooks[webhook].format, url.get_secret_value()))
    return out
