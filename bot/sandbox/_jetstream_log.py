"""Jetstream's event log, derived from the world as the sandbox clock reaches its posts.

Each :meth:`EventLog.sync` turns posts that have become visible since the last one
into ``create`` commits (in indexing order) and posts that were announced and are
now deleted or gone into ``delete`` commits, numbering them with Jetstream's
monotonic ``seq``. Tests and the repo change the world directly; the log notices.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from ._bluesky_records import POST, record_of
from ._factory import tid
from ._world import World
from ._xrpc import JsonObject

COMMIT = "network.bsky.jetstream.subscribeEvents#commit"


def _micro(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Event:
    seq: int
    did: str
    rkey: str
    time: datetime
    operation: str  # "create" | "delete"
    cid: str | None = None
    record: JsonObject | None = None

    def payload(self) -> JsonObject:
        """The ``#commit`` message the v2 wire carries (no cid/record on a delete)."""
        body: JsonObject = {
            "$type": COMMIT,
            "seq": self.seq,
            "did": self.did,
            "time": _micro(self.time),
            "rev": tid(self.time, self.seq),
            "operation": self.operation,
            "collection": POST,
            "rkey": self.rkey,
        }
        if self.cid is not None:
            body["cid"] = self.cid
            body["record"] = self.record
        body["witnessedAt"] = _micro(self.time)
        return body


class EventLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: list[Event] = []
        self._announced: dict[str, tuple[str, str]] = {}  # uri -> (did, rkey), until its delete

    @property
    def next_seq(self) -> int:
        with self._lock:
            return len(self._events) + 1

    def sync(self, world: World, now: datetime) -> None:
        # Lock order everywhere: world, then log.
        with world.lock, self._lock:
            known = self._announced
            posts = world.bluesky_posts.values()
            fresh = [p for p in posts if not p.deleted and p.indexed_at <= now and p.uri not in known]
            for post in sorted(fresh, key=lambda p: (p.indexed_at, p.rkey)):
                self._announced[post.uri] = (post.did, post.rkey)
                seq = len(self._events) + 1
                event = Event(seq, post.did, post.rkey, post.indexed_at, "create", post.cid, record_of(post))
                self._events.append(event)
            current = world.bluesky_posts
            gone = [uri for uri in self._announced if uri not in current or current[uri].deleted]
            for uri in gone:
                did, rkey = self._announced.pop(uri)
                self._events.append(Event(len(self._events) + 1, did, rkey, now, "delete"))

    def since(self, seq: int) -> list[Event]:
        """Events with ``seq`` at or after the given one (Jetstream cursors are inclusive)."""
        with self._lock:
            return self._events[max(seq, 1) - 1 :]

    def seq_at(self, moment: datetime) -> int:
        """The first seq witnessed at or after ``moment`` (for unix-microsecond cursors)."""
        with self._lock:
            return next((e.seq for e in self._events if e.time >= moment), len(self._events) + 1)
