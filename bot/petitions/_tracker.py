"""Polling every configured petition and storing a snapshot per successful read.

Decisions, for the daemon and the CLI:

* One petition failing does not stop the others. Each petition's snapshot is
  written in its own transaction; a failed fetch or parse writes nothing, so the
  stored history stays as it was. After all petitions are done,
  :func:`poll_petitions` raises :class:`PetitionPollError` if any failed: its
  one-line message names each failure, and its ``summary`` holds the counts of
  what did succeed, so a job run can be marked failed with that message.
* A ``304 Not Modified`` (the server honoured our ETag / Last-Modified) proves
  the count was unchanged at that moment, so it is stored as a snapshot copying
  the previous count, goal and state, with strategy ``not-modified`` (and the
  previous reading's pending flag, if any: a copy confirms nothing). Validators
  are sent only when a previous snapshot exists to copy.
* Two polls at the same instant (a frozen test clock) update that instant's
  snapshot instead of adding a second one.
* ``PollSummary``: ``new`` = snapshots stored, ``updated`` = petitions whose
  count moved, ``requests`` = HTTP requests made.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import utc_now
from bot.config import Petition as PetitionConfig
from bot.config import Settings
from bot.sources import PollSummary
from bot.storage import Checkpoint, Petition, PetitionSnapshot

from ._changeorg import parse_changeorg
from ._fetch import HTML, JSON, Validators, fetch, user_agent
from ._generic import parse_generic
from ._pace import Snapshot
from ._reading import PetitionError, Reading
from ._sanity import confirmed, judge
from ._uk import fetch_url, parse_uk

HISTORY = 100  # snapshots read back to judge a new count; a pending run is never this long


class PetitionPollError(PetitionError):
    """Some petitions failed; the others were stored. ``summary`` counts what succeeded."""

    def __init__(self, summary: PollSummary, failures: list[tuple[str, str]]) -> None:
        self.summary = summary
        self.failures = failures
        listed = "; ".join(f"{key}: {message}" for key, message in failures)
        total = summary.new + len(failures)
        super().__init__(f"{len(failures)} of {total} petitions failed: {listed}")


def adapter_for(petition: PetitionConfig) -> str:
    """The configured adapter, or the one the URL's site (or path shape) points to."""
    if petition.adapter != "auto":
        return petition.adapter
    if petition.selector or petition.pattern:
        return "generic"
    parts = urlsplit(petition.url)
    host = (parts.hostname or "").lower()
    if host == "change.org" or host.endswith(".change.org") or re.fullmatch(r"/p/[^/]+/?", parts.path):
        return "changeorg"
    if host == "petition.parliament.uk" or re.fullmatch(r"/petitions/\d+(\.json)?/?", parts.path):
        return "uk_parliament"
    raise PetitionError(
        f"cannot tell which site {petition.url} is; set adapter (changeorg, uk_parliament, generic)"
    )


def parse(petition: PetitionConfig, text: str) -> Reading:
    """The reading of a fetched page by the petition's adapter (pure)."""
    adapter = adapter_for(petition)
    if adapter == "changeorg":
        return parse_changeorg(text)
    if adapter == "uk_parliament":
        return parse_uk(text)
    return parse_generic(text, petition.selector, petition.pattern)


@dataclass(frozen=True)
class _Known:
    has_snapshot: bool
    validators: Validators


def _checkpoint_name(key: str) -> str:
    return f"petition:{key}:validators"


def _known(session: Session, key: str) -> _Known:
    row = session.scalar(select(Petition).where(Petition.key == key))
    if row is None:
        return _Known(False, Validators())
    has = session.scalar(select(PetitionSnapshot.id).where(PetitionSnapshot.petition_id == row.id).limit(1))
    saved = session.get(Checkpoint, _checkpoint_name(key))
    values = json.loads(saved.value) if saved is not None else {}
    return _Known(has is not None, Validators(values.get("etag"), values.get("last_modified")))


def _petition_row(session: Session, config: PetitionConfig, reading: Reading | None) -> Petition:
    row = session.scalar(select(Petition).where(Petition.key == config.id))
    if row is None:
        row = Petition(key=config.id, url=config.url)
        session.add(row)
    row.url = config.url
    if reading is not None:
        row.title = reading.title or config.name or row.title
        row.goal = config.goal or reading.goal or row.goal
        row.state = reading.state or row.state
    session.flush()
    return row


def _store(
    session: Session, config: PetitionConfig, reading: Reading | None, validators: Validators, now: datetime
) -> bool:
    """Write one snapshot (``reading`` None: a 304 copy); True when the count moved."""
    row = _petition_row(session, config, reading)
    history = list(
        session.scalars(
            select(PetitionSnapshot)
            .where(PetitionSnapshot.petition_id == row.id, PetitionSnapshot.taken_at < now)
            .order_by(PetitionSnapshot.taken_at.desc())
            .limit(HISTORY)
        )
    )
    previous = history[0] if history else None
    if reading is None:
        if previous is None:
            raise PetitionError("the server said 'not modified' but there is no earlier snapshot")
        values = {"count": previous.count, "goal": previous.goal, "state": previous.state}
        flag = previous.flag if previous.flag in ("fall", "jump") else None
        values.update(strategy="not-modified", flag=flag)
    else:
        verdict = judge([Snapshot(s.taken_at, s.count, s.flag) for s in history], reading.count, now)
        values = {"count": reading.count, "goal": reading.goal, "state": reading.state}
        values.update(strategy=reading.strategy, flag=verdict.flag)
        for snapshot in history:
            if snapshot.taken_at in verdict.confirm and snapshot.flag:
                snapshot.flag = confirmed(snapshot.flag)
    same_time = session.scalar(
        select(PetitionSnapshot).where(
            PetitionSnapshot.petition_id == row.id, PetitionSnapshot.taken_at == now
        )
    )
    snapshot = same_time or PetitionSnapshot(petition_id=row.id, taken_at=now)
    for name, value in values.items():
        setattr(snapshot, name, value)
    session.add(snapshot)
    checkpoint = session.get(Checkpoint, _checkpoint_name(config.id)) or Checkpoint(
        name=_checkpoint_name(config.id)
    )
    checkpoint.value = json.dumps({"etag": validators.etag, "last_modified": validators.last_modified})
    checkpoint.updated_at = now
    session.add(checkpoint)
    return previous is None or previous.count != values["count"]


def poll_petition(
    config: PetitionConfig,
    sessions: sessionmaker[Session],
    http: requests.Session,
    *,
    agent: str,
    now: datetime,
) -> bool:
    """Fetch, read and store one petition; True when its count moved. Raises :class:`PetitionError`."""
    adapter = adapter_for(config)
    with sessions() as session:
        known = _known(session, config.id)
    url = fetch_url(config.url) if adapter == "uk_parliament" else config.url
    page = fetch(
        http,
        url,
        accept=JSON if adapter == "uk_parliament" else HTML,
        agent=agent,
        timeout=config.timeout_seconds,
        validators=known.validators if known.has_snapshot else None,
    )
    reading = None if page.status == 304 else parse(config, page.text)
    with sessions.begin() as session:
        return _store(session, config, reading, page.validators, now)


def poll_petitions(
    settings: Settings,
    sessions: sessionmaker[Session],
    *,
    clock: Callable[[], datetime] = utc_now,
    http: requests.Session | None = None,
) -> PollSummary:
    """Snapshot every configured petition; raises :class:`PetitionPollError` after storing the rest."""
    config = settings.config
    agent = user_agent(config.campaign.public_base_url)
    client = http or requests.Session()
    stored = moved = requests_made = 0
    failures: list[tuple[str, str]] = []
    try:
        for petition in config.petitions:
            try:
                adapter_for(petition)  # a config problem fails before any request
                requests_made += 1
                moved += poll_petition(petition, sessions, client, agent=agent, now=clock())
                stored += 1
            except PetitionError as exc:
                failures.append((petition.id, str(exc)))
    finally:
        if http is None:
            client.close()
    summary = PollSummary(source="petitions", new=stored, updated=moved, requests=requests_made)
    if failures:
        raise PetitionPollError(summary, failures)
    return summary
