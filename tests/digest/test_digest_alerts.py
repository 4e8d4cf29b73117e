"""Alerts between digests: which events, the spike rule, once per event, rate-limited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from digest_data import add_petition, add_post, hourly, make_config
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Config, Secrets, Settings
from bot.digest import detect, run_alerts
from bot.digest._load import PetitionData, SnapshotRow
from bot.storage import Delivery, Digest

NOW = datetime(2026, 2, 20, 15, 20, tzinfo=UTC)


def _petition(series: list[tuple[datetime, int]], states: dict[datetime, str] | None = None) -> PetitionData:
    states = states or {}
    return PetitionData(
        key="changeorg-keep-gpt-4o",
        name="Keep GPT-4o available",
        url="https://www.change.org/p/keep-gpt-4o",
        goal=25000,
        milestones=(21000, 22000, 25000),
        snapshots=tuple(SnapshotRow(at, count, states.get(at, "open"), None) for at, count in series),
    )


def _config(**alerts: object) -> Config:
    return make_config(alerts={"targets": ["file"], "spike_sigma": 3.0, "spike_min_posts": 5, **alerts})


def test_a_milestone_crossed_in_the_last_day_is_an_event() -> None:
    series = [(NOW - timedelta(hours=2), 21950), (NOW - timedelta(hours=1), 22010)]
    (alert,) = detect([_petition(series)], {}, _config(), NOW).send
    assert (alert.event_id, alert.kind) == ("milestone:changeorg-keep-gpt-4o:22000", "milestone")
    assert alert.heading == "#keep4o alert: petition “Keep GPT-4o available” passed 22,000 signatures"
    assert alert.detail == "Passed 22,000 at Fri 20 Feb 15:20."


def test_a_milestone_crossed_days_ago_is_not_an_event() -> None:
    series = [(NOW - timedelta(days=3, hours=1), 21950), (NOW - timedelta(days=3), 22010), (NOW, 22100)]
    assert detect([_petition(series)], {}, _config(), NOW).send == ()


def test_only_the_highest_of_several_milestones_is_sent() -> None:
    series = [
        (NOW - timedelta(hours=3), 20900),
        (NOW - timedelta(hours=2), 21500),
        (NOW - timedelta(hours=1), 22500),
    ]
    detected = detect([_petition(series)], {}, _config(), NOW)
    assert [a.event_id for a in detected.send] == ["milestone:changeorg-keep-gpt-4o:22000"]
    assert [a.event_id for a in detected.superseded] == ["milestone:changeorg-keep-gpt-4o:21000"]


def test_reaching_the_goal_supersedes_the_milestone_at_the_goal() -> None:
    series = [(NOW - timedelta(hours=2), 24990), (NOW - timedelta(hours=1), 25003)]
    detected = detect([_petition(series)], {}, _config(), NOW)
    assert [(a.event_id, a.kind) for a in detected.send] == [("goal:changeorg-keep-gpt-4o", "goal")]
    assert (
        detected.send[0].headline == "petition “Keep GPT-4o available” reached its goal of 25,000 signatures"
    )


def test_a_state_change_is_an_event() -> None:
    closed = NOW - timedelta(hours=1)
    detected = detect(
        [_petition([(NOW - timedelta(hours=2), 100), (closed, 100)], {closed: "closed"})], {}, _config(), NOW
    )
    assert [a.event_id for a in detected.send] == ["state:changeorg-keep-gpt-4o:closed:20260220T1420"]
    assert detected.send[0].headline == "petition “Keep GPT-4o available” is closed"


def _baseline(last_hour: datetime, counts: dict[int, int]) -> dict[datetime, int]:
    """Hourly counts alternating 2 and 4 for the week before (mean 3, σ 1), plus ``counts`` by hours back."""
    out = {last_hour - timedelta(hours=h): 2 + 2 * (h % 2) for h in range(1, 200)}
    out.update({last_hour - timedelta(hours=h): n for h, n in counts.items()})
    return out


def test_a_spike_needs_more_than_mean_plus_k_sigma_and_the_minimum() -> None:
    hour = datetime(2026, 2, 20, 14, tzinfo=UTC)  # the last full hour at NOW
    config = _config()
    # Baseline mean 3, σ 1, k 3: the threshold is 6; the minimum is 5.
    (spike,) = detect([], {"bluesky": _baseline(hour, {0: 7})}, config, NOW).send
    assert spike.event_id == "spike:bluesky:20260220T14"
    assert spike.headline == "7 posts on Bluesky in the hour from Fri 20 Feb 15:00"
    assert "3.0 posts (σ 1.0)" in spike.detail and "mean + 3σ = 6.0" in spike.detail
    assert detect([], {"bluesky": _baseline(hour, {0: 6})}, config, NOW).send == ()
    assert detect([], {"bluesky": _baseline(hour, {0: 7})}, _config(spike_min_posts=20), NOW).send == ()


def test_only_the_newest_spiking_hour_is_sent() -> None:
    hour = datetime(2026, 2, 20, 14, tzinfo=UTC)
    detected = detect([], {"reddit": _baseline(hour, {0: 30, 1: 30})}, _config(), NOW)
    assert [a.event_id for a in detected.send] == ["spike:reddit:20260220T14"]
    assert [a.event_id for a in detected.superseded] == ["spike:reddit:20260220T13"]


def _settings(tmp_path: Path, **alerts: object) -> Settings:
    config = _config(**alerts).model_copy(
        update={"digest": make_config().digest.model_copy(update={"file_directory": str(tmp_path / "out")})}
    )
    return Settings(config=config, secrets=Secrets(), path=tmp_path / "keep4o.toml", database_url="")


def test_each_event_is_alerted_once(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    with sessions.begin() as session:
        add_petition(session, [(NOW - timedelta(hours=2), 21950), (NOW - timedelta(hours=1), 22010)])
    settings = _settings(tmp_path)
    assert run_alerts(settings, sessions, clock=lambda: NOW) == 1
    assert run_alerts(settings, sessions, clock=lambda: NOW + timedelta(hours=2)) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "alert-milestone_changeorg-keep-gpt-4o_22000.json",
        "alert-milestone_changeorg-keep-gpt-4o_22000.md",
    ]
    with sessions() as session:
        assert session.scalars(select(Digest.key).where(Digest.kind == "alert")).all() == [
            "milestone:changeorg-keep-gpt-4o:22000"
        ]
        assert session.scalars(select(Delivery.status)).all() == ["done"]


def test_a_new_event_waits_for_the_minimum_interval(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    with sessions.begin() as session:
        add_petition(session, hourly(NOW - timedelta(hours=3), NOW - timedelta(hours=1), 21990, 10))
    settings = _settings(tmp_path, min_interval="1h")
    assert run_alerts(settings, sessions, clock=lambda: NOW) == 1  # 22,000
    with sessions.begin() as session:
        for minute in range(60):  # a burst on Reddit in the hour from 15:00 UTC
            add_post(session, NOW.replace(minute=minute))
    held = datetime(2026, 2, 20, 16, 5, tzinfo=UTC)  # the spike hour is over; 45 min since the last alert
    assert run_alerts(settings, sessions, clock=lambda: held) == 0
    assert run_alerts(settings, sessions, clock=lambda: held + timedelta(minutes=20)) == 1
    with sessions() as session:
        keys = session.scalars(select(Digest.key).where(Digest.kind == "alert").order_by(Digest.id)).all()
    assert keys == ["milestone:changeorg-keep-gpt-4o:22000", "spike:reddit:20260220T15"]


def test_superseded_events_are_recorded_and_never_sent(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    with sessions.begin() as session:
        add_petition(session, [(NOW - timedelta(hours=2), 20900), (NOW - timedelta(hours=1), 22010)])
    settings = _settings(tmp_path)
    assert run_alerts(settings, sessions, clock=lambda: NOW) == 1
    assert run_alerts(settings, sessions, clock=lambda: NOW + timedelta(hours=3)) == 0
    with sessions() as session:
        rows = session.execute(
            select(Digest.key, Digest.content["superseded"].as_boolean()).order_by(Digest.key)
        ).all()
        sent = session.scalars(select(Digest.key).join(Delivery, Delivery.digest_id == Digest.id)).all()
    assert [key for key, _ in rows] == [
        "milestone:changeorg-keep-gpt-4o:21000",
        "milestone:changeorg-keep-gpt-4o:22000",
    ]
    assert sent == ["milestone:changeorg-keep-gpt-4o:22000"]
