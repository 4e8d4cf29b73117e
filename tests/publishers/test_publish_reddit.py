"""The digest as a Reddit self-post, through the sandbox with the real PRAW client."""

from __future__ import annotations

import dataclasses
import time
from datetime import timedelta
from pathlib import Path

import pytest
from publish_support import Clock, SimulatedCrash, crash_after_publish, edition
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings, load_settings
from bot.digest import run_digest, to_json
from bot.publishers import (
    LEASE,
    NotDelivered,
    RedditPublisher,
    deliver_one,
    make_publishers,
    reddit_client,
    store_edition,
)
from bot.sandbox import Sandbox
from bot.sources import poll_reddit
from tests.digest.digest_data import DAY
from tests.sources.reddit_sandbox import make_settings

TOKEN = "/api/v1/access_token"


@pytest.fixture
def settings(sandbox: Sandbox, tmp_path: Path) -> Settings:
    return load_settings(sandbox.write_config(tmp_path / "campaign" / "keep4o.toml", "sqlite://"), environ={})


def test_the_digest_is_a_markdown_self_post_with_a_table_flagged_as_a_bot(
    sandbox: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    (publisher,) = make_publishers(settings, ["reddit"], sessions)
    remote = publisher.publish(edition(), look_first=False)
    (post,) = sandbox.world.submitted
    assert (post.subreddit, post.author, post.title) == (
        "keep4o_sandbox",
        "keep4o_bot",
        edition().content.heading,
    )
    assert "| Petition | Signatures | Day | 7 days | Pace |" in post.selftext
    assert "| [Keep GPT-4o available](https://www.change.org/p/keep-gpt-4o) | 21,512 |" in post.selftext
    assert post.selftext.rstrip().endswith(
        "*Posted automatically by a bot (keep4o-bot). "
        "Authors are never tagged; posts about distress are counted, never quoted.*"
    )
    assert remote.id == post.fullname
    assert remote.url == f"{sandbox.url}/r/keep4o_sandbox/comments/{post.id}/"


def test_looking_first_finds_the_earlier_post_by_its_title_among_the_accounts_posts(
    sandbox: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    (publisher,) = make_publishers(settings, ["reddit"], sessions)
    first = publisher.publish(edition(), look_first=False)
    again = publisher.publish(edition(), look_first=True)
    assert (again.id, again.found) == (first.id, True)
    assert len(sandbox.world.submitted) == 1
    assert (sandbox.requests("/user/keep4o_bot/submitted"), sandbox.requests("/r/")) == (1, 0)


def test_without_the_accounts_post_list_the_look_reads_the_subreddit(
    sandbox: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    (publisher,) = make_publishers(settings, ["reddit"], sessions)
    first = publisher.publish(edition(), look_first=False)
    sandbox.inject("/user/", "not_found")  # a suspended or shadow-banned account's page
    again = publisher.publish(edition(), look_first=True)
    assert (again.id, again.found) == (first.id, True)
    assert sandbox.requests("/r/keep4o_sandbox/new") == 1


def test_a_crash_between_posting_and_recording_does_not_post_twice(
    sandbox: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    clock = Clock()
    publishers = make_publishers(settings, ["reddit"], sessions)
    with pytest.raises(SimulatedCrash):
        run_digest(settings, sessions, clock=clock, publishers=publishers, after_publish=crash_after_publish)
    clock.advance(LEASE + timedelta(minutes=1))
    result = run_digest(
        settings, sessions, clock=clock, publishers=make_publishers(settings, ["reddit"], sessions)
    )
    (outcome,) = result.outcomes
    assert (outcome.status, outcome.found) == ("done", True)
    assert len(sandbox.world.submitted) == 1
    assert outcome.remote_id == sandbox.world.submitted[0].fullname


def test_a_refused_post_is_not_delivered(sandbox: Sandbox, settings: Settings) -> None:
    publisher = RedditPublisher(lambda: reddit_client(settings), "x", "keep4o_bot")  # no such subreddit name
    with pytest.raises(NotDelivered, match="SUBREDDIT_NOEXIST") as refused:
        publisher.publish(edition(), look_first=False)
    assert refused.value.permanent
    assert sandbox.world.submitted == []


def test_posting_reuses_the_collectors_client_and_its_token(
    sandbox: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    poll_reddit(settings, sessions, clock=sandbox.clock.now)
    for _ in range(2):  # two digest runs, each with its own publishers
        (publisher,) = make_publishers(settings, ["reddit"], sessions)
        publisher.publish(edition(), look_first=True)
    assert sandbox.requests(TOKEN) == 1
    assert len(sandbox.world.submitted) == 1


def test_without_api_credentials_the_post_fails_for_good(
    sandbox: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    unset = dataclasses.replace(settings.secrets, reddit_client_id=None)
    (publisher,) = make_publishers(dataclasses.replace(settings, secrets=unset), ["reddit"], sessions)
    with pytest.raises(NotDelivered, match="REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET must be set") as failed:
        publisher.publish(edition(), look_first=False)
    assert failed.value.permanent
    assert sandbox.requests() == 0


def test_a_submission_that_may_have_arrived_is_never_sent_again_until_a_look_finds_it(
    sandbox: Sandbox, tmp_path: Path, sessions: sessionmaker[Session]
) -> None:
    # Reddit creates the post, but answers after the client (1 s timeout) has given up.
    sandbox.inject("/api/submit", "timeout", seconds=2)
    # Then every look at the account's posts in this run is rate limited.
    sandbox.inject("/user/", "429", times=2, seconds=1)
    settings = make_settings(sandbox, tmp_path, "sqlite://", timeout=1)
    clock = Clock()
    item = edition()
    digest_id, _ = store_edition(sessions, item.kind, item.key, to_json(item.content), clock())

    def until_posted(seconds: float) -> None:
        deadline = time.monotonic() + 10
        while not sandbox.world.submitted and time.monotonic() < deadline:
            time.sleep(0.05)

    (publisher,) = make_publishers(settings, ["reddit"], sessions)
    first = deliver_one(sessions, digest_id, item, publisher, clock=clock, sleep=until_posted)
    # prawcore would have resent the submission on its own after the timeout.
    assert sandbox.requests("/api/submit") == 1
    # Looking failed, which says nothing about the first try: the post may be there.
    assert first.status == "unknown"
    again = deliver_one(sessions, digest_id, item, publisher, clock=clock, sleep=until_posted)
    (post,) = sandbox.world.submitted
    assert (again.status, again.found, again.remote_id) == ("done", True, post.fullname)


def test_reddits_ratelimit_answer_is_not_delivered_for_now_and_a_later_try_posts_once(
    sandbox: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    (publisher,) = make_publishers(settings, ["reddit"], sessions)
    publisher.publish(edition(), look_first=False)
    sandbox.world.submit_interval = timedelta(minutes=10)
    next_day = DAY + timedelta(days=1)
    later = edition(next_day)
    with pytest.raises(NotDelivered, match=r"RATELIMIT: .*Take a break for 10 minutes") as limited:
        publisher.publish(later, look_first=False)
    assert not limited.value.permanent  # the next try in the run, or the next run, may post
    sandbox.clock.advance(timedelta(minutes=10))
    publisher.publish(later, look_first=True)
    assert [post.title for post in sandbox.world.submitted] == [
        edition().content.heading,
        later.content.heading,
    ]


def test_a_submission_answered_429_is_not_delivered_for_now_and_never_sent_twice(
    sandbox: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    sandbox.inject("/api/submit", "429", seconds=0)
    (publisher,) = make_publishers(settings, ["reddit"], sessions)
    with pytest.raises(NotDelivered, match=r"rate limited \(HTTP 429\)") as limited:
        publisher.publish(edition(), look_first=False)
    assert not limited.value.permanent
    assert (sandbox.requests("/api/submit"), sandbox.world.submitted) == (1, [])
    publisher.publish(edition(), look_first=True)
    assert len(sandbox.world.submitted) == 1
