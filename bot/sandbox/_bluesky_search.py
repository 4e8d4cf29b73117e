"""``app.bsky.feed.searchPosts`` as production answers it (Bluesky's search service, palomar).

Not the reference AppView's case-sensitive ``LIKE``: the query is split on spaces
(quoted phrases kept whole); ``#tag`` tokens become tag filters matched against the
post's tag facets and ``tags`` field, ``from:``/``mentions:``/``lang:``/``domain:``/
``since:``/``until:``/``https://…`` become filters, ``-word`` excludes, and every
remaining word must occur as a token of the text or image alt texts (ICU-style:
case- and accent-folded, punctuation dropped, CJK split per character, so a
multi-token word matches as a phrase). A query of only filters matches all posts.
Pages are offsets: the cursor is the next offset, never beyond 10,000.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import urlsplit

import regex

from ._world import BlueskyPost

MAX_OFFSET = 10_000
_TOKEN = regex.compile(r"[\p{Han}\p{Hiragana}\p{Hangul}]|[^\W\p{Han}\p{Hiragana}\p{Hangul}]+")
_DATE = regex.compile(r"^\d{4}-\d{2}-\d{2}$")


def fold(text: str) -> str:
    """Case- and accent-fold as ICU folding does."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=1 << 16)
def tokens(text: str) -> tuple[str, ...]:
    """Search tokens of a text; cached, as every query re-reads every post."""
    return tuple(str(t) for t in _TOKEN.findall(fold(text)))


def parse_when(value: str) -> datetime | None:
    """A ``since``/``until`` value: an ISO datetime (UTC if no offset) or ``YYYY-MM-DD``."""
    try:
        if _DATE.match(value):
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass
class Query:
    phrases: list[tuple[str, ...]] = field(default_factory=list)  # each must occur
    excluded: list[tuple[str, ...]] = field(default_factory=list)  # none may occur
    tags: list[str] = field(default_factory=list)  # folded, without "#"; all must be present
    author: str | None = None  # handle or DID, as written
    mentions: str | None = None
    lang: str | None = None
    domain: str | None = None
    url: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _split(q: str) -> list[str]:
    """Space-separated parts, spaces inside double quotes kept (palomar's ParsePostQuery)."""
    parts, current, quoted = [], "", False
    for char in q:
        if char == '"':
            quoted = not quoted
        if char == " " and not quoted:
            if current:
                parts.append(current)
            current = ""
        else:
            current += char
    if current:
        parts.append(current)
    return parts


def parse_query(q: str) -> Query:
    query = Query()
    for part in _split(q.strip()):
        if part.startswith('"'):
            phrase = tuple(tokens(part.strip('"')))
            if phrase:
                query.phrases.append(phrase)
            continue
        if part.startswith("#") and len(part) > 1:
            query.tags.append(fold(part[1:]))
            continue
        if part.startswith("@") and len(part) > 1:
            query.mentions = part[1:]
            continue
        key, sep, value = part.partition(":")
        if sep and key in ("from", "to", "mentions"):
            if key == "from":
                query.author = value.removeprefix("@")
            else:
                query.mentions = value.removeprefix("@")
            continue
        if sep and key in ("http", "https"):
            query.url = part
            continue
        if sep and key in ("domain", "lang", "since", "until"):
            if key in ("since", "until"):
                setattr(query, key, parse_when(value))
            else:
                setattr(query, key, value)
            continue
        if part.startswith("-") and len(part) > 1:
            excluded = tuple(tokens(part[1:]))
            if excluded:
                query.excluded.append(excluded)
            continue
        phrase = tuple(tokens(part))
        if phrase:
            query.phrases.append(phrase)
    return query


def sort_at(post: BlueskyPost) -> datetime:
    """The AppView's ``sortAt``: the earlier of createdAt and indexedAt."""
    return min(post.created_at, post.indexed_at)


def _contains(haystack: Sequence[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(haystack[i : i + n]) == phrase for i in range(len(haystack) - n + 1))


def _features(post: BlueskyPost, kind: str, key: str) -> Iterable[str]:
    for facet in post.facets:
        features = facet.get("features")
        for feature in features if isinstance(features, list) else []:
            if isinstance(feature, dict) and feature.get("$type") == f"app.bsky.richtext.facet#{kind}":
                yield str(feature.get(key, ""))


def post_tags(post: BlueskyPost) -> set[str]:
    return {fold(t) for t in _features(post, "tag", "tag")} | {fold(t) for t in post.tags}


def _links(post: BlueskyPost) -> list[str]:
    links = list(_features(post, "link", "uri"))
    embed = post.embed or {}
    external = embed.get("external")
    if isinstance(external, dict) and isinstance(external.get("uri"), str):
        links.append(external["uri"])
    return links


def _searchable(post: BlueskyPost) -> list[str]:
    texts = [post.text]
    images = (post.embed or {}).get("images")
    for image in images if isinstance(images, list) else []:
        if isinstance(image, dict) and isinstance(image.get("alt"), str):
            texts.append(image["alt"])
    return [token for text in texts for token in [*tokens(text), "\x00"]]  # \x00: no phrase across texts


def matches(post: BlueskyPost, query: Query, author_did: str | None, mention_did: str | None) -> bool:
    """Whether ``post`` is a hit; ``author_did``/``mention_did`` are the query's actors resolved."""
    if query.author is not None and post.did != author_did:
        return False
    if query.mentions is not None and mention_did not in set(_features(post, "mention", "did")):
        return False
    if query.since is not None and sort_at(post) < query.since:
        return False
    if query.until is not None and sort_at(post) >= query.until:
        return False
    if query.lang is not None:
        wanted = query.lang.lower().split("-")[0]
        if wanted not in {lang.lower().split("-")[0] for lang in post.langs}:
            return False
    if query.tags and not set(query.tags) <= post_tags(post):
        return False
    if query.domain is not None:
        domain = query.domain.lower()
        hosts = {(urlsplit(link).hostname or "") for link in _links(post)}
        if not any(host == domain or host.endswith("." + domain) for host in hosts):
            return False
    if query.url is not None and query.url.rstrip("/") not in {link.rstrip("/") for link in _links(post)}:
        return False
    words = _searchable(post)
    if any(_contains(words, p) for p in query.excluded):
        return False
    return all(_contains(words, p) for p in query.phrases)


def _engagement(post: BlueskyPost) -> int:
    return post.like_count + post.repost_count + post.reply_count + post.quote_count


def rank(posts: Iterable[BlueskyPost], sort: str) -> list[BlueskyPost]:
    """``latest``: newest first; ``top``: most engagement first, then newest."""
    by_time = sorted(posts, key=lambda p: (sort_at(p), p.rkey), reverse=True)
    if sort != "top":
        return by_time
    return sorted(by_time, key=_engagement, reverse=True)


@dataclass(frozen=True)
class Page:
    posts: list[BlueskyPost]
    cursor: str | None
    hits_total: int | None


def paginate(hits: list[BlueskyPost], offset: int, limit: int) -> Page:
    """One page of ranked hits; the search index counts exactly only up to 10,000 hits."""
    page = hits[offset : offset + limit]
    more = len(page) == limit and offset + limit < MAX_OFFSET
    return Page(page, str(offset + limit) if more else None, len(hits) if len(hits) <= MAX_OFFSET else None)
