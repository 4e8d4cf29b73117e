"""Writing posts: one bulk upsert per page, engagement snapshots on change, purges, checkpoints.

The caller owns the transaction (``with sessions.begin() as session: ...``), so a page and the
checkpoint that follows it can commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import CursorResult, Table, case, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ._models import Checkpoint, EngagementSnapshot, Post

if TYPE_CHECKING:
    # Only a type here: importing bot.sources at run time would be circular (collectors import storage).
    from bot.sources import PostRecord

LIVE = "live"
GONE_STATES = ("removed", "deleted")
# Rows per statement: far below SQLite's 32,766 bound parameters (20 columns a row).
_CHUNK = 1000


@dataclass(frozen=True, slots=True)
class _Stored:
    """The columns of an already stored post that decide whether a sighting changed it."""

    id: int
    likes: int
    replies: int
    reposts: int
    state: str
    content: tuple[Any, ...]


def _dialect(session: Session) -> str:
    name = session.get_bind().dialect.name
    if name not in ("postgresql", "sqlite"):
        raise ValueError(f"unsupported database dialect {name!r} (use SQLite or PostgreSQL)")
    return name


def _row(record: PostRecord, now: datetime) -> dict[str, Any]:
    gone = record.state != LIVE
    return {
        "platform": record.platform,
        "platform_id": record.platform_id,
        "url": record.url,
        # Reddit's terms: text and author of removed or deleted posts are not kept.
        "author_handle": None if gone else record.author_handle,
        "author_id": None if gone else record.author_id,
        "title": None if gone else record.title,
        "text": None if gone else record.text,
        "lang": record.lang,
        "community": record.community,
        "created_at": record.created_at,
        "first_seen_at": now,
        "last_seen_at": now,
        "matched_terms": list(record.matched_terms),
        "sensitive": record.sensitive,
        "likes": record.likes,
        "replies": record.replies,
        "reposts": record.reposts,
        "engagement": record.engagement,
        "state": record.state,
        "gone_at": now if gone else None,
    }


def _content(row: Mapping[Any, Any]) -> tuple[Any, ...]:
    """What a sighting can change besides the numbers (``updated`` counts these changes too)."""
    return tuple(
        list(row[key]) if key == "matched_terms" else row[key]
        for key in ("title", "text", "author_handle", "matched_terms", "lang", "sensitive")
    )


def _stored(session: Session, platform: str, ids: Sequence[str]) -> dict[str, _Stored]:
    query = select(
        Post.id,
        Post.platform_id,
        Post.likes,
        Post.replies,
        Post.reposts,
        Post.state,
        Post.title,
        Post.text,
        Post.author_handle,
        Post.matched_terms,
        Post.lang,
        Post.sensitive,
    ).where(Post.platform == platform, Post.platform_id.in_(ids))
    return {
        row.platform_id: _Stored(
            row.id, row.likes, row.replies, row.reposts, row.state, _content(row._mapping)
        )
        for row in session.execute(query)
    }


@cache
def _statements(dialect: str) -> tuple[Any, Any]:
    """The post upsert and the snapshot upsert for a dialect, built once.

    They are Core statements on the tables (not the ORM entities), run as one executemany per
    page: no per-object ORM bookkeeping, and no ``RETURNING``, which would make SQLAlchemy send
    one multi-row ``VALUES`` that psycopg re-parses in Python on every call (ten times slower).
    """
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    posts = cast(Table, Post.__table__)
    stmt = insert(posts)
    new = stmt.excluded
    still_live = posts.c.state == LIVE

    def unless_gone(column: str) -> Any:
        # A purged post never gets its text back, even if a stale listing still shows it.
        return case((still_live, new[column]), else_=posts.c[column])

    upsert = stmt.on_conflict_do_update(
        index_elements=[posts.c.platform, posts.c.platform_id],
        set_={
            "url": new.url,
            "author_handle": unless_gone("author_handle"),
            "author_id": unless_gone("author_id"),
            "title": unless_gone("title"),
            "text": unless_gone("text"),
            "lang": new.lang,
            "community": new.community,
            "last_seen_at": new.last_seen_at,
            "matched_terms": new.matched_terms,
            "sensitive": new.sensitive,
            "likes": new.likes,
            "replies": new.replies,
            "reposts": new.reposts,
            "engagement": new.engagement,
            "state": unless_gone("state"),
            "gone_at": unless_gone("gone_at"),
        },
    )
    snap = insert(cast(Table, EngagementSnapshot.__table__))
    snapshot = snap.on_conflict_do_update(
        index_elements=[snap.table.c.post_id, snap.table.c.taken_at],
        set_={
            "likes": snap.excluded.likes,
            "replies": snap.excluded.replies,
            "reposts": snap.excluded.reposts,
        },
    )
    return upsert, snapshot


def _upsert_platform(
    session: Session, platform: str, records: Sequence[PostRecord], now: datetime
) -> tuple[int, int]:
    upsert, snapshot = _statements(_dialect(session))
    stored = _stored(session, platform, [r.platform_id for r in records])
    rows = [_row(r, now) for r in records]
    session.execute(upsert, rows)
    ids = {platform_id: before.id for platform_id, before in stored.items()}
    fresh = [r.platform_id for r in records if r.platform_id not in stored]
    if fresh:
        query = select(Post.platform_id, Post.id).where(
            Post.platform == platform, Post.platform_id.in_(fresh)
        )
        ids.update({platform_id: post_id for platform_id, post_id in session.execute(query)})
    new = updated = 0
    snapshots = []
    for record, row in zip(records, rows, strict=True):
        before = stored.get(record.platform_id)
        numbers_changed = before is None or (before.likes, before.replies, before.reposts) != (
            record.likes,
            record.replies,
            record.reposts,
        )
        if before is None:
            new += 1
        elif before.state == LIVE and (numbers_changed or before.content != _content(row)):
            updated += 1
        if numbers_changed:
            snapshots.append(
                {
                    "post_id": ids[record.platform_id],
                    "taken_at": now,
                    "likes": record.likes,
                    "replies": record.replies,
                    "reposts": record.reposts,
                }
            )
    if snapshots:
        session.execute(snapshot, snapshots)
    return new, updated


def upsert_posts(session: Session, records: Sequence[PostRecord], now: datetime) -> tuple[int, int]:
    """Insert new posts and refresh known ones; returns ``(new, updated)``.

    ``updated`` counts known, live posts whose numbers or content changed (a post seen again
    unchanged only gets ``last_seen_at`` moved). ``first_seen_at`` is never touched; a removed
    or deleted post keeps its state and stays purged. An engagement snapshot is stored for
    each new post and each post whose numbers changed. One ``INSERT ... ON CONFLICT DO UPDATE``
    per platform (per 1,000 rows), between a query for what is already stored and one for the
    ids of what is new.
    """
    latest: dict[tuple[str, str], PostRecord] = {}
    for record in records:
        # The same post twice in one statement is an error on PostgreSQL; the last sighting wins.
        latest[(record.platform, record.platform_id)] = record
    by_platform: dict[str, list[PostRecord]] = {}
    for (platform, _), record in latest.items():
        by_platform.setdefault(platform, []).append(record)
    new = updated = 0
    for platform, group in by_platform.items():
        for start in range(0, len(group), _CHUNK):
            n, u = _upsert_platform(session, platform, group[start : start + _CHUNK], now)
            new, updated = new + n, updated + u
    return new, updated


def mark_gone(session: Session, platform: str, platform_ids: Iterable[str], state: str, now: datetime) -> int:
    """Mark live posts removed or deleted and purge their title, text and author.

    Returns how many posts were live before; posts already gone keep their first state and time.
    """
    if state not in GONE_STATES:
        raise ValueError(f"state must be one of {GONE_STATES}, not {state!r}")
    ids = list(dict.fromkeys(platform_ids))
    gone = 0
    for start in range(0, len(ids), _CHUNK):
        result = session.execute(
            update(Post)
            .where(
                Post.platform == platform,
                Post.platform_id.in_(ids[start : start + _CHUNK]),
                Post.state == LIVE,
            )
            .values(title=None, text=None, author_handle=None, author_id=None, state=state, gone_at=now)
            .execution_options(synchronize_session=False)
        )
        gone += cast("CursorResult[Any]", result).rowcount
    return gone


def get_checkpoint(session: Session, name: str) -> str | None:
    return session.scalar(select(Checkpoint.value).where(Checkpoint.name == name))


def set_checkpoint(session: Session, name: str, value: str, now: datetime) -> None:
    insert = postgresql.insert if _dialect(session) == "postgresql" else sqlite.insert
    stmt = insert(Checkpoint).values(name=name, value=value, updated_at=now)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[Checkpoint.name],
            set_={"value": stmt.excluded.value, "updated_at": stmt.excluded.updated_at},
        )
    )
