"""Helpers for the Reddit collector tests: a sandbox with a hand-made world, settings pointing at it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings, load_settings
from bot.sandbox import Clock, RedditPost, Sandbox, World
from bot.storage import Checkpoint, Post

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def empty_sandbox() -> Iterator[Sandbox]:
    """A sandbox with an empty world and a frozen clock; tests add the posts they need."""
    with Sandbox(world=World(), clock=Clock(NOW, speed=0)) as running:
        yield running


def make_settings(
    sb: Sandbox, tmp_path: Path, db_url: str, *, timeout: int = 10, script: bool = True
) -> Settings:
    """The sandbox's campaign; ``script=False`` leaves out the account (read-only app credentials)."""
    path = sb.write_config(tmp_path / "campaign" / "keep4o.toml", db_url)
    text = path.read_text(encoding="utf-8").replace("timeout_seconds = 10", f"timeout_seconds = {timeout}")
    if not script:
        # Posting the digest to Reddit needs the account, so that target goes too.
        text = text.replace('targets = ["file", "bluesky", "reddit"]', 'targets = ["file"]')
        env = path.parent / ".env"
        lines = env.read_text(encoding="utf-8").splitlines()
        env.write_text(
            "\n".join(x for x in lines if not x.startswith(("REDDIT_USERNAME", "REDDIT_PASSWORD")))
        )
    path.write_text(text, encoding="utf-8")
    return load_settings(path, environ={})


def add(
    sb: Sandbox,
    n: int,
    *,
    minutes_ago: float,
    subreddit: str = "ChatGPT",
    title: str | None = None,
    selftext: str = "They are taking GPT-4o away. #keep4o",
    score: int = 1,
) -> RedditPost:
    """Post number ``n`` (id ``p<n>``), created ``minutes_ago`` before the sandbox's now."""
    return sb.world.add_reddit_post(
        RedditPost(
            id=f"p{n:05d}",
            subreddit=subreddit,
            author=f"user{n}",
            title=title if title is not None else f"Post {n} about the model",
            selftext=selftext,
            created_at=sb.clock.now() - timedelta(minutes=minutes_ago),
            score=score,
            num_comments=n % 7,
        )
    )


def stored(sessions: sessionmaker[Session]) -> dict[str, Post]:
    with sessions() as session:
        return {p.platform_id: p for p in session.scalars(select(Post))}


def post_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Post)) or 0


def checkpoints(sessions: sessionmaker[Session]) -> dict[str, str]:
    with sessions() as session:
        return {c.name: c.value for c in session.scalars(select(Checkpoint))}
