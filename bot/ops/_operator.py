"""Operator alerts (a source gone stale, and its recovery) in a private file.

They go to the ``file`` alert target's folder only: the other alert targets (Bluesky,
Reddit, webhooks) are the campaign's public channels, and "the Reddit poll is failing" is
for whoever runs the bot, not for the campaign's followers.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

OPERATOR_LOG = "operator-alerts.log"


def append_operator_alert(directory: Path, kind: str, message: str, now: datetime) -> Path:
    """Append one line (``<time> ALERT|RECOVERED <message>``) to ``directory/operator-alerts.log``."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / OPERATOR_LOG
    word = "ALERT" if kind == "alert" else "RECOVERED"
    with path.open("a", encoding="utf-8") as out:
        out.write(f"{now.isoformat(timespec='seconds')} {word} {message}\n")
    return path
