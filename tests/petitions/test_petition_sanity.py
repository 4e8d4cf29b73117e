"""Which counts to trust (bot.petitions.judge): falls and jumps wait for the next snapshot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.petitions import Snapshot, Verdict, implausible, judge

T = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
Q = timedelta(minutes=15)


def test_the_first_snapshot_is_trusted() -> None:
    assert judge([], 21_000, T) == Verdict(None)


def test_a_normal_rise_is_trusted() -> None:
    assert judge([Snapshot(T - Q, 21_000)], 21_040, T) == Verdict(None)


def test_an_unchanged_count_is_trusted() -> None:
    assert judge([Snapshot(T - Q, 21_000)], 21_000, T) == Verdict(None)


def test_any_fall_is_flagged() -> None:
    assert judge([Snapshot(T - Q, 21_000)], 20_999, T) == Verdict("fall")


def test_a_rise_of_more_than_half_in_a_quarter_hour_is_a_jump() -> None:
    # Allowed: max(1,000, 21,000 / 2 = 10,500, 10,000/h x 0.25 h = 2,500) = 10,500.
    assert implausible(21_000, T - Q, 31_500, T) is None
    assert implausible(21_000, T - Q, 31_501, T) == "jump"


def test_a_large_rise_over_a_long_gap_is_plausible() -> None:
    # After 2 h the allowance is max(1,000, 10,500, 20,000) = 20,000.
    assert implausible(21_000, T - 2 * timedelta(hours=1), 41_000, T) is None
    assert implausible(21_000, T - 2 * timedelta(hours=1), 41_001, T) == "jump"


def test_a_small_petition_may_rise_by_a_thousand() -> None:
    # Allowed: max(1,000, 50, 2,500) = 2,500 in a quarter hour.
    assert implausible(100, T - Q, 2_600, T) is None
    assert implausible(100, T - Q, 2_601, T) == "jump"


def test_a_jump_confirmed_by_the_next_snapshot() -> None:
    history = [Snapshot(T - 2 * Q, 21_000), Snapshot(T - Q, 33_000, "jump")]
    # 33,000 -> 33,050 is consistent with the jump, not with 21,000.
    assert judge(history, 33_050, T) == Verdict(None, (T - Q,))


def test_a_glitch_stays_flagged_when_the_next_snapshot_agrees_with_the_old_count() -> None:
    history = [Snapshot(T - 2 * Q, 21_000), Snapshot(T - Q, 99_000, "jump")]
    assert judge(history, 21_020, T) == Verdict(None)  # nothing confirmed


def test_a_fall_confirmed_by_the_next_snapshot() -> None:
    # Change.org removed 300 signatures: the next reading stays near the new count.
    history = [Snapshot(T - 2 * Q, 21_000), Snapshot(T - Q, 20_700, "fall")]
    assert judge(history, 20_710, T) == Verdict(None, (T - Q,))


def test_a_fall_undone_by_the_next_snapshot_was_a_glitch() -> None:
    history = [Snapshot(T - 2 * Q, 21_000), Snapshot(T - Q, 20_700, "fall")]
    assert judge(history, 21_010, T) == Verdict(None)


def test_a_reading_agreeing_with_neither_is_flagged_against_the_trusted_one() -> None:
    history = [Snapshot(T - 2 * Q, 21_000), Snapshot(T - Q, 99_000, "jump")]
    assert judge(history, 50_000, T) == Verdict("jump")


def test_copies_of_a_flagged_reading_are_confirmed_together() -> None:
    # A 304 stored the flagged count again; one consistent reading confirms both.
    history = [
        Snapshot(T - 3 * Q, 21_000),
        Snapshot(T - 2 * Q, 33_000, "jump"),
        Snapshot(T - Q, 33_000, "jump"),
    ]
    assert judge(history, 33_010, T) == Verdict(None, (T - 2 * Q, T - Q))


def test_a_confirmed_reading_is_the_new_base() -> None:
    history = [Snapshot(T - 2 * Q, 21_000), Snapshot(T - Q, 33_000, "jump confirmed")]
    assert judge(history, 33_020, T) == Verdict(None)
    assert judge(history, 32_000, T) == Verdict("fall")


def test_only_earlier_snapshots_count() -> None:
    history = [Snapshot(T - Q, 21_000), Snapshot(T + Q, 5_000)]
    assert judge(history, 21_010, T) == Verdict(None)
