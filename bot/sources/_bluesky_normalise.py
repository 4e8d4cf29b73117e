"""Bluesky posts as :class:`PostRecord`, from a ``postView`` or from a Jetstream commit.

Pure functions over the lexicon JSON. SDK models are dumped back to that JSON first
(``get_model_as_dict``), so recorded fixtures, the SDK's parsed responses and
Jetstream frames all go through one path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from atproto_client.models.base import ModelBase
from atproto_client.models.dot_dict import DotDict
from atproto_client.models.utils import get_model_as_dict

from ._match import Matcher
from ._record import PostRecord, capped, storable

POST_COLLECTION = "app.bsky.feed.post"
_TAG = "app.bsky.richtext.facet#tag"
_LINK = "app.bsky.richtext.facet#link"


class MalformedPost(ValueError):
    """A post or event that does not have the shape of the lexicon; the message names what is wrong."""


def as_json(value: Mapping[str, Any] | ModelBase | DotDict) -> dict[str, Any]:
    """The lexicon JSON of an SDK model (``$type`` and camelCase keys), or a copy of a mapping."""
    if isinstance(value, ModelBase | DotDict):
        dumped: dict[str, Any] = get_model_as_dict(value)
        return dumped
    return dict(value)


def parse_time(value: object) -> datetime | None:
    """An atproto datetime string as aware UTC; ``None`` when missing or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        # Since Python 3.11 this reads "Z" and more than six fractional digits (atproto allows them).
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:  # the lexicon requires an offset; a naive one is taken as UTC
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def post_uri(did: str, rkey: str) -> str:
    return f"at://{did}/{POST_COLLECTION}/{rkey}"


def web_url(uri: str) -> str:
    """The bsky.app address of a post's at-uri (by DID, which survives handle changes)."""
    did, collection, rkey = _split_uri(uri)
    if collection != POST_COLLECTION:
        raise MalformedPost(f"{uri!r} is not a post URI")
    return f"https://bsky.app/profile/{did}/post/{rkey}"


def _split_uri(uri: str) -> tuple[str, str, str]:
    parts = uri.removeprefix("at://").split("/")
    if not uri.startswith("at://") or len(parts) != 3 or not all(parts):
        raise MalformedPost(f"{uri!r} is not an at-uri of the form at://did/collection/rkey")
    return parts[0], parts[1], parts[2]


def _object(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _dedupe(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i))


def _facet_values(record: Mapping[str, Any], kind: str, key: str) -> list[str]:
    found: list[str] = []
    for facet in record.get("facets") or ():
        for raw in _object(facet).get("features") or ():
            feature = _object(raw)
            if feature.get("$type") == kind and isinstance(feature.get(key), str):
                found.append(feature[key])
    return found


def _embed_urls(embed: Mapping[str, Any]) -> list[str]:
    """Link-card URLs of a record embed or an embed view, also inside a quote-with-media."""
    urls: list[str] = []
    for part in (embed, _object(embed.get("media"))):
        uri = _object(part.get("external")).get("uri")
        if isinstance(uri, str):
            urls.append(uri)
    return urls


def post_tags(record: Mapping[str, Any]) -> tuple[str, ...]:
    """Hashtags of a post record: ``#tag`` facets and the hidden ``tags`` field, without ``#``."""
    extra = [t for t in record.get("tags") or () if isinstance(t, str)]
    return _dedupe([*_facet_values(record, _TAG, "tag"), *extra])


def post_urls(record: Mapping[str, Any], embed_view: Mapping[str, Any] | None = None) -> tuple[str, ...]:
    """URLs a post links to: link facets, then its link card (record embed, then the view's)."""
    return _dedupe(
        [
            *_facet_values(record, _LINK, "uri"),
            *_embed_urls(_object(record.get("embed"))),
            *_embed_urls(embed_view or {}),
        ]
    )


def _language(record: Mapping[str, Any]) -> str | None:
    # The primary subtag ("en-US" -> "en") so both platforms group by the same codes.
    langs = [lang for lang in record.get("langs") or () if isinstance(lang, str) and lang]
    return langs[0].split("-")[0].lower()[:16] if langs else None


def _count(view: Mapping[str, Any], key: str) -> int:
    value = view.get(key)
    return capped(value) if isinstance(value, int) and value > 0 else 0


def _record(
    uri: str,
    did: str,
    handle: str | None,
    record: Mapping[str, Any],
    *,
    seen_at: datetime,
    matcher: Matcher,
    embed_view: Mapping[str, Any] | None = None,
    counts: Mapping[str, Any] | None = None,
) -> PostRecord:
    if record.get("$type", POST_COLLECTION) != POST_COLLECTION:
        raise MalformedPost(f"{uri}: record type {record.get('$type')!r} is not {POST_COLLECTION}")
    text = record.get("text")
    if not isinstance(text, str):
        raise MalformedPost(f"{uri}: record has no text")
    created = parse_time(record.get("createdAt"))
    counts = counts or {}
    reading = matcher.read([text], post_tags(record), post_urls(record, embed_view))
    uri = storable(uri)
    return PostRecord(
        platform="bluesky",
        platform_id=uri,
        url=web_url(uri),
        author_handle=None if handle is None else storable(handle),
        author_id=storable(did),
        title=None,
        text=storable(text),
        # Like Bluesky's own sortAt: a claimed createdAt in the future does not count.
        created_at=min(created, seen_at) if created else seen_at,
        lang=_language(record),
        community=None,
        matched_terms=reading.terms,
        likes=_count(counts, "likeCount"),
        replies=_count(counts, "replyCount"),
        reposts=_count(counts, "repostCount") + _count(counts, "quoteCount"),
        sensitive=reading.sensitive(),
    )


def indexed_at(view: Mapping[str, Any] | ModelBase) -> datetime:
    """When the AppView indexed a ``postView`` (the order search results come in)."""
    data = as_json(view)
    when = parse_time(data.get("indexedAt"))
    if when is None:
        raise MalformedPost(
            f"{data.get('uri', 'a post')}: indexedAt {data.get('indexedAt')!r} is not a datetime"
        )
    return when


def record_from_post_view(view: Mapping[str, Any] | ModelBase, matcher: Matcher) -> PostRecord:
    """A ``app.bsky.feed.defs#postView`` (search, getPosts, a thread) as a post record."""
    data = as_json(view)
    uri, author = data.get("uri"), _object(data.get("author"))
    if not isinstance(uri, str) or not isinstance(author.get("did"), str):
        raise MalformedPost("a postView without uri or author.did")
    handle = author.get("handle")
    return _record(
        uri,
        author["did"],
        handle if isinstance(handle, str) else None,
        _object(data.get("record")),
        seen_at=indexed_at(data),
        matcher=matcher,
        embed_view=_object(data.get("embed")),
        counts=data,
    )


def commit_time(commit: Mapping[str, Any]) -> datetime:
    when = parse_time(commit.get("time"))
    if when is None:
        raise MalformedPost(
            f"Jetstream commit {commit.get('seq')}: time {commit.get('time')!r} is unreadable"
        )
    return when


def commit_uri(commit: Mapping[str, Any] | ModelBase) -> str:
    data = as_json(commit)
    did, rkey = data.get("did"), data.get("rkey")
    if data.get("collection") != POST_COLLECTION or not isinstance(did, str) or not isinstance(rkey, str):
        raise MalformedPost(f"Jetstream commit {data.get('seq')} is not on an {POST_COLLECTION} record")
    return post_uri(did, rkey)


def record_from_commit(commit: Mapping[str, Any] | ModelBase, matcher: Matcher) -> PostRecord:
    """A Jetstream ``#commit`` that creates or updates a post, as a post record.

    Jetstream carries no handle and no engagement: the handle stays ``None`` (the DID is
    the author id) until an engagement refresh reads the post from the AppView.
    """
    data = as_json(commit)
    uri = commit_uri(data)
    if data.get("operation") not in ("create", "update"):
        raise MalformedPost(f"{uri}: a {data.get('operation')!r} commit carries no post")
    record = data.get("record")
    if not isinstance(record, Mapping):
        raise MalformedPost(f"{uri}: the commit has no record")
    return _record(uri, data["did"], None, record, seen_at=commit_time(data), matcher=matcher)
