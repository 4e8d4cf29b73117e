"""Figures derived from a petition's snapshots: changes, pace, projections, milestones (pure).

Method, stated once and echoed in :attr:`PetitionStats.method`:

* Only trusted snapshots count: unflagged ones and confirmed falls or jumps
  (see ``_sanity``). Snapshots after ``now`` are ignored.
* **Change over a window W** (24 h, 7 d) is the latest snapshot's count
  minus the count of the latest snapshot at least W old. Each end may be off by
  at most ``max(W/4, 30 min)``; if there is no snapshot that close, the change
  is None. No interpolation: a gap in the series stays a gap, never a zero.
* **Signatures per hour** over a window (recent = 24 h, and 7 d) is the count
  difference between the first and last snapshot inside the window divided by
  the hours between them; it needs two snapshots at least W/24 apart. Counts are
  cumulative, so this average is exact across gaps inside the window.
* **Projection**: linear, ``last time + (target - last count) / pace``, at the
  recent pace (the 7-day pace when the last 24 h hold too little). A pace of 0
  or less, or an arrival more than a year away, is "not reachable at current
  pace" rather than a far-off date.
* **Milestones crossed** (the goal counts as one) are those between the newest
  snapshot and the previous snapshot that was trusted when it was taken; a
  flagged newest snapshot reports none until it is confirmed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.storage import is_trusted

HORIZON = timedelta(days=365)
UNREACHABLE = "not reachable at current pace"
WINDOWS = {"24h": timedelta(hours=24), "7d": timedelta(days=7)}


@dataclass(frozen=True)
class Snapshot:
    at: datetime
    count: int
    flag: str | None = None


@dataclass(frozen=True)
class PetitionStats:
    last_count: int | None  # the newest trusted count
    last_at: datetime | None
    change_24h: int | None  # None: no data for that window
    change_7d: int | None
    per_hour_recent: float | None  # over the last 24 h
    per_hour_7d: float | None
    goal_eta: datetime | None
    eta_note: str  # why goal_eta is None ("goal reached", UNREACHABLE, ...); "" when it is a date
    next_milestone: int | None
    next_milestone_eta: datetime | None
    milestone_note: str
    method: str
    pending_flag: str | None = None  # the newest snapshot's flag while it awaits confirmation


def _tolerance(window: timedelta) -> timedelta:
    return max(window / 4, timedelta(minutes=30))


def _latest_between(series: Sequence[Snapshot], start: datetime, end: datetime) -> Snapshot | None:
    inside = [s for s in series if start <= s.at <= end]
    return inside[-1] if inside else None


def change_over(series: Sequence[Snapshot], window: timedelta, now: datetime) -> int | None:
    tolerance = _tolerance(window)
    end = _latest_between(series, now - tolerance, now)
    start = _latest_between(series, now - window - tolerance, now - window)
    if end is None or start is None:
        return None
    return end.count - start.count


def per_hour(series: Sequence[Snapshot], window: timedelta, now: datetime) -> tuple[float, int, float] | None:
    """(rate, count difference, hours) over the window, or None without two snapshots far enough apart."""
    inside = [s for s in series if now - window <= s.at <= now]
    if len(inside) < 2:
        return None
    hours = (inside[-1].at - inside[0].at).total_seconds() / 3600
    if hours < window.total_seconds() / 3600 / 24:
        return None
    difference = inside[-1].count - inside[0].count
    return difference / hours, difference, hours


def _eta(last: Snapshot, target: int, rate: float | None, now: datetime) -> tuple[datetime | None, str]:
    if target <= last.count:
        return None, "reached"
    if rate is None:
        return None, "not enough data for a pace"
    if rate <= 0:
        return None, UNREACHABLE
    eta = last.at + timedelta(hours=(target - last.count) / rate)
    if eta - now > HORIZON:
        return None, f"{UNREACHABLE} (more than {HORIZON.days} days away)"
    return eta, ""


def milestones_crossed(
    series: Sequence[Snapshot], goal: int | None, milestones: Sequence[int]
) -> list[tuple[int, datetime]]:
    """Milestones passed by the newest snapshot since the previous one trusted when taken."""
    if not series or series[-1].flag is not None:
        return []
    newest = series[-1]
    previous = next((s for s in reversed(series[:-1]) if s.flag is None), None)
    if previous is None:
        return []
    marks = sorted(set(milestones) | ({goal} if goal else set()))
    return [(m, newest.at) for m in marks if previous.count < m <= newest.count]


def petition_stats(
    snapshots: Sequence[Snapshot], goal: int | None, milestones: Sequence[int], now: datetime
) -> PetitionStats:
    """Every derived figure for one petition at ``now`` (see the module notes for the method)."""
    series = sorted((s for s in snapshots if s.at <= now), key=lambda s: s.at)
    trusted = [s for s in series if is_trusted(s.flag)]
    recent = per_hour(trusted, WINDOWS["24h"], now)
    weekly = per_hour(trusted, WINDOWS["7d"], now)
    pace, pace_name = (recent, "24-hour") if recent is not None else (weekly, "7-day")
    rate = pace[0] if pace is not None else None
    method = (
        "changes: latest snapshot minus the latest one at least 24 h/7 d old, no interpolation; "
        "projection: linear at the "
        + (
            f"{pace_name} pace ({pace[1]:+,} over {pace[2]:.1f} h = {pace[0]:.1f}/h)"
            if pace
            else "recent pace"
        )
        + "; flagged snapshots excluded"
    )
    last = trusted[-1] if trusted else None
    goal_eta, eta_note, next_mark, mark_eta, mark_note = None, "no snapshots yet", None, None, ""
    if last is not None:
        if goal is None:
            eta_note = "no goal set"
        else:
            goal_eta, eta_note = _eta(last, goal, rate, now)
            eta_note = "goal reached" if eta_note == "reached" else eta_note
        next_mark = min((m for m in milestones if m > last.count), default=None)
        if next_mark is None:
            mark_note = "all milestones reached" if milestones else "no milestones set"
        else:
            mark_eta, mark_note = _eta(last, next_mark, rate, now)
    pending = series[-1].flag if series and not is_trusted(series[-1].flag) else None
    return PetitionStats(
        last_count=last.count if last else None,
        last_at=last.at if last else None,
        change_24h=change_over(trusted, WINDOWS["24h"], now),
        change_7d=change_over(trusted, WINDOWS["7d"], now),
        per_hour_recent=recent[0] if recent else None,
        per_hour_7d=weekly[0] if weekly else None,
        goal_eta=goal_eta,
        eta_note=eta_note,
        next_milestone=next_mark,
        next_milestone_eta=mark_eta,
        milestone_note=mark_note,
        method=method,
        pending_flag=pending,
    )
