"""The exactly-once machinery: record first, publish, complete; crashes, retries and failures."""

from __future__ import annotations

import socket
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from publish_support import Clock, SimulatedCrash, crash_after_publish, edition, webhook_receiver
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.digest import to_json
from bot.publishers import (
    LEASE,
    Edition,
    FilePublisher,
    Outcome,
    Remote,
    WebhookPublisher,
    deliver,
    deliver_one,
    store_edition,
)
from bot.publishers._delivery import MAX_ATTEMPTS, TRIES_PER_RUN
from bot.storage import Delivery, JobRun, make_engine, make_sessionmaker


def _stored(sessions: sessionmaker[Session], clock: Clock) -> int:
    item = edition()
    digest_id, _ = store_edition(sessions, item.kind, item.key, to_json(item.content), clock())
    return digest_id


def _rows(sessions: sessionmaker[Session]) -> list[tuple[str, str, int]]:
    with sessions() as session:
        rows = session.execute(
            select(Delivery.target, Delivery.status, Delivery.attempts).order_by(Delivery.id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def _crashed_after_publishing(
    sessions: sessionmaker[Session], clock: Clock, tmp_path: Path, run_id: int | None = None
) -> int:
    """A digest whose file delivery was published and then never recorded; returns its id."""
    digest_id = _stored(sessions, clock)
    with pytest.raises(SimulatedCrash):
        deliver_one(
            sessions,
            digest_id,
            edition(),
            FilePublisher(tmp_path),
            clock=clock,
            after_publish=crash_after_publish,
            run_id=run_id,
        )
    return digest_id


def _closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/hook"


class RowsWhenPublishing:
    """The file publisher, noting the delivery rows as publishing starts."""

    target = "file"

    def __init__(self, sessions: sessionmaker[Session], directory: Path) -> None:
        self._sessions = sessions
        self._file = FilePublisher(directory)
        self.seen: list[list[tuple[str, str, int]]] = []

    def publish(self, edition: Edition, *, look_first: bool) -> Remote:
        self.seen.append(_rows(self._sessions))
        return self._file.publish(edition, look_first=look_first)


def test_the_delivery_is_recorded_pending_before_anything_is_published(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    clock = Clock()
    publisher = RowsWhenPublishing(sessions, tmp_path)
    outcome = deliver_one(sessions, _stored(sessions, clock), edition(), publisher, clock=clock)
    assert publisher.seen == [[("file", "pending", 1)]]
    assert (outcome.status, outcome.remote_id) == ("done", str(tmp_path / "digest-2026-02-20.md"))
    assert _rows(sessions) == [("file", "done", 1)]


def test_a_crash_after_publishing_leaves_it_pending_and_a_later_run_finds_the_copy(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    clock = Clock()
    digest_id = _crashed_after_publishing(sessions, clock, tmp_path)
    assert _rows(sessions) == [("file", "pending", 1)]
    # Within the lease another run may still be at work: hands off.
    assert (
        deliver_one(sessions, digest_id, edition(), FilePublisher(tmp_path), clock=clock).status
        == "in_progress"
    )
    clock.advance(LEASE + timedelta(seconds=1))
    markdown = tmp_path / "digest-2026-02-20.md"
    written = markdown.stat().st_mtime_ns
    outcome = deliver_one(sessions, digest_id, edition(), FilePublisher(tmp_path), clock=clock)
    assert (outcome.status, outcome.found) == ("done", True)
    assert markdown.stat().st_mtime_ns == written  # found, not written again
    assert _rows(sessions) == [("file", "done", 2)]


def test_a_done_delivery_is_not_repeated(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    clock = Clock()
    digest_id = _stored(sessions, clock)
    with webhook_receiver() as hook:
        publisher = WebhookPublisher("chat", "json", hook.url)
        first = deliver_one(sessions, digest_id, edition(), publisher, clock=clock)
        second = deliver_one(sessions, digest_id, edition(), publisher, clock=clock)
    assert (first.status, first.remote_id, first.found) == ("done", "m1", False)
    assert (second.status, second.remote_id, second.found) == ("done", "m1", True)
    assert len(hook.bodies) == 1


def test_a_webhook_is_never_sent_twice_after_a_crash(sessions: sessionmaker[Session]) -> None:
    clock = Clock()
    digest_id = _stored(sessions, clock)
    with webhook_receiver() as hook:
        publisher = WebhookPublisher("chat", "discord", hook.url)
        with pytest.raises(SimulatedCrash):
            deliver_one(
                sessions, digest_id, edition(), publisher, clock=clock, after_publish=crash_after_publish
            )
        clock.advance(LEASE * 2)
        outcome = deliver_one(sessions, digest_id, edition(), publisher, clock=clock)
    assert outcome.status == "unknown"
    assert "at most once" in (outcome.error or "")
    assert len(hook.bodies) == 1
    assert hook.bodies[0]["allowed_mentions"] == {"parse": []}


def test_a_refused_request_is_retried_with_backoff(sessions: sessionmaker[Session]) -> None:
    clock = Clock()
    sleeps: list[float] = []
    with webhook_receiver() as hook:
        hook.statuses = [503, 429]
        outcome = deliver_one(
            sessions,
            _stored(sessions, clock),
            edition(),
            WebhookPublisher("chat", "slack", hook.url),
            clock=clock,
            sleep=sleeps.append,
        )
    assert outcome.status == "done"
    assert len(hook.bodies) == 3 and sleeps == [2.0, 4.0]
    assert _rows(sessions) == [("webhook:chat", "done", 3)]


def test_a_permanent_refusal_is_not_retried_in_the_same_run(sessions: sessionmaker[Session]) -> None:
    clock = Clock()
    with webhook_receiver() as hook:
        hook.statuses = [404]
        outcome = deliver_one(
            sessions,
            _stored(sessions, clock),
            edition(),
            WebhookPublisher("chat", "json", hook.url),
            clock=clock,
            sleep=lambda s: None,
        )
    assert (outcome.status, len(hook.bodies)) == ("failed", 1)
    assert "HTTP 404" in (outcome.error or "")


def test_one_failing_target_does_not_block_the_others(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    clock = Clock()
    publishers = [WebhookPublisher("down", "json", _closed_port()), FilePublisher(tmp_path)]
    outcomes = deliver(
        sessions, _stored(sessions, clock), edition(), publishers, clock=clock, sleep=lambda s: None
    )
    assert [(o.target, o.status) for o in outcomes] == [("webhook:down", "failed"), ("file", "done")]
    assert "cannot connect" in (outcomes[0].error or "")
    assert (tmp_path / "digest-2026-02-20.json").is_file()


def test_a_failed_delivery_is_tried_again_by_the_next_run(sessions: sessionmaker[Session]) -> None:
    clock = Clock()
    digest_id = _stored(sessions, clock)
    with webhook_receiver() as hook:
        hook.statuses = [500, 500, 500]
        publisher = WebhookPublisher("chat", "json", hook.url)
        assert (
            deliver_one(sessions, digest_id, edition(), publisher, clock=clock, sleep=lambda s: None).status
            == "failed"
        )
        # Every refusal was certain: nothing arrived, so the next run sends without asking.
        assert deliver_one(sessions, digest_id, edition(), publisher, clock=clock).status == "done"
    assert len(hook.bodies) == 4


def test_the_first_composition_of_a_day_is_the_one_kept(sessions: sessionmaker[Session]) -> None:
    clock = Clock()
    first = edition()
    digest_id, kept = store_edition(sessions, "digest", first.key, to_json(first.content), clock())
    again, kept_again = store_edition(sessions, "digest", first.key, {"other": True}, clock())
    assert (again, kept_again) == (digest_id, kept)


def test_remote_ids_and_urls_are_recorded(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    clock = Clock()
    outcome = deliver_one(sessions, _stored(sessions, clock), edition(), FilePublisher(tmp_path), clock=clock)
    with sessions() as session:
        row = session.scalars(select(Delivery)).one()
    assert Remote(row.remote_id or "", row.remote_url) == Remote(outcome.remote_id or "", outcome.remote_url)
    assert row.remote_url == (tmp_path / "digest-2026-02-20.md").resolve().as_uri()
    assert row.completed_at == clock()


def test_a_target_that_keeps_failing_is_given_up_after_max_attempts_across_runs(
    sessions: sessionmaker[Session],
) -> None:
    clock = Clock()
    digest_id = _stored(sessions, clock)
    with webhook_receiver() as hook:
        hook.statuses = [500] * 100
        publisher = WebhookPublisher("chat", "json", hook.url)
        runs = [
            deliver_one(sessions, digest_id, edition(), publisher, clock=clock, sleep=lambda s: None)
            for _ in range(4)
        ]
    # Three runs of TRIES_PER_RUN tries pass MAX_ATTEMPTS (8); the fourth sends nothing.
    assert len(hook.bodies) == 3 * TRIES_PER_RUN > MAX_ATTEMPTS
    assert [(o.status, o.final) for o in runs] == [("failed", False)] * 3 + [("failed", True)]
    assert (runs[3].error or "").startswith("gave up after 9 attempts: NotDelivered: ")


def test_of_two_runs_recovering_the_same_delivery_at_once_only_one_goes_on(
    sessions: sessionmaker[Session], db_url: str, tmp_path: Path
) -> None:
    clock = Clock()
    digest_id = _stored(sessions, clock)
    publisher = FilePublisher(tmp_path)
    with pytest.raises(SimulatedCrash):
        deliver_one(sessions, digest_id, edition(), publisher, clock=clock, after_publish=crash_after_publish)
    clock.advance(LEASE * 2)  # the crashed run's lease has run out: both runs may recover it
    other_engine = make_engine(db_url)
    first: list[Outcome] = []

    def first_run_recovers_it_meanwhile(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        # The second run has read the expired row and is about to take it over.
        if statement.startswith("UPDATE deliveries") and not first:
            first.append(deliver_one(sessions, digest_id, edition(), publisher, clock=clock))

    event.listen(other_engine, "before_cursor_execute", first_run_recovers_it_meanwhile)
    try:
        second = deliver_one(make_sessionmaker(other_engine), digest_id, edition(), publisher, clock=clock)
    finally:
        other_engine.dispose()
    assert [(o.status, o.found) for o in first] == [("done", True)]
    assert (second.status, second.error) == ("in_progress", "another run took it over")
    assert _rows(sessions) == [("file", "done", 2)]


def _held_by_a_run(sessions: sessionmaker[Session], clock: Clock, tmp_path: Path, status: str) -> int:
    """A delivery left pending by job run whose row now says ``status``; returns the digest id."""
    with sessions.begin() as session:
        run = JobRun(job="digest", slot="s", started_at=clock(), status="running", counts={}, replica="r")
        session.add(run)
        session.flush()
        run_id = run.id
    digest_id = _crashed_after_publishing(sessions, clock, tmp_path, run_id=run_id)
    with sessions.begin() as session:
        session.execute(update(JobRun).where(JobRun.id == run_id).values(status=status))
    clock.advance(timedelta(seconds=5))  # well within the lease
    return digest_id


@pytest.mark.parametrize("ended", ["abandoned", "aborted"])
def test_a_delivery_held_by_a_run_that_has_ended_is_taken_over_at_once(
    sessions: sessionmaker[Session], tmp_path: Path, ended: str
) -> None:
    # A crash (abandoned) or a shutdown (aborted) mid-thread: waiting out the lease left the
    # thread half posted for ten minutes.
    clock = Clock()
    digest_id = _held_by_a_run(sessions, clock, tmp_path, ended)
    outcome = deliver_one(sessions, digest_id, edition(), FilePublisher(tmp_path), clock=clock)
    assert (outcome.status, outcome.found) == ("done", True)  # looked first: found, not sent again


def test_a_delivery_held_by_a_run_still_going_is_left_alone(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    clock = Clock()
    digest_id = _held_by_a_run(sessions, clock, tmp_path, "running")
    outcome = deliver_one(sessions, digest_id, edition(), FilePublisher(tmp_path), clock=clock)
    assert outcome.status == "in_progress"
