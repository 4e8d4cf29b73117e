"""Applying a grown care list to the posts stored before it grew.

A post is flagged sensitive when it is collected, by the care list of that day. When the
operator adds a term, posts already stored that mention it are flagged too, once per change of
the list (checked as the daemon starts and by ``keep4o-bot digest``): the digest, the trend
exports and the report then count and withhold the same posts. Until then they re-check the
posts they would show against the list as it is. Flags are only ever added: removing a term
does not start quoting what was once withheld. A post whose text retention has removed keeps
its flag (there is nothing left to read).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Care, Settings
from bot.storage import Post, get_checkpoint, set_checkpoint

from ._match import Matcher

CARE_CHECKPOINT = "care:terms"
_BATCH = 5000


def _fingerprint(terms: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(sorted(terms)).encode()).hexdigest()


def care_list_applied(session: Session, care: Care) -> bool:
    """Whether the stored flags follow this care list (``apply_care_list`` has run for it)."""
    return get_checkpoint(session, CARE_CHECKPOINT) == _fingerprint(care.distress_terms)


def apply_care_list(settings: Settings, sessions: sessionmaker[Session], now: datetime) -> int:
    """Flag the stored posts the campaign's care list now covers; how many were flagged now."""
    matcher = Matcher(settings.config.match, settings.config.care)
    fingerprint = _fingerprint(settings.config.care.distress_terms)
    with sessions() as session:
        if get_checkpoint(session, CARE_CHECKPOINT) == fingerprint:
            return 0
    flagged, after = 0, 0
    while True:
        with sessions.begin() as session:
            rows = session.execute(
                select(Post.id, Post.title, Post.text)
                .where(
                    Post.id > after,
                    Post.sensitive.is_(False),
                    or_(Post.title.is_not(None), Post.text.is_not(None)),
                )
                .order_by(Post.id)
                .limit(_BATCH)
            ).all()
            if not rows:
                break
            ids = [i for i, title, text in rows if matcher.is_sensitive(title or "", text or "")]
            if ids:
                session.execute(update(Post).where(Post.id.in_(ids)).values(sensitive=True))
            flagged += len(ids)
            after = rows[-1][0]
    with sessions.begin() as session:
        set_checkpoint(session, CARE_CHECKPOINT, fingerprint, now)
    return flagged
