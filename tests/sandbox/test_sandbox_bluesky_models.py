"""Every Bluesky answer of the sandbox parses strictly with the SDK's own models, and post views
have the shape of the recorded real ones (``../shared/fixtures/bluesky/``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from atproto import models
from pydantic import BaseModel
from sandbox_bluesky_support import ALICE, BOB, T0, post, strict_parse, world_of

from bot.sandbox import Clock, Sandbox
from bot.sandbox._campaign import BLUESKY_APP_PASSWORD, BLUESKY_DID, BLUESKY_HANDLE
from tests.conftest import SHARED

BLOB = {
    "$type": "blob",
    "ref": {"$link": "bafkreih2kyevhxzyqxtg2g3zjsdqdxmovvwhrlzygcqtecw2djbup46rda"},
    "mimeType": "image/png",
    "size": 12,
}
IMAGES = {
    "$type": "app.bsky.embed.images",
    "images": [{"alt": "a sign", "image": BLOB, "aspectRatio": {"width": 4, "height": 3}}],
}
ROOT = post(ALICE, "Daily #keep4o see https://example.com/x", 60, langs=["en"])
ROOT.embed = {
    "$type": "app.bsky.embed.external",
    "external": {"uri": "https://example.com/x", "title": "X", "description": "d", "thumb": BLOB},
}
REPLY = post(BOB, "agreed #keep4o", 50, langs=["en"])
REPLY.reply_root = REPLY.reply_parent = (ROOT.uri, ROOT.cid)
PICTURE = post(BOB, "photo #keep4o", 40, embed=IMAGES)
QUOTE = post(
    ALICE,
    "quoting #keep4o",
    30,
    embed={"$type": "app.bsky.embed.record", "record": {"uri": ROOT.uri, "cid": ROOT.cid}},
)
LOST_QUOTE = post(ALICE, "quoting a gone post #keep4o", 25)
LOST_QUOTE.embed = {
    "$type": "app.bsky.embed.record",
    "record": {"uri": f"at://{BOB}/app.bsky.feed.post/3aaaaaaaaaaaa", "cid": ROOT.cid},
}
BOTH = post(BOB, "quote with media #keep4o", 20)
BOTH.embed = {
    "$type": "app.bsky.embed.recordWithMedia",
    "record": {"$type": "app.bsky.embed.record", "record": {"uri": ROOT.uri, "cid": ROOT.cid}},
    "media": IMAGES,
}


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(
        world=world_of(ROOT, REPLY, PICTURE, QUOTE, LOST_QUOTE, BOTH), clock=Clock(T0, speed=0)
    ) as running:
        yield running


@pytest.fixture
def http(sb: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{sb.url}/xrpc") as client:
        session = client.post(
            "/com.atproto.server.createSession",
            json={"identifier": BLUESKY_HANDLE, "password": BLUESKY_APP_PASSWORD},
        )
        client.headers["Authorization"] = f"Bearer {session.json()['accessJwt']}"
        yield client


def ok(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert isinstance(body, dict)
    return body


READS: list[tuple[str, dict[str, Any], type[BaseModel]]] = [
    ("app.bsky.feed.searchPosts", {"q": "#keep4o", "limit": 100}, models.AppBskyFeedSearchPosts.Response),
    (
        "app.bsky.feed.getPosts",
        {"uris": [p.uri for p in (ROOT, REPLY, PICTURE, QUOTE, LOST_QUOTE, BOTH)]},
        models.AppBskyFeedGetPosts.Response,
    ),
    ("app.bsky.feed.getPostThread", {"uri": ROOT.uri}, models.AppBskyFeedGetPostThread.Response),
    ("app.bsky.feed.getPostThread", {"uri": REPLY.uri}, models.AppBskyFeedGetPostThread.Response),
    ("app.bsky.feed.getAuthorFeed", {"actor": BOB}, models.AppBskyFeedGetAuthorFeed.Response),
    ("app.bsky.actor.getProfile", {"actor": BLUESKY_HANDLE}, models.AppBskyActorDefs.ProfileViewDetailed),
    (
        "com.atproto.identity.resolveHandle",
        {"handle": "alice.sandbox.test"},
        models.ComAtprotoIdentityResolveHandle.Response,
    ),
    ("com.atproto.server.getSession", {}, models.ComAtprotoServerGetSession.Response),
    (
        "com.atproto.repo.getRecord",
        {"repo": BLUESKY_DID, "collection": "app.bsky.actor.profile", "rkey": "self"},
        models.ComAtprotoRepoGetRecord.Response,
    ),
    (
        "com.atproto.repo.getRecord",
        {"repo": ALICE, "collection": "app.bsky.feed.post", "rkey": ROOT.rkey},
        models.ComAtprotoRepoGetRecord.Response,
    ),
]


@pytest.mark.parametrize(
    ("nsid", "params", "model"), READS, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(READS)]
)
def test_reads_parse_strictly(
    http: httpx.Client, nsid: str, params: dict[str, Any], model: type[BaseModel]
) -> None:
    strict_parse(ok(http.get(f"/{nsid}", params=params)), model)


def test_search_results_carry_every_kind_of_embed_view(http: httpx.Client) -> None:
    found = strict_parse(
        ok(http.get("/app.bsky.feed.searchPosts", params={"q": "#keep4o"})),
        models.AppBskyFeedSearchPosts.Response,
    )
    embeds = {p.uri: p.embed for p in found.posts}
    assert isinstance(embeds[ROOT.uri], models.AppBskyEmbedExternal.View)
    assert isinstance(embeds[PICTURE.uri], models.AppBskyEmbedImages.View)
    assert isinstance(embeds[QUOTE.uri].record, models.AppBskyEmbedRecord.ViewRecord)
    assert isinstance(embeds[LOST_QUOTE.uri].record, models.AppBskyEmbedRecord.ViewNotFound)
    assert isinstance(embeds[BOTH.uri], models.AppBskyEmbedRecordWithMedia.View)


def test_session_answers_parse_strictly(sb: Sandbox, http: httpx.Client) -> None:
    body = {"identifier": BLUESKY_HANDLE, "password": BLUESKY_APP_PASSWORD}
    created = ok(http.post("/com.atproto.server.createSession", json=body))
    strict_parse(created, models.ComAtprotoServerCreateSession.Response)
    refreshed = http.post(
        "/com.atproto.server.refreshSession", headers={"Authorization": f"Bearer {created['refreshJwt']}"}
    )
    strict_parse(ok(refreshed), models.ComAtprotoServerRefreshSession.Response)


def test_repo_writes_parse_strictly(http: httpx.Client) -> None:
    record = {
        "$type": "app.bsky.feed.post",
        "text": "hi #keep4o",
        "createdAt": "2026-03-01T12:00:00.000Z",
        "langs": ["en"],
    }
    created = ok(
        http.post(
            "/com.atproto.repo.createRecord",
            json={"repo": BLUESKY_DID, "collection": "app.bsky.feed.post", "record": record},
        )
    )
    strict_parse(created, models.ComAtprotoRepoCreateRecord.Response)
    rkey = created["uri"].rsplit("/", 1)[1]
    deleted = ok(
        http.post(
            "/com.atproto.repo.deleteRecord",
            json={"repo": BLUESKY_DID, "collection": "app.bsky.feed.post", "rkey": rkey},
        )
    )
    strict_parse(deleted, models.ComAtprotoRepoDeleteRecord.Response)
    profile = {"$type": "app.bsky.actor.profile", "displayName": "keep4o digest"}
    put = ok(
        http.post(
            "/com.atproto.repo.putRecord",
            json={
                "repo": BLUESKY_DID,
                "collection": "app.bsky.actor.profile",
                "rkey": "self",
                "record": profile,
            },
        )
    )
    strict_parse(put, models.ComAtprotoRepoPutRecord.Response)
    blob = ok(
        http.post("/com.atproto.repo.uploadBlob", content=b"\x89PNG", headers={"Content-Type": "image/png"})
    )
    strict_parse(blob, models.ComAtprotoRepoUploadBlob.Response)


def shape(value: Any, path: str = "") -> set[tuple[str, str]]:
    """(path, JSON type) of every value, lists described by their first item."""
    if isinstance(value, dict):
        out = {(path, "object")}
        for key, item in value.items():
            out |= shape(item, f"{path}.{key}")
        return out
    if isinstance(value, list):
        return {(path, "array")} | (shape(value[0], f"{path}[]") if value else set())
    return {(path, type(value).__name__)}


# What production/reference views have and the sandbox leaves out on purpose: avatars, per-viewer
# state of other actors, account creation dates.
NOT_SERVED = ("avatar", "author.createdAt", ".viewer.", ".associated.activity", "threadContext")
# "$type"s the SDK writes into nested record objects: present when the writer puts them there.
WRITER_TYPES = {
    ".record.facets[].index.$type",
    ".record.embed.external.$type",
    ".record.reply.$type",
    ".record.reply.root.$type",
    ".record.reply.parent.$type",
}


def served(paths: set[tuple[str, str]]) -> set[tuple[str, str]]:
    return {(p, t) for p, t in paths if p not in WRITER_TYPES and not any(mark in p for mark in NOT_SERVED)}


@pytest.mark.parametrize(
    "fixture", ["devenv_searchPosts_keep4o.json", "devenv_searchPosts_external_embed.json"]
)
def test_post_views_have_the_reference_appview_shape(http: httpx.Client, fixture: str) -> None:
    recorded = json.loads((SHARED / "fixtures" / "bluesky" / fixture).read_text())
    ours = ok(http.get("/app.bsky.feed.getPosts", params={"uris": [ROOT.uri, REPLY.uri]}))
    ours_paths = set().union(*(shape(p) for p in ours["posts"]))
    for recorded_post in recorded["posts"]:
        assert served(shape(recorded_post)) - ours_paths == set()


def test_thread_view_has_the_production_shape(http: httpx.Client) -> None:
    recorded = json.loads(
        (SHARED / "fixtures" / "bluesky" / "thread_view_post_with_embed_media.json").read_text()
    )
    ours = ok(http.get("/app.bsky.feed.getPostThread", params={"uri": ROOT.uri}))
    bot_reads = {
        ".thread",
        ".thread.$type",
        ".thread.post",
        ".thread.replies",
        ".thread.post.uri",
        ".thread.post.cid",
    }
    bot_reads |= {
        f".thread.post.{k}"
        for k in (
            "author",
            "record",
            "embed",
            "indexedAt",
            "labels",
            "likeCount",
            "replyCount",
            "repostCount",
        )
    }
    bot_reads |= {
        ".thread.post.author.did",
        ".thread.post.author.handle",
        ".thread.post.record.text",
        ".thread.post.record.createdAt",
    }
    recorded_paths = {p: t for p, t in shape(recorded) if p in bot_reads}
    ours_paths = {p: t for p, t in shape(ours) if p in bot_reads}
    assert ours_paths == recorded_paths
