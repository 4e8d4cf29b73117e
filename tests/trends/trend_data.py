"""Stored rows for trend and report tests: single rows by hand, and a realistic campaign month."""

from __future__ import annotations

import itertools
import math
import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from bot.storage import Petition, PetitionSnapshot, Post

_ids = itertools.count(1)


def post_row(
    at: datetime,
    *,
    platform: str = "reddit",
    author: str | None = "t2_alice",
    lang: str | None = "en",
    community: str | None = None,
    likes: int = 0,
    replies: int = 0,
    reposts: int = 0,
    sensitive: bool = False,
    state: str = "live",
    title: str | None = None,
    text: str | None = "Please #keep4o",
    number: int | None = None,
) -> dict[str, Any]:
    n = next(_ids) if number is None else number
    if platform == "reddit" and community is None:
        community = "ChatGPT"
    return {
        "platform": platform,
        "platform_id": f"t3_{n}" if platform == "reddit" else f"at://did:plc:x/app.bsky.feed.post/{n}",
        "url": f"https://www.reddit.com/comments/{n}/"
        if platform == "reddit"
        else f"https://bsky.app/post/{n}",
        "author_handle": None if author is None else f"user-{author}",
        "author_id": author,
        "title": title,
        "text": text,
        "lang": lang,
        "community": community if platform == "reddit" else None,
        "created_at": at,
        "first_seen_at": at,
        "last_seen_at": at,
        "matched_terms": ["keep4o"],
        "sensitive": sensitive,
        "likes": likes,
        "replies": replies,
        "reposts": reposts,
        "engagement": likes + replies + reposts,
        "state": state,
        "gone_at": None if state == "live" else at,
    }


def add_posts(session: Session, *rows: dict[str, Any]) -> None:
    session.execute(insert(Post), list(rows))


def add_petition(session: Session, key: str = "changeorg-keep-gpt-4o", goal: int | None = 25_000) -> int:
    petition = Petition(key=key, url=f"https://www.change.org/p/{key}", title="Keep GPT-4o", goal=goal)
    session.add(petition)
    session.flush()
    return petition.id


def add_counts(
    session: Session, petition_id: int, *counts: tuple[datetime, int], flag: str | None = None
) -> None:
    session.execute(
        insert(PetitionSnapshot),
        [
            {
                "petition_id": petition_id,
                "taken_at": at,
                "count": count,
                "goal": None,
                "state": "open",
                "strategy": "test",
                "flag": flag,
            }
            for at, count in counts
        ],
    )


_SUBREDDITS = [
    ("ChatGPT", 40),
    ("ChatGPTcomplaints", 20),
    ("OpenAI", 15),
    ("MyBoyfriendIsAI", 12),
    ("singularity", 8),
    ("ChatGPTPro", 5),
]
_LANGUAGES = [("en", 62), ("nl", 9), ("fr", 8), ("de", 7), ("ja", 6), ("zh", 4), ("es", 3), (None, 1)]
_TITLES = {
    "en": [
        "Bring back GPT-4o: it was the only model that listened",
        "Day {d} of #keep4o and we are still here",
        "Signed the petition to keep 4o, please share",
        "GPT-5 is not a replacement for 4o #keep4o",
    ],
    "nl": ["4o behouden: teken de petitie", "Waarom ik GPT-4o mis #keep4o"],
    "fr": ["Garder GPT-4o : signez la pétition", "#keep4o jour {d}"],
    "de": ["GPT-4o behalten – jetzt unterschreiben", "#keep4o: Tag {d}"],
    "ja": ["4oを残して #keep4o", "GPT-4o を返して"],
    "zh": ["保留4o #keep4o", "请保留 GPT-4o"],
    "es": ["Mantener GPT-4o #keep4o"],
    None: ["#keep4o"],
}


def _pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def campaign_month(session: Session, now: datetime, *, days: int = 35, seed: int = 7) -> int:
    """A realistic campaign: a launch spike that decays, two platforms, many languages, a petition
    counted hourly with a ten-hour outage and one flagged fall. Returns the petition's id."""
    rng = random.Random(seed)
    start = now - timedelta(days=days)
    authors = [f"t2_{i:04d}" for i in range(400)] + [f"did:plc:{i:04d}" for i in range(400)]
    rows = []
    for day in range(days):
        volume = int(25 + 140 * math.exp(-day / 6) + 20 * rng.random() + (60 if day == days - 9 else 0))
        for _ in range(volume):
            at = start + timedelta(days=day, seconds=rng.randrange(86_400))
            if at >= now:
                continue
            platform = "reddit" if rng.random() < 0.45 else "bluesky"
            lang = _pick(rng, _LANGUAGES)
            likes = int(rng.paretovariate(1.3) * 3)
            sensitive = rng.random() < 0.01
            title = rng.choice(_TITLES[lang]).format(d=day + 1)
            rows.append(
                post_row(
                    at,
                    platform=platform,
                    author=rng.choice(authors[:400] if platform == "reddit" else authors[400:]),
                    lang=lang,
                    community=_pick(rng, _SUBREDDITS),
                    likes=likes,
                    replies=int(likes * rng.random() * 0.4),
                    reposts=0 if platform == "reddit" else int(likes * rng.random() * 0.3),
                    sensitive=sensitive,
                    state="removed" if rng.random() < 0.01 else "live",
                    title=title if platform == "reddit" else None,
                    text=("I feel like I want to die without 4o" if sensitive else title),
                    number=1_000_000 + len(rows),  # the same month gets the same ids and links
                )
            )
    add_posts(session, *rows)
    petition = add_petition(session)
    counts, count = [], 18_200
    for hour in range(days * 24):
        at = start + timedelta(hours=hour, minutes=7)
        if at >= now:
            break
        count += int(rng.random() * 18 * math.exp(-hour / 500) + rng.random() * 3)
        if not (days * 24 - 200 <= hour < days * 24 - 190):  # the collector was down for ten hours
            counts.append((at, count))
    add_counts(session, petition, *counts)
    add_counts(
        session, petition, (start + timedelta(days=days / 2, minutes=31), counts[-1][1] // 2), flag="fall"
    )
    return petition
