"""``com.atproto.repo.*`` and ``com.atproto.sync.getBlob``: writing posts, the profile record, blobs.

Posts land in the world at once (indexed "now" by the sandbox clock), so search,
getPosts, threads and Jetstream see them without the real network's indexing
delay. Only the collections the bot writes are accepted: ``app.bsky.feed.post``
(create/delete) and ``app.bsky.actor.profile`` (put, rkey ``self``).
"""

from __future__ import annotations

from aiohttp import web

from ._bluesky_records import (
    POST,
    cid_for_blob,
    cid_for_record,
    graphemes,
    post_from_record,
    record_of,
    validate_post,
)
from ._bluesky_state import MAX_BLOB_BYTES, BlueskyState, StateHandler
from ._bluesky_views import PROFILE, profile_record
from ._factory import tid
from ._xrpc import Call, JsonObject, XrpcError, field_of, invalid


def _commit(did: str, call: Call, data_cid: str) -> JsonObject:
    rev = tid(call.now, 1)
    return {"cid": cid_for_record({"did": did, "rev": rev, "data": data_cid}), "rev": rev}


def _own_repo(state: BlueskyState, did: str, repo: object) -> None:
    """Writes go only to the caller's own repository (given by DID or handle)."""
    with state.ctx.world.lock:
        account = state.ctx.world.bluesky_accounts.get(did)
    if repo != did and (account is None or str(repo).lower() != account.handle.lower()):
        raise XrpcError(401, "AuthenticationRequired", "Authentication Required")


def _unsupported(collection: object) -> XrpcError:
    return invalid(f"the sandbox does not store {collection} records (only {POST} and {PROFILE})")


async def create_record(state: BlueskyState, call: Call) -> JsonObject:
    did = state.viewer(call, required=True)
    assert did is not None
    body = await call.body()
    _own_repo(state, did, field_of(body, "repo"))
    collection, record = field_of(body, "collection"), field_of(body, "record")
    if collection != POST:
        raise _unsupported(collection)
    if not isinstance(record, dict):
        raise invalid("Expected object value type at $.record")
    created = validate_post(record)
    world = state.ctx.world
    with world.lock:
        rkey = body.get("rkey") or tid(call.now)
        clock_id = 0
        while body.get("rkey") is None and f"at://{did}/{POST}/{rkey}" in world.bluesky_posts:
            clock_id += 1  # two posts in one microsecond: the PDS's TIDs differ by clock id
            rkey = tid(call.now, clock_id)
        if f"at://{did}/{POST}/{rkey}" in world.bluesky_posts:
            raise invalid(f"Record already exists: at://{did}/{POST}/{rkey}")
        post = world.add_bluesky_post(post_from_record(did, str(rkey), record, created, call.now))
        parent = world.bluesky_posts.get(post.reply_parent[0]) if post.reply_parent else None
        if parent is not None:
            parent.reply_count += 1
    commit = _commit(did, call, post.cid)
    return {"uri": post.uri, "cid": post.cid, "commit": commit, "validationStatus": "valid"}


async def delete_record(state: BlueskyState, call: Call) -> JsonObject:
    did = state.viewer(call, required=True)
    assert did is not None
    body = await call.body()
    _own_repo(state, did, field_of(body, "repo"))
    collection, rkey = field_of(body, "collection"), field_of(body, "rkey")
    world = state.ctx.world
    with world.lock:
        post = world.bluesky_posts.get(f"at://{did}/{collection}/{rkey}")
        if post is None or post.deleted:
            return {}  # deleting what is not there succeeds with nothing to report, as on the PDS
        world.delete_bluesky_post(post.uri)
        parent = world.bluesky_posts.get(post.reply_parent[0]) if post.reply_parent else None
        if parent is not None and parent.reply_count > 0:
            parent.reply_count -= 1
    return {"commit": _commit(did, call, post.cid)}


def _check_profile(record: JsonObject) -> None:
    kind = record.get("$type", PROFILE)
    if kind != PROFILE:
        raise invalid(f"Invalid $type: expected {PROFILE}, got {kind}")
    for key, limit in (("displayName", 64), ("description", 256)):
        value = record.get(key, "")
        where = f"at $.record.{key}"
        if not isinstance(value, str):
            raise invalid(f"Invalid {PROFILE} record: Expected string value type (got {value!r}) {where}")
        if graphemes(value) > limit:
            got = graphemes(value)
            raise invalid(f"Invalid {PROFILE} record: grapheme too big (maximum {limit}, got {got}) {where}")
    labels = record.get("labels")
    if labels is not None and not (isinstance(labels, dict) and isinstance(labels.get("values"), list)):
        raise invalid(f'Invalid {PROFILE} record: Missing required key "values" at $.record.labels')


def _self_labels(record: JsonObject) -> set[str]:
    labels = record.get("labels")
    values = labels.get("values", []) if isinstance(labels, dict) else []
    return {str(v.get("val")) for v in values if isinstance(v, dict)}


async def put_record(state: BlueskyState, call: Call) -> JsonObject:
    did = state.viewer(call, required=True)
    assert did is not None
    body = await call.body()
    _own_repo(state, did, field_of(body, "repo"))
    collection, rkey, record = field_of(body, "collection"), field_of(body, "rkey"), field_of(body, "record")
    if collection != PROFILE or rkey != "self":
        raise _unsupported(f"{collection}/{rkey}")
    if not isinstance(record, dict):
        raise invalid("Expected object value type at $.record")
    _check_profile(record)
    with state.lock:
        state.profiles[did] = record
    world = state.ctx.world
    with world.lock:
        account = world.bluesky_accounts.get(did)
        if account is not None:
            # The AppView derives the profile view from this record: name and the "bot" self-label.
            account.display_name = str(record.get("displayName", ""))
            account.is_bot = "bot" in _self_labels(record)
    cid = cid_for_record(record)
    uri = f"at://{did}/{PROFILE}/self"
    return {"uri": uri, "cid": cid, "commit": _commit(did, call, cid), "validationStatus": "valid"}


async def get_record(state: BlueskyState, call: Call) -> JsonObject:
    params = call.params
    repo, collection, rkey = params.required("repo"), params.required("collection"), params.required("rkey")
    world = state.ctx.world
    with world.lock:
        views = state.views(call, None)
        account = views.account(repo)
        did = account.did if account is not None else repo
        uri = f"at://{did}/{collection}/{rkey}"
        found: tuple[str, JsonObject] | None = None  # (cid, value)
        if collection == PROFILE and rkey == "self" and account is not None:
            value = profile_record(account, views.profiles.get(did))
            found = (cid_for_record(value), value)
        elif collection == POST:
            post = views.find(uri)
            found = (post.cid, record_of(post)) if post is not None else None
    if found is None:
        raise XrpcError(400, "RecordNotFound", f"Could not locate record: {uri}")
    cid, value = found
    return {"uri": uri, "cid": cid, "value": value}


_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
)


def sniff_mime(data: bytes, declared: str) -> str:
    """The PDS detects a blob's type from its bytes; the SDK declares every upload as ``*/*``."""
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    declared = declared.split(";", maxsplit=1)[0].strip()
    return declared if declared and declared != "*/*" else "application/octet-stream"


async def upload_blob(state: BlueskyState, call: Call) -> JsonObject:
    state.viewer(call, required=True)
    data = await call.raw()
    if len(data) > MAX_BLOB_BYTES:
        raise XrpcError(413, "PayloadTooLarge", "request entity too large")
    mime = sniff_mime(data, call.request.headers.get("Content-Type", ""))
    cid = cid_for_blob(data)
    with state.lock:
        state.blobs[cid] = (mime, data)
    return {"blob": {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": len(data)}}


async def get_blob(state: BlueskyState, call: Call) -> web.StreamResponse:
    call.params.required("did")
    with state.lock:
        found = state.blobs.get(call.params.required("cid"))
    if found is None:
        raise invalid("Blob not found")
    return web.Response(body=found[1], content_type=found[0].split(";")[0])


ROUTES: tuple[tuple[str, str, StateHandler], ...] = (
    ("com.atproto.repo.createRecord", "POST", create_record),
    ("com.atproto.repo.deleteRecord", "POST", delete_record),
    ("com.atproto.repo.putRecord", "POST", put_record),
    ("com.atproto.repo.getRecord", "GET", get_record),
    ("com.atproto.repo.uploadBlob", "POST", upload_blob),
    ("com.atproto.sync.getBlob", "GET", get_blob),
)
