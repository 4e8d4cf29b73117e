"""The sandbox's own control API under ``/_sandbox/``, for a sandbox run from the command line.

JSON in, JSON out. Errors are 400 with ``{"error": "..."}`` naming the problem.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ._context import Context
from ._factory import make_bluesky_post, next_reddit_id
from ._faults import FaultBook
from ._world import RedditPost

if TYPE_CHECKING:
    from ._server import RequestCounter


class _BadRequest(Exception):
    pass


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except ValueError:
        raise _BadRequest("the body is not JSON") from None
    if not isinstance(data, dict):
        raise _BadRequest("the body must be a JSON object")
    return data


def _field(data: dict[str, Any], name: str, kind: type, default: Any = ...) -> Any:
    if name not in data:
        if default is ...:
            raise _BadRequest(f"'{name}' is required")
        return default
    value = data[name]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _BadRequest(f"'{name}' must be {kind.__name__}")
    return value


def _time(data: dict[str, Any], name: str, default: datetime) -> datetime:
    text = _field(data, name, str, None)
    if text is None:
        return default
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise _BadRequest(f"'{name}' is not an ISO 8601 time") from None
    if when.tzinfo is None:
        raise _BadRequest(f"'{name}' needs a timezone")
    return when


@web.middleware
async def _errors(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        response: web.StreamResponse = await handler(request)
    except _BadRequest as exc:
        return web.json_response({"error": str(exc)}, status=400)
    return response


def add_routes(app: web.Application, ctx: Context, counter: RequestCounter, faults: FaultBook) -> None:
    world, clock = ctx.world, ctx.clock
    routes = web.RouteTableDef()

    @routes.get("/health")
    async def health(request: web.Request) -> web.Response:
        with world.lock:
            sizes = {
                "reddit_posts": len(world.reddit_posts),
                "bluesky_posts": len(world.bluesky_posts),
                "bluesky_accounts": len(world.bluesky_accounts),
                "petitions": len(world.petitions),
                "submitted": len(world.submitted),
            }
        return web.json_response({"ok": True, "now": clock.now().isoformat(), "speed": clock.speed, **sizes})

    @routes.get("/counters")
    async def counters(request: web.Request) -> web.Response:
        prefix = request.query.get("prefix")
        paths = {p: n for p, n in counter.by_path().items() if prefix is None or p.startswith(prefix)}
        return web.json_response({"total": sum(paths.values()), "paths": paths})

    @routes.delete("/counters")
    async def reset_counters(request: web.Request) -> web.Response:
        counter.reset()
        return web.json_response({"total": 0, "paths": {}})

    @routes.get("/faults")
    async def list_faults(request: web.Request) -> web.Response:
        return web.json_response({"faults": [vars(f) for f in faults.pending()]})

    @routes.post("/faults")
    async def arm_fault(request: web.Request) -> web.Response:
        data = await _body(request)
        try:
            armed = faults.arm(
                _field(data, "path_prefix", str),
                _field(data, "fault", str),
                _field(data, "times", int, 1),
                _field(data, "seconds", float, 3.0),
            )
        except ValueError as exc:
            raise _BadRequest(str(exc)) from None
        return web.json_response(vars(armed), status=201)

    @routes.delete("/faults")
    async def clear_faults(request: web.Request) -> web.Response:
        faults.clear()
        return web.json_response({"faults": []})

    @routes.post("/clock")
    async def set_clock(request: web.Request) -> web.Response:
        """``{"set": ISO time, "speed": x}`` or ``{"advance": seconds}``."""
        data = await _body(request)
        if "advance" in data:
            clock.advance(timedelta(seconds=_field(data, "advance", float)))
        else:
            clock.set(_time(data, "set", clock.now()), _field(data, "speed", float, None))
        return web.json_response({"now": clock.now().isoformat(), "speed": clock.speed})

    @routes.post("/reddit/posts")
    async def add_reddit(request: web.Request) -> web.Response:
        data = await _body(request)
        post = RedditPost(
            id=next_reddit_id(world),
            subreddit=_field(data, "subreddit", str),
            author=_field(data, "author", str, "sandbox_user"),
            title=_field(data, "title", str),
            selftext=_field(data, "selftext", str, ""),
            created_at=_time(data, "created_at", clock.now()),
            url=_field(data, "url", str, None),
            score=_field(data, "score", int, 1),
            num_comments=_field(data, "num_comments", int, 0),
        )
        world.add_reddit_post(post)
        return web.json_response({"id": post.id, "name": post.fullname}, status=201)

    @routes.post("/reddit/posts/{fullname}/remove")
    async def remove_reddit(request: web.Request) -> web.Response:
        data = await _body(request) if request.can_read_body else {}
        by = _field(data, "by", str, "moderator")
        try:
            world.remove_reddit_post(request.match_info["fullname"], by=by)
        except KeyError:
            raise web.HTTPNotFound(text="no such post") from None
        return web.json_response({"name": request.match_info["fullname"], "removed_by_category": by})

    @routes.get("/reddit/submitted")
    async def submitted(request: web.Request) -> web.Response:
        with world.lock:
            posts = [
                {"name": p.fullname, "subreddit": p.subreddit, "title": p.title, "selftext": p.selftext}
                for p in world.submitted
            ]
        return web.json_response({"submitted": posts})

    @routes.post("/bluesky/posts")
    async def add_bluesky(request: web.Request) -> web.Response:
        data = await _body(request)
        handle = _field(data, "handle", str)
        account = world.account_by_handle(handle)
        if account is None:
            raise _BadRequest(f"no account {handle!r}")
        post = make_bluesky_post(
            account.did,
            _field(data, "text", str),
            _time(data, "created_at", clock.now()),
            langs=_field(data, "langs", list, []),
            tags=_field(data, "tags", list, []),
        )
        world.add_bluesky_post(post)
        return web.json_response({"uri": post.uri, "cid": post.cid}, status=201)

    @routes.post("/bluesky/posts/delete")
    async def delete_bluesky(request: web.Request) -> web.Response:
        uri = _field(await _body(request), "uri", str)
        try:
            world.delete_bluesky_post(uri)
        except KeyError:
            raise web.HTTPNotFound(text="no such post") from None
        return web.json_response({"uri": uri, "deleted": True})

    admin = web.Application(middlewares=[_errors])
    admin.add_routes(routes)
    app.add_subapp("/_sandbox", admin)
