"""Petition figures come from a month of snapshots, but only the rows that decide them are read.

A month of 5-minute snapshots is ~9,000 rows a petition; the digest and the alerts read the
period's (or the look-back's) rows and a few dozen older ones. Whatever the history, the
figures must be exactly those computed from every snapshot of the month.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from digest_data import DAY, PETITION_URL, TZ, make_config
from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from bot.digest import AlertContent, PetitionReport, day_period, load_petitions
from bot.digest._alerts import LOOKBACK, petition_alerts
from bot.digest._compose import petition_report
from bot.digest._load import HISTORY_DAYS, PetitionData, SnapshotRow
from bot.storage import Petition, PetitionSnapshot

Row = tuple[datetime, int, str | None, str | None]  # taken at, count, state, flag
CONFIG = make_config()
FLAGS = ("fall", "jump", "fall confirmed", "jump confirmed")


def _store(sessions: sessionmaker[Session], rows: list[Row]) -> None:
    with sessions.begin() as session:
        petition = Petition(
            key="changeorg-keep-gpt-4o", url=PETITION_URL, title="t", goal=25000, state="open"
        )
        session.add(petition)
        session.flush()
        session.execute(
            insert(PetitionSnapshot),
            [
                {"petition_id": petition.id, "taken_at": at, "count": n, "goal": 25000}
                | {"state": state, "flag": flag, "strategy": "test"}
                for at, n, state, flag in rows
            ],
        )


def _loaded(sessions: sessionmaker[Session], end: datetime, every_from: datetime) -> PetitionData:
    with sessions() as session:
        (data,) = load_petitions(session, CONFIG, end, every_from=every_from)
    return data


def _every_row(data: PetitionData, rows: list[Row], end: datetime) -> PetitionData:
    """The same petition with every snapshot of the month before ``end`` (or the last one before)."""
    before = sorted(r for r in rows if r[0] < end)
    month = [r for r in before if r[0] >= end - timedelta(days=HISTORY_DAYS)] or before[-1:]
    return dataclasses.replace(data, snapshots=tuple(SnapshotRow(*r) for r in month))


def _busy_month(seed: int, end: datetime) -> list[Row]:
    """Snapshots every 20 minutes for 40 days, passing 21,000 four weeks ago and 22,000 on the last day.

    About 1 in 40 snapshots carries a flag (confirmed or not), 1 in 10 no state; the petition
    is closed for a day three weeks ago; a few readings are missing.
    """
    rng = random.Random(seed)
    rows: list[Row] = []
    count, at = 17_730, end - timedelta(days=40)
    while at < end:
        count += rng.randrange(0, 4)
        if rng.random() > 0.01:
            flag = rng.choice(FLAGS) if rng.random() < 0.025 else None
            shown = count - rng.randrange(1, 300) if flag and flag.startswith("fall") else count
            state = None if rng.random() < 0.1 else ("closed" if (end - at).days == 20 else "open")
            rows.append((at, shown, state, flag))
        at += timedelta(minutes=20)
    return rows


def _flagged_lately(end: datetime) -> list[Row]:
    """Trusted hourly readings until 12 days before the end, only flagged falls since: a stale count."""
    start = end - timedelta(days=20)
    return [
        (start + timedelta(hours=h), 21_000 + h, "open", None if h < 8 * 24 else "fall")
        for h in range(20 * 24)
    ]


def _state_long_ago(end: datetime) -> list[Row]:
    """Hourly readings; only the first four days' carry a state, and those were flagged jumps."""
    start = end - timedelta(days=25)
    return [
        (start + timedelta(hours=h), 21_500 + 10 * h, *(("victory", "jump") if h < 4 * 24 else (None, None)))
        for h in range(25 * 24)
    ]


def _fall_after_a_milestone(end: datetime) -> list[Row]:
    """22,100 two weeks ago, a confirmed fall to 21,950 just after (both read without a state),
    then 22,050 on the last day.

    22,000 was passed two weeks ago: a milestone is judged against the last unflagged reading
    (22,100), so the last day passes none, although the readings around it say 21,950.
    """
    noon = end - timedelta(days=14) + timedelta(hours=12)
    before: list[Row] = [(noon - timedelta(hours=h), 21_900 - h, "open", None) for h in range(1, 25)]
    fall: list[Row] = [
        (noon, 22_100, None, None),
        (noon + timedelta(minutes=30), 21_950, None, "fall confirmed"),
    ]
    day: list[Row] = [(end - timedelta(hours=20 - h), 22_050 + h, "open", None) for h in range(10)]
    return before + fall + day


def _slow_week(end: datetime) -> list[Row]:
    """A reading every 3 hours, growing faster and faster, from 9 days to 29 hours before the end.

    Nothing in the last day: the pace is the 7-day one, from the week's first reading (1 am).
    """
    return [
        (end - timedelta(days=9) + timedelta(hours=1 + 3 * k), 21_000 + k * k, "open", None)
        for k in range(63)
    ]


def _silent_for_six_weeks(end: datetime) -> list[Row]:
    """Hourly readings that stopped six weeks before the end: the last one is all there is to say."""
    return [(end - timedelta(days=42, hours=h), 21_500 - h, "open", None) for h in range(48)]


SCENARIOS: dict[str, Callable[[datetime], list[Row]]] = {
    "busy month": lambda end: _busy_month(1, end),
    "another busy month": lambda end: _busy_month(2, end),
    "flagged lately": _flagged_lately,
    "state long ago": _state_long_ago,
    "fall after a milestone": _fall_after_a_milestone,
    "slow week": _slow_week,
    "silent for six weeks": _silent_for_six_weeks,
}
# What each scenario's last day must show (so that the comparison cannot pass by luck).
EXPECT: dict[str, Callable[[PetitionReport], bool]] = {
    "busy month": lambda r: [m.value for m in r.milestones_crossed] == [22000] and len(r.series) == 30,
    "another busy month": lambda r: None not in (r.change_day, r.change_week, r.per_hour, r.goal_eta),
    "flagged lately": lambda r: (r.count, r.stale) == (21_000 + 8 * 24 - 1, True),
    "state long ago": lambda r: r.state == "victory",
    "fall after a milestone": lambda r: (r.count, r.milestones_crossed) == (22_059, ()),
    "slow week": lambda r: r.change_day is None and r.per_hour is not None,
    "silent for six weeks": lambda r: (r.count, r.stale, r.series) == (21_500, True, ()),
}


@pytest.mark.parametrize("day", [DAY, date(2026, 3, 29), date(2026, 10, 25)], ids=["day", "23h", "25h"])
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_digest_reports_what_every_snapshot_of_the_month_says(
    sessions: sessionmaker[Session], scenario: str, day: date
) -> None:
    period = day_period(day, TZ)
    rows = SCENARIOS[scenario](period.end)
    _store(sessions, rows)
    data = _loaded(sessions, period.end, period.start)
    every = _every_row(data, rows, period.end)
    report = petition_report(data, period)
    assert report == petition_report(every, period)
    assert EXPECT[scenario](report)


def test_of_a_busy_month_the_day_and_a_few_dozen_older_snapshots_are_read(
    sessions: sessionmaker[Session],
) -> None:
    period = day_period(DAY, TZ)
    rows = _busy_month(1, period.end)
    _store(sessions, rows)
    read = _loaded(sessions, period.end, period.start).snapshots
    older = [s for s in read if s.taken_at < period.start]
    assert [s.taken_at for s in read if s.taken_at >= period.start] == [
        at for at, *_ in rows if period.start <= at < period.end
    ]
    assert len(rows) > 2_500
    assert len(older) < 40


# Every event the alerts see in the 25 days before the end (checked every 11 hours).
EVENTS = {
    "busy month": {"milestone 21000", "milestone 22000", "state closed", "state open"},
    "another busy month": {"milestone 21000", "milestone 22000", "state closed", "state open"},
    "flagged lately": set(),
    "state long ago": {"goal"},
    "fall after a milestone": {"milestone 22000"},
    "slow week": {"milestone 22000"},
    "silent for six weeks": set(),
}


def _event(alert: AlertContent) -> str:
    kind, _petition, *what = alert.event_id.split(":")
    return " ".join([kind, *what[:1]])


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_alerts_see_what_every_snapshot_of_the_month_says(
    sessions: sessionmaker[Session], scenario: str
) -> None:
    end = day_period(DAY, TZ).end
    rows = SCENARIOS[scenario](end)
    _store(sessions, rows)
    events = set()
    for hours in range(0, 25 * 24, 11):
        now = end - timedelta(hours=hours)
        data = _loaded(sessions, now + timedelta(microseconds=1), now - LOOKBACK)
        alerts = petition_alerts(data, CONFIG, now)
        assert alerts == petition_alerts(_every_row(data, rows, now + timedelta(microseconds=1)), CONFIG, now)
        events |= {_event(a) for a in alerts[0]}
    assert events == EVENTS[scenario]
