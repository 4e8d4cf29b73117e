"""The Reddit collector over the sandbox's generated campaign world (seed 7) as time passes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox import RedditPost, Sandbox
from bot.sources import Matcher, poll_reddit, refresh_reddit
from tests.sources.reddit_sandbox import make_settings, stored


def campaign_posts(sb: Sandbox, matcher: Matcher, subreddits: list[str]) -> dict[str, RedditPost]:
    """What /new can show of the campaign right now, newest first, within Reddit's 1000-item cap."""
    listed = [
        p
        for p in sb.world.visible_reddit(sb.clock.now())
        if p.removed_by_category is None and p.subreddit in subreddits
    ][:1000]
    return {p.fullname: p for p in listed if matcher.terms([p.title, p.selftext], urls=[p.url or ""])}


def test_polls_and_refreshes_follow_the_generated_world(
    sandbox: Sandbox, tmp_path: Path, db_url: str, sessions: sessionmaker[Session]
) -> None:
    settings = make_settings(sandbox, tmp_path, db_url)
    assert settings.config.reddit is not None
    subreddits = settings.config.reddit.subreddits
    matcher = Matcher(settings.config.match, settings.config.care)
    expected = campaign_posts(sandbox, matcher, subreddits)

    first = poll_reddit(settings, sessions, clock=sandbox.clock.now)
    assert first.new == len(expected) > 50
    assert first.requests == 10  # the listing ends at 1000 items
    assert set(stored(sessions)) == set(expected)

    sandbox.reset_counters()
    quiet = poll_reddit(settings, sessions, clock=sandbox.clock.now)
    assert (quiet.new, quiet.requests, sandbox.requests("/r/")) == (0, 1, 1)

    sandbox.clock.advance(timedelta(days=1))
    next_day = poll_reddit(settings, sessions, clock=sandbox.clock.now)
    # Read after the poll: the world's timeline (removals, scores) catches up on each request.
    arrived = set(campaign_posts(sandbox, matcher, subreddits)) - set(expected)
    assert next_day.new == len(arrived) > 0

    known = stored(sessions)
    gone = [
        fullname
        for fullname, post in sandbox.world.reddit_posts.items()
        if fullname in known and post.removed_by_category is not None
    ]
    refreshed = refresh_reddit(settings, sessions, clock=sandbox.clock.now)
    assert refreshed.updated > 0
    assert refreshed.removed == len(gone)
    after = stored(sessions)
    assert all(after[f].text is None and after[f].state != "live" for f in gone)
