"""Reading stored petitions and snapshots back, for the CLI, the digest, alerts and the report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Petition as PetitionConfig
from bot.storage import Petition, PetitionSnapshot
from bot.text import printable

from ._pace import Snapshot


@dataclass(frozen=True)
class History:
    petition: Petition | None  # None until the first successful read
    snapshots: list[Snapshot]  # oldest first, flagged ones included (petition_stats leaves them out)
    latest: PetitionSnapshot | None  # the newest stored row (strategy, state, flag)


def load_history(session: Session, key: str, *, since: datetime) -> History:
    """The petition ``key``'s snapshots taken at or after ``since``, and its newest row."""
    petition = session.scalar(select(Petition).where(Petition.key == key))
    if petition is None:
        return History(None, [], None)
    rows = list(
        session.scalars(
            select(PetitionSnapshot)
            .where(PetitionSnapshot.petition_id == petition.id, PetitionSnapshot.taken_at >= since)
            .order_by(PetitionSnapshot.taken_at)
        )
    )
    latest = session.scalar(
        select(PetitionSnapshot)
        .where(PetitionSnapshot.petition_id == petition.id)
        .order_by(PetitionSnapshot.taken_at.desc())
        .limit(1)
    )
    return History(petition, [Snapshot(r.taken_at, r.count, r.flag) for r in rows], latest)


def shown_name(spec: PetitionConfig, stored: Petition | None) -> str:
    """The configured name, else the title read from the page, else the petition's id."""
    if spec.name:
        return spec.name
    return printable(stored.title) if stored is not None and stored.title else spec.id


def goal_of(spec: PetitionConfig, stored: Petition | None) -> int | None:
    """The configured goal, else the one read from the page."""
    return spec.goal if spec.goal is not None else (stored.goal if stored is not None else None)
