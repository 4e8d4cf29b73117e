"""Running a digest or the alert check: load, compose, store, deliver (for the daemon and the CLI).

The first run for a day stores the composed content in ``digests``; every later run
for that day (a retry after a crash, another replica) publishes that stored content,
so every target says the same thing. ``dry_run`` composes afresh and records nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date as Date
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy import exists, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import utc_now
from bot.config import Settings, parse_duration
from bot.seeds import SeedArticle, SeedError, load_manifest
from bot.storage import Delivery, Digest

from ._alerts import BASELINE_HOURS, LOOKBACK, SPIKE_HOURS, detect
from ._compose import compose, day_period, last_full_day
from ._load import load_digest_data, load_hourly, load_petitions
from ._model import AlertContent, DigestContent, Period, alert_from_json, digest_from_json, to_json

if TYPE_CHECKING:
    from bot.publishers import Outcome, Publisher, Remote

log = logging.getLogger("bot.digest")

MAX_ALERTS_PER_RUN = 3


@dataclass(frozen=True)
class DigestResult:
    content: DigestContent
    outcomes: tuple[Outcome, ...]
    dry_run: bool


def _seeds() -> list[SeedArticle]:
    try:
        return load_manifest()
    except SeedError as exc:
        log.warning("digest without background articles: %s", exc)
        return []


def compose_for(settings: Settings, sessions: sessionmaker[Session], period: Period) -> DigestContent:
    with sessions() as session:
        data = load_digest_data(session, settings.config, period)
    return compose(data, period, settings.config, _seeds())


def _stored(sessions: sessionmaker[Session], kind: str, key: str) -> dict[str, Any] | None:
    with sessions() as session:
        return session.scalars(select(Digest.content).where(Digest.kind == kind, Digest.key == key)).first()


def run_digest(
    settings: Settings,
    sessions: sessionmaker[Session],
    *,
    clock: Callable[[], datetime] = utc_now,
    date: Date | None = None,
    targets: Sequence[str] | None = None,
    dry_run: bool = False,
    publishers: Sequence[Publisher] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    after_publish: Callable[[str, Remote], None] | None = None,
    run_id: int | None = None,
) -> DigestResult:
    """The digest of ``date`` (default: the last full day in the campaign's timezone), published.

    ``run_id``: the daemon's job run doing it, which holds the deliveries while it lasts.
    """
    # Publishers render through this package; importing them here keeps the import graph acyclic.
    from bot.publishers import Edition, Outcome, deliver, make_publishers, store_edition, target_names

    now = clock()
    tz = settings.config.campaign.timezone
    period = day_period(date or last_full_day(now, tz), tz)
    if period.end > now:
        raise ValueError(f"{period.key} is not over yet in {tz}; a digest covers a full day")
    names = (
        [p.target for p in publishers] if publishers is not None else target_names(settings.config, targets)
    )
    if dry_run or not names:
        content = compose_for(settings, sessions, period)
        return DigestResult(content, tuple(Outcome(n, "dry_run") for n in names if dry_run), dry_run)
    stored = _stored(sessions, "digest", period.key)
    content = _readable_digest(stored) or compose_for(settings, sessions, period)
    digest_id, kept = store_edition(sessions, "digest", period.key, to_json(content), now)
    content = _readable_digest(kept) or content
    chosen = (
        list(publishers)
        if publishers is not None
        else make_publishers(settings, names, sessions, clock=clock)
    )
    outcomes = deliver(
        sessions,
        digest_id,
        Edition("digest", period.key, content),
        chosen,
        clock=clock,
        sleep=sleep,
        after_publish=after_publish,
        run_id=run_id,
    )
    for outcome in outcomes:
        log.info("digest %s: %s", period.key, outcome.line())
    return DigestResult(content, tuple(outcomes), dry_run=False)


def _readable_digest(stored: dict[str, Any] | None) -> DigestContent | None:
    if stored is None:
        return None
    try:
        return digest_from_json(stored)
    except ValidationError as exc:
        # Stored by an older version with another shape: compose again rather than fail forever.
        log.warning("stored digest is unreadable (%s); composing it again", exc.errors()[0]["msg"])
        return None


def _last_alert_sent(session: Session) -> datetime | None:
    delivered = exists().where(Delivery.digest_id == Digest.id)
    return session.scalars(
        select(Digest.created_at).where(Digest.kind == "alert", delivered).order_by(Digest.created_at.desc())
    ).first()


def run_alerts(
    settings: Settings,
    sessions: sessionmaker[Session],
    *,
    clock: Callable[[], datetime] = utc_now,
    publishers: Sequence[Publisher] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    run_id: int | None = None,
) -> int:
    """Detect events and alert new ones (rate-limited); returns how many alerts were newly delivered.

    Events alerted before but not yet delivered everywhere are retried while still detected.
    """
    from bot.publishers import Edition, deliver, make_publishers, store_edition, target_names

    config = settings.config
    now = clock()
    hour = now.replace(minute=0, second=0, microsecond=0)
    with sessions() as session:
        petitions = load_petitions(
            session, config, now + timedelta(microseconds=1), every_from=now - LOOKBACK
        )
        hourly = load_hourly(session, hour - timedelta(hours=BASELINE_HOURS + SPIKE_HOURS), hour)
        detected = detect(petitions, hourly, config, now)
        ids = [a.event_id for a in (*detected.send, *detected.superseded)]
        rows = session.execute(
            select(Digest.key, Digest.content).where(Digest.kind == "alert", Digest.key.in_(ids))
        )
        known = {key: bool(content.get("superseded")) for key, content in rows}
        last_sent = _last_alert_sent(session)
    for alert in detected.superseded:
        if alert.event_id not in known:
            store_edition(sessions, "alert", alert.event_id, to_json(alert) | {"superseded": True}, now)
    limited = last_sent is not None and last_sent > now - timedelta(
        seconds=parse_duration(config.alerts.min_interval)
    )
    fresh = [a for a in detected.send if a.event_id not in known]
    due = [a for a in detected.send if known.get(a.event_id) is False]
    if not limited:
        due += fresh[:MAX_ALERTS_PER_RUN]
    elif fresh:
        log.info("alerts: %d new event(s) held back by alerts.min_interval", len(fresh))
    names = [p.target for p in publishers] if publishers is not None else target_names(config, alerts=True)
    if not due or not names:
        return 0
    chosen = (
        list(publishers)
        if publishers is not None
        else make_publishers(settings, names, sessions, clock=clock)
    )
    sent = 0
    for alert in due:
        alert_id, kept = store_edition(sessions, "alert", alert.event_id, to_json(alert), now)
        content: AlertContent = alert_from_json(kept)
        edition = Edition("alert", alert.event_id, content)
        outcomes = deliver(sessions, alert_id, edition, chosen, clock=clock, sleep=sleep, run_id=run_id)
        if any(o.status == "done" and not o.found for o in outcomes):
            sent += 1
            log.info("alert %s: %s", alert.event_id, "; ".join(o.line() for o in outcomes))
    return sent
