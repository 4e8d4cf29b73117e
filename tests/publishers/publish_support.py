"""Editions to publish, a recording webhook receiver and a simulated crash, for publisher tests."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bot.digest import Conversation, DigestContent, NameCount, PlatformActivity, TopPost, day_period
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
    statuses: list[int] = field(default_factory=list)  # answered in order, then 200


@contextmanager
def webhook_receiver() -> Iterator[Receiver]:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            receiver.bodies.append(json.loads(self.rfile.read(length)))
            status = receiver.statuses.pop(0) if receiver.statuses else 200
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
