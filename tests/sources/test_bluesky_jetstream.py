"""Jetstream streaming mode: matching creates stored, deletes honoured, the cursor resumed after restarts."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from atproto_jetstream import parse_subscribe_events_message
from atproto_jetstream.models import MessageFrame
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Care, Match, Settings
from bot.sandbox import BlueskyPost, Sandbox
from bot.sandbox._campaign import BLUESKY_DID
from bot.sources import JETSTREAM_CURSOR_CHECKPOINT, Matcher, run_jetstream
from bot.sources._jetstream import JetstreamCollector
from bot.storage import Post, get_checkpoint, set_checkpoint
from tests.conftest import SANDBOX_NOW, SHARED
from tests.sources.jetstream_v1 import commit_from_v1

AddPost = Callable[..., BlueskyPost]
MakeSettings = Callable[..., Settings]
MATCHER = Matcher(Match(hashtags=["keep4o"]), Care())
ALICE = "did:plc:alicesandbox0000000000"


def _commit(seq: int, rkey: str, operation: str = "create", text: str = "", did: str = ALICE) -> Any:
    payload: dict[str, Any] = {
        "$type": "network.bsky.jetstream.subscribeEvents#commit",
        "seq": seq,
        "did": did,
        "time": "2026-03-01T11:00:00.000000Z",
        "rev": "3mfxxxxxxxx2a",
        "operation": operation,
        "collection": "app.bsky.feed.post",
        "rkey": rkey,
    }
    if operation != "delete":
        payload["cid"] = "bafyreiaaaa"
        payload["record"] = {"$type": "app.bsky.feed.post", "text": text, "createdAt": "2026-03-01T10:59:59Z"}
    return parse_subscribe_events_message(MessageFrame(payload=payload))


def _uri(rkey: str, did: str = ALICE) -> str:
    return f"at://{did}/app.bsky.feed.post/{rkey}"


def _posts(sessions: sessionmaker[Session]) -> dict[str, Post]:
    with sessions() as db:
        return {p.platform_id: p for p in db.scalars(select(Post))}


def _cursor(sessions: sessionmaker[Session]) -> str | None:
    with sessions() as db:
        return get_checkpoint(db, JETSTREAM_CURSOR_CHECKPOINT)


def _collector(sessions: sessionmaker[Session]) -> JetstreamCollector:
    return JetstreamCollector(sessions, MATCHER, own_did=BLUESKY_DID, clock=lambda: SANDBOX_NOW)


def test_a_matching_create_is_stored_with_the_cursor_in_one_go(sessions: sessionmaker[Session]) -> None:
    collector = _collector(sessions)

    collector.handle(_commit(7, "3mfaaaaaaaa2a", text="I miss it #keep4o"))

    post = _posts(sessions)[_uri("3mfaaaaaaaa2a")]
    assert (post.text, post.author_handle, post.author_id) == ("I miss it #keep4o", None, ALICE)
    assert post.matched_terms == ["keep4o"]
    assert _cursor(sessions) == "7"


def test_unrelated_and_own_posts_are_not_stored(sessions: sessionmaker[Session]) -> None:
    collector = _collector(sessions)

    collector.handle(_commit(1, "3mfaaaaaaaa2a", text="lunch was great"))
    collector.handle(_commit(2, "3mfaaaaaaaa2b", text="today's #keep4o digest", did=BLUESKY_DID))
    collector.flush()

    assert _posts(sessions) == {}
    assert _cursor(sessions) == "2"


def test_events_up_to_the_saved_cursor_are_replays_and_skipped(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as db:
        set_checkpoint(db, JETSTREAM_CURSOR_CHECKPOINT, "5", SANDBOX_NOW)
    collector = _collector(sessions)

    collector.handle(_commit(5, "3mfaaaaaaaa2a", text="#keep4o seen before the restart"))
    collector.handle(_commit(6, "3mfaaaaaaaa2b", text="#keep4o new"))

    assert set(_posts(sessions)) == {_uri("3mfaaaaaaaa2b")}
    assert _cursor(sessions) == "6"


def test_a_delete_of_a_stored_post_purges_it(sessions: sessionmaker[Session]) -> None:
    collector = _collector(sessions)
    collector.handle(_commit(1, "3mfaaaaaaaa2a", text="#keep4o"))

    collector.handle(_commit(2, "3mfaaaaaaaa2a", operation="delete"))

    post = _posts(sessions)[_uri("3mfaaaaaaaa2a")]
    assert (post.state, post.text, post.author_id) == ("deleted", None, None)
    assert collector.removed == 1


def test_the_recorded_production_stream_passes_through_without_storing_anything(
    sessions: sessionmaker[Session],
) -> None:
    lines = (SHARED / "fixtures" / "bluesky" / "jetstream_v1_events.jsonl").read_text().splitlines()
    commits = [c for c in (commit_from_v1(json.loads(line)) for line in lines) if c is not None]
    collector = _collector(sessions)

    for commit in commits:
        collector.handle(parse_subscribe_events_message(MessageFrame(payload=commit)))
    collector.flush()

    assert _posts(sessions) == {}
    assert _cursor(sessions) == str(commits[-1]["seq"])


@contextmanager
def _streaming(settings: Settings, sessions: sessionmaker[Session], bsky: Sandbox) -> Iterator[None]:
    stop = threading.Event()
    failures: list[BaseException] = []

    def run() -> None:
        try:
            run_jetstream(settings, sessions, stop=stop, clock=bsky.clock.now)
        except BaseException as exc:
            failures.append(exc)

    thread = threading.Thread(target=run, name="test-jetstream")
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=20)
    assert not thread.is_alive()
    assert failures == []


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    """Synchronisation with the stream's thread, not a speed check: the deadline is generous."""
    deadline = time.monotonic() + 20
    while not condition():
        assert time.monotonic() < deadline, f"the stream never got to: {what}"
        time.sleep(0.05)


def _start_from_the_beginning(sessions: sessionmaker[Session]) -> None:
    """As if event 0 was the last one seen: the stream replays every event it has."""
    with sessions.begin() as db:
        set_checkpoint(db, JETSTREAM_CURSOR_CHECKPOINT, "0", datetime.now(UTC))


def test_the_stream_stores_matching_posts_and_honours_deletes(
    bsky: Sandbox, bsky_settings: MakeSettings, bsky_post: AddPost, sessions: sessionmaker[Session]
) -> None:
    unrelated = bsky_post("nice weather", ago=timedelta(minutes=9))
    own = bsky_post("today's #keep4o digest", did=BLUESKY_DID, ago=timedelta(minutes=8))
    wanted = bsky_post("#keep4o from the stream", ago=timedelta(minutes=7))
    _start_from_the_beginning(sessions)

    with _streaming(bsky_settings(mode="jetstream"), sessions, bsky):
        _wait_for(lambda: wanted.uri in _posts(sessions), "store the matching post")
        bsky.world.delete_bluesky_post(wanted.uri)
        _wait_for(lambda: _posts(sessions)[wanted.uri].state == "deleted", "honour the delete")

    posts = _posts(sessions)
    assert set(posts) == {wanted.uri}
    assert unrelated.uri not in posts and own.uri not in posts
    assert posts[wanted.uri].text is None
    assert _cursor(sessions) == "4"  # three creates, then the delete


def test_a_restart_resumes_from_the_saved_cursor_and_misses_nothing(
    bsky: Sandbox, bsky_settings: MakeSettings, bsky_post: AddPost, sessions: sessionmaker[Session]
) -> None:
    settings = bsky_settings(mode="jetstream")
    first = bsky_post("#keep4o before", ago=timedelta(minutes=5))
    _start_from_the_beginning(sessions)
    with _streaming(settings, sessions, bsky):
        _wait_for(lambda: first.uri in _posts(sessions), "store the first post")
    # Written while the bot is down: only a resumed cursor reaches it (the live tip is past it).
    meanwhile = bsky_post("#keep4o while the bot was down", ago=timedelta(minutes=1))

    with _streaming(settings, sessions, bsky):
        _wait_for(lambda: meanwhile.uri in _posts(sessions), "store the post written meanwhile")

    assert set(_posts(sessions)) == {first.uri, meanwhile.uri}
    assert _cursor(sessions) == "2"
    assert bsky.requests("/xrpc/com.atproto.server.createSession") == 1


def test_a_saved_cursor_ahead_of_the_server_is_dropped_and_the_stream_read_from_its_tip(
    bsky: Sandbox, bsky_settings: MakeSettings, bsky_post: AddPost, sessions: sessionmaker[Session]
) -> None:
    # A cursor from another Jetstream host, or one reset since: each numbers its own events, and
    # every event below the saved cursor would be skipped as already seen.
    with sessions.begin() as db:
        set_checkpoint(db, JETSTREAM_CURSOR_CHECKPOINT, "5000000", datetime.now(UTC))

    written: list[str] = []

    def write_one_and_see_any_stored() -> bool:
        # Posts written once the stream is connected are past its live tip: one is enough.
        written.append(bsky_post(f"#keep4o after the switch {len(written)}", ago=timedelta(seconds=5)).uri)
        return bool(set(written) & set(_posts(sessions)))

    with _streaming(bsky_settings(mode="jetstream"), sessions, bsky):
        _wait_for(write_one_and_see_any_stored, "store a post written after the switch")

    assert int(_cursor(sessions) or 0) < 5000000
