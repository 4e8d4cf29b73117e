"""The Reddit listing poll with the real PRAW against the sandbox, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from bot import __version__
from bot.config import Care, Match, Settings
from bot.sandbox import Sandbox
from bot.sources import Matcher, PollSummary, RedditError, poll_reddit, polled_checkpoint
from bot.sources._record import MAX_COUNT
from bot.sources._reddit import Mark, _until_checkpoint, _Walk, listing_checkpoint
from bot.sources._reddit_client import user_agent
from bot.storage import Checkpoint
from tests.sources.reddit_sandbox import (
    NOW,
    add,
    checkpoints,
    make_settings,
    post_count,
    stored,
)


def poll(settings: Settings, sessions: sessionmaker[Session], sb: Sandbox) -> PollSummary:
    return poll_reddit(settings, sessions, clock=sb.clock.now)


def test_a_first_poll_stores_only_campaign_posts_of_the_configured_subreddits(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    add(sb, 1, minutes_ago=5)
    add(sb, 2, minutes_ago=4, selftext="Nothing about the campaign here.")
    add(sb, 3, minutes_ago=3, subreddit="technology")
    add(sb, 4, minutes_ago=2, subreddit="OpenAI", title="Keep GPT-4o!", selftext="")
    summary = poll(settings, sessions, sb)
    assert (summary.source, summary.new, summary.updated, summary.removed, summary.requests) == (
        "reddit",
        2,
        0,
        0,
        1,
    )
    assert set(stored(sessions)) == {"t3_p00001", "t3_p00004"}


def test_a_stored_post_carries_the_normalised_fields(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    add(sb, 1, minutes_ago=5, title="Bring back GPT-4o", score=12)
    poll(settings, sessions, sb)
    post = stored(sessions)["t3_p00001"]
    assert post.url == "https://www.reddit.com/r/ChatGPT/comments/p00001/bring_back_gpt4o/"
    assert (post.author_handle, post.community, post.title) == ("user1", "ChatGPT", "Bring back GPT-4o")
    assert post.created_at == datetime(2026, 3, 1, 11, 55, tzinfo=UTC)
    assert post.matched_terms == ["keep4o", "keep 4o", "bring back GPT-4o"]
    assert (post.likes, post.replies, post.lang, post.first_seen_at) == (12, 1, "en", NOW)


def test_the_checkpoint_is_the_newest_post_of_the_listing_matching_or_not(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    add(sb, 1, minutes_ago=5)
    newest = add(sb, 2, minutes_ago=1, selftext="unrelated")
    poll(settings, sessions, sb)
    assert settings.config.reddit is not None
    mark = json.loads(checkpoints(sessions)[listing_checkpoint(settings.config.reddit.subreddits)])
    assert mark == {"fullname": "t3_p00002", "created_utc": newest.created_at.timestamp()}


def test_a_quiet_poll_is_exactly_one_request(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    for n in range(150):
        add(sb, n, minutes_ago=300 - n)
    poll(settings, sessions, sb)
    sb.reset_counters()
    summary = poll(settings, sessions, sb)
    assert (summary.new, summary.updated, summary.requests) == (0, 0, 1)
    assert sb.requests("/r/") == 1


def test_a_finished_poll_leaves_its_mark_even_with_nothing_new_and_a_failed_one_does_not(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    def marked() -> datetime | None:
        with sessions() as session:
            return session.get(Checkpoint, polled_checkpoint("reddit")).updated_at  # type: ignore[union-attr]

    poll(settings, sessions, sb)
    assert marked() == sb.clock.now()
    first = sb.clock.now()
    sb.clock.advance(timedelta(minutes=10))
    sb.inject("/r/", "503", times=20)
    with pytest.raises(RedditError):
        poll_reddit(settings, sessions, clock=sb.clock.now, sleep=lambda _: None)
    assert marked() == first


def test_the_next_poll_stores_only_what_is_new(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    for n in range(10):
        add(sb, n, minutes_ago=100 - n)
    poll(settings, sessions, sb)
    for n in range(10, 13):
        add(sb, n, minutes_ago=1)
    sb.reset_counters()
    summary = poll(settings, sessions, sb)
    assert (summary.new, summary.requests) == (3, 1)
    assert post_count(sessions) == 13


def test_more_than_a_page_of_new_posts_is_read_across_pages(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    add(sb, 0, minutes_ago=1000)
    poll(settings, sessions, sb)
    for n in range(1, 251):
        add(sb, n, minutes_ago=500 - n)
    sb.reset_counters()
    summary = poll(settings, sessions, sb)
    assert (summary.new, summary.requests) == (250, 3)
    assert sb.requests("/r/") == 3
    assert post_count(sessions) == 251


def test_a_first_poll_reads_the_whole_listing(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    for n in range(230):
        add(sb, n, minutes_ago=1000 - n)
    summary = poll(settings, sessions, sb)
    assert (summary.new, summary.requests) == (230, 3)


def test_a_removed_checkpoint_post_still_stops_the_next_poll(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    for n in range(120):
        add(sb, n, minutes_ago=500 - n)
    poll(settings, sessions, sb)
    sb.world.remove_reddit_post("t3_p00119")
    add(sb, 200, minutes_ago=1)
    sb.reset_counters()
    summary = poll(settings, sessions, sb)
    assert (summary.new, summary.requests) == (1, 1)


def test_reading_the_same_posts_twice_never_duplicates_them(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    for n in range(30):
        add(sb, n, minutes_ago=100 - n)
    poll(settings, sessions, sb)
    with sessions.begin() as session:
        session.execute(delete(Checkpoint))  # forgotten: the next poll reads everything again
    summary = poll(settings, sessions, sb)
    assert (summary.new, summary.updated) == (0, 0)
    assert post_count(sessions) == 30


def test_changed_scores_seen_in_the_listing_count_as_updated(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    first = add(sb, 1, minutes_ago=10)
    poll(settings, sessions, sb)
    first.score = 40
    with sessions.begin() as session:
        session.execute(delete(Checkpoint))
    summary = poll(settings, sessions, sb)
    assert (summary.new, summary.updated) == (0, 1)
    assert stored(sessions)["t3_p00001"].likes == 40


def test_read_only_credentials_poll_as_well(
    sb: Sandbox, tmp_path: Path, db_url: str, sessions: sessionmaker[Session]
) -> None:
    settings = make_settings(sb, tmp_path, db_url, script=False)
    assert settings.secrets.reddit_username is None
    add(sb, 1, minutes_ago=1)
    assert poll(settings, sessions, sb).new == 1


def test_the_user_agent_follows_reddits_required_form(settings: Settings) -> None:
    assert settings.config.reddit is not None
    assert user_agent(settings.config.reddit) == f"python:keep4o-bot:v{__version__} (by /u/keep4o_bot)"


def test_nul_characters_and_impossible_counts_are_made_storable(
    sb: Sandbox, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    # PostgreSQL refuses NUL in text and integers past 2**31, and a lone surrogate (JSON can
    # carry "\ud800") is not UTF-8: any of them would have the whole page refused, every poll.
    add(sb, 1, minutes_ago=5, title="bad\x00title #keep4o", score=2**31)
    add(sb, 2, minutes_ago=4, selftext="lone \ud800 surrogate #keep4o", score=-(2**40))
    add(sb, 3, minutes_ago=3)

    assert poll(settings, sessions, sb).new == 3

    posts = stored(sessions)
    assert (posts["t3_p00001"].title, posts["t3_p00001"].likes) == ("badtitle #keep4o", MAX_COUNT)
    assert (posts["t3_p00002"].text, posts["t3_p00002"].likes) == (
        "lone \ufffd surrogate #keep4o",
        -MAX_COUNT,
    )


class _Listing:
    """Listing pages as RedditClient.listing returns them: the sandbox serves no post from the future."""

    def __init__(self, *pages: list[dict[str, object]]) -> None:
        self.pages = list(pages)

    def listing(self, path: str, params: object) -> tuple[list[dict[str, object]], str | None]:
        return self.pages.pop(0), None


def _t3(n: int, created: datetime) -> dict[str, object]:
    return {
        "name": f"t3_p{n}",
        "title": f"#keep4o {n}",
        "permalink": f"/r/ChatGPT/comments/p{n}/x/",
        "created_utc": created.timestamp(),
        "subreddit": "ChatGPT",
    }


def test_a_post_claiming_to_be_from_the_future_does_not_hide_the_posts_after_it(
    sessions: sessionmaker[Session],
) -> None:
    now = [datetime(2026, 3, 1, 12, tzinfo=UTC)]
    future = _t3(1, datetime(3000, 1, 1, tzinfo=UTC))  # Reddit's /new would keep it on top for good
    client = _Listing([future, _t3(2, now[0] - timedelta(minutes=4))])
    walk = _Walk(client, sessions, Matcher(Match(hashtags=["keep4o"]), Care()), lambda: now[0], set())  # type: ignore[arg-type]
    checkpoint = listing_checkpoint(["ChatGPT"])

    def run() -> None:
        mark = Mark.loads(checkpoints(sessions).get(checkpoint))
        walk.run("r/ChatGPT/new", {}, checkpoint=checkpoint, stop=_until_checkpoint(mark), max_pages=10)

    run()
    now[0] += timedelta(minutes=10)
    client.pages.append(
        [future, _t3(3, now[0] - timedelta(minutes=5)), _t3(2, now[0] - timedelta(minutes=14))]
    )
    run()

    assert set(stored(sessions)) == {"t3_p1", "t3_p2", "t3_p3"}
