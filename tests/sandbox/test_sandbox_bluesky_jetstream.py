"""The sandbox's Jetstream v2 endpoint, read with the SDK's own ``JetstreamClient``."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest
from atproto import models
from atproto_jetstream import JetstreamClient
from sandbox_bluesky_support import ALICE, BOB, T0, login, post, strict_parse, world_of
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from bot.sandbox import Clock, Sandbox

PATH = "/xrpc/network.bsky.jetstream.subscribeEvents"
Commit = models.NetworkBskyJetstreamSubscribeEvents.Commit
FIRST = post(ALICE, "first #keep4o", 60)
SECOND = post(BOB, "second #keep4o", 30)
LATER = post(BOB, "later #keep4o", -10)  # indexed ten minutes after T0
GONE = post(ALICE, "deleted before anyone saw it", 20)
GONE.deleted = True


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(world=world_of(FIRST, SECOND, LATER, GONE), clock=Clock(T0, speed=0)) as running:
        yield running


@contextmanager
def stream(sb: Sandbox, **params: Any) -> Iterator[tuple[JetstreamClient, queue.Queue[Any]]]:
    """A started SDK client (compression on: it falls back when the dictionary is not served)."""
    received: queue.Queue[Any] = queue.Queue()
    client = JetstreamClient(params={"collections": ["app.bsky.feed.post"], **params}, base_uri=ws_url(sb))
    thread = threading.Thread(target=client.start, args=(received.put,), daemon=True)
    thread.start()
    try:
        yield client, received
    finally:
        client.stop()
        thread.join(timeout=10)


def ws_url(sb: Sandbox) -> str:
    return f"ws://{sb.host}:{sb.port}/xrpc"


def take(received: queue.Queue[Any], count: int) -> list[Any]:
    return [received.get(timeout=10) for _ in range(count)]


def test_replay_from_the_first_seq_delivers_visible_posts_in_indexing_order(sb: Sandbox) -> None:
    with stream(sb, cursor=1) as (client, received):
        events = take(received, 2)
    assert [(e.seq, e.operation, e.did, e.rkey) for e in events] == [
        (1, "create", ALICE, FIRST.rkey),
        (2, "create", BOB, SECOND.rkey),
    ]
    assert isinstance(events[0], Commit)
    assert events[0].record.text == "first #keep4o" and events[0].cid == FIRST.cid
    assert client.cursor == 2


def test_the_live_tail_brings_new_posts_and_deletes_as_they_happen(sb: Sandbox) -> None:
    with stream(sb, cursor=3) as (_, received):
        sb.clock.advance(timedelta(minutes=10))
        (appeared,) = take(received, 1)
        sb.world.delete_bluesky_post(FIRST.uri)
        (deleted,) = take(received, 1)
        written = login(sb).send_post("fresh from the bot #keep4o")
        (created,) = take(received, 1)
    assert (appeared.seq, appeared.rkey, appeared.operation) == (3, LATER.rkey, "create")
    assert (deleted.seq, deleted.rkey, deleted.operation) == (4, FIRST.rkey, "delete")
    assert deleted.record is None and deleted.cid is None
    assert (created.seq, created.cid, created.record.text) == (5, written.cid, "fresh from the bot #keep4o")


def test_resuming_from_a_saved_cursor_replays_that_event_first(sb: Sandbox) -> None:
    with stream(sb, cursor=1) as (client, received):
        take(received, 2)
        saved = client.cursor
    sb.clock.advance(timedelta(minutes=10))
    with stream(sb, cursor=saved) as (_, received):
        resumed = take(received, 2)
    assert [e.seq for e in resumed] == [2, 3]
    assert resumed[1].rkey == LATER.rkey


def test_the_dids_filter_skips_other_authors(sb: Sandbox) -> None:
    with stream(sb, cursor=1, dids=[BOB]) as (_, received):
        sb.clock.advance(timedelta(minutes=10))
        events = take(received, 2)
    assert [(e.seq, e.rkey) for e in events] == [(2, SECOND.rkey), (3, LATER.rkey)]


def test_frames_are_v2_messages_whose_payloads_parse_strictly(sb: Sandbox) -> None:
    with connect(
        f"{ws_url(sb)}{PATH.removeprefix('/xrpc')}?cursor=1", subprotocols=[Subprotocol("xrpc.v1.json")]
    ) as ws:
        assert ws.subprotocol == "xrpc.v1.json"
        frames = [json.loads(ws.recv(timeout=10)) for _ in range(2)]
    for frame in frames:
        assert frame["$type"] == "message"
        assert frame["payload"]["$type"] == "network.bsky.jetstream.subscribeEvents#commit"
        strict_parse(frame["payload"], Commit)


def test_a_cursor_beyond_the_tip_starts_there_after_an_info_frame(sb: Sandbox) -> None:
    with connect(f"{ws_url(sb)}{PATH.removeprefix('/xrpc')}?cursor=99") as ws:
        info = json.loads(ws.recv(timeout=10))["payload"]
        sb.clock.advance(timedelta(minutes=10))
        tail = json.loads(ws.recv(timeout=10))["payload"]
    assert (info["$type"], info["name"]) == ("network.bsky.jetstream.subscribeEvents#info", "FutureCursor")
    assert (tail["seq"], tail["rkey"]) == (3, LATER.rkey)


def test_a_microsecond_timestamp_cursor_starts_at_the_first_event_witnessed_then(sb: Sandbox) -> None:
    micros = int(SECOND.indexed_at.timestamp() * 1_000_000)
    with connect(f"{ws_url(sb)}{PATH.removeprefix('/xrpc')}?cursor={micros}") as ws:
        first = json.loads(ws.recv(timeout=10))["payload"]
    assert (first["seq"], first["rkey"]) == (2, SECOND.rkey)


@pytest.mark.parametrize(
    "query",
    ["wantedCollections=app.bsky.feed.post", "kinds=identity&collections=app.bsky.feed.post", "kinds=nope"],
)
def test_bad_parameters_are_refused_before_the_upgrade(sb: Sandbox, query: str) -> None:
    answer = httpx.get(f"{sb.url}{PATH}?{query}")
    assert answer.status_code == 400 and answer.json()["error"] == "InvalidRequest"
