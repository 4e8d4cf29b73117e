"""Migrations and models agree, upgrades are idempotent and keep data, SQLite is set up for a daemon."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.storage import Base, Post, current_revision, head_revision, make_engine, upgrade

T = datetime(2026, 2, 14, 12, 0, tzinfo=UTC)


def a_post(platform_id: str = "t3_abc") -> Post:
    return Post(
        platform="reddit",
        platform_id=platform_id,
        url="https://www.reddit.com/r/ChatGPT/comments/abc/",
        author_handle="someone",
        author_id="t2_1",
        title="Keep 4o",
        text="#keep4o please",
        lang="en",
        community="ChatGPT",
        created_at=T,
        first_seen_at=T,
        last_seen_at=T,
        matched_terms=["keep4o"],
    )


def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_a_database_made_before_revision_0001_was_edited_reaches_the_same_schema(db_url: str) -> None:
    # 0001 first indexed (author_id, created_at) and not (platform, last_seen_at).
    engine = make_engine(db_url)
    upgrade(engine, "0002")
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_posts_author_id_platform_created_at"))
        conn.execute(text("DROP INDEX ix_posts_platform_last_seen_at"))
        conn.execute(text("CREATE INDEX ix_posts_author_id_created_at ON posts (author_id, created_at)"))
    upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    engine.dispose()
    assert diff == []


# A replica starting up: import everything first, say so, then upgrade when told to.
_REPLICA = """
import sys
from bot.storage import make_engine, upgrade
engine = make_engine(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
upgrade(engine)
"""


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_replicas_upgrading_an_empty_database_at_once_all_succeed(db_url: str) -> None:
    # Processes, as replicas are: Alembic's migration context is one per process.
    replicas = [
        subprocess.Popen(
            [sys.executable, "-c", _REPLICA, db_url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    for replica in replicas:  # all started and imported before any begins
        assert replica.stdout is not None and replica.stdout.readline() == "ready\n"
    for replica in replicas:
        assert replica.stdin is not None
        replica.stdin.write("go\n")
        replica.stdin.flush()
    errors = [replica.communicate(timeout=120)[1] for replica in replicas]
    assert [replica.returncode for replica in replicas] == [0, 0, 0], errors
    engine = make_engine(db_url)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_the_database_is_at_head(engine: Engine) -> None:
    assert current_revision(engine) == head_revision() is not None


def test_upgrading_again_keeps_every_row(engine: Engine, sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        session.add(a_post())
    upgrade(engine)
    with sessions() as session:
        kept = session.scalars(select(Post)).one()
    assert (kept.platform_id, kept.title, kept.created_at) == ("t3_abc", "Keep 4o", T)


def test_a_post_is_unique_per_platform_id(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        session.add(a_post())
    with pytest.raises(Exception, match=r"(?i)unique"), sessions.begin() as session:
        session.add(a_post())


def test_times_come_back_aware_in_utc(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        session.add(a_post())
    with sessions() as session:
        assert session.scalars(select(Post.created_at)).one().tzinfo is UTC


def test_naive_times_are_refused(sessions: sessionmaker[Session]) -> None:
    post = a_post()
    post.created_at = datetime(2026, 2, 14, 12, 0)
    with pytest.raises(Exception, match="naive datetime"), sessions.begin() as session:
        session.add(post)


def test_sqlite_runs_in_wal_with_foreign_keys_a_busy_timeout_and_rarer_checkpoints(tmp_path: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/sub/dir/bot.db")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10_000
        assert conn.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 10_000
    engine.dispose()


def test_postgresql_connections_run_without_jit(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SHOW jit").scalar() == "off"


def test_a_database_error_never_shows_the_values_it_was_writing(engine: Engine) -> None:
    # Errors reach tracebacks in the logs: a failed insert must not quote the posts it held.
    words = "words of a post that must never be quoted"
    statement = text("INSERT INTO checkpoints (name, value, updated_at) VALUES (:n, :v, :t)")
    row = {"n": "twice", "v": words, "t": T}
    with engine.begin() as conn:
        conn.execute(statement, row)
    with pytest.raises(Exception, match=r"(?i)unique") as failure, engine.begin() as conn:
        conn.execute(statement, row)
    assert words not in str(failure.value)
