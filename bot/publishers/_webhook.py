"""Chat webhooks (Discord, Slack, generic JSON): one POST per digest or alert.

A webhook cannot be asked what it already received, so delivery is **at most once**:
an attempt that may have arrived (a crash mid-request, a read timeout, a connection
dropped after sending) is never repeated; the delivery is left ``unknown``. Only
failures where nothing can have arrived are retried: no connection could be made,
or the server answered with an error status (429 or 5xx; other 4xx are permanent).
"""

from __future__ import annotations

from typing import Any

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from bot.digest import webhook_payload

from ._delivery import Edition, NotDelivered, Remote, Unverifiable

TIMEOUT = (5.0, 20.0)  # connect, read


def _never_connected(exc: requests.ConnectionError) -> bool:
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)


class WebhookError(Exception):
    """The request may have arrived (e.g. a read timeout); the message never contains the URL."""


class WebhookPublisher:
    def __init__(self, name: str, fmt: str, url: str, http: requests.Session | None = None) -> None:
        self.target = f"webhook:{name}"
        self.format = fmt
        self._url = url
        self._http = http or requests.Session()

    def publish(self, edition: Edition, *, look_first: bool) -> Remote:
        if look_first:
            raise Unverifiable(
                "an earlier attempt may have arrived and a webhook cannot be asked; not resent (at most once)"
            )
        payload = webhook_payload(edition.content, self.format)
        # With wait=true Discord answers with the message it created (its id is the remote id).
        params = {"wait": "true"} if self.format == "discord" else None
        try:
            response = self._http.post(self._url, json=payload, params=params, timeout=TIMEOUT)
        except requests.ConnectionError as exc:
            if _never_connected(exc):
                raise NotDelivered(f"{self.target}: cannot connect") from None
            raise WebhookError(f"{self.target}: {type(exc).__name__} after sending") from None
        except requests.RequestException as exc:
            # Messages of requests' errors contain the URL, which holds the webhook's secret token.
            raise WebhookError(f"{self.target}: {type(exc).__name__}") from None
        if response.status_code == 429 or response.status_code >= 500:
            raise NotDelivered(f"{self.target}: HTTP {response.status_code}")
        if response.status_code >= 400:
            raise NotDelivered(
                f"{self.target}: HTTP {response.status_code} {response.text[:200]}", permanent=True
            )
        return Remote(_message_id(response) or f"HTTP {response.status_code}")


def _message_id(response: requests.Response) -> str | None:
    try:
        body: Any = response.json()
    except ValueError:
        return None
    return str(body["id"]) if isinstance(body, dict) and "id" in body else None
