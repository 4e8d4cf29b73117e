"""Changes, pace, projections and milestones from snapshots (bot.petitions.petition_stats).

Every expected figure is worked out by hand in the test, from the method in
bot/petitions/_pace.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.petitions import Snapshot, milestones_crossed, petition_stats

T = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)
D = timedelta(days=1)

# A steady week, with snapshots every so often (not every 15 minutes: gaps are normal).
WEEK = [
    Snapshot(T - 7 * D, 10_000),
    Snapshot(T - 24 * H, 12_400),
    Snapshot(T - 2 * H, 12_900),
    Snapshot(T - 1 * H, 12_950),
    Snapshot(T - timedelta(minutes=15), 12_990),
    Snapshot(T, 13_000),
]
MILESTONES = [12_500, 13_000, 15_000, 20_000]


def test_changes_compare_the_latest_snapshot_with_the_one_a_window_earlier() -> None:
    stats = petition_stats(WEEK, 25_000, MILESTONES, T)
    assert stats.change_24h == 13_000 - 12_400  # = 600 (snapshot at T-24h)
    assert stats.change_7d == 13_000 - 10_000  # = 3,000 (snapshot at T-7d)
    assert (stats.last_count, stats.last_at) == (13_000, T)


def test_signatures_per_hour_are_the_average_over_each_window() -> None:
    stats = petition_stats(WEEK, 25_000, MILESTONES, T)
    assert stats.per_hour_recent == pytest.approx(600 / 24)  # 12,400 -> 13,000 in 24 h = 25.0/h
    assert stats.per_hour_7d == pytest.approx(3_000 / 168)  # 10,000 -> 13,000 in 168 h = 17.86/h


def test_the_goal_is_projected_linearly_at_the_recent_pace() -> None:
    stats = petition_stats(WEEK, 25_000, MILESTONES, T)
    # (25,000 - 13,000) / 25 per hour = 480 h = 20 days after the last snapshot.
    assert stats.goal_eta == T + timedelta(hours=480)
    assert stats.eta_note == ""
    assert "24-hour pace (+600 over 24.0 h = 25.0/h)" in stats.method


def test_the_next_milestone_is_projected_the_same_way() -> None:
    stats = petition_stats(WEEK, 25_000, MILESTONES, T)
    # The next milestone above 13,000 is 15,000: 2,000 / 25 per hour = 80 h.
    assert (stats.next_milestone, stats.next_milestone_eta) == (15_000, T + timedelta(hours=80))


def test_a_milestone_reached_by_the_newest_snapshot_is_an_event() -> None:
    # The previous snapshot had 12,990; the newest 13,000: 13,000 was crossed at T (12,500 long before).
    assert milestones_crossed(WEEK, 25_000, MILESTONES) == [(13_000, T)]


def test_the_goal_counts_as_a_milestone_when_crossed() -> None:
    series = [Snapshot(T - H, 24_990), Snapshot(T, 25_010)]
    assert milestones_crossed(series, 25_000, []) == [(25_000, T)]


def test_a_gap_in_the_series_is_no_data_not_zero() -> None:
    # Nothing in the last two days: the recent figures are unknown, not 0.
    series = [Snapshot(T - 3 * D, 12_000), Snapshot(T - 2 * D, 12_500)]
    stats = petition_stats(series, 25_000, [], T)
    assert (stats.change_24h, stats.per_hour_recent) == (None, None)
    assert stats.change_7d is None  # no snapshot 7 days (+/- 42 h) before T
    # The 7-day pace still holds: 500 signatures in 24 h = 20.83/h.
    assert stats.per_hour_7d == pytest.approx(500 / 24)
    # Projected at that pace: (25,000 - 12,500) / (500/24) = 600 h after the last snapshot (T - 2 d).
    assert stats.goal_eta == T - 2 * D + timedelta(hours=600)
    assert "7-day pace" in stats.method


def test_a_gap_inside_a_window_averages_across_it() -> None:
    # Only two snapshots, 24 h apart: the 24-hour change and pace use them; nothing is zero-filled.
    series = [Snapshot(T - 24 * H, 20_000), Snapshot(T - 10 * timedelta(minutes=1), 20_480)]
    stats = petition_stats(series, None, [], T)
    assert stats.change_24h == 480
    hours = (23 * 60 + 50) / 60  # 23 h 50 min between the two snapshots
    assert stats.per_hour_recent == pytest.approx(480 / hours)


def test_a_window_end_too_far_from_its_ideal_time_gives_no_change() -> None:
    # The "a day ago" snapshot is 31 h old: beyond the 6-hour tolerance of the 24-hour window.
    series = [Snapshot(T - 31 * H, 100), Snapshot(T, 110)]
    assert petition_stats(series, None, [], T).change_24h is None


def test_a_flat_pace_is_not_reachable_rather_than_a_far_date() -> None:
    series = [Snapshot(T - 24 * H, 13_000), Snapshot(T, 13_000)]
    stats = petition_stats(series, 25_000, [15_000], T)
    assert (stats.goal_eta, stats.eta_note) == (None, "not reachable at current pace")
    assert (stats.next_milestone_eta, stats.milestone_note) == (None, "not reachable at current pace")


def test_a_falling_pace_is_not_reachable() -> None:
    series = [Snapshot(T - 24 * H, 13_100, "fall confirmed"), Snapshot(T, 13_000)]
    stats = petition_stats(series, 25_000, [], T)
    assert stats.per_hour_recent == pytest.approx(-100 / 24)
    assert stats.eta_note == "not reachable at current pace"


def test_an_arrival_beyond_a_year_is_not_reachable() -> None:
    # 24 signatures a day = 1/h: 12,000 more take 12,000 h = 500 days.
    series = [Snapshot(T - 24 * H, 12_976), Snapshot(T, 13_000)]
    stats = petition_stats(series, 25_000, [], T)
    assert stats.goal_eta is None
    assert stats.eta_note == "not reachable at current pace (more than 365 days away)"


def test_a_reached_goal_and_milestones_say_so() -> None:
    series = [Snapshot(T - 24 * H, 25_900), Snapshot(T, 26_000)]
    stats = petition_stats(series, 25_000, [21_000, 25_000], T)
    assert (stats.goal_eta, stats.eta_note) == (None, "goal reached")
    assert (stats.next_milestone, stats.milestone_note) == (None, "all milestones reached")


def test_without_a_goal_or_milestones_nothing_is_projected() -> None:
    stats = petition_stats(WEEK, None, [], T)
    assert (stats.goal_eta, stats.eta_note, stats.milestone_note) == (
        None,
        "no goal set",
        "no milestones set",
    )


def test_one_snapshot_is_not_enough_for_a_pace() -> None:
    stats = petition_stats([Snapshot(T, 13_000)], 25_000, [], T)
    assert (stats.last_count, stats.per_hour_recent, stats.per_hour_7d) == (13_000, None, None)
    assert stats.eta_note == "not enough data for a pace"
    # Milestones passed before tracking began are not events.
    assert milestones_crossed([Snapshot(T, 13_000)], 25_000, []) == []


def test_no_snapshots_at_all() -> None:
    stats = petition_stats([], 25_000, [15_000], T)
    assert (stats.last_count, stats.last_at, stats.change_24h) == (None, None, None)
    assert stats.eta_note == "no snapshots yet"


def test_a_flagged_jump_is_left_out_until_confirmed() -> None:
    later = T + timedelta(minutes=15)
    series = [*WEEK, Snapshot(later, 99_000, "jump")]
    stats = petition_stats(series, 25_000, MILESTONES, later)
    assert (stats.last_count, stats.pending_flag) == (13_000, "jump")
    # 15,000 and 20,000 are not reported from a suspect reading.
    assert milestones_crossed(series, 25_000, MILESTONES) == []
    # The pace ignores it. The window [later - 24 h, later] starts at T-23h45m, after the T-24h snapshot,
    # so it runs from T-2h (12,900) to T (13,000): 100 in 2 h = 50/h.
    assert stats.per_hour_recent == pytest.approx(100 / 2)


def test_a_confirmed_jump_counts_and_its_milestones_are_reported_on_confirmation() -> None:
    series = [
        Snapshot(T - 30 * timedelta(minutes=1), 20_900),
        Snapshot(T - 15 * timedelta(minutes=1), 32_000, "jump confirmed"),
        Snapshot(T, 32_100),
    ]
    stats = petition_stats(series, 25_000, [21_000, 22_000, 30_000, 50_000], T)
    assert stats.last_count == 32_100
    # Crossed since the last snapshot trusted when taken (20,900): 21,000, 22,000, the goal and 30,000.
    assert milestones_crossed(series, 25_000, [21_000, 22_000, 30_000, 50_000]) == [
        (21_000, T),
        (22_000, T),
        (25_000, T),
        (30_000, T),
    ]


def test_snapshots_after_now_are_ignored() -> None:
    stats = petition_stats(WEEK, 25_000, MILESTONES, T - 90 * timedelta(minutes=1))
    # At T-1h30m the newest snapshot is T-2h (12,900).
    assert (stats.last_count, stats.last_at) == (12_900, T - 2 * H)
