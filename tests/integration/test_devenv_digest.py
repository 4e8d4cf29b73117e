"""The digest thread on Bluesky's own reference PDS and AppView (``bsky-devenv``), read back.

alice.test is the bot. Each run's campaign title carries a fresh marker, because the
network keeps the posts of earlier runs. The AppView indexes a post 1-3 s after it is
written, so reads poll until they see it (a deadline for synchronisation, not a speed check).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
from atproto import Client
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings, load_settings
from bot.digest import (
    BlueskyThread,
    Conversation,
    DayCount,
    DigestContent,
    NameCount,
    PetitionReport,
    PlatformActivity,
    TopPost,
    day_period,
    render_bluesky,
)
from bot.publishers import BlueskyPublisher, Edition, NotDelivered, Remote, bluesky_login, ensure_bot_label
from tests.publishers.publish_support import assert_thread_reads_back, thread_posts

if TYPE_CHECKING:
    from tests.conftest import Devenv

pytestmark = pytest.mark.devenv

T = TypeVar("T")
CAMPAIGN = """
[campaign]
name = "keep4o-devenv"
title = "#keep4o"

[match]
hashtags = ["keep4o"]

[bluesky]
handle = "alice.test"
queries = ["keep4o"]
base_url = "{pds}"

[sandbox]
enabled = true
"""


@pytest.fixture
def settings(devenv: Devenv, tmp_path: Path) -> Settings:
    path = tmp_path / "devenv.toml"
    path.write_text(CAMPAIGN.format(pds=devenv.pds), encoding="utf-8")
    return load_settings(path, environ={"BLUESKY_APP_PASSWORD": devenv.password})


def _content(marker: str) -> DigestContent:
    day = date(2026, 2, 20)
    period = day_period(day, "Europe/Amsterdam")
    petition = PetitionReport(
        "changeorg-keep-gpt-4o",
        "Keep GPT-4o available",
        "https://www.change.org/p/keep-gpt-4o",
        21512,
        period.end - timedelta(minutes=5),
        25000,
        "open",
        312,
        2104,
        13.0,
        22000,
        None,
        None,
        "not enough data for a pace",
        (),
        False,
        tuple(DayCount(day - timedelta(days=d), 21512 - 300 * d) for d in range(6, -1, -1)),
    )
    posts = tuple(
        TopPost(
            "bluesky",
            f"https://bsky.app/profile/bob.test/post/{i}",
            f"保留4o 👩‍👩‍👧‍👦 e\u0301 #keep4o {i} " * 4,
            None,
            9,
            1,
            2,
        )
        for i in range(3)
    )
    conversation = Conversation(
        (PlatformActivity("bluesky", 211, 180.3, "current", period.end, posts),),
        1,
        (),
        (NameCount("en", 200),),
        12,
    )
    return DigestContent(f"#keep4o {marker}", "keep4o", period, (petition,), conversation, (), None)


def _eventually(read: Callable[[], T | None], deadline: float = 30.0) -> T:
    end = time.monotonic() + deadline
    while True:
        found = read()
        if found is not None:
            return found
        if time.monotonic() > end:
            pytest.fail("the reference AppView did not show the posts in time")
        time.sleep(0.5)


def _retried(publisher: BlueskyPublisher, item: Edition) -> Remote | None:
    """One publishing attempt as the daemon makes them; None when it is to be retried."""
    try:
        return publisher.publish(item, look_first=True)
    except NotDelivered as exc:
        if exc.permanent:
            raise
        return None


def _root_indexed(publisher: BlueskyPublisher, thread: BlueskyThread) -> bool | None:
    """True once the author feed shows the thread's root; None until then."""
    try:
        return True if publisher.find(thread) else None
    except NotDelivered:  # the root is in the feed, but the AppView cannot show its thread yet
        return True


def _chain(client: Client, root_uri: str, n: int) -> list[Any] | None:
    """The thread's posts from the root down once all ``n`` are indexed, else None."""
    try:
        out = thread_posts(client, root_uri, depth=n + 1)
    except Exception:  # not indexed yet: the AppView answers NotFound
        return None
    return out if len(out) == n else None


def test_a_digest_thread_on_the_reference_network_reads_back_with_order_refs_and_facets(
    devenv: Devenv, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    content = _content(uuid.uuid4().hex[:8])
    expected = render_bluesky(content).posts
    remote = BlueskyPublisher(lambda: bluesky_login(settings, sessions)).publish(
        Edition("digest", content.period.key, content), look_first=False
    )
    reader = Client(base_url=devenv.pds)
    reader.login("bob.test", devenv.password)
    chain = _eventually(lambda: _chain(reader, remote.id, len(expected)))
    assert_thread_reads_back(chain, expected)
    assert chain[0].embed.external.uri == "https://www.change.org/p/keep-gpt-4o"
    assert chain[1].embed.images[0].alt.startswith("Line chart of signatures")


def test_the_bot_label_is_on_the_reference_pds_profile(
    devenv: Devenv, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    account = bluesky_login(settings, sessions)
    ensure_bot_label(account)
    assert ensure_bot_label(account) is False
    record = account.client.com.atproto.repo.get_record(
        {"repo": account.did, "collection": "app.bsky.actor.profile", "rkey": "self"}
    ).value
    assert "bot" in [label.val for label in record.labels.values]


def test_a_thread_cut_short_by_a_crash_is_completed_from_the_author_feed(
    devenv: Devenv, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    content = _content(uuid.uuid4().hex[:8])
    item = Edition("digest", content.period.key, content)
    n = len(render_bluesky(content).posts)

    class Crash(BaseException):
        pass

    def crash_after_first(index: int) -> None:
        raise Crash

    with pytest.raises(Crash):
        BlueskyPublisher(lambda: bluesky_login(settings, sessions), after_post=crash_after_first).publish(
            item, look_first=False
        )
    publisher = BlueskyPublisher(lambda: bluesky_login(settings, sessions))
    thread = render_bluesky(content)
    _eventually(lambda: _root_indexed(publisher, thread))
    remote = _eventually(lambda: _retried(publisher, item))
    reader = Client(base_url=devenv.pds)
    reader.login("bob.test", devenv.password)
    assert len(_eventually(lambda: _chain(reader, remote.id, n))) == n
