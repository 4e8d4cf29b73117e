"""Writing posts: one bulk upsert per page, engagement snapshots on change, purges, checkpoints.

The caller owns the transaction (``with sessions.begin() as session: ...``), so a page and the
checkpoint that follows it can commit together or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Column, Connection, Dialect, Table, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

from ._changes import note_changes
from ._models import Checkpoint, EngagementSnapshot, Post

if TYPE_CHECKING:
    # Only a type here: importing bot.sources at run time would be circular (collectors import storage).
    from bot.sources import PostRecord

LIVE = "live"
GONE_STATES = ("removed", "deleted")
# Posts per statement, and ids per IN list in mark_gone (SQLite allows 32,766 parameters).
_CHUNK = 1000
# The columns an upsert writes, in the order of each row's values.
_COLUMNS = (
    "platform", "platform_id", "url", "author_handle", "author_id", "title", "text", "lang",
    "community", "created_at", "first_seen_at", "last_seen_at", "matched_terms", "sensitive",
    "likes", "replies", "reposts", "engagement", "state", "gone_at",
)  # fmt: skip
# A purged post never gets these back, even if a stale listing still shows it.
_KEPT_ONCE_GONE = ("author_handle", "author_id", "title", "text", "state", "gone_at")
# A sighting never moves these.
_FIXED = ("platform", "platform_id", "created_at", "first_seen_at")
# What decides whether a sighting changed a stored post, in the order _stored unpacks it.
_STORED = (
    "platform_id", "likes", "replies", "reposts", "state",
    "title", "text", "author_handle", "matched_terms", "lang", "sensitive",
)  # fmt: skip

_Convert = Callable[[Any], Any]
_TABLE = cast(Table, Post.__table__)


@dataclass(frozen=True, slots=True)
class _Stored:
    """The columns of an already stored post that decide whether a sighting changed it."""

    likes: int
    replies: int
    reposts: int
    state: str
    # What a sighting can change besides the numbers (``updated`` counts these changes too):
    # title, text, author handle, matched terms (a list), language, sensitive.
    content: tuple[Any, ...]


def _dialect(session: Session) -> Dialect:
    dialect = session.get_bind().dialect
    if dialect.name not in ("postgresql", "sqlite"):
        raise ValueError(f"unsupported database dialect {dialect.name!r} (use SQLite or PostgreSQL)")
    return dialect


@dataclass(frozen=True, slots=True)
class _Sql:
    """Driver SQL for one dialect."""

    stored: str  # (ids, platform): what _stored reads
    upsert: str  # SQLite: executemany of rows; PostgreSQL: one array per column
    snapshot: str  # (taken_at, ids, platform): copies the numbers just stored


_SQL: dict[str, _Sql] = {}


def _of_ids(dialect: str, columns: str) -> str:
    """``SELECT columns`` of a platform's stored posts with the given ids (parameters: ids, platform)."""
    posts = Post.__tablename__
    ids = "IN (SELECT value FROM json_each(?))" if dialect == "sqlite" else "= ANY(%b::varchar[])"
    platform = "?" if dialect == "sqlite" else "%s"
    return f"SELECT {columns} FROM {posts} WHERE platform_id {ids} AND platform = {platform}"


def _sql(dialect: Dialect) -> _Sql:
    """The driver SQL for ``dialect``, built on first use (see ``_build_sql``)."""
    sql = _SQL.get(dialect.name)
    if sql is None:
        sql = _SQL[dialect.name] = _build_sql(dialect)
    return sql


def _build_sql(engine_dialect: Dialect) -> _Sql:
    """The pre-select, the post upsert and the snapshot insert as driver SQL.

    They run on the DB-API cursor with values already in database form (converted by the
    columns' own types): SQLAlchemy's per-row parameter processing took 30 µs a row, more than
    SQLite's insert itself, and rendering an expanding ``IN`` list 2 ms a page. Each text is the same for
    every page (ids go in as one JSON array on SQLite, one array on PostgreSQL), so SQLite's
    statement cache and psycopg's prepared statements keep them parsed. On PostgreSQL a page is
    one ``INSERT ... SELECT FROM unnest(...)`` (a pipelined ``executemany`` spends ~100 µs a row
    on the server). Snapshots copy the numbers just stored, found by key inside the statement:
    no query for the ids of new posts and one statement per page.
    """
    dialect = engine_dialect.name
    posts, snapshots = Post.__tablename__, EngagementSnapshot.__tablename__
    if dialect == "sqlite":
        p = "?"
        rows = f"VALUES ({', '.join([p] * len(_COLUMNS))})"
    else:
        p = "%s"
        types = [_TABLE.c[c].type.compile(dialect=engine_dialect) for c in _COLUMNS]
        # Arrays go in binary (%b): psycopg escapes each element of a text-format array.
        rows = f"SELECT * FROM unnest({', '.join(f'%b::{t}[]' for t in types)})"
    sets = ", ".join(
        f"{c} = CASE WHEN {posts}.state = '{LIVE}' THEN excluded.{c} ELSE {posts}.{c} END"
        if c in _KEPT_ONCE_GONE
        else f"{c} = excluded.{c}"
        for c in _COLUMNS
        if c not in _FIXED
    )
    stored_columns = ", ".join(f"{posts}.{c}" for c in _STORED)
    numbers = f"{posts}.id, {p}, {posts}.likes, {posts}.replies, {posts}.reposts"
    return _Sql(
        stored=_of_ids(dialect, stored_columns),
        upsert=(
            f"INSERT INTO {posts} ({', '.join(_COLUMNS)}) {rows} "
            f"ON CONFLICT (platform, platform_id) DO UPDATE SET {sets}"
        ),
        snapshot=(
            f"INSERT INTO {snapshots} (post_id, taken_at, likes, replies, reposts) "
            f"{_of_ids(dialect, numbers)} ON CONFLICT (post_id, taken_at) DO UPDATE "
            "SET likes = excluded.likes, replies = excluded.replies, reposts = excluded.reposts"
        ),
    )


def to_driver(kind: TypeEngine[Any], dialect: Dialect) -> _Convert:
    """The type's own conversion to the driver's value (what SQLAlchemy would send), for SQL
    that bypasses it: bulk parameters, a JSON list of values, arrays."""
    process = kind.dialect_impl(dialect).bind_processor(dialect)
    return process if process is not None else _same


def _from_db(column: Column[Any], dialect: Dialect) -> _Convert:
    """The column type's own conversion of the driver's value (what SQLAlchemy would return)."""
    process = column.type.dialect_impl(dialect).result_processor(dialect, None)
    return process if process is not None else _same


def _same(value: Any) -> Any:
    return value


def _id_list(dialect: Dialect, ids: Sequence[str]) -> Any:
    return json.dumps(ids) if dialect.name == "sqlite" else list(ids)


def _stored(
    connection: Connection, dialect: Dialect, platform: str, ids: Sequence[str]
) -> dict[str, _Stored]:
    terms, flag = _from_db(_TABLE.c.matched_terms, dialect), _from_db(_TABLE.c.sensitive, dialect)
    rows = connection.exec_driver_sql(_sql(dialect).stored, (_id_list(dialect, ids), platform))
    return {
        pid: _Stored(likes, replies, reposts, state, (title, text, author, terms(t), lang, flag(s)))
        for pid, likes, replies, reposts, state, title, text, author, t, lang, s in rows
    }


def _upsert_platform(
    session: Session, platform: str, records: Sequence[PostRecord], now: datetime
) -> tuple[int, int]:
    dialect = _dialect(session)
    connection = session.connection()
    sql = _sql(dialect)
    to_time, to_terms = (
        to_driver(_TABLE.c.created_at.type, dialect),
        to_driver(_TABLE.c.matched_terms.type, dialect),
    )
    to_flag = to_driver(_TABLE.c.sensitive.type, dialect)
    at = to_time(now)
    flags = {True: to_flag(True), False: to_flag(False)}
    terms_memo: dict[tuple[str, ...], Any] = {}
    stored = _stored(connection, dialect, platform, [r.platform_id for r in records])
    rows = []
    snapshots = []
    changed: list[datetime] = []  # created_at of posts whose trend figures may have moved
    new = updated = 0
    for r in records:
        live = r.state == LIVE
        terms = terms_memo.get(r.matched_terms)
        if terms is None:
            terms = terms_memo[r.matched_terms] = to_terms(list(r.matched_terms))
        # Reddit's terms: text and author of removed or deleted posts are not kept.
        title, text, author = (r.title, r.text, r.author_handle) if live else (None, None, None)
        rows.append((
            platform, r.platform_id, r.url, author, r.author_id if live else None, title, text,
            r.lang, r.community, to_time(r.created_at), at, at, terms, flags[r.sensitive],
            r.likes, r.replies, r.reposts, r.likes + r.replies + r.reposts, r.state,
            None if live else at,
        ))  # fmt: skip
        before = stored.get(r.platform_id)
        if before is None:
            new += 1
            snapshots.append(r.platform_id)
            changed.append(r.created_at)
            continue
        numbers_changed = (before.likes, before.replies, before.reposts) != (r.likes, r.replies, r.reposts)
        content_changed = before.content != (title, text, author, list(r.matched_terms), r.lang, r.sensitive)
        if before.state == LIVE and (numbers_changed or content_changed):
            updated += 1
        if numbers_changed:
            snapshots.append(r.platform_id)
        if numbers_changed or content_changed or before.state != r.state:
            changed.append(r.created_at)
    if dialect.name == "sqlite":
        connection.exec_driver_sql(sql.upsert, rows)
    else:
        connection.exec_driver_sql(sql.upsert, tuple(map(list, zip(*rows, strict=True))))
    if snapshots:
        connection.exec_driver_sql(sql.snapshot, (at, _id_list(dialect, snapshots), platform))
    note_changes(session, changed)
    return new, updated


def upsert_posts(session: Session, records: Sequence[PostRecord], now: datetime) -> tuple[int, int]:
    """Insert new posts and refresh known ones; returns ``(new, updated)``.

    ``updated`` counts known, live posts whose numbers or content changed (a post seen again
    unchanged only gets ``last_seen_at`` moved). ``first_seen_at`` is never touched; a removed
    or deleted post keeps its state and stays purged. An engagement snapshot is stored for
    each new post and each post whose numbers changed. Per platform (per 1,000 posts): one
    query for what is already stored, the ``INSERT ... ON CONFLICT DO UPDATE`` (an
    ``executemany`` on SQLite, one statement over arrays on PostgreSQL) and one statement
    for the snapshots.
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
    created: list[datetime] = []
    for start in range(0, len(ids), _CHUNK):
        created += session.scalars(
            update(Post)
            .where(
                Post.platform == platform,
                Post.platform_id.in_(ids[start : start + _CHUNK]),
                Post.state == LIVE,
            )
            .values(title=None, text=None, author_handle=None, author_id=None, state=state, gone_at=now)
            .returning(Post.created_at)
            .execution_options(synchronize_session=False)
        )
    note_changes(session, created)
    return len(created)


def get_checkpoint(session: Session, name: str) -> str | None:
    return session.scalar(select(Checkpoint.value).where(Checkpoint.name == name))


def set_checkpoint(session: Session, name: str, value: str, now: datetime) -> None:
    insert = postgresql.insert if _dialect(session).name == "postgresql" else sqlite.insert
    stmt = insert(Checkpoint).values(name=name, value=value, updated_at=now)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[Checkpoint.name],
            set_={"value": stmt.excluded.value, "updated_at": stmt.excluded.updated_at},
        )
    )
