"""Post records: the PDS's validation, CIDs, and the record JSON of a world post.

Validation messages are the lexicon validator's, e.g. ``Invalid app.bsky.feed.post
record: grapheme too big (maximum 300, got 301) at $.record.text``. ``text`` is
limited to 3000 UTF-8 bytes and 300 extended grapheme clusters. One deliberate
strictness beyond the PDS: a facet whose byte range falls outside the text is
refused (the PDS stores it and apps then mis-render it), so byte-offset bugs in
the bot fail loudly here.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any

import libipld
import regex

from ._world import BlueskyPost
from ._xrpc import AT_URI, JsonObject, XrpcError, invalid

POST = "app.bsky.feed.post"
MAX_TEXT_BYTES = 3000
MAX_TEXT_GRAPHEMES = 300
_LANG = re.compile(r"^(i|[a-z]{2,3})(-[A-Za-z0-9-]+)?$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def graphemes(text: str) -> int:
    return len(regex.findall(r"\X", text))


def _bad(detail: str, path: str) -> XrpcError:
    return invalid(f"Invalid {POST} record: {detail} at $.record{path}")


def parse_datetime(value: str) -> datetime | None:
    if not _DATETIME.match(value):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


def _require(obj: JsonObject, key: str, path: str) -> Any:
    if key not in obj:
        raise invalid(f'Invalid {POST} record: Missing required key "{key}" at $.record{path}')
    return obj[key]


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise _bad(f"Expected string value type (got {value!r})", path)
    return value


def _array(value: Any, path: str, maximum: int) -> list[Any]:
    if not isinstance(value, list):
        raise _bad("Expected array value type", path)
    if len(value) > maximum:
        raise _bad(f"array too big (maximum {maximum}, got {len(value)})", path)
    return value


def _check_facets(facets: list[Any], text_bytes: int) -> None:
    for i, facet in enumerate(facets):
        path = f".facets[{i}]"
        if not isinstance(facet, dict):
            raise _bad("Expected object value type", path)
        index = _require(facet, "index", path)
        features = _require(facet, "features", path)
        if not isinstance(index, dict) or not isinstance(features, list):
            raise _bad("Expected object value type", f"{path}.index")
        bounds = []
        for key in ("byteStart", "byteEnd"):
            value = _require(index, key, f"{path}.index")
            if not isinstance(value, int) or isinstance(value, bool):
                raise _bad(f"Expected integer value type (got {value!r})", f"{path}.index.{key}")
            if value < 0:
                raise _bad(f"integer too small (minimum 0, got {value})", f"{path}.index.{key}")
            bounds.append(value)
        start, end = bounds
        if start > end or end > text_bytes:
            detail = f"facet byte range {start}..{end} is outside the text ({text_bytes} bytes)"
            raise _bad(detail, f"{path}.index")


def _check_reply(reply: Any) -> None:
    if not isinstance(reply, dict):
        raise _bad("Expected object value type", ".reply")
    for key in ("root", "parent"):
        ref = _require(reply, key, ".reply")
        path = f".reply.{key}"
        if not isinstance(ref, dict):
            raise _bad("Expected object value type", path)
        uri = _string(_require(ref, "uri", path), f"{path}.uri")
        if not AT_URI.match(uri):
            raise _bad(f'Invalid at-uri (got "{uri}")', f"{path}.uri")
        _string(_require(ref, "cid", path), f"{path}.cid")


def validate_post(record: JsonObject) -> datetime:
    """Refuse a record the PDS refuses; returns its ``createdAt``."""
    kind = record.get("$type", POST)
    if kind != POST:
        raise invalid(f"Invalid $type: expected {POST}, got {kind}")
    text = _string(_require(record, "text", ""), ".text")
    size = len(text.encode())
    if size > MAX_TEXT_BYTES:
        raise _bad(f"string too big (maximum {MAX_TEXT_BYTES}, got {size})", ".text")
    count = graphemes(text)
    if count > MAX_TEXT_GRAPHEMES:
        raise _bad(f"grapheme too big (maximum {MAX_TEXT_GRAPHEMES}, got {count})", ".text")
    raw_created = _string(_require(record, "createdAt", ""), ".createdAt")
    created = parse_datetime(raw_created)
    if created is None:
        raise _bad(f'Invalid datetime (got "{raw_created}")', ".createdAt")
    for i, lang in enumerate(_array(record.get("langs", []), ".langs", 3)):
        if not isinstance(lang, str) or not _LANG.match(lang):
            raise _bad(f'Invalid language (got "{lang}")', f".langs[{i}]")
    for i, tag in enumerate(_array(record.get("tags", []), ".tags", 8)):
        if len(_string(tag, f".tags[{i}]").encode()) > 640 or graphemes(tag) > 64:
            raise _bad("string too big (maximum 64 graphemes)", f".tags[{i}]")
    _check_facets(_array(record.get("facets", []), ".facets", 10_000), size)
    if "reply" in record:
        _check_reply(record["reply"])
    if "embed" in record and not (isinstance(record["embed"], dict) and "$type" in record["embed"]):
        raise _bad('Missing required key "$type"', ".embed")
    return created


def cid_for_record(record: JsonObject) -> str:
    """The record's real CID: CIDv1, dag-cbor, sha2-256 (``bafyrei…``)."""
    digest = hashlib.sha256(libipld.encode_dag_cbor(record)).digest()
    return libipld.encode_cid(bytes([0x01, 0x71, 0x12, 0x20]) + digest)


def cid_for_blob(data: bytes) -> str:
    """A blob's CID: CIDv1, raw, sha2-256 (``bafkrei…``)."""
    return libipld.encode_cid(bytes([0x01, 0x55, 0x12, 0x20]) + hashlib.sha256(data).digest())


def iso(moment: datetime) -> str:
    """The AppView's timestamp form: UTC, milliseconds, ``Z``."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def record_of(post: BlueskyPost) -> JsonObject:
    """The post's record as the AppView returns it (key order as in its responses)."""
    record: JsonObject = {"text": post.text, "$type": POST}
    if post.embed is not None:
        record["embed"] = post.embed
    if post.langs:
        record["langs"] = list(post.langs)
    if post.reply_root is not None and post.reply_parent is not None:
        record["reply"] = {
            "root": {"cid": post.reply_root[1], "uri": post.reply_root[0]},
            "parent": {"cid": post.reply_parent[1], "uri": post.reply_parent[0]},
        }
    if post.facets:
        record["facets"] = post.facets
    if post.tags:
        record["tags"] = list(post.tags)
    record["createdAt"] = iso(post.created_at)
    return record


def post_from_record(
    did: str, rkey: str, record: JsonObject, created: datetime, now: datetime
) -> BlueskyPost:
    """A world post for a record the repo accepted (validated by :func:`validate_post`)."""
    reply = record.get("reply")
    root = parent = None
    if isinstance(reply, dict):
        root = (reply["root"]["uri"], reply["root"]["cid"])
        parent = (reply["parent"]["uri"], reply["parent"]["cid"])
    return BlueskyPost(
        did=did,
        rkey=rkey,
        cid=cid_for_record(record),
        text=record["text"],
        created_at=created,
        indexed_at=now,
        facets=list(record.get("facets", [])),
        tags=list(record.get("tags", [])),
        langs=list(record.get("langs", [])),
        reply_root=root,
        reply_parent=parent,
        embed=record.get("embed"),
    )
