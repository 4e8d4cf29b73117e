"""What the Bluesky service keeps beside the world: sessions, rate-limit windows, repo extras."""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from aiohttp import web

from ._bluesky_auth import Sessions, bearer
from ._bluesky_views import Views
from ._context import Context
from ._jetstream_log import EventLog
from ._ratelimit import FixedWindowLimiter
from ._xrpc import Call, JsonObject, XrpcError

# The PDS's documented limits: every client IP 3000 requests per 5 minutes; createSession
# 30 per 5 minutes and 300 per day for each identifier (per client IP).
IP_LIMIT = (3000, timedelta(minutes=5))
LOGIN_LIMITS = ((30, timedelta(minutes=5)), (300, timedelta(days=1)))
MAX_BLOB_BYTES = 1_000_000  # the app's image limit


@dataclass
class BlueskyState:
    ctx: Context
    sessions: Sessions
    per_ip: FixedWindowLimiter = field(default_factory=lambda: FixedWindowLimiter(*IP_LIMIT))
    logins: tuple[FixedWindowLimiter, ...] = field(
        default_factory=lambda: tuple(FixedWindowLimiter(p, w) for p, w in LOGIN_LIMITS)
    )
    profiles: dict[str, JsonObject] = field(default_factory=dict)  # profile records written, by did
    blobs: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # cid -> (mime type, data)
    events: EventLog = field(default_factory=EventLog)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def viewer(self, call: Call, *, required: bool = False) -> str | None:
        """The caller's DID from its access token; None for an anonymous call (401 if ``required``)."""
        token = bearer(call.request.headers.get("Authorization"))
        if token is None:
            if required:
                raise XrpcError(401, "AuthMissing", "Authentication Required")
            return None
        return self.sessions.verify_access(token, call.now)

    def views(self, call: Call, viewer: str | None) -> Views:
        """Views for this call (the caller must hold ``world.lock`` while using them)."""
        base = f"{call.request.scheme}://{call.request.host}"
        with self.lock:
            profiles = dict(self.profiles)
        return Views(self.ctx.world, profiles, base, viewer, call.now)


STATE: web.AppKey[BlueskyState] = web.AppKey("bluesky", BlueskyState)

# A method's implementation: the service state and the call in, a JSON object (or a ready response) out.
StateHandler = Callable[[BlueskyState, Call], Awaitable[JsonObject | web.StreamResponse]]
