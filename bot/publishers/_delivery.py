"""Exactly-once delivery of a digest or alert to each target, over ``digests``/``deliveries``.

Protocol, per (digest, target):

1. A ``deliveries`` row is inserted with status ``pending`` and **committed before
   anything is published**. The unique (digest, target) key means only one run can
   insert it; any other run finds the row instead.
2. The publisher posts; the row is then completed (``done``, remote id and URL).
3. A run that finds an existing row acts on its status:

   * ``done``: nothing to do.
   * ``pending`` younger than ``LEASE``: another run is at it; leave it alone. Unless the
     row names its job run (``run_id``) and that run has ended (``job_runs`` says abandoned
     after a crash, aborted at shutdown): then it is handled as a lapsed lease at once,
     not ten minutes later.
   * ``failed``: the publisher said nothing reached the target; try again.
   * ``unknown``, or ``pending`` older than ``LEASE`` (a crash between publishing and
     recording): something may have reached the target, so the publisher must *look
     first* (its own recent posts, the file on disk) and only post what is missing.
     A target that cannot look (a webhook) answers :class:`Unverifiable` and the
     delivery stays ``unknown``: webhooks are at-most-once, never sent twice.

Once a delivery may have arrived it stays ``unknown`` until a look finds it or completes
it: a try that fails while looking (a rate limit, a thread the server cannot show yet)
says nothing about the earlier tries, so it must not turn the row into ``failed``, which
would let the next run post blind.

Each target is tried up to ``tries`` times per run with exponential backoff; a
failing target never stops the others. ``MAX_ATTEMPTS`` bounds retries across runs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.storage import Delivery, Digest, JobRun

log = logging.getLogger("bot.publishers")

LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 8
TRIES_PER_RUN = 3
BACKOFF_SECONDS = 2.0


@dataclass(frozen=True)
class Edition:
    """What is being delivered: a digest (key = its day) or an alert (key = its event id)."""

    kind: str  # "digest" | "alert"
    key: str
    content: Any  # bot.digest.DigestContent | bot.digest.AlertContent


@dataclass(frozen=True)
class Remote:
    id: str
    url: str | None = None
    found: bool = False  # an earlier copy was found on the target; nothing new was posted


class NotDelivered(Exception):
    """This try put nothing on the target, for certain (earlier tries may have: see above)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent  # retrying in this run will not help (bad request, refused login)


class Unverifiable(Exception):
    """The target cannot tell whether an earlier attempt arrived."""


class Publisher(Protocol):
    target: str

    def publish(self, edition: Edition, *, look_first: bool) -> Remote:
        """Post the edition; with ``look_first``, find and complete an earlier copy instead."""
        ...


@dataclass(frozen=True)
class Outcome:
    target: str
    status: str  # done | failed | unknown | in_progress | dry_run
    remote_id: str | None = None
    remote_url: str | None = None
    error: str | None = None
    found: bool = False  # delivered earlier: found on the target, or already recorded
    final: bool = False  # no later run can change it: unverifiable, or out of attempts

    def line(self) -> str:
        if self.status == "done":
            where = self.remote_url or self.remote_id or ""
            return f"{self.target}: {'already delivered' if self.found else 'delivered'} {where}".rstrip()
        if self.status == "dry_run":
            return f"{self.target}: dry run, nothing published"
        return f"{self.target}: {self.status}" + (f" ({self.error})" if self.error else "")


def one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def store_edition(
    sessions: sessionmaker[Session], kind: str, key: str, content: dict[str, Any], now: datetime
) -> tuple[int, dict[str, Any]]:
    """The ``digests`` row for (kind, key), created with ``content`` unless one exists.

    Returns its id and its stored content: a retry publishes what the first run composed.
    """
    with sessions() as session:
        try:
            row = Digest(kind=kind, key=key, created_at=now, content=content)
            session.add(row)
            session.commit()
            return row.id, row.content
        except IntegrityError:
            session.rollback()
        found = session.scalars(select(Digest).where(Digest.kind == kind, Digest.key == key)).one()
        return found.id, found.content


@dataclass(frozen=True)
class _Claim:
    row_id: int
    look_first: bool


def _holder_ended(session: Session, run_id: int | None) -> bool:
    """Whether the job run holding a delivery is over (a CLI command, with no run, never is)."""
    if run_id is None:
        return False
    return session.scalar(select(JobRun.status).where(JobRun.id == run_id)) != "running"


def _claim(
    sessions: sessionmaker[Session], digest_id: int, target: str, now: datetime, run_id: int | None
) -> _Claim | Outcome:
    with sessions() as session:
        try:
            row = Delivery(
                digest_id=digest_id,
                target=target,
                status="pending",
                attempts=0,
                started_at=now,
                run_id=run_id,
            )
            session.add(row)
            session.commit()
            return _Claim(row.id, look_first=False)
        except IntegrityError:
            session.rollback()
        row = session.scalars(
            select(Delivery).where(Delivery.digest_id == digest_id, Delivery.target == target)
        ).one()
        if row.status == "done":
            return Outcome(target, "done", row.remote_id, row.remote_url, found=True)
        if (
            row.status == "pending"
            and row.started_at > now - LEASE
            and not _holder_ended(session, row.run_id)
        ):
            return Outcome(
                target, "in_progress", error=f"another run started it at {row.started_at:%H:%M:%S}"
            )
        if row.attempts >= MAX_ATTEMPTS:
            error = f"gave up after {row.attempts} attempts: {row.error}"
            return Outcome(target, row.status, error=error, final=True)
        look_first = row.status != "failed"
        # Compare-and-set on the row's state, so two runs recovering at once cannot both proceed.
        taken = session.execute(
            update(Delivery)
            .where(
                Delivery.id == row.id, Delivery.status == row.status, Delivery.started_at == row.started_at
            )
            .values(status="pending", started_at=now, run_id=run_id)
        )
        session.commit()
        if getattr(taken, "rowcount", 0) != 1:
            return Outcome(target, "in_progress", error="another run took it over")
        return _Claim(row.id, look_first=look_first)


def _record(sessions: sessionmaker[Session], row_id: int, **values: Any) -> None:
    with sessions.begin() as session:
        session.execute(update(Delivery).where(Delivery.id == row_id).values(**values))


def _attempt(sessions: sessionmaker[Session], row_id: int, now: datetime) -> None:
    """Mark a try as under way before it starts: a crash during it must read as "maybe sent"."""
    with sessions.begin() as session:
        session.execute(
            update(Delivery)
            .where(Delivery.id == row_id)
            .values(status="pending", started_at=now, attempts=Delivery.attempts + 1)
        )


def deliver_one(
    sessions: sessionmaker[Session],
    digest_id: int,
    edition: Edition,
    publisher: Publisher,
    *,
    clock: Callable[[], datetime],
    sleep: Callable[[float], None] = time.sleep,
    tries: int = TRIES_PER_RUN,
    after_publish: Callable[[str, Remote], None] | None = None,
    run_id: int | None = None,
) -> Outcome:
    """Deliver to one target; ``run_id``: the job run doing it (``job_runs.id``), if any."""
    target = publisher.target
    claim = _claim(sessions, digest_id, target, clock(), run_id)
    if isinstance(claim, Outcome):
        return claim
    look_first = claim.look_first
    error = "not tried"
    for attempt in range(tries):
        if attempt:
            sleep(BACKOFF_SECONDS * 2 ** (attempt - 1))
        _attempt(sessions, claim.row_id, clock())
        try:
            remote = publisher.publish(edition, look_first=look_first)
        except Unverifiable as exc:
            error = one_line(exc)
            _record(sessions, claim.row_id, status="unknown", error=error, completed_at=clock())
            return Outcome(target, "unknown", error=error, final=True)
        except NotDelivered as exc:
            error = one_line(exc)
            log.warning("%s %s to %s not delivered: %s", edition.kind, edition.key, target, error)
            _record(sessions, claim.row_id, status="unknown" if look_first else "failed", error=error)
            if exc.permanent:
                break
            continue
        except Exception as exc:
            # It may have arrived (a timeout after the server acted): look before trying again.
            error = one_line(exc)
            log.warning("%s %s to %s failed: %s", edition.kind, edition.key, target, error)
            _record(sessions, claim.row_id, status="unknown", error=error)
            look_first = True
            continue
        if after_publish is not None:
            after_publish(target, remote)
        _record(
            sessions,
            claim.row_id,
            status="done",
            remote_id=remote.id,
            remote_url=remote.url,
            completed_at=clock(),
            error=None,
        )
        return Outcome(target, "done", remote.id, remote.url, found=remote.found)
    with sessions() as session:
        status = session.scalars(select(Delivery.status).where(Delivery.id == claim.row_id)).one()
    return Outcome(target, status, error=error)


def deliver(
    sessions: sessionmaker[Session],
    digest_id: int,
    edition: Edition,
    publishers: Sequence[Publisher],
    *,
    clock: Callable[[], datetime],
    sleep: Callable[[float], None] = time.sleep,
    tries: int = TRIES_PER_RUN,
    after_publish: Callable[[str, Remote], None] | None = None,
    run_id: int | None = None,
) -> list[Outcome]:
    """Deliver to every target in turn; one target's failure is its own outcome, not an exception."""
    outcomes = []
    for publisher in publishers:
        try:
            outcome = deliver_one(
                sessions,
                digest_id,
                edition,
                publisher,
                clock=clock,
                sleep=sleep,
                tries=tries,
                after_publish=after_publish,
                run_id=run_id,
            )
        except Exception as exc:  # the database itself failed for this target: report, go on
            log.exception("delivering %s %s to %s", edition.kind, edition.key, publisher.target)
            outcome = Outcome(publisher.target, "failed", error=one_line(exc))
        outcomes.append(outcome)
    return outcomes
