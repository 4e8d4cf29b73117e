"""The most engaging posts of a time range (one ranked query, one count)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from bot.storage import Post
from bot.text import printable


@dataclass(frozen=True, slots=True)
class TopPost:
    rank: int
    created_at: datetime  # aware, in the campaign timezone
    platform: str
    community: str | None  # subreddit
    author: str | None  # handle
    lang: str | None
    likes: int
    replies: int
    reposts: int
    engagement: int
    title: str | None
    text: str | None
    url: str


@dataclass(frozen=True, slots=True)
class TopPosts:
    posts: tuple[TopPost, ...]
    # Posts in the range matching the care list: counted, never quoted or linked.
    withheld: int


# Whether a post's title and text touch on the care list as it is now (bot.sources.Matcher).
Sensitive = Callable[[str, str], bool]


def top_posts(
    session: Session,
    *,
    since: datetime,
    until: datetime,
    tz: ZoneInfo,
    sensitive: Sensitive,
    care_applied: bool,
    limit: int = 10,
    platform: str | None = None,
    lang: str | None = None,
) -> TopPosts:
    """Live, non-sensitive posts created in ``[since, until)``, most engagement first.

    The stored flag is the care list at collection; a term added since is applied here too, as
    the digest does, so no page shows a post the digest would withhold. Those count as withheld:
    unless ``care_applied`` (the flags already follow the list), every post of the range is
    read for the count, so it does not depend on how many posts are shown.
    """
    where: list[ColumnElement[bool]] = [Post.created_at >= since, Post.created_at < until]
    if platform is not None:
        where.append(Post.platform == platform)
    if lang is not None:
        where.append(Post.lang == lang)
    ranked = (
        select(Post)
        .where(*where, Post.state == "live", Post.sensitive.is_(False))
        .order_by(Post.engagement.desc(), Post.created_at.desc(), Post.id)
        .limit(limit)
    )
    chosen: list[Post] = []
    # A page of `limit` at a time (a top-N sort, not a sort of the whole range); a further page
    # only when the care check set some aside.
    for page in itertools.count():
        batch = session.scalars(ranked.offset(page * limit)).all()
        chosen += [post for post in batch if not sensitive(post.title or "", post.text or "")]
        if len(chosen) >= limit or len(batch) < limit:
            break
    chosen = chosen[:limit]
    posts = tuple(
        TopPost(
            rank=rank,
            created_at=post.created_at.astimezone(tz),
            platform=post.platform,
            community=_shown(post.community),
            author=_shown(post.author_handle),
            lang=post.lang,
            likes=post.likes,
            replies=post.replies,
            reposts=post.reposts,
            engagement=post.engagement,
            title=_shown(post.title),
            text=_shown(post.text),
            url=post.url,
        )
        for rank, post in enumerate(chosen, start=1)
    )
    flagged = session.scalar(select(func.count(Post.id)).where(*where, Post.sensitive.is_(True))) or 0
    newly = 0 if care_applied else _newly_sensitive(session, where, sensitive)
    return TopPosts(posts=posts, withheld=flagged + newly)


def _shown(text: str | None) -> str | None:
    return None if text is None else printable(text)


def _newly_sensitive(session: Session, where: list[ColumnElement[bool]], sensitive: Sensitive) -> int:
    """Posts of the range stored unflagged that the care list as it is now covers."""
    unflagged = session.execute(
        select(Post.title, Post.text).where(
            *where, Post.sensitive.is_(False), or_(Post.title.is_not(None), Post.text.is_not(None))
        )
    )
    return sum(1 for title, text in unflagged if sensitive(title or "", text or ""))
