"""XRPC plumbing: errors, parameter checks and the per-call context of the Bluesky routes.

Error bodies and messages copy the reference PDS/AppView (checked against
``@atproto/dev-env``): ``{"error": "InvalidRequest", "message": "Invalid
app.bsky.feed.searchPosts params: integer too big (maximum 100, got 101)"}``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web
from multidict import MultiMapping

from ._ratelimit import LimitStatus, tightest

JsonObject = dict[str, Any]

AT_URI = re.compile(
    r"^at://(did:[a-z]+:[a-zA-Z0-9._:%-]+|[a-zA-Z0-9.-]+)/([a-zA-Z0-9.-]+)/([A-Za-z0-9._:~-]{1,512})$"
)


class XrpcError(Exception):
    def __init__(self, status: int, error: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {error}: {message}")
        self.status = status
        self.error = error
        self.message = message
        self.headers = headers or {}

    def response(self) -> web.Response:
        body = {"error": self.error, "message": self.message}
        return web.json_response(body, status=self.status, headers=self.headers)


def invalid(message: str) -> XrpcError:
    return XrpcError(400, "InvalidRequest", message)


class Params:
    """Query parameters of one call, checked the way the XRPC server checks them against the lexicon."""

    def __init__(self, nsid: str, query: MultiMapping[str]) -> None:
        self._nsid = nsid
        self._query = query

    def _bad(self, detail: str) -> XrpcError:
        return invalid(f"Invalid {self._nsid} params: {detail}")

    def optional(self, name: str) -> str | None:
        return self._query.get(name)

    def required(self, name: str) -> str:
        value = self._query.get(name)
        if value is None:
            raise self._bad(f'Missing required key "{name}"')
        return value

    def many(self, name: str, maximum: int | None = None) -> list[str]:
        values = list(self._query.getall(name, []))
        if maximum is not None and len(values) > maximum:
            raise self._bad(f"array too big (maximum {maximum}, got {len(values)})")
        return values

    def integer(self, name: str, default: int, minimum: int, maximum: int) -> int:
        raw = self._query.get(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise self._bad(f'Expected integer value type (got "{raw}")') from None
        if value > maximum:
            raise self._bad(f"integer too big (maximum {maximum}, got {value})")
        if value < minimum:
            raise self._bad(f"integer too small (minimum {minimum}, got {value})")
        return value

    def at_uri(self, value: str) -> str:
        if not AT_URI.match(value):
            raise self._bad(f'Invalid at-uri (got "{value}")')
        return value


@dataclass
class Call:
    """One XRPC request as a handler sees it: parameters, body, the sandbox time, rate limits met."""

    request: web.Request
    nsid: str
    now: datetime
    statuses: list[LimitStatus] = field(default_factory=list)

    @property
    def params(self) -> Params:
        return Params(self.nsid, self.request.query)

    @property
    def client_ip(self) -> str:
        return self.request.remote or "unknown"

    def charge(self, *statuses: LimitStatus) -> None:
        """Count this call against limits; over any of them the call is refused with 429."""
        self.statuses.extend(statuses)
        if any(s.exceeded for s in statuses):
            raise XrpcError(429, "RateLimitExceeded", "Rate Limit Exceeded")

    def limit_headers(self) -> dict[str, str]:
        return tightest(self.statuses).headers(self.now) if self.statuses else {}

    async def raw(self) -> bytes:
        try:
            return await self.request.read()
        except web.HTTPRequestEntityTooLarge:
            raise XrpcError(413, "PayloadTooLarge", "request entity too large") from None

    async def body(self) -> JsonObject:
        try:
            data = json.loads(await self.raw() or b"null")
        except ValueError as exc:
            raise XrpcError(400, "InvalidRequest", f"Request body is not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise invalid("Expected object value type at $")
        return data


def field_of(body: JsonObject, key: str) -> Any:
    """A required key of a procedure's input, refused as the XRPC server refuses a missing one."""
    if key not in body:
        raise invalid(f'Missing required key "{key}" at $')
    return body[key]
