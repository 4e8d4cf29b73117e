"""Noting which spans of post creation time changed, for the trend rollups to catch up on.

Every write that can change a trend aggregate (a new post, new numbers, a purge that forgets
authors) notes the hours of ``created_at`` it touched, in the same transaction as the write.
The rollups are rebuilt from these notes; until then the trend table reads the noted periods
from the posts themselves, so a note never makes a table wrong, only slower.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from ._models import PostChange

_HOUR_SECONDS = 3600


def hour_spans(instants: Iterable[datetime]) -> list[tuple[datetime, datetime]]:
    """The whole UTC hours holding ``instants`` (aware), consecutive hours merged, in order."""
    # Hours as epoch-hour numbers: a page's 50 to 100 instants fall in one or two hours, and
    # truncating each datetime (astimezone, replace) cost 3 µs a post against 0.3.
    hours = sorted({int(t.timestamp() // _HOUR_SECONDS) for t in instants})
    spans: list[tuple[int, int]] = []
    for hour in hours:
        if spans and spans[-1][1] == hour:
            spans[-1] = (spans[-1][0], hour + 1)
        else:
            spans.append((hour, hour + 1))
    return [(_at(start), _at(stop)) for start, stop in spans]


def _at(hour: int) -> datetime:
    return datetime.fromtimestamp(hour * _HOUR_SECONDS, UTC)


def note_changes(session: Session, created: Iterable[datetime]) -> None:
    """Note that posts created at these instants changed (aware UTC times)."""
    note_spans(session, hour_spans(created))


def note_spans(session: Session, spans: Iterable[tuple[datetime, datetime]]) -> None:
    """Note that posts created in these ``[start, stop)`` spans changed."""
    rows = [{"start": start, "stop": stop} for start, stop in spans]
    if rows:
        # Core, not the ORM's bulk insert: this runs once per stored page, where the ORM's
        # bookkeeping cost 0.7 ms.
        session.connection().execute(insert(cast(Table, PostChange.__table__)), rows)
