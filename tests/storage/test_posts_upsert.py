"""Storing posts: bulk upsert, snapshots on change, purges and checkpoints, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.sources import PostRecord
from bot.storage import (
    EngagementSnapshot,
    Post,
    get_checkpoint,
    mark_gone,
    set_checkpoint,
    upsert_posts,
)

T0 = datetime(2026, 2, 14, 12, 0, tzinfo=UTC)
T1 = T0 + timedelta(hours=1)


def record(n: int, **changes: object) -> PostRecord:
    base = PostRecord(
        platform="reddit",
        platform_id=f"t3_{n:05d}",
        url=f"https://www.reddit.com/r/ChatGPT/comments/{n:05d}/post/",
        author_handle=f"user{n}",
        author_id=f"t2_{n}",
        title=f"Keep 4o, post {n}",
        text="Please #keep4o",
        created_at=T0 - timedelta(minutes=n),
        lang="en",
        community="ChatGPT",
        matched_terms=("keep4o",),
        likes=n,
        replies=1,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def store(sessions: sessionmaker[Session], records: list[PostRecord], now: datetime) -> tuple[int, int]:
    with sessions.begin() as session:
        return upsert_posts(session, records, now)


def posts(sessions: sessionmaker[Session]) -> dict[str, Post]:
    with sessions() as session:
        return {p.platform_id: p for p in session.scalars(select(Post))}


def snapshot_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(EngagementSnapshot)) or 0


def test_new_posts_are_inserted_with_all_their_fields(sessions: sessionmaker[Session]) -> None:
    assert store(sessions, [record(1), record(2)], T0) == (2, 0)
    stored = posts(sessions)["t3_00001"]
    assert (stored.title, stored.text, stored.author_handle, stored.author_id) == (
        "Keep 4o, post 1",
        "Please #keep4o",
        "user1",
        "t2_1",
    )
    assert (stored.created_at, stored.first_seen_at, stored.last_seen_at) == (
        T0 - timedelta(minutes=1),
        T0,
        T0,
    )
    assert (stored.likes, stored.replies, stored.reposts, stored.engagement) == (1, 1, 0, 2)
    assert stored.matched_terms == ["keep4o"]
    assert (stored.state, stored.gone_at, stored.community, stored.lang) == ("live", None, "ChatGPT", "en")


def test_rerunning_the_same_page_changes_nothing_but_last_seen(sessions: sessionmaker[Session]) -> None:
    store(sessions, [record(1), record(2)], T0)
    assert store(sessions, [record(1), record(2)], T1) == (0, 0)
    stored = posts(sessions)
    assert len(stored) == 2
    assert stored["t3_00001"].first_seen_at == T0
    assert stored["t3_00001"].last_seen_at == T1
    assert snapshot_count(sessions) == 2


def test_a_new_post_gets_an_initial_engagement_snapshot(sessions: sessionmaker[Session]) -> None:
    store(sessions, [record(7)], T0)
    with sessions() as session:
        snap = session.scalars(select(EngagementSnapshot)).one()
    assert (snap.taken_at, snap.likes, snap.replies, snap.reposts) == (T0, 7, 1, 0)


def test_changed_numbers_count_as_updated_and_add_a_snapshot(sessions: sessionmaker[Session]) -> None:
    store(sessions, [record(1), record(2)], T0)
    assert store(sessions, [record(1, likes=50), record(2)], T1) == (0, 1)
    assert posts(sessions)["t3_00001"].engagement == 51
    with sessions() as session:
        snaps = session.execute(
            select(EngagementSnapshot.taken_at, EngagementSnapshot.likes)
            .join(Post)
            .where(Post.platform_id == "t3_00001")
            .order_by(EngagementSnapshot.taken_at)
        ).all()
    assert [tuple(s) for s in snaps] == [(T0, 1), (T1, 50)]


def test_changed_matched_terms_are_stored_and_count_as_updated(sessions: sessionmaker[Session]) -> None:
    store(sessions, [record(1)], T0)
    assert store(sessions, [record(1, matched_terms=("keep4o", "keep 4o"))], T1) == (0, 1)
    assert posts(sessions)["t3_00001"].matched_terms == ["keep4o", "keep 4o"]
    assert snapshot_count(sessions) == 1


def test_the_same_post_twice_in_one_batch_is_stored_once(sessions: sessionmaker[Session]) -> None:
    assert store(sessions, [record(1), record(1, likes=9)], T0) == (1, 0)
    assert posts(sessions)["t3_00001"].likes == 9


def test_the_same_id_on_two_platforms_is_two_posts(sessions: sessionmaker[Session]) -> None:
    assert store(sessions, [record(1), record(1, platform="bluesky")], T0) == (2, 0)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Post)) == 2


def test_a_post_seen_already_removed_is_stored_without_text_or_author(
    sessions: sessionmaker[Session],
) -> None:
    store(sessions, [record(1, state="removed")], T0)
    stored = posts(sessions)["t3_00001"]
    assert (stored.title, stored.text, stored.author_handle, stored.author_id) == (None, None, None, None)
    assert (stored.state, stored.gone_at, stored.matched_terms) == ("removed", T0, ["keep4o"])


def test_a_live_post_that_comes_back_deleted_is_purged(sessions: sessionmaker[Session]) -> None:
    store(sessions, [record(1)], T0)
    assert store(sessions, [record(1, state="deleted", author_handle=None)], T1) == (0, 1)
    stored = posts(sessions)["t3_00001"]
    assert (stored.text, stored.title, stored.author_handle, stored.state, stored.gone_at) == (
        None,
        None,
        None,
        "deleted",
        T1,
    )


def test_a_purged_post_is_never_revived_by_a_stale_sighting(sessions: sessionmaker[Session]) -> None:
    store(sessions, [record(1)], T0)
    with sessions.begin() as session:
        mark_gone(session, "reddit", ["t3_00001"], "removed", T0)
    assert store(sessions, [record(1)], T1) == (0, 0)
    stored = posts(sessions)["t3_00001"]
    assert (stored.text, stored.title, stored.author_handle, stored.state, stored.gone_at) == (
        None,
        None,
        None,
        "removed",
        T0,
    )


def test_mark_gone_purges_text_and_author_and_counts_live_posts(sessions: sessionmaker[Session]) -> None:
    store(sessions, [record(1), record(2), record(3)], T0)
    with sessions.begin() as session:
        assert mark_gone(session, "reddit", ["t3_00001", "t3_00002", "t3_99999"], "deleted", T1) == 2
    stored = posts(sessions)
    assert (stored["t3_00001"].text, stored["t3_00001"].author_id, stored["t3_00001"].state) == (
        None,
        None,
        "deleted",
    )
    assert stored["t3_00001"].gone_at == T1
    assert stored["t3_00001"].matched_terms == ["keep4o"]
    assert stored["t3_00003"].text == "Please #keep4o"


def test_mark_gone_twice_keeps_the_first_state_and_time(sessions: sessionmaker[Session]) -> None:
    store(sessions, [record(1)], T0)
    with sessions.begin() as session:
        mark_gone(session, "reddit", ["t3_00001"], "removed", T0)
    with sessions.begin() as session:
        assert mark_gone(session, "reddit", ["t3_00001"], "deleted", T1) == 0
    stored = posts(sessions)["t3_00001"]
    assert (stored.state, stored.gone_at) == ("removed", T0)


def test_mark_gone_rejects_a_state_that_is_not_gone(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        try:
            mark_gone(session, "reddit", ["t3_00001"], "live", T0)
        except ValueError as exc:
            assert "removed" in str(exc)
        else:
            raise AssertionError("mark_gone accepted state 'live'")


def test_batches_larger_than_one_statement_chunk_are_all_stored(sessions: sessionmaker[Session]) -> None:
    batch = [record(n) for n in range(2500)]
    assert store(sessions, batch, T0) == (2500, 0)
    assert store(sessions, batch, T1) == (0, 0)
    assert len(posts(sessions)) == 2500


def test_a_rolled_back_page_leaves_nothing_behind(sessions: sessionmaker[Session]) -> None:
    try:
        with sessions.begin() as session:
            upsert_posts(session, [record(1)], T0)
            raise RuntimeError("crash before commit")
    except RuntimeError:
        pass
    assert posts(sessions) == {}
    assert snapshot_count(sessions) == 0


def test_a_checkpoint_is_none_until_set(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        assert get_checkpoint(session, "reddit:new") is None


def test_setting_a_checkpoint_again_replaces_its_value(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        set_checkpoint(session, "reddit:new", "t3_a", T0)
    with sessions.begin() as session:
        set_checkpoint(session, "reddit:new", "t3_b", T1)
        set_checkpoint(session, "other", "x", T1)
    with sessions() as session:
        assert get_checkpoint(session, "reddit:new") == "t3_b"
        assert get_checkpoint(session, "other") == "x"
