"""HS256 JSON Web Tokens, the shape the PDS hands out as access and refresh tokens.

The atproto SDK decodes the payload (without checking the signature) to read
``exp``; the sandbox signs with a secret of its own so it can tell its tokens
from forged or mangled ones, as the PDS does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode(typ: str, payload: dict[str, Any], secret: bytes) -> str:
    """``header.payload.signature``, each base64url without padding."""
    header = _b64(json.dumps({"typ": typ, "alg": "HS256"}, separators=(",", ":")).encode())
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    signature = hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{_b64(signature)}"


def decode(token: str, secret: bytes) -> tuple[str, dict[str, Any]] | None:
    """``(typ, payload)`` of a token this secret signed; None for anything else."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    header, body, signature = parts
    expected = hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
    try:
        if not hmac.compare_digest(expected, _unb64(signature)):
            return None
        head = json.loads(_unb64(header))
        payload = json.loads(_unb64(body))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(head, dict) or not isinstance(payload, dict):
        return None
    return str(head.get("typ", "")), payload
