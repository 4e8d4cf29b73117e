"""Editions to publish, a recording webhook receiver and a simulated crash, for publisher tests."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from atproto import Client

from bot.digest import (
    Conversation,
    DigestContent,
    NameCount,
    PlatformActivity,
    ThreadPost,
    TopPost,
    day_period,
)
from bot.publishers import Edition, Remote
from tests.digest.digest_data import DAY, TZ, sample_content, sample_petition


class SimulatedCrash(BaseException):
    """Raised by a hook to stop the process dead, as a kill would: no ``except Exception`` catches it."""


def crash_after_publish(target: str, remote: Remote) -> None:
    raise SimulatedCrash(f"killed after {target} published {remote.id}")


def content(
    day: date = DAY, excerpt: str = "We will not stop until 4o is back 👩‍👩‍👧‍👦 #keep4o"
) -> DigestContent:
    """The digest tests' sample for ``day`` with Reddit's side only: three posts, a family emoji in each."""
    period = day_period(day, TZ)
    posts = tuple(
        TopPost(
            "reddit",
            f"https://www.reddit.com/r/ChatGPT/comments/t{i}/",
            f"{excerpt} ({i})",
            "ChatGPT",
            400 - i,
            80,
            0,
        )
        for i in range(3)
    )
    conversation = Conversation(
        platforms=(PlatformActivity("reddit", 143, 98.0, "current", period.end, posts),),
        sensitive=2,
        subreddits=(NameCount("ChatGPT", 52),),
        languages=(NameCount("en", 130), NameCount("ja", 13)),
        new_authors=37,
    )
    return sample_content(
        period=period, petitions=(sample_petition(day),), conversation=conversation, background=()
    )


def edition(day: date = DAY) -> Edition:
    return Edition("digest", day.isoformat(), content(day))


@dataclass
class Receiver:
    """A local webhook endpoint: records each POST body and answers with the queued statuses."""

    url: str = ""
    bodies: list[dict[str, Any]] = field(default_factory=list)
    # Answered in order, then 200; 0 reads the request and hangs up without an answer.
    statuses: list[int] = field(default_factory=list)


@contextmanager
def webhook_receiver() -> Iterator[Receiver]:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            receiver.bodies.append(json.loads(self.rfile.read(length)))
            status = receiver.statuses.pop(0) if receiver.statuses else 200
            if status == 0:
                self.close_connection = True
                return
            body = json.dumps({"id": f"m{len(receiver.bodies)}"}).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


class Clock:
    """A test clock that moves only when told to."""

    def __init__(self, now: datetime = datetime(2026, 2, 21, 7, 0, tzinfo=UTC)) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


def thread_posts(client: Client, root_uri: str, depth: int = 50) -> list[Any]:
    """A published thread's posts from the root down, following the (single) reply at each level."""
    node = client.get_post_thread(uri=root_uri, depth=depth).thread
    out = []
    while node is not None:
        out.append(node.post)
        node = node.replies[0] if getattr(node, "replies", None) else None
    return out


def assert_thread_reads_back(chain: Sequence[Any], expected: Sequence[ThreadPost]) -> None:
    """The posts read back carry the rendered texts in order, each replying to the one before
    under the root, with every link and hashtag facet on exactly its rendered bytes."""
    assert [p.record.text for p in chain] == [p.text for p in expected]
    assert chain[0].record.reply is None
    for previous, post in itertools.pairwise(chain):
        assert (post.record.reply.root.uri, post.record.reply.parent.uri) == (chain[0].uri, previous.uri)
    for post, want in zip(chain, expected, strict=True):
        raw = post.record.text.encode()
        facets = [
            (
                raw[f.index.byte_start : f.index.byte_end].decode(),
                getattr(f.features[0], "uri", None) or "#" + f.features[0].tag,
            )
            for f in post.record.facets or []
        ]
        assert facets == [(s.text, s.link or f"#{s.tag}") for s in want.segments if not s.plain]
