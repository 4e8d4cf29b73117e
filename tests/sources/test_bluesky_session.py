"""The Bluesky session: one login, saved in the database, reused after a restart, kept fresh."""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.sandbox import BlueskyPost, Sandbox
from bot.sources import BlueskyError, poll_bluesky
from bot.sources._bluesky_api import BlueskyApi
from bot.storage import get_checkpoint, set_checkpoint

LOGIN = "/xrpc/com.atproto.server.createSession"
REFRESH = "/xrpc/com.atproto.server.refreshSession"
SESSION = "bluesky:session"

AddPost = Callable[..., BlueskyPost]
MakeSettings = Callable[..., Settings]


def _saved(sessions: sessionmaker[Session]) -> dict[str, str]:
    with sessions() as db:
        raw = get_checkpoint(db, SESSION)
    assert raw is not None
    saved: dict[str, str] = json.loads(raw)
    return saved


def test_the_first_poll_logs_in_once_and_saves_the_session(
    bsky: Sandbox, bsky_settings: MakeSettings, sessions: sessionmaker[Session]
) -> None:
    settings = bsky_settings()

    poll_bluesky(settings, sessions, clock=bsky.clock.now)

    assert bsky.requests(LOGIN) == 1
    saved = _saved(sessions)
    assert saved["base_url"] == bsky.url
    assert saved["handle"] == "keep4o-bot.sandbox.test"
    assert saved["session"].startswith("keep4o-bot.sandbox.test:::did:plc:")


def test_a_restart_reuses_the_saved_session_without_logging_in(
    bsky: Sandbox, bsky_settings: MakeSettings, bsky_post: AddPost, sessions: sessionmaker[Session]
) -> None:
    settings = bsky_settings()
    poll_bluesky(settings, sessions, clock=bsky.clock.now)
    post = bsky_post("#keep4o after the restart", ago=timedelta(seconds=30))

    # A new poll builds a new atproto Client from the stored session string.
    summary = poll_bluesky(settings, sessions, clock=bsky.clock.now)

    assert bsky.requests(LOGIN) == 1
    assert summary.new == 1
    assert post.uri


def _expire_saved_access_token(sessions: sessionmaker[Session]) -> None:
    """As if the bot was down longer than the access token lives (the SDK reads ``exp`` unverified)."""
    saved = _saved(sessions)
    handle, did, access, refresh, pds = saved["session"].split(":::")
    header, payload, signature = access.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["exp"] = int(datetime.now(UTC).timestamp()) - 3600
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    session = ":::".join([handle, did, f"{header}.{payload}.{signature}", refresh, pds])
    with sessions.begin() as db:
        set_checkpoint(db, SESSION, json.dumps({**saved, "session": session}), datetime.now(UTC))


def test_a_refreshed_session_is_saved_because_refresh_tokens_rotate(
    bsky: Sandbox, bsky_settings: MakeSettings, sessions: sessionmaker[Session]
) -> None:
    settings = bsky_settings(queries=["#keep4o"])
    poll_bluesky(settings, sessions, clock=bsky.clock.now)
    first_refresh_token = _saved(sessions)["session"].split(":::")[3]
    _expire_saved_access_token(sessions)
    poll_bluesky(settings, sessions, clock=bsky.clock.now)  # the SDK refreshes before its call
    assert bsky.requests(REFRESH) == 1
    assert _saved(sessions)["session"].split(":::")[3] != first_refresh_token
    # Hours later the first refresh token is revoked; only the saved, rotated one still works.
    bsky.clock.advance(timedelta(hours=3))
    _expire_saved_access_token(sessions)

    poll_bluesky(settings, sessions, clock=bsky.clock.now)

    assert bsky.requests(REFRESH) == 2
    assert bsky.requests(LOGIN) == 1


def test_an_unreadable_saved_session_means_one_fresh_login(
    bsky: Sandbox, bsky_settings: MakeSettings, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as db:
        set_checkpoint(db, SESSION, "not json", datetime.now(UTC))

    poll_bluesky(bsky_settings(), sessions, clock=bsky.clock.now)

    assert bsky.requests(LOGIN) == 1
    assert _saved(sessions)["handle"] == "keep4o-bot.sandbox.test"


def test_a_session_saved_for_another_server_is_not_reused(
    bsky: Sandbox, bsky_settings: MakeSettings, sessions: sessionmaker[Session]
) -> None:
    settings = bsky_settings()
    poll_bluesky(settings, sessions, clock=bsky.clock.now)
    saved = _saved(sessions)
    with sessions.begin() as db:
        set_checkpoint(
            db, SESSION, json.dumps({**saved, "base_url": "https://bsky.social"}), bsky.clock.now()
        )

    poll_bluesky(settings, sessions, clock=bsky.clock.now)

    assert bsky.requests(LOGIN) == 2


def test_a_wrong_app_password_is_one_clear_error_without_the_password(
    bsky: Sandbox, bsky_settings: MakeSettings, sessions: sessionmaker[Session]
) -> None:
    base = bsky_settings()
    wrong = dataclasses.replace(base.secrets, bluesky_app_password=SecretStr("hunter2-wrong"))

    with pytest.raises(BlueskyError) as failure:
        poll_bluesky(dataclasses.replace(base, secrets=wrong), sessions, clock=bsky.clock.now)

    message = str(failure.value)
    assert message.startswith(
        "bluesky: login as keep4o-bot.sandbox.test refused: 401 AuthenticationRequired: "
        "Invalid identifier or password"
    )
    assert "hunter2" not in message
    assert "\n" not in message


def test_tokens_never_reach_the_logs(
    bsky: Sandbox,
    bsky_settings: MakeSettings,
    sessions: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = bsky_settings()
    poll_bluesky(settings, sessions, clock=bsky.clock.now)
    poll_bluesky(settings, sessions, clock=bsky.clock.now)

    session = _saved(sessions)["session"]
    _, _, access, refresh, _ = session.split(":::")
    assert access not in caplog.text
    assert refresh not in caplog.text
    assert "sandbox-app-password" not in caplog.text


def test_requests_are_counted_by_method_and_the_remaining_rate_limit_is_read(
    bsky: Sandbox, bsky_settings: MakeSettings, sessions: sessionmaker[Session]
) -> None:
    with BlueskyApi(bsky_settings(), sessions, clock=bsky.clock.now) as api:
        api.login()
        for _ in range(2):
            api.call("getSession", lambda c: c.com.atproto.server.get_session())

    assert api.requests == 3
    assert dict(api.calls) == {"com.atproto.server.createSession": 1, "com.atproto.server.getSession": 2}
    assert api.ratelimit_remaining == 3000 - 3  # the PDS's 3000 requests per 5 minutes
