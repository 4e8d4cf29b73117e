"""The Bluesky collector against Bluesky's own reference PDS and AppView (``bsky-devenv``).

The bot is alice.test; bob.test posts. The reference AppView's search is a case-sensitive
substring match that ignores ``since``/``sort``, hence the query ``keep4o`` (it is inside
``#keep4o``). Posts become searchable 1-3 s after they are written, so the tests poll until
they see them (a generous deadline for synchronisation, not a speed check).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from atproto import Client, client_utils
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings, load_settings
from bot.sources import poll_bluesky, refresh_bluesky
from bot.sources._bluesky_api import BlueskyApi
from bot.storage import Post

if TYPE_CHECKING:
    from tests.conftest import Devenv

pytestmark = pytest.mark.devenv

CAMPAIGN = """
[campaign]
name = "keep4o-devenv"
title = "#keep4o on the reference network"

[match]
hashtags = ["keep4o"]

[bluesky]
handle = "alice.test"
queries = ["keep4o"]
base_url = "{pds}"

[database]
url = "{db_url}"

[sandbox]
enabled = true
"""


@pytest.fixture
def settings(devenv: Devenv, db_url: str, tmp_path: Path) -> Settings:
    path = tmp_path / "devenv.toml"
    path.write_text(CAMPAIGN.format(pds=devenv.pds, db_url=db_url), encoding="utf-8")
    return load_settings(path, environ={"BLUESKY_APP_PASSWORD": devenv.password})


def _login(devenv: Devenv, handle: str) -> Client:
    client = Client(base_url=devenv.pds)
    client.login(handle, devenv.password)
    return client


@pytest.fixture
def bob(devenv: Devenv) -> Client:
    return _login(devenv, "bob.test")


@pytest.fixture
def run() -> str:
    """A marker of this test run: the network keeps the posts of earlier runs."""
    return uuid.uuid4().hex[:10]


def _stored(sessions: sessionmaker[Session]) -> dict[str, Post]:
    with sessions() as db:
        return {p.platform_id: p for p in db.scalars(select(Post))}


def _eventually(step: Callable[[], object], done: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        step()
        if done():
            return
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.5)


def test_tagged_posts_of_another_account_are_found_and_the_bots_own_are_not(
    devenv: Devenv, settings: Settings, sessions: sessionmaker[Session], bob: Client, run: str
) -> None:
    tagged = bob.send_post(
        client_utils.TextBuilder().text(f"run {run}: still here ").tag("#keep4o", "keep4o")
    )
    linked = bob.send_post(
        client_utils.TextBuilder()
        .text(f"run {run} keep4o, sign ")
        .link("the petition", "https://example.org/p")
    )
    own = _login(devenv, "alice.test").send_post(f"run {run} today's #keep4o digest")

    _eventually(
        lambda: poll_bluesky(settings, sessions),
        lambda: {tagged.uri, linked.uri} <= set(_stored(sessions)),
        "find bob's posts",
    )

    stored = _stored(sessions)
    assert own.uri not in stored
    post = stored[tagged.uri]
    assert (post.author_handle, post.text, post.lang) == ("bob.test", f"run {run}: still here #keep4o", "en")
    assert post.matched_terms == ["keep4o"]
    assert post.url.startswith("https://bsky.app/profile/did:plc:")


def test_a_deleted_post_is_purged_after_refresh(
    settings: Settings, sessions: sessionmaker[Session], bob: Client, run: str
) -> None:
    keep = bob.send_post(f"run {run} #keep4o staying")
    regret = bob.send_post(f"run {run} #keep4o deleting this")
    _eventually(
        lambda: poll_bluesky(settings, sessions),
        lambda: {keep.uri, regret.uri} <= set(_stored(sessions)),
        "find both posts",
    )

    bob.delete_post(regret.uri)
    _eventually(
        lambda: refresh_bluesky(settings, sessions),
        lambda: _stored(sessions)[regret.uri].state == "deleted",
        "purge the deleted post",
    )

    gone, kept = _stored(sessions)[regret.uri], _stored(sessions)[keep.uri]
    assert (gone.text, gone.author_handle, gone.author_id) == (None, None, None)
    assert kept.state == "live"


def test_a_restart_reuses_the_saved_session_without_a_second_create_session(
    settings: Settings, sessions: sessionmaker[Session]
) -> None:
    with BlueskyApi(settings, sessions, clock=_now) as first:
        first.login()
        first.call("getSession", lambda c: c.com.atproto.server.get_session())
    assert first.calls["com.atproto.server.createSession"] == 1

    # A restart: a new atproto Client, built from the session string saved in the database.
    with BlueskyApi(settings, sessions, clock=_now) as restarted:
        restarted.login()
        me = restarted.call("getSession", lambda c: c.com.atproto.server.get_session())

    assert me.handle == "alice.test"
    assert dict(restarted.calls) == {"com.atproto.server.getSession": 1}


def _now() -> datetime:
    return datetime.now(UTC)
