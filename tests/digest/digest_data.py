"""Hand-built campaigns for digest tests: a small config, posts and petition snapshots as rows."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.config import Config
from bot.digest import (
    Conversation,
    DayCount,
    DigestContent,
    Milestone,
    NameCount,
    PetitionReport,
    PlatformActivity,
    SeedLink,
    TopPost,
    day_period,
)
from bot.storage import Petition, PetitionSnapshot, Post

TZ = "Europe/Amsterdam"
DAY = date(2026, 2, 20)  # a Friday; 23:00 UTC on the 19th to 23:00 UTC on the 20th
PERIOD = day_period(DAY, TZ)
START = PERIOD.start
PETITION_URL = "https://www.change.org/p/keep-gpt-4o"

_ids = itertools.count(1)


def make_config(**sections: Any) -> Config:
    raw: dict[str, Any] = {
        "campaign": {"name": "keep4o", "title": "#keep4o", "timezone": TZ},
        "match": {"hashtags": ["keep4o", "4oforever"], "keywords": ["keep 4o"]},
        "reddit": {"subreddits": ["ChatGPT"], "contact_username": "keep4o_bot"},
        "bluesky": {"handle": "keep4o-bot.bsky.social", "queries": ["#keep4o"]},
        "petitions": [
            {
                "id": "changeorg-keep-gpt-4o",
                "url": PETITION_URL,
                "name": "Keep GPT-4o available",
                "goal": 25000,
                "milestones": [21000, 22000, 25000],
            }
        ],
        "care": {"distress_terms": ["suicide", "want to die", "死にたい"]},
    }
    raw.update(sections)
    return Config.model_validate(raw)


def add_post(
    session: Session,
    at: datetime,
    *,
    platform: str = "reddit",
    author: str | None = "alice",
    text: str = "Please #keep4o",
    title: str | None = None,
    lang: str | None = "en",
    community: str | None = "ChatGPT",
    likes: int = 0,
    replies: int = 0,
    reposts: int = 0,
    sensitive: bool = False,
    state: str = "live",
    collected: datetime | None = None,
) -> Post:
    n = next(_ids)
    reddit = platform == "reddit"
    post = Post(
        platform=platform,
        platform_id=f"t3_p{n}" if reddit else f"at://did:plc:{author}/app.bsky.feed.post/p{n}",
        url=f"https://www.reddit.com/r/{community}/comments/p{n}/"
        if reddit
        else f"https://bsky.app/profile/{author}/post/p{n}",
        author_handle=author,
        author_id=None if author is None else f"{platform}:{author}",
        title=title,
        text=text,
        lang=lang,
        community=community if reddit else None,
        created_at=at,
        # First collected when created, unless the test says; seen again since by refreshes.
        first_seen_at=collected or at,
        last_seen_at=max(collected or at, PERIOD.end + timedelta(hours=1)),
        matched_terms=["keep4o"],
        sensitive=sensitive,
        likes=likes,
        replies=replies,
        reposts=reposts,
        engagement=likes + replies + reposts,
        state=state,
    )
    session.add(post)
    return post


def add_petition(
    session: Session,
    series: list[tuple[datetime, int]],
    *,
    state: str = "open",
    key: str = "changeorg-keep-gpt-4o",
) -> Petition:
    petition = Petition(key=key, url=PETITION_URL, title="From the page", goal=25000, state=state)
    session.add(petition)
    session.flush()
    for at, count in series:
        session.add(
            PetitionSnapshot(
                petition_id=petition.id, taken_at=at, count=count, goal=25000, state=state, strategy="test"
            )
        )
    return petition


def hourly(start: datetime, end: datetime, first: int, per_hour: int) -> list[tuple[datetime, int]]:
    """A snapshot every hour from ``start`` to ``end`` inclusive, growing ``per_hour``."""
    hours = int((end - start).total_seconds() // 3600)
    return [(start + timedelta(hours=h), first + h * per_hour) for h in range(hours + 1)]


def sample_petition(day: date = DAY) -> PetitionReport:
    """The petition as the digest of ``day`` reports it; the publisher tests' digests carry it too.

    For DAY: 21,500 crossed at 15:05 UTC, 22,000 due on 22 Feb at 06:00 UTC, the goal on 3 Mar at 12:00 UTC.
    """
    period = day_period(day, TZ)
    return PetitionReport(
        key="changeorg-keep-gpt-4o",
        name="Keep GPT-4o available",
        url=PETITION_URL,
        count=21512,
        last_at=period.end - timedelta(minutes=10),
        goal=25000,
        state="open",
        change_day=312,
        change_week=2104,
        per_hour=13.0,
        next_milestone=22000,
        next_milestone_eta=period.end + timedelta(days=1, hours=7),
        goal_eta=period.end + timedelta(days=10, hours=13),
        eta_note="",
        milestones_crossed=(Milestone(21500, period.start + timedelta(hours=15, minutes=5)),),
        stale=False,
        series=tuple(DayCount(day - timedelta(days=d), 21512 - d * 300) for d in range(29, -1, -1)),
    )


def sample_content(**changes: Any) -> DigestContent:
    """A complete digest, built directly, for renderer tests."""
    petition = sample_petition()
    reddit_top = (
        TopPost(
            "reddit",
            "https://www.reddit.com/r/ChatGPT/comments/abc/",
            "We will not stop until 4o is back",
            "ChatGPT",
            412,
            88,
            0,
        ),
    )
    bluesky_top = (
        TopPost(
            "bluesky",
            "https://bsky.app/profile/x/post/3k",
            "My companion was 4o 👩‍👩‍👧‍👦 #keep4o",
            None,
            120,
            9,
            14,
        ),
    )
    conversation = Conversation(
        platforms=(
            PlatformActivity("reddit", 143, 98.0, "current", PERIOD.end, reddit_top),
            PlatformActivity("bluesky", 211, 180.3, "current", PERIOD.end, bluesky_top),
        ),
        sensitive=0,
        subreddits=(NameCount("ChatGPT", 52), NameCount("OpenAI", 31)),
        languages=(NameCount("en", 280), NameCount("ja", 25)),
        new_authors=37,
    )
    base: dict[str, Any] = {
        "campaign": "#keep4o",
        "hashtag": "keep4o",
        "period": PERIOD,
        "petitions": (petition,),
        "conversation": conversation,
        "background": (
            SeedLink("en-true-value-of-4o", "The True Value of 4o", None, "en", "https://example.org/4o"),
        ),
        "page_url": None,
    }
    base.update(changes)
    return DigestContent(**base)
