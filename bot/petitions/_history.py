"""Reading stored snapshots back, for the CLI, the digest and alerts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage import Petition, PetitionSnapshot

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
