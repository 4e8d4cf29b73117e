"""One page mixing new, changed and unchanged posts of both platforms is stored in one call."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.sources import PostRecord
from bot.storage import EngagementSnapshot, Post, upsert_posts

T0 = datetime(2026, 2, 14, 12, 0, tzinfo=UTC)
T1 = T0 + timedelta(minutes=5)


def record(platform: str, n: int, likes: int = 1) -> PostRecord:
    return PostRecord(
        platform=platform,
        platform_id=f"{platform}-{n}",
        url=f"https://example.org/{platform}/{n}",
        author_handle=f"user{n}",
        author_id=f"id{n}",
        title=None,
        text=f"Bring back 4o, post {n} #keep4o",
        created_at=T0 - timedelta(hours=n),
        lang="en",
        community=None,
        matched_terms=("keep4o",),
        likes=likes,
    )


def snapshots(sessions: sessionmaker[Session], taken_at: datetime) -> dict[str, int]:
    with sessions() as session:
        rows = session.execute(
            select(Post.platform_id, EngagementSnapshot.likes)
            .join(Post)
            .where(EngagementSnapshot.taken_at == taken_at)
        )
        return {platform_id: likes for platform_id, likes in rows}


def test_a_mixed_page_counts_and_snapshots_just_new_and_changed_posts(
    sessions: sessionmaker[Session],
) -> None:
    first = [record("reddit", 1), record("reddit", 2), record("bluesky", 1)]
    with sessions.begin() as session:
        assert upsert_posts(session, first, T0) == (3, 0)
    page = [
        record("reddit", 1, likes=40),  # changed numbers
        record("reddit", 2),  # seen again unchanged
        replace(record("bluesky", 1), text="Keep 4o, edited #keep4o"),  # changed text
        record("bluesky", 2, likes=7),  # new
    ]
    with sessions.begin() as session:
        assert upsert_posts(session, page, T1) == (1, 2)
    assert snapshots(sessions, T1) == {"reddit-1": 40, "bluesky-2": 7}
    with sessions() as session:
        texts = {pid: text for pid, text in session.execute(select(Post.platform_id, Post.text))}
    assert texts["bluesky-1"] == "Keep 4o, edited #keep4o"


def test_ids_outside_ascii_are_found_again(sessions: sessionmaker[Session]) -> None:
    post = replace(record("bluesky", 1), platform_id="at://did:plc:ünïcödé/app.bsky.feed.post/1")
    with sessions.begin() as session:
        upsert_posts(session, [post], T0)
    with sessions.begin() as session:
        assert upsert_posts(session, [replace(post, likes=9)], T1) == (0, 1)
    assert snapshots(sessions, T1) == {post.platform_id: 9}
