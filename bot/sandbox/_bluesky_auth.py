"""Sessions as the reference PDS keeps them: short access JWTs, rotating refresh JWTs.

- Access tokens (``typ: at+jwt``, scope ``com.atproto.appPass`` for an app
  password) live 2 hours by default; refresh tokens (``typ: refresh+jwt``) 90 days.
- A refresh rotates: the old refresh token stays usable for a 2-hour grace period
  (a client that lost the answer retries and gets the same next token id), then it
  is revoked ("Token has been revoked").
- Two clocks, on purpose. Validity is judged by the *sandbox* clock, so tests expire
  tokens by advancing it (400 ``ExpiredToken``, as the PDS answers). The ``iat``/``exp``
  claims are written in the *client's* frame (real time at issue + lifetime), because
  the SDK compares ``exp`` with the machine's clock to decide when to refresh: a
  sandbox clock frozen months in the past would otherwise make it refresh before
  every call. So, as with a skewed real server, a client only learns of an expiry
  caused by moving the sandbox clock from the ``ExpiredToken`` answer.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from . import _jwt
from ._xrpc import XrpcError

ACCESS_LIFETIME = timedelta(hours=2)
REFRESH_LIFETIME = timedelta(days=90)
REFRESH_GRACE = timedelta(hours=2)


@dataclass
class _Token:
    did: str
    expires_at: datetime  # sandbox clock
    next_jti: str | None = None  # refresh tokens: what rotating it gives


def _unverified() -> XrpcError:
    return XrpcError(400, "InvalidToken", "Token could not be verified")


def bearer(authorization: str | None) -> str | None:
    if not authorization or not authorization.startswith("Bearer "):
        return None
    return authorization.removeprefix("Bearer ").strip() or None


def _real_now() -> datetime:
    return datetime.now(UTC)


class Sessions:
    def __init__(
        self,
        access_lifetime: timedelta = ACCESS_LIFETIME,
        *,
        client_clock: Callable[[], datetime] = _real_now,
        audience: str = "did:web:sandbox.test",
    ) -> None:
        self.access_lifetime = access_lifetime
        self._client_clock = client_clock
        self._audience = audience
        self._secret = secrets.token_bytes(32)
        self._lock = threading.Lock()
        self._access: dict[str, _Token] = {}  # by token
        self._refresh: dict[str, _Token] = {}  # by jti

    def create(self, did: str, now: datetime) -> tuple[str, str]:
        """A new session's ``(accessJwt, refreshJwt)``."""
        return self._issue(did, now, secrets.token_urlsafe(32))

    def _jwt(self, typ: str, scope: str, did: str, lifetime: timedelta, jti: str | None) -> str:
        iat = int(self._client_clock().timestamp())
        payload: dict[str, object] = {"scope": scope, "aud": self._audience, "sub": did}
        if jti is not None:
            payload["jti"] = jti
        payload.update({"iat": iat, "exp": iat + int(lifetime.total_seconds())})
        return _jwt.encode(typ, payload, self._secret)

    def _issue(self, did: str, now: datetime, jti: str) -> tuple[str, str]:
        access = self._jwt("at+jwt", "com.atproto.appPass", did, self.access_lifetime, None)
        refresh = self._jwt("refresh+jwt", "com.atproto.refresh", did, REFRESH_LIFETIME, jti)
        with self._lock:
            self._access[access] = _Token(did, now + self.access_lifetime)
            self._refresh.setdefault(jti, _Token(did, now + REFRESH_LIFETIME))
        return access, refresh

    def _decode(self, token: str, typ: str) -> dict[str, object]:
        decoded = _jwt.decode(token, self._secret)
        if decoded is None or decoded[0] != typ:
            raise _unverified()
        return decoded[1]

    def verify_access(self, token: str, now: datetime) -> str:
        """The DID an access token speaks for; 400 ExpiredToken/InvalidToken as the PDS answers."""
        self._decode(token, "at+jwt")
        with self._lock:
            known = self._access.get(token)
        if known is None:
            raise _unverified()
        if known.expires_at <= now:
            raise XrpcError(400, "ExpiredToken", "Token has expired")
        return known.did

    def rotate(self, token: str, now: datetime) -> tuple[str, str, str]:
        """``(did, accessJwt, refreshJwt)``; the presented token's life shrinks to the grace period."""
        jti = str(self._decode(token, "refresh+jwt").get("jti", ""))
        with self._lock:
            stored = self._refresh.get(jti)
            if stored is None:
                raise _unverified()
            if stored.expires_at <= now:
                del self._refresh[jti]
                message = "Token has expired" if stored.next_jti is None else "Token has been revoked"
                raise XrpcError(400, "ExpiredToken", message)
            stored.expires_at = min(stored.expires_at, now + REFRESH_GRACE)
            if stored.next_jti is None:
                stored.next_jti = secrets.token_urlsafe(32)
            next_jti, did = stored.next_jti, stored.did
        access, refresh = self._issue(did, now, next_jti)
        return did, access, refresh
