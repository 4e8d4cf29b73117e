"""The mark each finished poll leaves, whoever ran it (the daemon's job or ``keep4o-bot poll``).

It is the evidence that a platform was being collected at a time when nothing new came in:
the digest reads it to tell a quiet day ("no campaign posts") from a gap in the data.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.storage import set_checkpoint


def polled_checkpoint(source: str) -> str:
    """The checkpoint a finished poll of ``source`` (``reddit``, ``reddit-search``, ``bluesky``) moves."""
    return f"polled:{source}"


def mark_polled(sessions: sessionmaker[Session], source: str, now: datetime) -> None:
    with sessions.begin() as session:
        set_checkpoint(session, polled_checkpoint(source), now.isoformat(), now)
