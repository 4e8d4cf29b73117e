"""Every write that can move a trend figure notes the hours of post creation it touched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from bot.scheduler._retention import purge_post_content
from bot.storage import PostChange, mark_gone, upsert_posts
from bot.storage._changes import hour_spans
from tests.storage.test_posts_upsert import T0, T1, record, store

HOUR = timedelta(hours=1)


def noted(sessions: sessionmaker[Session]) -> list[tuple[datetime, datetime]]:
    with sessions() as session:
        return sorted(
            (start, stop) for start, stop in session.execute(select(PostChange.start, PostChange.stop))
        )


def forget_notes(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        session.execute(delete(PostChange))


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 2, 14, hour, minute, tzinfo=UTC)


def test_instants_become_whole_utc_hours_with_neighbours_merged() -> None:
    instants = [at(9, 59), at(8, 1), at(8, 30), at(11, 0)]
    assert hour_spans(instants) == [(at(8), at(10)), (at(11), at(12))]


def test_an_instant_in_another_timezone_is_truncated_in_utc() -> None:
    kolkata = datetime(2026, 2, 14, 14, 45, tzinfo=ZoneInfo("Asia/Kolkata"))  # 09:15 UTC
    assert hour_spans([kolkata]) == [(at(9), at(10))]


def test_new_posts_note_their_hours(sessions: sessionmaker[Session]) -> None:
    store(sessions, [record(1, created_at=at(10, 5)), record(2, created_at=at(7, 59))], T1)
    assert noted(sessions) == [(at(7), at(8)), (at(10), at(11))]


def test_a_post_seen_again_unchanged_notes_nothing(sessions: sessionmaker[Session]) -> None:
    store(sessions, [record(1)], T1)
    forget_notes(sessions)
    store(sessions, [record(1)], T1 + HOUR)
    assert noted(sessions) == []


@pytest.mark.parametrize(
    "change",
    [{"likes": 99}, {"lang": "nl"}, {"state": "removed"}],
    ids=["numbers", "language", "removed"],
)
def test_a_changed_post_notes_its_hour(sessions: sessionmaker[Session], change: dict[str, object]) -> None:
    store(sessions, [record(1, created_at=at(6, 30))], T1)
    forget_notes(sessions)
    store(sessions, [record(1, created_at=at(6, 30), **change)], T1 + HOUR)
    assert noted(sessions) == [(at(6), at(7))]


def test_marking_posts_gone_notes_the_hours_of_the_posts_that_were_live(
    sessions: sessionmaker[Session],
) -> None:
    store(sessions, [record(1, created_at=at(3, 10)), record(2, created_at=at(5, 10))], T1)
    forget_notes(sessions)
    with sessions.begin() as session:
        assert mark_gone(session, "reddit", ["t3_00001", "t3_99999"], "deleted", T1) == 1
    assert noted(sessions) == [(at(3), at(4))]


def test_retention_notes_everything_from_the_oldest_purged_post(sessions: sessionmaker[Session]) -> None:
    store(sessions, [record(1, created_at=at(2, 10)), record(2, created_at=at(9, 0))], T1)
    forget_notes(sessions)
    with sessions.begin() as session:
        assert purge_post_content(session, at(8)) == 1
    assert noted(sessions) == [(at(2, 10), at(8))]
    with sessions.begin() as session:
        assert purge_post_content(session, at(8)) == 0  # nothing left to purge, nothing noted
    assert noted(sessions) == [(at(2, 10), at(8))]


def test_a_rolled_back_page_leaves_no_note(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(RuntimeError), sessions.begin() as session:
        upsert_posts(session, [record(1)], T0)
        raise RuntimeError("crash before commit")
    assert noted(sessions) == []
