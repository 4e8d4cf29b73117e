"""The one normalised post record both platforms are turned into."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar, dataclass_transform

_T = TypeVar("_T")

# The largest likes, replies or reposts a record carries. No post comes near it (Reddit's
# most upvoted has under half a million); a server that claims more is capped, so that the
# three and their sum still fit the database's 32-bit integers (PostgreSQL refuses the row,
# and with it the whole page, otherwise).
MAX_COUNT = (2**31 - 1) // 4
# What no database stores: NUL (PostgreSQL refuses it in text) and a lone surrogate, which
# a JSON "\ud800" escape makes and which is not UTF-8 (nor readable by language detection).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    """``text`` without NUL characters, and with each lone surrogate as U+FFFD."""
    # Nearly always nothing to do, found out cheaply: isascii() reads a flag, `in` is a memchr.
    if text.isascii() and "\x00" not in text:
        return text
    return _UNSTORABLE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", text)


def capped(count: int) -> int:
    """``count`` within ``[-MAX_COUNT, MAX_COUNT]`` (a Reddit score can be negative)."""
    return max(-MAX_COUNT, min(MAX_COUNT, count))


@dataclass_transform(frozen_default=True)
def _record(cls: type[_T]) -> type[_T]:
    """A dataclass that is frozen to the type checker but not at run time.

    A frozen dataclass sets each field through ``object.__setattr__``: building a record took
    4 µs instead of 0.8, a tenth of normalising a matched post. mypy (strict, in CI) still
    rejects any assignment to a field; ``unsafe_hash`` keeps records hashable, as frozen ones are.
    """
    return dataclass(slots=True, unsafe_hash=True)(cls)


@_record
class PostRecord:
    platform: str  # "reddit" | "bluesky"
    platform_id: str  # Reddit fullname ("t3_abc") / Bluesky at-uri
    url: str  # a web URL a person can open
    author_handle: str | None  # None once the author is deleted
    author_id: str | None  # Reddit "t2_..." / Bluesky DID
    title: str | None  # Reddit only
    text: str
    created_at: datetime  # aware, UTC
    lang: str | None
    community: str | None  # subreddit name; None on Bluesky
    matched_terms: tuple[str, ...]
    likes: int = 0  # Reddit score / Bluesky likes
    replies: int = 0  # Reddit num_comments / Bluesky replies
    reposts: int = 0  # Bluesky reposts + quotes; 0 on Reddit
    sensitive: bool = False  # matches the care (distress) lexicon
    state: str = "live"  # live | removed | deleted

    @property
    def engagement(self) -> int:
        return self.likes + self.replies + self.reposts


@dataclass(frozen=True, slots=True)
class PollSummary:
    """What one poll of one source did, for the CLI's one-line report and job-run counts."""

    source: str  # "reddit", "reddit-search", "bluesky", "petitions", ...
    new: int = 0
    updated: int = 0
    removed: int = 0
    requests: int = 0  # API requests made

    def line(self) -> str:
        return (
            f"{self.source}: {self.new} new, {self.updated} updated, {self.removed} removed, "
            f"{self.requests} API requests"
        )
