"""Which counts to trust: a fall or an implausible jump waits for the next snapshot (pure).

The rule, against the last trusted snapshot (count ``b``, ``h`` hours earlier):

* a **fall** is any count below ``b`` (Change.org does remove signatures, but a
  page glitch is likelier, so one reading is not enough);
* a **jump** is a rise of more than ``max(1000, b / 2, 10000 * h)``: both more
  than half the count (or 1,000 for small petitions) and faster than 10,000 an
  hour, a pace beyond anything this campaign has seen.

A flagged snapshot is kept (with ``flag`` "fall" or "jump") but left out of pace
and projections. The next snapshot decides: if it is consistent with the last
trusted one, the flagged reading was a glitch and stays flagged; if instead it
is consistent with the flagged reading, that reading is confirmed (its flag
becomes "fall confirmed" / "jump confirmed", which counts as trusted and keeps
the history readable); otherwise the new snapshot is flagged in turn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.storage import is_trusted

from ._pace import Snapshot

JUMP_MIN = 1000
JUMP_SHARE = 0.5
JUMP_PER_HOUR = 10_000
PENDING = ("fall", "jump")


@dataclass(frozen=True)
class Verdict:
    flag: str | None  # for the new snapshot
    confirm: tuple[datetime, ...] = ()  # earlier snapshots (by time) now confirmed


def implausible(before: int, before_at: datetime, count: int, at: datetime) -> str | None:
    """ "fall", "jump" or None for a move from ``before`` to ``count``."""
    if count < before:
        return "fall"
    hours = max(0.0, (at - before_at).total_seconds() / 3600)
    if count - before > max(JUMP_MIN, before * JUMP_SHARE, JUMP_PER_HOUR * hours):
        return "jump"
    return None


def judge(history: Sequence[Snapshot], count: int, at: datetime) -> Verdict:
    """How to store ``count`` read at ``at``, given the snapshots before it (any order)."""
    earlier = sorted((s for s in history if s.at < at), key=lambda s: s.at)
    base = next((s for s in reversed(earlier) if is_trusted(s.flag)), None)
    if base is None:
        return Verdict(None)
    if implausible(base.count, base.at, count, at) is None:
        return Verdict(None)
    pending = [s for s in earlier if s.at > base.at and s.flag in PENDING]
    if pending:
        candidate = pending[-1]
        if implausible(candidate.count, candidate.at, count, at) is None:
            # The same reading may have been stored more than once (e.g. a 304 copy).
            same = tuple(s.at for s in pending if s.count == candidate.count and s.flag == candidate.flag)
            return Verdict(None, same)
    return Verdict(implausible(base.count, base.at, count, at))


def confirmed(flag: str) -> str:
    return f"{flag} confirmed"
