"""Injected failures, shaped the way each real service fails.

A fault is armed for a path prefix and a number of requests. The server's
middleware asks :meth:`FaultBook.take` on every request; Bluesky paths
(``/xrpc/``) get XRPC error bodies, petition pages (``/p/``, ``/petitions/``)
HTML error pages, everything else Reddit's answers.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

FAULTS = (
    "429",
    "500",
    "502",
    "503",
    "timeout",
    "malformed",
    "truncated",
    "expired_token",
    "not_found",
    "forbidden",
    "empty",
    "stuck_cursor",
    "broken_post",
    "not_a_post",
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Reddit's 429 is an HTML page (prawcore's recorded 429 with retry headers); only its first
# lines matter to clients, which show the body text as the error message.
_REDDIT_429 = (
    "<!doctype html>\n<html>\n  <head>\n    <title>Too Many Requests</title>\n  </head>\n"
    "  <body>\n    <h1>whoa there, pardner!</h1>\n"
    "<p>we're sorry, but you appear to be a bot and we've seen too many requests\n"
    "from you lately.</p>\n  </body>\n</html>\n"
)
_WEB_PAGES = ("/p/", "/petitions/")
_XRPC_STATUS = {
    "500": (500, "InternalServerError", "Internal Server Error"),
    "502": (502, "UpstreamFailure", "Upstream Failure"),
    "503": (503, "NotEnoughResources", "Service Unavailable"),
}


@dataclass
class Fault:
    path_prefix: str
    fault: str
    times: int  # requests still to fail
    seconds: float = 3.0  # "timeout": how long to stall; "429": the retry-after / reset


class FaultBook:
    """The armed faults, first armed first used; thread-safe (tests arm them from outside the loop)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def arm(self, path_prefix: str, fault: str, times: int = 1, seconds: float = 3.0) -> Fault:
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; choose one of {', '.join(FAULTS)}")
        if times < 1:
            raise ValueError("times must be at least 1")
        armed = Fault(path_prefix, fault, times, seconds)
        with self._lock:
            self._faults.append(armed)
        return armed

    def take(self, path: str) -> Fault | None:
        with self._lock:
            for armed in self._faults:
                if path.startswith(armed.path_prefix):
                    armed.times -= 1
                    if armed.times == 0:
                        self._faults.remove(armed)
                    return armed
        return None

    def pending(self) -> list[Fault]:
        with self._lock:
            return [Fault(f.path_prefix, f.fault, f.times, f.seconds) for f in self._faults]

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()


def _site(path: str) -> str:
    """Whose failure a path gets: Bluesky's XRPC, a petition web page, or Reddit's API."""
    if path.startswith("/xrpc/"):
        return "xrpc"
    if path.startswith(_WEB_PAGES):
        return "web"
    return "reddit"


def _xrpc_error(status: int, error: str, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"error": error, "message": message}, status=status, headers=headers)


def _web_error(status: int, reason: str, headers: dict[str, str] | None = None) -> web.Response:
    page = f"<!DOCTYPE html>\n<html><head><title>{status} {reason}</title></head>"
    page += f"<body><h1>{status} {reason}</h1></body></html>\n"
    return web.Response(status=status, text=page, content_type="text/html", headers=headers)


def _too_many(fault: Fault, site: str) -> web.Response:
    wait = max(1, round(fault.seconds))
    if site == "xrpc":
        # The PDS's headers: a limit, what is left, the reset as epoch seconds, the policy.
        headers = {
            "ratelimit-limit": "3000",
            "ratelimit-remaining": "0",
            "ratelimit-reset": str(int(time.time()) + wait),
            "ratelimit-policy": "3000;w=300",
        }
        return _xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded", headers)
    if site == "web":
        return _web_error(429, "Too Many Requests", {"retry-after": str(wait)})
    headers = {
        "retry-after": str(wait),
        "x-ratelimit-remaining": "0.0",
        "x-ratelimit-used": "1000",
        "x-ratelimit-reset": str(wait),
    }
    return web.Response(status=429, text=_REDDIT_429, content_type="text/html", headers=headers)


def _server_error(code: str, site: str) -> web.Response:
    status, error, message = _XRPC_STATUS[code]
    if site == "xrpc":
        return _xrpc_error(status, error, message)
    if site == "web":
        return _web_error(status, message)
    # Reddit's 5xx from its CDN: an empty JSON-typed body (prawcore's recorded 502).
    return web.Response(status=status, body=b"", content_type="application/json")


def _expired(site: str) -> web.Response:
    if site == "xrpc":
        return _xrpc_error(400, "ExpiredToken", "Token has expired")
    return web.json_response(
        {"message": "Unauthorized", "error": 401},
        status=401,
        headers={"www-authenticate": 'Bearer realm="reddit", error="invalid_token"'},
    )


async def apply(fault: Fault, request: web.Request, handler: Handler) -> web.StreamResponse:
    """The response a request gets instead of (or made from) the real one."""
    site = _site(request.path)
    kind = fault.fault
    if kind == "429":
        return _too_many(fault, site)
    if kind in _XRPC_STATUS:
        return _server_error(kind, site)
    if kind == "expired_token":
        return _expired(site)
    if kind == "not_found":
        # What a lagging AppView answers for a post its author feed already shows.
        if site == "xrpc":
            return _xrpc_error(400, "NotFound", "Post not found")
        return web.Response(status=404, text="Not Found")
    if kind == "forbidden":
        # The request is refused, whatever the token: the AppView's ForbiddenError (as it answers
        # searchPosts paging without a viewer), a 403 page, Reddit's JSON.
        if site == "xrpc":
            return _xrpc_error(403, "Forbidden", "Request forbidden by administrative rules.")
        if site == "web":
            return _web_error(403, "Forbidden")
        return web.json_response({"message": "Forbidden", "error": 403}, status=403)
    if kind in ("empty", "stuck_cursor", "broken_post", "not_a_post"):
        return _edited(await handler(request), kind, request.query.get("cursor"))
    if kind == "malformed":
        # The same broken JSON everywhere: to a page parser it is "not HTML", to an API client bad JSON.
        return web.Response(
            body=b'{"kind": "Listing", "data": {"children": [', content_type="application/json"
        )
    if kind == "timeout":
        # The server acts, then its answer stalls past the client's timeout: the client gives up
        # not knowing that, say, its post was created (the case exactly-once delivery is about).
        answer = await handler(request)
        await asyncio.sleep(fault.seconds)
        return answer
    real = await handler(request)
    if not isinstance(real, web.Response) or not isinstance(real.body, bytes):
        return real  # a websocket or stream has no body to cut
    # Half the body with a matching Content-Length: the client gets a complete, cut-off document.
    headers = {k: v for k, v in real.headers.items() if k.lower() != "content-length"}
    return web.Response(status=real.status, body=real.body[: len(real.body) // 2], headers=headers)


def _edited(real: web.StreamResponse, kind: str, asked: str | None) -> web.StreamResponse:
    """A real JSON answer with its results left out (``empty``), its cursor the one asked with
    (``stuck_cursor``), its first post without fields the lexicon requires (``broken_post``) or
    replaced by a string (``not_a_post``): pages a server can send that hold nothing, lead
    nowhere new, or do not validate."""
    if not isinstance(real, web.Response) or not isinstance(real.body, bytes) or real.status != 200:
        return real
    document = json.loads(real.body)
    if kind == "empty":
        for results in ("posts", "feed", "children"):
            if isinstance(document.get(results), list):
                document[results] = []
        if isinstance(document.get("data"), dict) and isinstance(document["data"].get("children"), list):
            document["data"]["children"] = []
    elif kind == "not_a_post":
        document["posts"] = ["not a post", *document.get("posts", [])[1:]]
    elif kind == "broken_post":
        for post in document.get("posts", [])[:1]:
            post.pop("indexedAt", None)
            post.get("author", {}).pop("handle", None)
    elif asked is not None:
        document["cursor"] = asked
    return web.json_response(document, status=real.status)
