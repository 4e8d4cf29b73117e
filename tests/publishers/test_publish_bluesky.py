"""The digest as a Bluesky thread, through the sandbox with the real atproto SDK, read back."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from atproto import Client
from publish_support import (
    Clock,
    SimulatedCrash,
    assert_thread_reads_back,
    crash_after_publish,
    edition,
    thread_posts,
)
from pydantic import SecretStr
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings, load_settings
from bot.digest import render_bluesky, run_digest, to_json
from bot.publishers import (
    LEASE,
    BlueskyPublisher,
    NotDelivered,
    bluesky_login,
    deliver_one,
    ensure_bot_label,
    store_edition,
)
from bot.sandbox import BlueskyAccount, Sandbox, World
from bot.sandbox import Clock as SandboxClock
from bot.sandbox._campaign import BLUESKY_APP_PASSWORD, BLUESKY_DID, BLUESKY_HANDLE
from bot.sources import poll_bluesky
from bot.storage import get_checkpoint
from tests.digest.digest_data import DAY


@pytest.fixture
def bsky() -> Iterator[Sandbox]:
    """A sandbox holding only the bot's account, not yet labelled a bot, its clock frozen at the real time.

    The real time because the SDK refreshes a token whose expiry (sandbox time) looks past (real time).
    """
    world = World()
    world.add_account(
        BlueskyAccount(BLUESKY_DID, BLUESKY_HANDLE, "keep4o digest", BLUESKY_APP_PASSWORD, is_bot=False)
    )
    with Sandbox(
        world=world, clock=SandboxClock(datetime.now(UTC).replace(microsecond=0), speed=0)
    ) as running:
        yield running


@pytest.fixture
def settings(bsky: Sandbox, tmp_path: Path) -> Settings:
    return load_settings(bsky.write_config(tmp_path / "campaign" / "keep4o.toml", "sqlite://"), environ={})


LOGIN = "/xrpc/com.atproto.server.createSession"


def _reader(bsky: Sandbox) -> Client:
    client = Client(base_url=bsky.url)
    client.login(BLUESKY_HANDLE, BLUESKY_APP_PASSWORD)
    return client


def _bot_posts(bsky: Sandbox) -> int:
    with bsky.world.lock:
        return sum(1 for p in bsky.world.bluesky_posts.values() if p.did == BLUESKY_DID and not p.deleted)


def test_the_thread_reads_back_in_order_with_reply_refs_facets_card_and_chart(
    bsky: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    expected = render_bluesky(edition().content).posts
    remote = BlueskyPublisher(lambda: bluesky_login(settings, sessions)).publish(edition(), look_first=False)
    chain = thread_posts(_reader(bsky), remote.id)
    assert_thread_reads_back(chain, expected)
    root = chain[0]
    assert any((s.text, f"#{s.tag}") == ("#keep4o", "#keep4o") for p in expected for s in p.segments)
    assert root.record.embed.external.uri == "https://www.change.org/p/keep-gpt-4o"
    (image,) = chain[1].record.embed.images
    assert image.alt.startswith(
        "Line chart of signatures on the petition “Keep GPT-4o available” over 30 days"
    )
    assert remote.url == f"https://bsky.app/profile/{BLUESKY_HANDLE}/post/{remote.id.rsplit('/', 1)[1]}"


def test_the_account_labels_itself_a_bot_once(
    bsky: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    account = bluesky_login(settings, sessions)
    assert ensure_bot_label(account) is True
    assert ensure_bot_label(account) is False
    profile = account.client.com.atproto.repo.get_record(
        {"repo": BLUESKY_DID, "collection": "app.bsky.actor.profile", "rkey": "self"}
    ).value
    assert [label.val for label in profile.labels.values] == ["bot"]
    assert profile.display_name == "keep4o digest"  # the rest of the profile is kept


def test_a_crash_in_the_middle_of_a_thread_resumes_without_repeating_posts(
    bsky: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    n = len(render_bluesky(edition().content).posts)

    def crash_after_second(index: int) -> None:
        if index == 1:
            raise SimulatedCrash("killed mid-thread")

    with pytest.raises(SimulatedCrash):
        BlueskyPublisher(lambda: bluesky_login(settings, sessions), after_post=crash_after_second).publish(
            edition(), look_first=False
        )
    assert _bot_posts(bsky) == 2
    remote = BlueskyPublisher(lambda: bluesky_login(settings, sessions)).publish(edition(), look_first=True)
    assert remote.found is False  # the missing parts were posted
    assert _bot_posts(bsky) == n
    assert len(thread_posts(_reader(bsky), remote.id)) == n


def test_a_thread_the_appview_cannot_show_yet_is_retried_later_not_posted_again(
    bsky: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    n = len(render_bluesky(edition().content).posts)

    def crash_after_first(index: int) -> None:
        raise SimulatedCrash("killed mid-thread")

    with pytest.raises(SimulatedCrash):
        BlueskyPublisher(lambda: bluesky_login(settings, sessions), after_post=crash_after_first).publish(
            edition(), look_first=False
        )
    bsky.inject("/xrpc/app.bsky.feed.getPostThread", "not_found")
    publisher = BlueskyPublisher(lambda: bluesky_login(settings, sessions))
    with pytest.raises(NotDelivered) as refused:
        publisher.publish(edition(), look_first=True)
    assert refused.value.permanent is False  # the daemon retries the run
    assert _bot_posts(bsky) == 1
    remote = publisher.publish(edition(), look_first=True)
    assert _bot_posts(bsky) == n
    assert len(thread_posts(_reader(bsky), remote.id)) == n


def test_a_crash_between_posting_and_recording_does_not_post_twice(
    bsky: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    clock = Clock()
    with pytest.raises(SimulatedCrash):
        run_digest(
            settings,
            sessions,
            clock=clock,
            publishers=[BlueskyPublisher(lambda: bluesky_login(settings, sessions))],
            after_publish=crash_after_publish,
        )
    posted = _bot_posts(bsky)
    clock.advance(LEASE + timedelta(minutes=1))
    result = run_digest(
        settings,
        sessions,
        clock=clock,
        publishers=[BlueskyPublisher(lambda: bluesky_login(settings, sessions))],
    )
    (outcome,) = result.outcomes
    assert (outcome.status, outcome.found) == ("done", True)
    assert _bot_posts(bsky) == posted


def _publish_digests(settings: Settings, sessions: sessionmaker[Session], days: int) -> None:
    """``days`` digest runs, each with a publisher of its own, as the daemon makes them."""
    for offset in range(days):
        publisher = BlueskyPublisher(lambda: bluesky_login(settings, sessions))
        publisher.publish(edition(DAY + timedelta(days=offset)), look_first=True)


def test_publishing_resumes_the_collectors_saved_session_instead_of_logging_in(
    bsky: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    poll_bluesky(settings, sessions, clock=bsky.clock.now)  # the collector logs in and saves its session

    _publish_digests(settings, sessions, days=2)

    assert bsky.requests(LOGIN) == 1  # Bluesky allows 300 a day per account
    assert _bot_posts(bsky) == 2 * len(render_bluesky(edition().content).posts)


def test_without_a_saved_session_the_first_digest_logs_in_and_later_ones_resume_it(
    bsky: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    _publish_digests(settings, sessions, days=3)

    assert bsky.requests(LOGIN) == 1
    with sessions() as db:
        assert get_checkpoint(db, "bluesky:session") is not None


def test_a_saved_session_the_server_no_longer_accepts_gets_one_fresh_login(
    bsky: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    _publish_digests(settings, sessions, days=1)
    bsky.clock.advance(timedelta(days=91))  # down longer than a refresh token lives: ExpiredToken

    _publish_digests(settings, sessions, days=2)  # the first day is found, the second posted

    assert bsky.requests(LOGIN) == 2
    assert _bot_posts(bsky) == 2 * len(render_bluesky(edition().content).posts)


def test_a_refused_login_is_not_delivered_and_names_the_account(
    bsky: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    wrong = dataclasses.replace(settings.secrets, bluesky_app_password=SecretStr("not-the-app-password"))
    publisher = BlueskyPublisher(
        lambda: bluesky_login(dataclasses.replace(settings, secrets=wrong), sessions)
    )
    with pytest.raises(NotDelivered, match=f"^bluesky: login as {BLUESKY_HANDLE} refused: 401 ") as refused:
        publisher.publish(edition(), look_first=False)
    assert refused.value.permanent
    assert _bot_posts(bsky) == 0


def test_a_refused_first_post_is_not_delivered_and_not_retried_in_the_run(
    bsky: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    bsky.inject("/xrpc/com.atproto.repo.createRecord", "not_found")
    with pytest.raises(NotDelivered, match=r"^bluesky: BadRequestError: ") as refused:
        BlueskyPublisher(lambda: bluesky_login(settings, sessions)).publish(edition(), look_first=False)
    assert refused.value.permanent  # nothing of the thread exists: the run may say so for sure
    assert _bot_posts(bsky) == 0


def test_a_post_refused_partway_through_the_thread_leaves_it_to_a_look_that_completes_it(
    bsky: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    def refuse_the_next(index: int) -> None:
        if index == 0:
            bsky.inject("/xrpc/com.atproto.repo.createRecord", "not_found")

    clock = Clock()
    half_done = deliver_one(
        sessions,
        store_edition(sessions, "digest", edition().key, to_json(edition().content), clock())[0],
        edition(),
        BlueskyPublisher(lambda: bluesky_login(settings, sessions), after_post=refuse_the_next),
        clock=clock,
        sleep=lambda seconds: None,
    )
    n = len(render_bluesky(edition().content).posts)
    assert (half_done.status, half_done.found) == ("done", False)  # the run's next try looked first
    assert _bot_posts(bsky) == n
    assert len(thread_posts(_reader(bsky), half_done.remote_id or "")) == n
