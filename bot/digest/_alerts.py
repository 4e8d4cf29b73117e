"""Events worth an alert between digests (pure).

* **Milestone / goal**: a trusted snapshot in the look-back window passed a
  configured milestone or the goal (judged as the petition tracker does, snapshot by
  snapshot). Only the highest milestone per petition is sent; reaching the goal
  supersedes milestones at or below it.
* **State**: two consecutive snapshots with different petition states (e.g. open →
  closed or victory).
* **Volume spike**, per platform, for each of the last few full UTC hours H:
  ``count(H) > mean + k·σ`` of the 168 hourly counts of the 7 days before H (hours
  without posts count as 0; σ is the population standard deviation; k =
  ``alerts.spike_sigma``) **and** ``count(H) ≥ alerts.spike_min_posts``. Only the
  newest spiking hour per platform is sent.

Every event has a stable id (its ``digests`` key), so it is alerted once however
often detection runs; superseded events are returned separately so they can be
recorded as handled.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.config import Config
from bot.petitions import Snapshot, milestones_crossed
from bot.storage import is_trusted

from ._load import PetitionData
from ._model import AlertContent, AlertKind
from ._words import moment, num, platform_name

LOOKBACK = timedelta(hours=24)
BASELINE_HOURS = 7 * 24
SPIKE_HOURS = 3  # full hours examined per run, so a held-back spike is still found next run
_STATE_WORDS = {"victory": "marked a victory", "closed": "closed", "open": "open again"}
PRIORITY = {"state": 0, "goal": 1, "milestone": 2, "spike": 3}


@dataclass(frozen=True)
class Detected:
    send: tuple[AlertContent, ...]  # most important first
    superseded: tuple[AlertContent, ...]


def _alert(
    config: Config,
    event_id: str,
    kind: AlertKind,
    at: datetime,
    *,
    headline: str,
    detail: str,
    url: str | None,
) -> AlertContent:
    return AlertContent(
        event_id=event_id,
        kind=kind,
        campaign=config.campaign.title,
        hashtag=config.match.hashtags[0].lstrip("#"),
        at=at,
        headline=headline,
        detail=detail,
        url=url,
    )


def petition_alerts(
    data: PetitionData, config: Config, now: datetime
) -> tuple[list[AlertContent], list[AlertContent]]:
    """(to send, superseded) for one petition's recent snapshots."""
    tz = config.campaign.timezone
    rows = sorted((s for s in data.snapshots if s.taken_at <= now), key=lambda s: s.taken_at)
    series = [Snapshot(at=s.taken_at, count=s.count, flag=s.flag) for s in rows]
    crossings: list[tuple[int, datetime]] = []
    states: list[AlertContent] = []
    # What each snapshot is judged against: the newest unflagged snapshot and the newest state
    # before it (``milestones_crossed`` needs just that pair, not the whole series up to it).
    unflagged: list[Snapshot] = []
    before: str | None = None
    for row, snapshot in zip(rows, series, strict=True):
        if row.taken_at > now - LOOKBACK:
            crossings += milestones_crossed([*unflagged, snapshot], data.goal, data.milestones)
            if row.state and before and row.state != before and is_trusted(row.flag):
                word = _STATE_WORDS.get(row.state, row.state)
                states.append(
                    _alert(
                        config,
                        f"state:{data.key}:{row.state}:{row.taken_at:%Y%m%dT%H%M}",
                        "state",
                        row.taken_at,
                        headline=f"petition “{data.name}” is {word}",
                        detail=f"It changed from {before} to {row.state} at {moment(row.taken_at, tz)}.",
                        url=data.url,
                    )
                )
        if snapshot.flag is None:
            unflagged = [snapshot]
        before = row.state or before
    goal = [(m, at) for m, at in crossings if m == data.goal]
    marks = [(m, at) for m, at in crossings if m != data.goal]
    events = [
        _alert(
            config,
            f"goal:{data.key}",
            "goal",
            at,
            headline=f"petition “{data.name}” reached its goal of {num(m)} signatures",
            detail=f"Passed {num(m)} at {moment(at, tz)}.",
            url=data.url,
        )
        for m, at in goal
    ]
    milestones = [
        _alert(
            config,
            f"milestone:{data.key}:{m}",
            "milestone",
            at,
            headline=f"petition “{data.name}” passed {num(m)} signatures",
            detail=f"Passed {num(m)} at {moment(at, tz)}.",
            url=data.url,
        )
        for m, at in sorted(marks)
    ]
    reached = goal[0][0] if goal else 0
    keep = [a for a in milestones[-1:] if int(a.event_id.rsplit(":", 1)[1]) > reached]
    dropped = [a for a in milestones if a not in keep]
    return [*states, *events, *keep], dropped


def _mean_sigma(counts: Sequence[int]) -> tuple[float, float]:
    return statistics.fmean(counts), statistics.pstdev(counts)


def spike_alerts(
    hourly: Mapping[str, Mapping[datetime, int]], config: Config, now: datetime
) -> tuple[list[AlertContent], list[AlertContent]]:
    """(to send, superseded): the newest spiking hour per platform, and older spiking hours."""
    rules = config.alerts
    tz = config.campaign.timezone
    current = now.replace(minute=0, second=0, microsecond=0)
    send: list[AlertContent] = []
    superseded: list[AlertContent] = []
    for platform, counts in sorted(hourly.items()):
        found = []
        for back in range(SPIKE_HOURS, 0, -1):
            hour = current - timedelta(hours=back)
            baseline = [counts.get(hour - timedelta(hours=h), 0) for h in range(1, BASELINE_HOURS + 1)]
            mean, sigma = _mean_sigma(baseline)
            threshold = mean + rules.spike_sigma * sigma
            count = counts.get(hour, 0)
            if count > threshold and count >= rules.spike_min_posts:
                name = platform_name(platform)
                found.append(
                    _alert(
                        config,
                        f"spike:{platform}:{hour:%Y%m%dT%H}",
                        "spike",
                        hour + timedelta(hours=1),
                        headline=f"{num(count)} posts on {name} in the hour from {moment(hour, tz)}",
                        detail=f"The usual hour in the past 7 days had {mean:.1f} posts (σ {sigma:.1f}); "
                        f"an alert needs more than mean + {rules.spike_sigma:g}σ = {threshold:.1f} "
                        f"and at least {rules.spike_min_posts}.",
                        url=None,
                    )
                )
        send += found[-1:]
        superseded += found[:-1]
    return send, superseded


def detect(
    petitions: Sequence[PetitionData],
    hourly: Mapping[str, Mapping[datetime, int]],
    config: Config,
    now: datetime,
) -> Detected:
    send: list[AlertContent] = []
    superseded: list[AlertContent] = []
    for data in petitions:
        keep, drop = petition_alerts(data, config, now)
        send += keep
        superseded += drop
    keep, drop = spike_alerts(hourly, config, now)
    send += keep
    superseded += drop
    send.sort(key=lambda a: (PRIORITY[a.kind], a.at, a.event_id))
    return Detected(tuple(send), tuple(superseded))
