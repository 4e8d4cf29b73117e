"""A PRAW client built from the settings, and one GET with Reddit's failure modes handled.

Failures, and what happens (prawcore 4 behaviour from ``notes/reddit-api.md`` §2.3):

* ``x-ratelimit-*`` headers: prawcore spaces requests out by itself. It reads them with
  ``int()`` and ``float()`` and fails on anything else ("3.0", an HTTP date in ``retry-after``),
  so :func:`_readable_limits` rewrites them in a form it reads, or drops them.
* HTTP 429: prawcore raises ``TooManyRequests`` at once; we wait ``retry-after`` (the injected
  ``sleep``) and ask again, up to ``MAX_RATE_LIMITED`` times in a row.
* 5xx, timeouts, connection errors, a body that is not JSON or not a listing: prawcore already
  tries 3 times; on top of that we back off exponentially for ``ATTEMPTS`` rounds, then raise
  :class:`RedditError`. Callers store page by page, so giving up loses nothing already fetched.
* 401 (an expired token): prawcore fetches a new token and repeats the request.
* A POST other than a token request (the digest's ``/api/submit``) is never sent twice:
  prawcore would resend it after a timeout or a 5xx, and Reddit often creates the post before
  failing. :class:`_TimeoutRequestor` turns those failures into :class:`MayHaveArrived`, which
  prawcore does not retry, and the publisher looks for the post before trying again.
* Anything else (403 private subreddit, bad credentials, ...) is a :class:`RedditError` at once.

Timeout: PRAW 8's ``timeout`` option never reaches API calls, and prawcore passes the
``PRAWCORE_TIMEOUT`` it read *when first imported* to every call, so setting that variable is
too late once anything in the process has imported prawcore (the test suite, a daemon that
reloads its config). :class:`_TimeoutRequestor`, a ``requestor_class`` as PRAW documents it,
applies ``[reddit] timeout_seconds`` to every request instead, token requests included.

One client per process: a new ``praw.Reddit`` has no token, so building one per poll cost a
token request per poll. :data:`CONNECTIONS` keeps one :class:`RedditConnection` per
:class:`Endpoint` (credentials, user agent, URLs, timeout) for the polls, the search, the
refresh and the digest's Reddit publisher alike. prawcore renews its token when it runs out or
Reddit refuses it (401), and another endpoint (a changed secret, another server) gets a client
of its own, never a stale one. PRAW is not thread-safe ("Running Multiple Instances of PRAW" in
its docs) and the daemon runs jobs in parallel threads, so every use holds the connection's
lock; that also makes the jobs take turns with prawcore's rate limiter, which is per client.
"""

from __future__ import annotations

import logging
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import praw
import prawcore
import requests

from bot._version import __version__
from bot.clock import utc_now
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


class MayHaveArrived(Exception):
    """A request that is not safe to repeat failed after it may have reached Reddit."""


class _TimeoutRequestor(prawcore.Requestor):
    """prawcore's requestor with the configured timeout on every request, never repeating a
    submission (see module docstring)."""

    def request(self, *args: Any, timeout: float | None = None, **kwargs: Any) -> requests.Response:
        method, url = args[:2]
        repeatable = str(method).upper() != "POST" or urlsplit(str(url)).path.endswith(TOKEN_PATH)
        try:
            response = super().request(*args, timeout=self.timeout, **kwargs)
        except prawcore.RequestException as exc:
            if repeatable:
                raise
            failure = type(exc.original_exception).__name__
            raise prawcore.RequestException(MayHaveArrived(failure), args, kwargs) from None
        if not repeatable and response.status_code in prawcore.Session.RETRY_STATUSES:
            reason = MayHaveArrived(f"HTTP {response.status_code}")
            raise prawcore.RequestException(reason, args, kwargs)
        _readable_limits(response.headers)
        return response


_LIMIT_HEADERS = ("x-ratelimit-remaining", "x-ratelimit-used", "x-ratelimit-reset")


def _seconds(value: str | None) -> int:
    """A header's count or seconds as a whole number; ValueError unless finite and not negative."""
    number = float(value or "")
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{value!r} is not a count")
    return int(number)


def _readable_limits(headers: MutableMapping[str, str]) -> None:
    """Rate-limit headers as prawcore reads them: whole seconds and counts, or none at all.

    Reddit sends "997.0" for the remaining requests, which prawcore reads, and whole numbers
    for the others, which is all it reads; ``retry-after`` may be an HTTP date (RFC 9110).
    """
    values = [headers.get(name) for name in _LIMIT_HEADERS]
    if any(v is not None for v in values):
        try:
            counts = [str(_seconds(v)) for v in values]
        except ValueError:
            log.warning("reddit: unreadable rate-limit headers %s; ignoring them", values)
            for name in _LIMIT_HEADERS:
                headers.pop(name, None)
        else:
            headers.update(zip(_LIMIT_HEADERS, counts, strict=True))
    retry_after = headers.pop("retry-after", None)
    if retry_after is not None and (seconds := _retry_seconds(retry_after)) is not None:
        headers["retry-after"] = str(seconds)


def _retry_seconds(value: str) -> int | None:
    """``retry-after`` as seconds: a number, or an HTTP date from now; ``None`` if neither."""
    try:
        return _seconds(value)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0, round((when - utc_now()).total_seconds())) if when.tzinfo is not None else None


@dataclass(frozen=True)
class Endpoint:
    """Everything a ``praw.Reddit`` is built from: two settings with equal endpoints share one client."""

    client_id: str = field(repr=False)
    client_secret: str = field(repr=False)
    username: str | None
    password: str | None = field(repr=False)
    user_agent: str
    oauth_url: str
    reddit_url: str
    timeout: float

    @classmethod
    def of(cls, settings: Settings) -> Endpoint:
        """The settings' endpoint; without a ``[reddit]`` section (the digest can still post), defaults."""
        config = settings.config.reddit
        secrets = settings.secrets
        if secrets.reddit_client_id is None or secrets.reddit_client_secret is None:
            raise RedditError("REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET must be set")
        username = password = None
        if secrets.reddit_username is not None and secrets.reddit_password is not None:
            # A script app: the same account reads and posts the digest.
            username = secrets.reddit_username.get_secret_value()
            password = secrets.reddit_password.get_secret_value()
        if config is None:
            # [reddit]'s defaults; the user agent names the posting account as the contact.
            fields = Reddit.model_fields
            agent = f"python:{fields['app_id'].default}:v{__version__} (by /u/{username or ''})"
            oauth_url, reddit_url = fields["oauth_url"].default, fields["reddit_url"].default
            timeout = fields["timeout_seconds"].default
        else:
            agent = user_agent(config)
            oauth_url, reddit_url, timeout = config.oauth_url, config.reddit_url, config.timeout_seconds
        return cls(
            client_id=secrets.reddit_client_id.get_secret_value(),
            client_secret=secrets.reddit_client_secret.get_secret_value(),
            username=username,
            password=password,
            user_agent=agent,
            oauth_url=oauth_url.rstrip("/") + "/",
            # The token URL is built by concatenation: a trailing slash would make "//api/v1/...".
            reddit_url=reddit_url.rstrip("/"),
            timeout=float(timeout),
        )


class RedditConnection:
    """One ``praw.Reddit`` (so one OAuth token) and the lock every use of it holds (module docstring)."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.lock = threading.Lock()
        # API requests sent so far, token requests left out; read it while holding the lock.
        self.requests = 0
        self._http = requests.Session()
        # A response hook counts what was really sent (prawcore's retries included).
        self._http.hooks["response"].append(self._count)
        self.reddit = praw.Reddit(
            client_id=endpoint.client_id,
            client_secret=endpoint.client_secret,
            username=endpoint.username,
            password=endpoint.password,
            user_agent=endpoint.user_agent,
            oauth_url=endpoint.oauth_url,
            reddit_url=endpoint.reddit_url,
            short_url=endpoint.reddit_url,
            check_for_updates=False,
            requestor_class=_TimeoutRequestor,
            requestor_kwargs={"session": self._http, "timeout": endpoint.timeout},
        )

    def _count(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        if not response.request.path_url.startswith(TOKEN_PATH):
            self.requests += 1
        remaining = response.headers.get("x-ratelimit-remaining", "")
        if remaining.replace(".", "", 1).isdigit():
            # Reddit sends "997.0"; the daemon's metrics gauge shows it.
            report_rate_limit(int(float(remaining)))

    def close(self) -> None:
        # A request still under way finishes; a later one would open new connections.
        self._http.close()


class Connections:
    """The process's Reddit clients by endpoint, the least recently used dropped beyond ``size``.

    A process normally needs one; the bound keeps a reloaded configuration or a test run's many
    sandboxes from piling up clients and their open connections.
    """

    def __init__(self, size: int = 4) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._by_endpoint: OrderedDict[Endpoint, RedditConnection] = OrderedDict()

    def get(self, settings: Settings) -> RedditConnection:
        """The client for the settings' endpoint, built on first use (that makes no request)."""
        endpoint = Endpoint.of(settings)
        with self._lock:
            found = self._by_endpoint.pop(endpoint, None) or RedditConnection(endpoint)
            self._by_endpoint[endpoint] = found
            while len(self._by_endpoint) > self._size:
                self._by_endpoint.popitem(last=False)[1].close()
        return found

    def clear(self) -> None:
        with self._lock:
            for connection in self._by_endpoint.values():
                connection.close()
            self._by_endpoint.clear()


# The process's clients: every Reddit job and the digest's Reddit publisher take theirs from here.
CONNECTIONS = Connections()


class RedditClient:
    """One job's use of the shared connection: its request count and the retry policy."""

    def __init__(
        self,
        settings: Settings,
        *,
        sleep: Callable[[float], None],
        connections: Connections = CONNECTIONS,
    ) -> None:
        config = settings.config.reddit
        if config is None or not config.enabled:
            raise RedditError("[reddit] is not configured or not enabled")
        self.config: Reddit = config
        self.requests = 0
        self._sleep = sleep
        self._connection = connections.get(settings)

    def _get(self, path: str, params: Mapping[str, str | int]) -> Any:
        connection = self._connection
        with connection.lock:
            before = connection.requests
            try:
                return connection.reddit.request(method="GET", path=path, params=dict(params))
            finally:
                self.requests += connection.requests - before

    def listing(
        self, path: str, params: Mapping[str, str | int]
    ) -> tuple[list[Mapping[str, Any]], str | None]:
        """One listing page (``t3`` children's data, ``after``), retried as the module docstring says."""
        failures = limited = 0
        while True:
            try:
                return listing_page(self._get(path, params))
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
