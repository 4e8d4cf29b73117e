"""Staleness: one operator alert when a source goes quiet or keeps failing, one notice when it recovers.

A stream (Jetstream) goes quiet when the checkpoint its progress moves stops moving."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError

from bot.config import Job
from bot.ops import Metrics
from bot.scheduler import Daemon, JobContext, JobSpec, Stream, Transition, make_spec
from bot.storage import Petition, PetitionSnapshot, make_engine, set_checkpoint
from tests.scheduler.conftest import FakeClock, make_settings

SCHEDULE = {"stale_after": "2h", "max_failures_in_row": 3}


class Source:
    """A poll that fails while ``broken`` is set."""

    def __init__(self) -> None:
        self.broken = False

    def __call__(self, ctx: JobContext) -> None:
        if self.broken:
            raise ConnectionError("503 Service Unavailable")


def daemon_for(
    engine: Engine,
    clock: FakeClock,
    jobs: list[JobSpec],
    alerts: list[Transition],
    streams: list[Stream] | None = None,
    **config: object,
) -> Daemon:
    settings = make_settings(str(engine.url), schedule=SCHEDULE, **config)
    return Daemon(settings, engine, clock=clock, specs=jobs, streams=streams or [], notify=alerts.append)


def test_failures_in_a_row_raise_one_alert_and_a_success_one_recovery(
    engine: Engine, clock: FakeClock
) -> None:
    source = Source()
    spec = make_spec("poll_reddit", "reddit", source, Job(every="10m"), watched=True)
    alerts: list[Transition] = []
    daemon = daemon_for(engine, clock, [spec], alerts)
    source.broken = True
    for _ in range(6):  # two failures more than the limit
        daemon.runner.run(spec)
        daemon.check_staleness()
        clock.advance(spec.period)
    assert [(a.kind, a.source) for a in alerts] == [("alert", "reddit")]
    assert alerts[0].message == "source reddit is stale: 3 failed polls in a row"

    source.broken = False
    for _ in range(3):
        daemon.runner.run(spec)
        daemon.check_staleness()
        clock.advance(spec.period)
    assert [a.kind for a in alerts] == ["alert", "recovery"]
    assert alerts[1].message.startswith("source reddit has recovered (stale since 2026-02-20T09:23:00")


def test_a_source_silent_longer_than_its_limit_is_stale(engine: Engine, clock: FakeClock) -> None:
    spec = make_spec("poll_bluesky", "bluesky", Source(), Job(every="10m"), watched=True)
    alerts: list[Transition] = []
    daemon = daemon_for(engine, clock, [spec], alerts)
    daemon.runner.run(spec)
    clock.advance(timedelta(hours=2))
    assert daemon.check_staleness() == []
    clock.advance(timedelta(minutes=1))
    [alert] = daemon.check_staleness()
    assert alert.message == "source bluesky is stale: no successful poll for 2h 01m"
    assert daemon.readiness()[1]["stale"] == {"bluesky": "no successful poll for 2h 01m"}


def test_a_petition_without_a_snapshot_for_too_long_is_stale(engine: Engine, clock: FakeClock) -> None:
    spec = make_spec("poll_petitions", "petitions", Source(), Job(every="15m"), watched=True)
    alerts: list[Transition] = []
    petitions = [{"id": "keep-4o", "url": "https://example.org/p/keep-4o"}]
    daemon = daemon_for(engine, clock, [spec], alerts, petitions=petitions)
    with daemon.runner.sessions.begin() as session:
        petition = Petition(key="keep-4o", url="https://example.org/p/keep-4o")
        session.add(petition)
        session.flush()
        session.add(PetitionSnapshot(petition_id=petition.id, taken_at=clock(), count=21000, strategy="test"))
    clock.advance(timedelta(hours=3))
    daemon.runner.run(spec)  # the poll itself succeeds but stores no snapshot
    assert [a.source for a in daemon.check_staleness()] == ["petition:keep-4o"]


def test_two_replicas_seeing_the_same_stale_source_alert_once(engine: Engine, clock: FakeClock) -> None:
    spec = make_spec("poll_reddit", "reddit", Source(), Job(every="10m"), watched=True)
    alerts: list[Transition] = []
    first = daemon_for(engine, clock, [spec], alerts)
    second = daemon_for(engine, clock, [spec], alerts)
    clock.advance(timedelta(hours=3))
    first.check_staleness()
    second.check_staleness()
    assert [a.kind for a in alerts] == ["alert"]


def test_of_two_replicas_racing_on_the_same_recovery_the_one_that_records_it_second_stays_quiet(
    engine: Engine, db_url: str, clock: FakeClock
) -> None:
    spec = make_spec("poll_reddit", "reddit", Source(), Job(every="10m"), watched=True)
    alerts: list[Transition] = []
    first = daemon_for(engine, clock, [spec], alerts)
    racer = make_engine(db_url)
    second = daemon_for(racer, clock, [spec], alerts)
    clock.advance(timedelta(hours=3))
    first.check_staleness()
    first.runner.run(spec)  # the source recovers
    raced: list[str] = []

    def first_records_it_meanwhile(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        # The second replica has read the stale state and is about to write the recovery.
        if statement.startswith("UPDATE checkpoints") and not raced:
            raced.append(statement)
            first.check_staleness()

    event.listen(racer, "before_cursor_execute", first_records_it_meanwhile)
    try:
        assert second.check_staleness() == []
    finally:
        racer.dispose()
    assert raced
    assert [a.kind for a in alerts] == ["alert", "recovery"]


def test_changes_recorded_before_the_database_fails_midway_are_still_alerted(
    engine: Engine, clock: FakeClock
) -> None:
    specs = [
        make_spec(f"poll_{source}", source, Source(), Job(every="10m"), watched=True)
        for source in ("reddit", "bluesky")
    ]
    alerts: list[Transition] = []
    daemon = daemon_for(engine, clock, specs, alerts)
    clock.advance(timedelta(hours=3))

    def fail_the_second_write(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if statement.startswith("INSERT INTO checkpoints") and "stale:bluesky" in str(parameters):
            raise OperationalError(statement, parameters, Exception("disk I/O error"))

    event.listen(engine, "before_cursor_execute", fail_the_second_write)
    try:
        assert [a.source for a in daemon.check_staleness()] == ["reddit"]
    finally:
        event.remove(engine, "before_cursor_execute", fail_the_second_write)
    assert [a.source for a in alerts] == ["reddit"]
    assert [a.source for a in daemon.check_staleness()] == ["bluesky"]
    assert [a.source for a in alerts] == ["reddit", "bluesky"]


def test_a_stale_source_shows_in_the_metrics(engine: Engine, clock: FakeClock) -> None:
    spec = make_spec("poll_reddit", "reddit", Source(), Job(every="10m"), watched=True)
    daemon = daemon_for(engine, clock, [spec], [])
    clock.advance(timedelta(hours=3))
    daemon.check_staleness()
    value = daemon.metrics.registry.get_sample_value
    assert value("keep4o_source_stale", {"source": "reddit"}) == 1
    assert value("keep4o_operator_alerts_total", {"kind": "alert"}) == 1


def test_a_stream_whose_progress_stops_moving_is_stale_until_it_moves_again(
    engine: Engine, clock: FakeClock
) -> None:
    stream = Stream("jetstream", "bluesky", lambda stop: None, Metrics(), progress="stream:cursor")
    alerts: list[Transition] = []
    daemon = daemon_for(engine, clock, [], alerts, streams=[stream])

    def moved(cursor: str) -> None:
        with daemon.runner.sessions.begin() as session:
            set_checkpoint(session, "stream:cursor", cursor, clock())

    moved("1")
    clock.advance(timedelta(hours=2))
    assert daemon.check_staleness() == []
    clock.advance(timedelta(minutes=1))
    [alert] = daemon.check_staleness()
    assert alert.message == "source bluesky is stale: no stream events for 2h 01m"
    assert daemon.readiness()[1]["stale"] == {"bluesky": "no stream events for 2h 01m"}

    moved("2")
    [recovery] = daemon.check_staleness()
    assert (recovery.kind, recovery.source) == ("recovery", "bluesky")
    assert daemon.readiness()[1]["stale"] == {}


def test_a_stream_that_never_moved_is_stale_counted_from_start_up(engine: Engine, clock: FakeClock) -> None:
    stream = Stream("jetstream", "bluesky", lambda stop: None, Metrics(), progress="stream:cursor")
    daemon = daemon_for(engine, clock, [], [], streams=[stream])
    clock.advance(timedelta(hours=2, minutes=5))
    [alert] = daemon.check_staleness()
    assert alert.message == "source bluesky is stale: no stream events for 2h 05m"
