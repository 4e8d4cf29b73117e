"""Things that happen to a generated world as sandbox time passes.

Engagement grows, moderators remove posts, authors delete them. Each change is
an event at a time; the server applies the events that are due before it
answers a request, so every service sees the same world at the same "now".
Events apply once: setting the clock back does not undo them.
"""

from __future__ import annotations

import copy
import heapq
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime

from ._world import World


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: str  # "reddit_numbers" | "reddit_remove" | "bluesky_numbers" | "bluesky_delete"
    key: str  # a Reddit fullname or a Bluesky at-uri
    values: tuple[
        int, ...
    ] = ()  # numbers: reddit (score, comments); bluesky (likes, reposts, replies, quotes)
    by: str = ""  # reddit_remove: Reddit's removed_by_category


@dataclass
class Timeline:
    # A heap of (epoch seconds, sequence, event): plain tuples keep the heap fast.
    _heap: list[tuple[float, int, Event]] = field(default_factory=list)
    _seq: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __len__(self) -> int:
        return len(self._heap)

    def add(self, at: datetime, kind: str, key: str, values: tuple[int, ...] = (), by: str = "") -> None:
        with self._lock:
            self._seq += 1
            heapq.heappush(self._heap, (at.timestamp(), self._seq, Event(at, kind, key, values, by)))

    def copy(self) -> Timeline:
        with self._lock:
            return Timeline(list(self._heap), self._seq)

    def catch_up(self, world: World, now: datetime) -> int:
        """Apply every event due by ``now``; how many were applied."""
        applied = 0
        limit = now.timestamp()
        with self._lock, world.lock:
            while self._heap and self._heap[0][0] <= limit:
                apply(world, heapq.heappop(self._heap)[2])
                applied += 1
        return applied


def apply(world: World, event: Event) -> None:
    """Make one change to the world (callers hold ``world.lock`` or own the world)."""
    if event.kind.startswith("reddit"):
        post = world.reddit_posts.get(event.key)
        if post is None:
            return
        if event.kind == "reddit_remove":
            world.remove_reddit_post(event.key, by=event.by)
        else:
            post.score, post.num_comments = event.values
        return
    bluesky = world.bluesky_posts.get(event.key)
    if bluesky is None:
        return
    if event.kind == "bluesky_delete":
        bluesky.deleted = True
    else:
        bluesky.like_count, bluesky.repost_count, bluesky.reply_count, bluesky.quote_count = event.values


@dataclass
class LivingWorld(World):
    """A world whose items change as time passes (see :class:`Timeline`)."""

    timeline: Timeline = field(default_factory=Timeline)

    def clone(self) -> LivingWorld:
        """An independent copy: changing one world's items or timeline leaves the other as it was."""
        with self.lock:
            reddit = {k: copy.copy(p) for k, p in self.reddit_posts.items()}
            bluesky = {
                k: replace(p, facets=list(p.facets), tags=list(p.tags), langs=list(p.langs))
                for k, p in self.bluesky_posts.items()
            }
            return LivingWorld(
                reddit_posts=reddit,
                bluesky_accounts={k: copy.copy(a) for k, a in self.bluesky_accounts.items()},
                bluesky_posts=bluesky,
                petitions={k: replace(p, series=list(p.series)) for k, p in self.petitions.items()},
                submitted=[reddit[p.fullname] for p in self.submitted],
                timeline=self.timeline.copy(),
            )
