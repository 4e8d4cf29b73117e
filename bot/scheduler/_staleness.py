"""Staleness: a source that has not polled successfully (or a petition not snapshotted) for too long.

A stream (Jetstream) is stale when the checkpoint its progress moves has not moved for
``stale_after``: Jetstream carries every post of the network, so a minute without an event
means a stalled connection, not a quiet campaign.

The stale/fresh state of each source is kept in ``checkpoints`` (``stale:<source>``) and
changed with a compare-and-set, so across restarts and replicas each episode gives exactly
one alert when it starts and one recovery notice when it ends.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings, parse_duration
from bot.storage import Checkpoint, JobRun, Petition, PetitionSnapshot

from ._jobs import JobSpec
from ._records import failure_streak

PREFIX = "stale:"


@dataclass(frozen=True)
class SourceHealth:
    source: str
    stale: bool
    reason: str  # why it is stale; "" when fresh


@dataclass(frozen=True)
class Transition:
    source: str
    kind: str  # "alert" | "recovery"
    message: str


def _age(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60}h {minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"


def _silent(last: datetime | None, since: datetime, now: datetime) -> timedelta:
    """How long nothing happened; counted from start-up at the earliest, as the bot being
    down is not the source's fault."""
    return now - (max(last, since) if last else since)


def assess(
    session: Session,
    specs: Sequence[JobSpec],
    settings: Settings,
    now: datetime,
    since: datetime,
    *,
    streams: Sequence[tuple[str, str]] = (),
) -> list[SourceHealth]:
    """The health of every watched source, stream and petition; ``since``: when watching began
    (start-up); ``streams``: each stream's source and the checkpoint its progress moves."""
    schedule = settings.config.schedule
    stale_after = timedelta(seconds=parse_duration(schedule.stale_after))
    found: list[SourceHealth] = []
    for source, checkpoint in streams:
        moved = session.scalar(select(Checkpoint.updated_at).where(Checkpoint.name == checkpoint))
        silent = _silent(moved, since, now)
        reason = f"no stream events for {_age(silent)}" if silent > stale_after else ""
        found.append(SourceHealth(source, bool(reason), reason))
    for spec in specs:
        if not spec.watched:
            continue
        # A job that runs rarely is not stale between two of its runs.
        limit = max(stale_after, 2 * spec.period)
        last_ok = session.scalar(
            select(func.max(JobRun.finished_at)).where(JobRun.job == spec.name, JobRun.status == "ok")
        )
        streak, _ = failure_streak(session, spec.name)
        silent = _silent(last_ok, since, now)
        if streak >= schedule.max_failures_in_row:
            found.append(SourceHealth(spec.source, True, f"{streak} failed polls in a row"))
        elif silent > limit:
            found.append(SourceHealth(spec.source, True, f"no successful poll for {_age(silent)}"))
        else:
            found.append(SourceHealth(spec.source, False, ""))
    petitions = next((s for s in specs if s.source == "petitions"), None)
    if petitions is not None:
        limit = max(stale_after, 2 * petitions.period)
        rows = session.execute(
            select(Petition.key, func.max(PetitionSnapshot.taken_at))
            .join(PetitionSnapshot, PetitionSnapshot.petition_id == Petition.id)
            .group_by(Petition.key)
        )
        latest = {key: when for key, when in rows}
        for petition in settings.config.petitions:
            last = latest.get(petition.id)
            silent = _silent(last, since, now)
            stale = silent > limit
            reason = f"no signature count for {_age(silent)}" if stale else ""
            found.append(SourceHealth(f"petition:{petition.id}", stale, reason))
    return found


def _state(value: str | None) -> dict[str, Any]:
    try:
        loaded = json.loads(value) if value else {}
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def record(sessions: sessionmaker[Session], health: SourceHealth, now: datetime) -> Transition | None:
    """Store the source's state; the change from fresh to stale or back, if this call made it."""
    name = PREFIX + health.source
    with sessions() as session:
        row = session.get(Checkpoint, name)
        before = _state(row.value if row else None)
        if bool(before.get("stale")) == health.stale:
            return None
        value = json.dumps({"stale": health.stale, "since": now.isoformat(), "reason": health.reason})
        if row is None:
            session.add(Checkpoint(name=name, value=value, updated_at=now))
        else:
            # Compare-and-set: of two replicas seeing the same change, one wins and alerts.
            done = session.execute(
                update(Checkpoint)
                .where(Checkpoint.name == name, Checkpoint.value == row.value)
                .values(value=value, updated_at=now)
                .execution_options(synchronize_session=False)
            )
            if done.rowcount != 1:  # type: ignore[attr-defined]
                session.rollback()
                return None
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return None
    if health.stale:
        return Transition(health.source, "alert", f"source {health.source} is stale: {health.reason}")
    started = before.get("since")
    was = f" (stale since {started})" if started else ""
    return Transition(health.source, "recovery", f"source {health.source} has recovered{was}")


def stale_sources(session: Session) -> dict[str, str]:
    """Sources currently stale, with the reason, as recorded by the last check."""
    rows = session.execute(
        select(Checkpoint.name, Checkpoint.value).where(Checkpoint.name.like(f"{PREFIX}%"))
    )
    out: dict[str, str] = {}
    for name, value in rows:
        state = _state(value)
        if state.get("stale"):
            out[name.removeprefix(PREFIX)] = str(state.get("reason", ""))
    return out
