"""Serving recorded Reddit responses (PRAW's VCR.py cassettes) to a real client.

Requests are matched the way PRAW's own test suite matches them: method, path
and the query as an unordered set of pairs (hosts differ, bodies are ignored).
Each recorded interaction is played once, in order; when all recordings of a
request are used up, the last one is repeated, so a client may fetch a token
again. The recordings' secrets were replaced by placeholders such as
``<ACCESS_TOKEN>`` and ``<TEST_SUBREDDIT>``; they are substituted back, and the
recorded ``Content-Length`` (which no longer fits the scrubbed bodies) is dropped.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from urllib.parse import parse_qsl, urlsplit

from aiohttp import web

from . import _campaign as creds
from ._runner import BackgroundServer

PLACEHOLDERS: Mapping[str, str] = {
    "<ACCESS_TOKEN>": "replay-access-token",
    "<REFRESH_TOKEN>": "replay-refresh-token",
    "<TEST_SUBREDDIT>": "test",
    "<USERNAME>": creds.REDDIT_USERNAME,
    "<PASSWORD>": creds.REDDIT_PASSWORD,
    "<CLIENT_ID>": creds.REDDIT_CLIENT_ID,
    "<CLIENT_SECRET>": creds.REDDIT_CLIENT_SECRET,
    "<USER_AGENT>": "keep4o-bot replay",
    "<AUTH_CODE>": "replay-code",
    "<REDIRECT_URI>": "http://localhost:8080",
}
# Hop-by-hop or stale headers: the server computes its own framing and sets no cookies.
_DROPPED = {"content-length", "transfer-encoding", "content-encoding", "connection", "set-cookie"}

Key = tuple[str, str, frozenset[tuple[str, str]]]


class CassetteError(ValueError):
    """A file that is not a VCR.py cassette."""


def substitute(text: str) -> str:
    for placeholder, value in PLACEHOLDERS.items():
        text = text.replace(placeholder, value)
    return text


def request_key(method: str, path: str, query: Iterable[tuple[str, str]]) -> Key:
    return method.upper(), path, frozenset(query)


@dataclass(frozen=True)
class Recording:
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


def _header_values(value: object) -> list[str]:
    # PRAW's cassettes hold lists of strings; asyncpraw's plain strings.
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def load_cassette(path: Path) -> list[tuple[Key, Recording]]:
    """The (request key, response) pairs of one cassette, in recorded order."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        interactions = data["interactions"]
        out = []
        for item in interactions:
            request, response = item["request"], item["response"]
            uri = urlsplit(substitute(request["uri"]))
            key = request_key(request["method"], uri.path, parse_qsl(uri.query, keep_blank_values=True))
            headers = tuple(
                (name, substitute(v))
                for name, values in response["headers"].items()
                if name.lower() not in _DROPPED
                for v in _header_values(values)
            )
            body = substitute(response["body"]["string"]).encode()
            status = response["status"]
            out.append((key, Recording(int(status["code"]), str(status["message"]), headers, body)))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CassetteError(f"{path}: not a VCR.py cassette ({type(exc).__name__}: {exc})") from None
    return out


class ReplayServer:
    """An HTTP server on 127.0.0.1 answering only what the given cassettes recorded."""

    def __init__(self, cassettes: Iterable[Path | str], host: str = "127.0.0.1", port: int = 0) -> None:
        self._recordings: dict[Key, list[Recording]] = {}
        for cassette in cassettes:
            for key, recording in load_cassette(Path(cassette)):
                self._recordings.setdefault(key, []).append(recording)
        self._played: dict[Key, int] = {}
        self._lock = threading.Lock()
        self.unmatched: list[str] = []
        self._server = BackgroundServer(self._make_app, host, port)

    @property
    def url(self) -> str:
        return self._server.url

    def _answer(self, key: Key) -> Recording | None:
        with self._lock:
            found = self._recordings.get(key)
            if not found:
                return None
            index = self._played.get(key, 0)
            self._played[key] = index + 1
            return found[min(index, len(found) - 1)]

    def _make_app(self) -> web.Application:
        async def replay(request: web.Request) -> web.Response:
            key = request_key(request.method, request.path, request.query.items())
            recording = self._answer(key)
            if recording is None:
                self.unmatched.append(f"{request.method} {request.path_qs}")
                body = {"error": 404, "message": f"no recording of {request.method} {request.path_qs}"}
                return web.json_response(body, status=404)
            response = web.Response(status=recording.status, reason=recording.reason, body=recording.body)
            for name, value in recording.headers:
                response.headers.add(name, value)
            return response

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", replay)
        return app

    def start(self) -> ReplayServer:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
