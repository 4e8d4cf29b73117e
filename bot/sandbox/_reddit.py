"""Reddit's OAuth API as PRAW 8 uses it: tokens, listings, a user's posts, search, info, submit.

Accepts only the sandbox's credentials (see ``_campaign.py``) and answers the
way Reddit does: a wrong client secret is a 401 at the token endpoint, a wrong
password a 200 with ``{"error": "invalid_grant"}``, a missing or unknown bearer
token a 401 with ``www-authenticate``. Every API response carries
``x-ratelimit-*`` headers for an aligned 600 s window of 1000 requests; past the
limit requests get Reddit's 429. Removed and deleted posts leave ``/new`` and
search but stay readable through ``/api/info`` and ``/comments``.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
import secrets
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from . import _campaign as creds
from . import _reddit_query as query
from ._context import Context
from ._reddit_submit import submit
from ._reddit_wire import listing
from ._world import RedditPost

RATELIMIT = (1000, 600)  # requests per window, window seconds
TOKEN_SECONDS = 3600
_FULLNAME = re.compile(r"^t3_[0-9a-z]+$")

Handler = Callable[[web.Request], Awaitable[web.Response]]


class RateWindow:
    """Reddit's budget: ``limit`` requests per ``window`` seconds, windows aligned to the wall clock."""

    def __init__(self, limit: int, window: int) -> None:
        self.limit, self.window = limit, window
        self._lock = threading.Lock()
        self._start = 0
        self._used = 0

    def take(self) -> tuple[dict[str, str], bool]:
        """Count one request: its headers, and whether it is within the budget."""
        now = time.time()
        with self._lock:
            start = int(now // self.window * self.window)
            if start != self._start:
                self._start, self._used = start, 0
            self._used += 1
            used = self._used
        reset = max(1, self._start + self.window - int(now))
        headers = {
            "x-ratelimit-remaining": f"{float(max(self.limit - used, 0)):.1f}",
            "x-ratelimit-used": str(used),
            "x-ratelimit-reset": str(reset),
        }
        if used > self.limit:
            headers["retry-after"] = str(reset)
        return headers, used <= self.limit


class Tokens:
    """Issued bearer tokens: token -> (username or None for app-only, expiry in monotonic time)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, tuple[str | None, float]] = {}

    def issue(self, username: str | None) -> str:
        token = "sbx-" + secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = (username, time.monotonic() + TOKEN_SECONDS)
        return token

    def holder(self, token: str) -> tuple[bool, str | None]:
        """(valid, username)."""
        with self._lock:
            found = self._tokens.get(token)
        if found is None or found[1] < time.monotonic():
            return False, None
        return True, found[0]


def _escaped(value: Any) -> Any:
    """Reddit's legacy JSON: ``&``, ``<`` and ``>`` in strings HTML-escaped unless ``raw_json=1``."""
    if isinstance(value, str):
        return html.escape(value, quote=False)
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    return value


def _json(request: web.Request, body: Any, status: int = 200) -> web.Response:
    raw = request.query.get("raw_json") == "1"
    return web.json_response(body if raw else _escaped(body), status=status)


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"message": message, "error": status}, status=status, headers=headers)


def _client_ok(request: web.Request) -> bool:
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        client, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return (client, secret) == (creds.REDDIT_CLIENT_ID, creds.REDDIT_CLIENT_SECRET)


def _boolean(value: str) -> bool:
    """r2's VBoolean: "off", empty, or anything starting with f/n is false."""
    lowered = value.lower()
    return not (lowered in ("", "off") or lowered[0] in "fn")


def _limit(request: web.Request, default: int = 25) -> int:
    try:
        value = int(request.query.get("limit", default))
    except ValueError:
        value = default
    return min(max(value, 1), 100)  # r2's VLimit clamps silently


def add_routes(app: web.Application, ctx: Context, *, ratelimit: tuple[int, int] = RATELIMIT) -> None:
    world, clock = ctx.world, ctx.clock
    budget = RateWindow(*ratelimit)
    tokens = Tokens()

    async def access_token(request: web.Request) -> web.Response:
        if not _client_ok(request):
            return _error(401, "Unauthorized")
        form = await request.post()
        grant = form.get("grant_type")
        if grant == "client_credentials":
            username = None
        elif grant == "password":
            if (form.get("username"), form.get("password")) != (creds.REDDIT_USERNAME, creds.REDDIT_PASSWORD):
                return web.json_response({"error": "invalid_grant"})
            username = creds.REDDIT_USERNAME
        else:
            return web.json_response({"error": "unsupported_grant_type"})
        body = {"access_token": tokens.issue(username), "token_type": "bearer"}
        return web.json_response(body | {"expires_in": TOKEN_SECONDS, "scope": "*"})

    def api(handler: Callable[[web.Request, str | None], Awaitable[web.Response]]) -> Handler:
        """Bearer auth and the rate-limit budget around an API handler."""

        async def wrapped(request: web.Request) -> web.Response:
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            valid, username = tokens.holder(token.strip()) if scheme.lower() == "bearer" else (False, None)
            if not valid:
                challenge = {"www-authenticate": 'Bearer realm="reddit", error="invalid_token"'}
                return _error(401, "Unauthorized", challenge)
            headers, allowed = budget.take()
            if not allowed:
                return _error(429, "Too Many Requests", headers)
            response = await handler(request, username)
            response.headers.update(headers)
            return response

        return wrapped

    def visible() -> list[RedditPost]:
        return [p for p in world.visible_reddit(clock.now()) if p.removed_by_category is None]

    def paged(request: web.Request, items: list[RedditPost], *, search: bool = False) -> web.Response:
        anchor_name = request.query.get("after") or request.query.get("before")
        direction = "after" if request.query.get("after") else "before"
        anchor_key = None
        if anchor_name:
            with world.lock:
                anchor = world.reddit_posts.get(anchor_name)
            if anchor is None:
                return _json(request, listing([], search=search))
            anchor_key = (anchor.created_at, anchor.id)
        posts, after, before = query.page(
            items, anchor_key=anchor_key, direction=direction, limit=_limit(request)
        )
        return _json(request, listing(posts, after=after, before=before, search=search))

    async def new(request: web.Request, username: str | None) -> web.Response:
        items = query.in_subreddits(visible(), request.match_info["names"])
        return paged(request, items[: query.LISTING_CAP])

    async def submitted(request: web.Request, username: str | None) -> web.Response:
        # A user's posts, newest first (what PRAW's redditor(name).submissions.new() reads).
        name = request.match_info["name"].lower()
        items = [p for p in visible() if p.author is not None and p.author.lower() == name]
        return paged(request, items[: query.LISTING_CAP])

    async def search(request: web.Request, username: str | None) -> web.Response:
        names = request.match_info.get("names")
        restrict = _boolean(request.query.get("restrict_sr", ""))
        scope = query.in_subreddits(visible(), names) if names and restrict else visible()
        found = query.search(
            scope,
            request.query.get("q", "")[:512],
            sort=request.query.get("sort", "relevance"),
            time_filter=request.query.get("t", "all"),
            now=clock.now(),
        )
        return paged(request, found, search=True)

    async def info(request: web.Request, username: str | None) -> web.Response:
        now = clock.now()
        wanted = [n for n in request.query.get("id", "").split(",") if _FULLNAME.match(n)]
        url = request.query.get("url")
        with world.lock:
            if url is not None:
                found = [p for p in world.reddit_posts.values() if p.url == url]
            else:
                found = [p for n in wanted[:100] if (p := world.reddit_posts.get(n)) is not None]
        return _json(request, listing([p for p in found if p.created_at <= now]))

    async def comments(request: web.Request, username: str | None) -> web.Response:
        with world.lock:
            post = world.reddit_posts.get("t3_" + request.match_info["id"])
        if post is None or post.created_at > clock.now():
            return _error(404, "Not Found")
        # A submission page: the post's listing, then its (here always empty) comment listing.
        comment_listing: dict[str, Any] = listing([])
        comment_listing["data"]["dist"] = None
        return _json(request, [listing([post]), comment_listing])

    async def submit_post(request: web.Request, username: str | None) -> web.Response:
        if username is None:
            challenge = {"www-authenticate": 'Bearer realm="reddit", error="insufficient_scope"'}
            return _error(403, "Forbidden", challenge)
        form = await request.post()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        status, body = submit(world, fields, username, clock.now())
        return web.json_response(body, status=status)

    async def me(request: web.Request, username: str | None) -> web.Response:
        if username is None:
            challenge = {"www-authenticate": 'Bearer realm="reddit", error="insufficient_scope"'}
            return _error(403, "Forbidden", challenge)
        created = 1_700_000_000.0
        user = {"name": username, "id": "keep4obot", "created": created, "created_utc": created}
        user |= {"link_karma": 1, "comment_karma": 0, "total_karma": 1, "is_suspended": False}
        user |= {"has_verified_email": True, "is_mod": False, "is_employee": False, "verified": True}
        return web.json_response(user)

    app.router.add_post("/api/v1/access_token", access_token)
    for path, method, handler in (
        ("/r/{names}/new", "GET", new),
        ("/user/{name}/submitted", "GET", submitted),
        ("/r/{names}/search", "GET", search),
        ("/search", "GET", search),
        ("/api/info", "GET", info),
        ("/comments/{id}", "GET", comments),
        ("/api/submit", "POST", submit_post),
        ("/api/v1/me", "GET", me),
    ):
        # PRAW asks for some paths with a trailing slash ("r/all/search/", "api/info/").
        wrapped = api(handler)
        app.router.add_route(method, path, wrapped)
        app.router.add_route(method, path + "/", wrapped)
