"""The recorded Jetstream events (``../shared/fixtures/bluesky``) in the shape the bot reads.

They were recorded from Jetstream's legacy v1 endpoint (``/subscribe``); the bot follows v2
(``#commit`` messages with a ``seq``), so tests convert them before replaying.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def commit_from_v1(event: Mapping[str, Any]) -> dict[str, Any] | None:
    """A v1 event as a v2 ``#commit``; ``None`` if it is not a commit.

    v1 has no ``seq``; its cursor is ``time_us``, which v2 servers also accept as a cursor.
    """
    commit = event.get("commit")
    if event.get("kind") != "commit" or not isinstance(commit, Mapping):
        return None
    time_us = event["time_us"]
    converted = {
        "$type": "network.bsky.jetstream.subscribeEvents#commit",
        "seq": time_us,
        "time": (_EPOCH + timedelta(microseconds=time_us)).isoformat().replace("+00:00", "Z"),
        "did": event.get("did"),
        **{key: commit.get(key) for key in ("rev", "operation", "collection", "rkey", "cid", "record")},
    }
    return {key: value for key, value in converted.items() if value is not None}
