"""Jetstream v2: ``/xrpc/network.bsky.jetstream.subscribeEvents`` over a websocket.

Speaks the ``xrpc.v1.json`` subprotocol that ``atproto_jetstream.JetstreamClient``
reads: text frames ``{"$type": "message", "payload": {"$type": "…#commit", "seq": …}}``.
``cursor`` is an inclusive seq (values >= 1e15 are unix microseconds, translated to
the first seq at or after that instant); no cursor starts at the live tip; a cursor
beyond the tip starts there after an ``#info FutureCursor`` frame. Parameter errors
are refused before the upgrade with HTTP 400, as the real server does. Frames are
never compressed: ``getZstdDictionary`` is not served, so the SDK falls back.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from aiohttp import WSCloseCode, WSMsgType, web

from ._bluesky_records import POST
from ._bluesky_state import STATE
from ._jetstream_log import Event
from ._xrpc import XrpcError, invalid

PATH = "/xrpc/network.bsky.jetstream.subscribeEvents"
SUBPROTOCOL = "xrpc.v1.json"
KINDS = ("commit", "identity", "account", "sync")
TIMESTAMP_CURSOR = 10**15
TICK_SECONDS = 0.05  # how often a connection looks for new events
SOCKETS: web.AppKey[set[web.WebSocketResponse]] = web.AppKey("jetstream_sockets", set)


@dataclass(frozen=True)
class Subscription:
    kinds: tuple[str, ...]
    collections: tuple[str, ...]
    dids: tuple[str, ...]
    cursor: int | None
    max_bytes: int

    def wants(self, event: Event) -> bool:
        if self.kinds and "commit" not in self.kinds:
            return False
        if self.dids and event.did not in self.dids:
            return False
        if not self.collections:
            return True
        return any(c == POST or (c.endswith(".*") and POST.startswith(c[:-1])) for c in self.collections)


def _integer(raw: str | None, name: str) -> int | None:
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise invalid(f"invalid value for '{name}': {raw!r} is not an integer") from None


def parse_subscription(request: web.Request) -> Subscription:
    params = request.query
    for legacy in ("wantedCollections", "wantedDids"):
        if legacy in params:
            raise invalid(f"{legacy} is a v1 /subscribe parameter; use collections/dids")
    kinds = tuple(params.getall("kinds", []))
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise invalid(f"unknown kind {unknown[0]!r}; expected one of {', '.join(KINDS)}")
    collections = tuple(params.getall("collections", []))
    if len(collections) > 100:
        raise invalid("too many collections (maximum 100)")
    if collections and kinds and "commit" not in kinds:
        raise invalid("collections filters commits, but kinds excludes commit")
    return Subscription(
        kinds=kinds,
        collections=collections,
        dids=tuple(params.getall("dids", [])),
        cursor=_integer(params.get("cursor"), "cursor"),
        max_bytes=_integer(params.get("maxMessageSizeBytes"), "maxMessageSizeBytes") or 0,
    )


def _frame(payload: dict[str, object]) -> str:
    return json.dumps({"$type": "message", "payload": payload}, ensure_ascii=False, separators=(",", ":"))


async def _drain(ws: web.WebSocketResponse) -> None:
    """Read (and ignore) what the client sends until it closes."""
    async for message in ws:
        if message.type in (WSMsgType.CLOSE, WSMsgType.ERROR):
            break


async def subscribe(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE]
    try:
        sub = parse_subscription(request)
    except XrpcError as exc:
        return exc.response()
    world, clock, log = state.ctx.world, state.ctx.clock, state.events
    ws = web.WebSocketResponse(protocols=(SUBPROTOCOL,))
    await ws.prepare(request)
    log.sync(world, clock.now())
    tip = log.next_seq
    position = tip if sub.cursor is None else sub.cursor
    if sub.cursor is not None and sub.cursor >= TIMESTAMP_CURSOR:
        position = log.seq_at(datetime.fromtimestamp(sub.cursor / 1_000_000, UTC))
    elif position > tip:
        info = {"$type": "network.bsky.jetstream.subscribeEvents#info", "name": "FutureCursor"}
        await ws.send_str(_frame({**info, "message": f"cursor {position} is beyond the next seq {tip}"}))
        position = tip
    reader = asyncio.create_task(_drain(ws))
    request.app[SOCKETS].add(ws)
    try:
        while not reader.done():
            log.sync(world, clock.now())
            for event in log.since(position):
                position = event.seq + 1
                frame = _frame(event.payload())
                if sub.wants(event) and not (sub.max_bytes and len(frame.encode()) > sub.max_bytes):
                    await ws.send_str(frame)
            await asyncio.wait({reader}, timeout=TICK_SECONDS)
    finally:
        request.app[SOCKETS].discard(ws)
        reader.cancel()
        await ws.close()
    return ws


async def _going_away(app: web.Application) -> None:
    """On shutdown, close streams as a restarting server does (clients reconnect with their cursor)."""
    sockets: set[web.WebSocketResponse] = app[SOCKETS]
    for ws in list(sockets):
        await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutting down")


def add_routes(app: web.Application) -> None:
    app[SOCKETS] = set()
    app.on_shutdown.append(_going_away)
    app.router.add_get(PATH, subscribe)
