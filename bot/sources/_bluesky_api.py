"""The atproto client the Bluesky collectors and publisher share: one login, a saved session, polite retries.

* Session: log in with the app password once and keep the session string in the database
  (checkpoint ``bluesky:session``, never logged), saved again on every refresh because refresh
  tokens rotate. A restart imports it and makes no ``createSession`` call, which Bluesky limits
  to 30 per 5 minutes and 300 a day per account. A rejected session (expired or revoked token)
  gets exactly one fresh login per run.
* Rate limits: a 429 waits for ``retry-after`` or until ``ratelimit-reset`` (measured from the
  server's own ``Date`` header, so a skewed local clock does not matter) when that is within
  ``max_wait``; otherwise the run stops with :class:`BlueskyRateLimited` and the caller keeps
  what it stored so far.
* Network errors, timeouts, 5xx and unreadable bodies back off (1, 2, 4 s) and retry; a call
  gets at most four attempts.
* Every HTTP request is counted (by XRPC method) with an httpx event hook, and the last
  ``ratelimit-remaining`` header is kept, for the poll summary and the logs.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx
from atproto_client import Client, Session, SessionEvent
from atproto_client.exceptions import (
    AtProtocolError,
    BadRequestError,
    ModelError,
    NetworkError,
    RateLimitExceededError,
    RequestException,
    UnauthorizedError,
)
from atproto_client.models.common import XrpcError
from atproto_client.request import Request
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import sessionmaker

from bot.config import Bluesky, Settings
from bot.ops import report_rate_limit
from bot.storage import get_checkpoint, set_checkpoint

log = logging.getLogger(__name__)

SESSION_CHECKPOINT = "bluesky:session"
# Jetstream's last event, saved every few seconds while events arrive (``_jetstream``); the
# daemon also reads its ``updated_at`` to tell a live stream from a stalled one.
JETSTREAM_CURSOR_CHECKPOINT = "bluesky:jetstream:cursor"
ATTEMPTS = 4
DEFAULT_RATE_LIMIT_WAIT = 60.0
# XRPC error names a PDS answers with (HTTP 400) when the token, not the request, is at fault.
_TOKEN_ERRORS = frozenset({"ExpiredToken", "InvalidToken"})
_TITLE = re.compile(r"<title>(.*?)</title>", re.IGNORECASE | re.DOTALL)

T = TypeVar("T")


class BlueskyError(Exception):
    """A Bluesky run that could not finish; the message is one line naming the problem."""


class BlueskyBadRequest(BlueskyError):
    """The server refused the request itself (HTTP 400 or 403 that is not about the token).

    ``error``: the XRPC error name it gave ("NotFound", ...), if any.
    """

    def __init__(self, message: str, *, error: str | None = None) -> None:
        super().__init__(message)
        self.error = error


class BlueskyRateLimited(BlueskyError):
    """Bluesky asked for a longer pause than a run may wait; the next run carries on.

    ``retry_after``: the seconds Bluesky asked for, so that the next run is not tried sooner.
    """

    def __init__(self, message: str, *, retry_after: float = 0.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def bluesky_config(settings: Settings) -> Bluesky:
    if settings.config.bluesky is None:
        raise BlueskyError(f"{settings.path}: there is no [bluesky] section")
    return settings.config.bluesky


def _xrpc_error(exc: Exception) -> str | None:
    response = getattr(exc, "response", None)
    content = getattr(response, "content", None)
    return content.error if isinstance(content, XrpcError) else None


def _is_token_failure(exc: Exception) -> bool:
    """A session the server no longer accepts: 401, or an expired or invalid token named.

    The SDK raises ``UnauthorizedError`` for 403 too, but a 403 refuses the request, not the
    token (a proxy's "Request forbidden by administrative rules"): logging in again would not
    help, and would spend one of the account's 300 logins a day on every poll.
    """
    if _xrpc_error(exc) in _TOKEN_ERRORS:
        return True
    status = getattr(getattr(exc, "response", None), "status_code", None)
    return isinstance(exc, UnauthorizedError) and status != 403


def _is_transient(exc: Exception) -> bool:
    """Worth retrying the same call: the network, the server, or a body cut off or garbled."""
    if isinstance(exc, NetworkError | httpx.TransportError | ModelError | ValueError):
        return True
    status = getattr(getattr(exc, "response", None), "status_code", 0)
    return isinstance(exc, RequestException) and status >= 500


def rate_limit_wait(exc: RateLimitExceededError, now: datetime) -> float:
    """Seconds to wait before retrying: ``retry-after``, else until ``ratelimit-reset``.

    The reset is an instant on the server's clock, so it is measured from the server's own
    ``Date`` header when there is one; ``now`` (the local clock) is the fallback.
    """
    if exc.retry_after is not None:
        return float(exc.retry_after)
    reset: datetime | None = exc.reset_at
    if reset is None:
        return DEFAULT_RATE_LIMIT_WAIT
    server_now = now
    date = exc.response.headers.get("date") if exc.response is not None else None
    if date:
        try:
            server_now = parsedate_to_datetime(date)
        except (TypeError, ValueError):
            server_now = now
    return max(0.0, (reset - server_now).total_seconds())


class BlueskyApi:
    """One run's atproto client; ``call`` applies the session, rate-limit and retry rules above."""

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[DbSession],
        *,
        clock: Callable[[], datetime],
        sleep: Callable[[float], None] = time.sleep,
        max_wait: float = DEFAULT_RATE_LIMIT_WAIT,
    ) -> None:
        self._config = bluesky_config(settings)
        self._password = settings.secrets.bluesky_app_password
        self._sessions = sessions
        self._clock = clock
        self._sleep = sleep
        self._max_wait = max_wait
        self._relogged = False
        self._login_pending = False
        self.requests = 0
        self.calls: Counter[str] = Counter()  # requests by XRPC method
        self.ratelimit_remaining: int | None = None
        self.did: str | None = None
        hooks = {"request": [self._count_request], "response": [self._read_headers]}
        self.client = Client(
            base_url=self._config.base_url,
            request=Request(timeout=self._config.timeout_seconds, event_hooks=hooks),
        )
        self.client.on_session_change(self._session_changed)

    def __enter__(self) -> BlueskyApi:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.client.request.close()

    def _count_request(self, request: httpx.Request) -> None:
        self.requests += 1
        self.calls[request.url.path.rsplit("/", 1)[-1]] += 1

    def _read_headers(self, response: httpx.Response) -> None:
        remaining = response.headers.get("ratelimit-remaining", "")
        if remaining.isdigit():
            self.ratelimit_remaining = int(remaining)
            report_rate_limit(self.ratelimit_remaining)

    def _session_changed(self, event: SessionEvent, session: Session) -> None:
        self.did = session.did
        if event not in (SessionEvent.CREATE, SessionEvent.REFRESH):
            return
        # The base URL and handle go with it: a session made for another server or account is not reused.
        value = {
            "base_url": self._config.base_url,
            "handle": self._config.handle,
            "session": session.export(),
        }
        with self._sessions.begin() as db:
            set_checkpoint(db, SESSION_CHECKPOINT, json.dumps(value), self._clock())

    def _saved_session(self) -> str | None:
        with self._sessions() as db:
            raw = get_checkpoint(db, SESSION_CHECKPOINT)
        try:
            value: dict[str, Any] = json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            return None
        if value.get("base_url") != self._config.base_url or value.get("handle") != self._config.handle:
            return None
        session = value.get("session")
        return session if isinstance(session, str) else None

    def login(self) -> None:
        """Resume the saved session (no request); without one, the first call logs in."""
        saved = self._saved_session()
        if saved is not None:
            try:
                self.client.login(session_string=saved, fetch_bsky_profile=False)
                log.debug("bluesky: resumed the saved session of %s", self._config.handle)
                return
            except ValueError:
                log.warning("bluesky: the saved session is unreadable; logging in again")
        self._login_pending = True

    def _fresh_login(self) -> None:
        if self._password is None:
            raise BlueskyError("bluesky: BLUESKY_APP_PASSWORD is not set (environment or .env)")
        try:
            self.client.login(
                self._config.handle, self._password.get_secret_value(), fetch_bsky_profile=False
            )
        except (UnauthorizedError, BadRequestError) as exc:
            raise BlueskyError(f"bluesky: login as {self._config.handle} refused: {exc}") from None
        log.info("bluesky: logged in as %s (createSession)", self._config.handle)

    def call(self, what: str, fn: Callable[[Client], T]) -> T:
        """``fn(client)`` with one re-login on a rejected session, rate-limit waits and backoff."""
        attempt = 0
        while True:
            attempt += 1
            try:
                if self._login_pending:
                    self._fresh_login()
                    self._login_pending = False
                return fn(self.client)
            except RateLimitExceededError as exc:
                wait = rate_limit_wait(exc, self._clock())
                if wait > self._max_wait:
                    raise BlueskyRateLimited(
                        f"bluesky: rate limited on {what} for {wait:.0f} s more "
                        "(longer than a run waits); stopped, the next run resumes",
                        retry_after=wait,
                    ) from None
                if attempt >= ATTEMPTS:
                    raise BlueskyRateLimited(
                        f"bluesky: still rate limited on {what} after {attempt} waits;"
                        " stopped, the next run resumes",
                        retry_after=wait,
                    ) from None
                log.warning("bluesky: rate limited on %s; waiting %.0f s", what, wait)
                self._sleep(wait)
            except (UnauthorizedError, BadRequestError) as exc:
                if not _is_token_failure(exc):
                    raise BlueskyBadRequest(
                        f"bluesky: {what} refused: {_refusal(exc)}", error=_xrpc_error(exc)
                    ) from None
                if self._relogged:
                    raise BlueskyError(f"bluesky: {what} refused after a fresh login: {exc}") from None
                log.warning("bluesky: the session was rejected (%s); logging in again", exc)
                self._relogged = self._login_pending = True
            except Exception as exc:
                if not _is_transient(exc):
                    if isinstance(exc, AtProtocolError):
                        raise BlueskyError(f"bluesky: {what} failed: {_describe(exc)}") from None
                    raise
                if attempt >= ATTEMPTS:
                    raise BlueskyError(
                        f"bluesky: {what} failed {attempt} times, last: {_describe(exc)}"
                    ) from None
                delay = float(2 ** (attempt - 1))
                log.warning("bluesky: %s failed (%s); retrying in %.0f s", what, _describe(exc), delay)
                self._sleep(delay)


def _refusal(exc: Exception) -> str:
    """The status and what the server said, on one line; of an HTML page (a proxy's), its title."""
    response = getattr(exc, "response", None)
    content = getattr(response, "content", None)
    if not isinstance(content, bytes):
        return " ".join(str(exc).split())
    text = content.decode("utf-8", "replace")
    title = _TITLE.search(text)
    said = title.group(1) if title else text
    return f"{response.status_code} {' '.join(said.split())[:200]}".rstrip()  # type: ignore[union-attr]


def _describe(exc: Exception) -> str:
    # On one line, but whole: a validation error names the field and the problem after its first line.
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__
