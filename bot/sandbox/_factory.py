"""Making world items with the identifiers and markup the real services give them.

Reddit ids are base36 and increase with time; Bluesky posts get TID record keys,
CIDv1 content ids and rich-text facets with UTF-8 byte offsets, as the app writes them.
"""

from __future__ import annotations

import base64
import hashlib
import re
import string
from datetime import datetime
from functools import lru_cache

from ._world import BlueskyPost, World

_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
# Reddit's ids in early 2026 are 7 base36 digits around this value.
FIRST_REDDIT_ID = int("1q00000", 36)

# The app's hashtag rule: "#" at the start or after whitespace, trailing punctuation dropped,
# not only digits, at most 64 characters.
_TAG = re.compile(r"(?:^|(?<=\s))[#＃](\S+)")
_TRAILING = string.punctuation + "。、，！？：；…"
_LINK = re.compile(r"https?://\S+[^\s.,;:!?)]")


def base36(number: int) -> str:
    out = ""
    while True:
        number, digit = divmod(number, 36)
        out = _BASE36[digit] + out
        if number == 0:
            return out


def next_reddit_id(world: World) -> str:
    with world.lock:
        known = [int(p.id, 36) for p in world.reddit_posts.values()]
    return base36(max(known, default=FIRST_REDDIT_ID) + 1)


def tid(when: datetime, clock_id: int = 0) -> str:
    """A record key: microseconds since the epoch and a 10-bit clock id, base32-sortable."""
    value = (int(when.timestamp() * 1_000_000) << 10) | (clock_id & 0x3FF)
    out = ""
    for _ in range(13):
        out = _TID_ALPHABET[value & 31] + out
        value >>= 5
    return out


def cid_for(content: str) -> str:
    """A CIDv1 (dag-cbor, sha2-256) in base32, as the PDS gives records; hashed over ``content``."""
    digest = hashlib.sha256(content.encode()).digest()
    raw = bytes([0x01, 0x71, 0x12, 0x20]) + digest
    return "b" + base64.b32encode(raw).decode().lower().rstrip("=")


def facets_for(text: str) -> list[dict[str, object]]:
    """Tag and link facets for ``text``, with byte offsets into its UTF-8 encoding."""
    return list(_facets(text))


@lru_cache(maxsize=4096)  # generated worlds repeat their texts; the facets are never changed
def _facets(text: str) -> tuple[dict[str, object], ...]:
    found: list[tuple[int, int, dict[str, object]]] = []
    for match in _TAG.finditer(text):
        tag = match.group(1).rstrip(_TRAILING)
        if not tag or tag.isdigit() or len(tag) > 64:
            continue
        start = match.start()
        feature = {"$type": "app.bsky.richtext.facet#tag", "tag": tag}
        found.append((start, match.start(1) + len(tag), feature))
    for match in _LINK.finditer(text):
        feature = {"$type": "app.bsky.richtext.facet#link", "uri": match.group(0)}
        found.append((match.start(), match.end(), feature))
    facets: list[dict[str, object]] = []
    for start, end, feature in sorted(found, key=lambda item: item[0]):
        byte_start = len(text[:start].encode())
        byte_end = byte_start + len(text[start:end].encode())
        facets.append(
            {
                "$type": "app.bsky.richtext.facet",
                "index": {"byteStart": byte_start, "byteEnd": byte_end},
                "features": [feature],
            }
        )
    return tuple(facets)


def make_bluesky_post(
    did: str,
    text: str,
    created_at: datetime,
    *,
    indexed_at: datetime | None = None,
    langs: list[str] | None = None,
    tags: list[str] | None = None,
    embed: dict[str, object] | None = None,
    clock_id: int = 0,
) -> BlueskyPost:
    facets = facets_for(text)
    rkey = tid(created_at, clock_id)
    return BlueskyPost(
        did=did,
        rkey=rkey,
        cid=cid_for(f"{did}/{rkey}\n{text}"),
        text=text,
        created_at=created_at,
        indexed_at=indexed_at or created_at,
        facets=facets,
        tags=list(tags or []),
        langs=list(langs or []),
        embed=embed,
    )
