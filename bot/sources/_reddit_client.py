"""A PRAW client built from the settings, and one GET with Reddit's failure modes handled.

Failures, and what happens (prawcore 4 behaviour from ``notes/reddit-api.md`` §2.3):

* ``x-ratelimit-*`` headers: prawcore spaces requests out by itself.
* HTTP 429: prawcore raises ``TooManyRequests`` at once; we wait ``retry-after`` (the injected
  ``sleep``) and ask again, up to ``MAX_RATE_LIMITED`` times in a row.
* 5xx, timeouts, connection errors, a body that is not JSON or not a listing: prawcore already
  tries 3 times; on top of that we back off exponentially for ``ATTEMPTS`` rounds, then raise
  :class:`RedditError`. Callers store page by page, so giving up loses nothing already fetched.
* 401 (an expired token): prawcore fetches a new token and repeats the request.
* Anything else (403 private subreddit, bad credentials, ...) is a :class:`RedditError` at once.

Timeout: PRAW 8's ``timeout`` option never reaches API calls, and prawcore passes the
``PRAWCORE_TIMEOUT`` it read *when first imported* to every call, so setting that variable is
too late once anything in the process has imported prawcore (the test suite, a daemon that
reloads its config). :class:`_TimeoutRequestor`, a ``requestor_class`` as PRAW documents it,
applies ``[reddit] timeout_seconds`` to every request instead, token requests included.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import praw
import prawcore
import requests

from bot._version import __version__
from bot.config import Reddit, Settings
from bot.ops import report_rate_limit

from ._reddit_normalise import MalformedResponse, listing_page

log = logging.getLogger(__name__)

ATTEMPTS = 3
BACKOFF_SECONDS = 2.0
MAX_RATE_LIMITED = 3
# A 429 without retry-after: Reddit's window is 600 s, but the limiter recovers gradually.
DEFAULT_RETRY_AFTER = 10.0
MAX_RETRY_AFTER = 600.0
TOKEN_PATH = "/api/v1/access_token"

_TRANSIENT = (prawcore.ServerError, prawcore.RequestException, prawcore.BadJSON, prawcore.InvalidToken)


class RedditError(Exception):
    """Reddit could not be read; the message is one line for the operator."""


def user_agent(config: Reddit) -> str:
    """Reddit's required form ``<platform>:<app ID>:<version> (by /u/<username>)``."""
    return f"python:{config.app_id}:v{__version__} (by /u/{config.contact_username})"


class _TimeoutRequestor(prawcore.Requestor):
    """prawcore's requestor with the configured timeout on every request (see module docstring)."""

    def request(self, *args: Any, timeout: float | None = None, **kwargs: Any) -> requests.Response:
        return super().request(*args, timeout=self.timeout, **kwargs)


class RedditClient:
    """A ``praw.Reddit`` plus the count of API requests it made and the retry policy."""

    def __init__(self, settings: Settings, *, sleep: Callable[[float], None]) -> None:
        config = settings.config.reddit
        secrets = settings.secrets
        if config is None or not config.enabled:
            raise RedditError("[reddit] is not configured or not enabled")
        if secrets.reddit_client_id is None or secrets.reddit_client_secret is None:
            raise RedditError("REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET must be set")
        self.config: Reddit = config
        self.requests = 0
        self._sleep = sleep
        http = requests.Session()
        # A response hook counts what was really sent (prawcore's retries included).
        http.hooks["response"].append(self._count)
        username = password = None
        if secrets.reddit_username is not None and secrets.reddit_password is not None:
            # A script app: the same account can post the digest later.
            username = secrets.reddit_username.get_secret_value()
            password = secrets.reddit_password.get_secret_value()
        self.reddit = praw.Reddit(
            client_id=secrets.reddit_client_id.get_secret_value(),
            client_secret=secrets.reddit_client_secret.get_secret_value(),
            username=username,
            password=password,
            user_agent=user_agent(config),
            oauth_url=config.oauth_url.rstrip("/") + "/",
            # The token URL is built by concatenation: a trailing slash would make "//api/v1/...".
            reddit_url=config.reddit_url.rstrip("/"),
            short_url=config.reddit_url.rstrip("/"),
            check_for_updates=False,
            requestor_class=_TimeoutRequestor,
            requestor_kwargs={"session": http, "timeout": float(config.timeout_seconds)},
        )

    def _count(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        if not response.request.path_url.startswith(TOKEN_PATH):
            self.requests += 1
        remaining = response.headers.get("x-ratelimit-remaining", "")
        if remaining.replace(".", "", 1).isdigit():
            # Reddit sends "997.0"; the daemon's metrics gauge shows it.
            report_rate_limit(int(float(remaining)))

    def listing(
        self, path: str, params: Mapping[str, str | int]
    ) -> tuple[list[Mapping[str, Any]], str | None]:
        """One listing page (``t3`` children's data, ``after``), retried as the module docstring says."""
        failures = limited = 0
        while True:
            try:
                return listing_page(self.reddit.request(method="GET", path=path, params=dict(params)))
            except prawcore.TooManyRequests as exc:
                limited += 1
                if limited > MAX_RATE_LIMITED:
                    raise RedditError(f"{path}: still rate limited after {MAX_RATE_LIMITED} waits") from exc
                wait = _retry_after(exc)
                log.warning("reddit: rate limited on %s; waiting %.0f s", path, wait)
                self._sleep(wait)
            except (*_TRANSIENT, MalformedResponse) as exc:
                failures += 1
                if failures >= ATTEMPTS:
                    raise RedditError(
                        f"{path}: {_describe(exc)} (gave up after {failures} attempts)"
                    ) from exc
                wait = BACKOFF_SECONDS * 2 ** (failures - 1)
                log.warning("reddit: %s on %s; retrying in %.0f s", _describe(exc), path, wait)
                self._sleep(wait)
            except (prawcore.PrawcoreException, praw.exceptions.PRAWException) as exc:
                raise RedditError(f"{path}: {_describe(exc)}") from exc


def _retry_after(exc: prawcore.TooManyRequests) -> float:
    for value in (exc.retry_after, exc.response.headers.get("x-ratelimit-reset")):
        try:
            return min(max(float(value or ""), 1.0), MAX_RETRY_AFTER)
        except ValueError:
            continue
    return DEFAULT_RETRY_AFTER


def _describe(exc: BaseException) -> str:
    if isinstance(exc, prawcore.RequestException):
        exc = exc.original_exception
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
