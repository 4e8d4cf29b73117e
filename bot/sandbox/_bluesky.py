"""The sandbox's Bluesky: a PDS and AppView in one, at ``/xrpc/``, plus Jetstream.

Enough of both for the unmodified atproto SDK (``Client(base_url=sandbox_url)``):
sessions (``com.atproto.server.*``), profiles and handles, the feed reads in
``_bluesky_feed``, the repo writes in ``_bluesky_repo`` and the Jetstream websocket
in ``_jetstream``. Every XRPC response carries the PDS's per-IP ``ratelimit-*``
headers (3000 requests per 5 minutes, sandbox clock); createSession has the
production per-account limits too (30 per 5 minutes, 300 per day).
Sessions come without a ``didDoc``, so the SDK keeps talking to the sandbox.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial

from aiohttp import web

from . import _bluesky_feed, _bluesky_repo, _jetstream
from ._bluesky_auth import ACCESS_LIFETIME, Sessions, bearer
from ._bluesky_state import IP_LIMIT, STATE, BlueskyState, StateHandler
from ._context import Context
from ._ratelimit import FixedWindowLimiter
from ._xrpc import Call, JsonObject, XrpcError, field_of, invalid

_dumps = partial(json.dumps, ensure_ascii=False, separators=(",", ":"))


def _session_body(state: BlueskyState, did: str, access: str, refresh: str) -> JsonObject:
    with state.ctx.world.lock:
        account = state.ctx.world.bluesky_accounts.get(did)
        handle = account.handle if account is not None else "handle.invalid"
    return {"accessJwt": access, "refreshJwt": refresh, "handle": handle, "did": did, "active": True}


async def create_session(state: BlueskyState, call: Call) -> JsonObject:
    body = await call.body()
    identifier, password = str(field_of(body, "identifier")), field_of(body, "password")
    key = f"{identifier}-{call.client_ip}"
    call.charge(*(limiter.consume(key, call.now) for limiter in state.logins))
    with state.ctx.world.lock:
        account = state.views(call, None).account(identifier.lower())
    if account is None or account.app_password is None or password != account.app_password:
        raise XrpcError(401, "AuthenticationRequired", "Invalid identifier or password")
    access, refresh = state.sessions.create(account.did, call.now)
    return _session_body(state, account.did, access, refresh)


async def refresh_session(state: BlueskyState, call: Call) -> JsonObject:
    token = bearer(call.request.headers.get("Authorization"))
    if token is None:
        raise XrpcError(401, "AuthMissing", "Authentication Required")
    did, access, refresh = state.sessions.rotate(token, call.now)
    return _session_body(state, did, access, refresh)


async def get_session(state: BlueskyState, call: Call) -> JsonObject:
    did = state.viewer(call, required=True)
    assert did is not None
    body = _session_body(state, did, "", "")
    return {"handle": body["handle"], "did": did, "active": True}


async def get_profile(state: BlueskyState, call: Call) -> JsonObject:
    viewer = state.viewer(call)
    actor = call.params.required("actor")
    with state.ctx.world.lock:
        views = state.views(call, viewer)
        account = views.account(actor)
        if account is None:
            raise invalid("Profile not found")
        return views.profile(account)


async def resolve_handle(state: BlueskyState, call: Call) -> JsonObject:
    handle = call.params.required("handle")
    with state.ctx.world.lock:
        account = state.views(call, None).account(handle)
    if account is None or handle.startswith("did:"):
        raise XrpcError(400, "HandleNotFound", "Unable to resolve handle")
    return {"did": account.did}


async def not_implemented(state: BlueskyState, call: Call) -> JsonObject:
    raise XrpcError(501, "MethodNotImplemented", "Method Not Implemented")


ROUTES: tuple[tuple[str, str, StateHandler], ...] = (
    ("com.atproto.server.createSession", "POST", create_session),
    ("com.atproto.server.refreshSession", "POST", refresh_session),
    ("com.atproto.server.getSession", "GET", get_session),
    ("app.bsky.actor.getProfile", "GET", get_profile),
    ("com.atproto.identity.resolveHandle", "GET", resolve_handle),
)


def _endpoint(
    state: BlueskyState, nsid: str, method: str | None, handler: StateHandler
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        call = Call(request, nsid or request.match_info.get("nsid", ""), state.ctx.clock.now())
        try:
            call.charge(state.per_ip.consume(call.client_ip, call.now))
            if method is not None and request.method != method:
                raise invalid(f"Incorrect HTTP method ({request.method}) expected {method}")
            result = await handler(state, call)
        except XrpcError as exc:
            response: web.StreamResponse = exc.response()
        else:
            response = web.json_response(result, dumps=_dumps) if isinstance(result, dict) else result
        response.headers.update(call.limit_headers())
        return response

    return handle


def add_routes(
    app: web.Application,
    ctx: Context,
    *,
    access_lifetime: timedelta = ACCESS_LIFETIME,
    per_ip_limit: tuple[int, timedelta] = IP_LIMIT,
) -> None:
    """Serve Bluesky's XRPC methods and Jetstream on ``app``; unknown methods answer 501 as the PDS does.

    ``access_lifetime`` and ``per_ip_limit`` (requests, window) default to production's values.
    """
    state = BlueskyState(ctx, Sessions(access_lifetime), per_ip=FixedWindowLimiter(*per_ip_limit))
    app[STATE] = state
    for nsid, method, handler in ROUTES + _bluesky_feed.ROUTES + _bluesky_repo.ROUTES:
        app.router.add_route("*", f"/xrpc/{nsid}", _endpoint(state, nsid, method, handler))
    _jetstream.add_routes(app)
    app.router.add_route("*", "/xrpc/{nsid}", _endpoint(state, "", None, not_implemented))
