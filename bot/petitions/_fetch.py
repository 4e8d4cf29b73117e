"""Fetching one petition page politely: an honest User-Agent, a timeout, conditional requests.

The only module here that touches the network; the session is passed in.
"""

from __future__ import annotations

import codecs
import re
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
import urllib3

from bot._version import __version__

from ._reading import BlockedError, FetchError, check_blocked

# A petition page is well under this; anything larger is not the page we want.
MAX_BYTES = 10 * 1024 * 1024
HTML = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
JSON = "application/json"


@dataclass(frozen=True)
class Validators:
    """What the server said identifies this version of the page (for If-None-Match / If-Modified-Since)."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        out = {}
        if self.etag:
            out["If-None-Match"] = self.etag
        if self.last_modified:
            out["If-Modified-Since"] = self.last_modified
        return out


@dataclass(frozen=True)
class Page:
    status: int  # 200, or 304 "not modified" (text is then empty)
    text: str
    validators: Validators


def user_agent(contact_url: str | None) -> str:
    """Browser-shaped (some sites refuse anything else) but saying plainly who is asking."""
    contact = f"; +{contact_url}" if contact_url else ""
    return f"Mozilla/5.0 (compatible; keep4o-bot/{__version__}{contact})"


def _charset(content_type: str) -> str:
    found = re.search(r"charset=[\"']?([\w.:-]+)", content_type, re.IGNORECASE)
    # Without a charset, requests would assume ISO-8859-1 for text/*; the pages we read are UTF-8,
    # and so is the best guess for a charset Python does not know.
    try:
        return codecs.lookup(found.group(1)).name if found else "utf-8"
    except LookupError:
        return "utf-8"


def _read(response: requests.Response, url: str, timeout: float) -> bytes:
    # requests' timeout bounds each wait for a byte, not the page: a server dripping a byte a
    # second would hold the poll for hours. The whole page gets the same time.
    deadline = time.monotonic() + timeout
    body = bytearray()
    # read1, not iter_content: it returns what has arrived, where iter_content waits for a full
    # chunk, so the deadline is checked while a page drips in. Its errors are urllib3's own.
    while chunk := response.raw.read1(64 * 1024, decode_content=True):
        body.extend(chunk)
        if len(body) > MAX_BYTES:
            raise FetchError(f"{url} sent more than {MAX_BYTES // (1024 * 1024)} MB; not a petition page")
        if time.monotonic() > deadline:
            raise FetchError(f"{url} did not send the whole page within {timeout:g} s")
    return bytes(body)


def _moved(asked: str, answered: str) -> bool:
    """Whether a redirect led to another page, not the same one (https, www., a trailing slash)."""

    def page(url: str) -> tuple[str, str]:
        parts = urlsplit(url)
        return parts.netloc.lower().removeprefix("www."), parts.path.rstrip("/")

    return page(asked) != page(answered)


def fetch(
    http: requests.Session,
    url: str,
    *,
    accept: str,
    agent: str,
    timeout: float,
    validators: Validators | None = None,
) -> Page:
    """GET ``url``; a :class:`FetchError` (or :class:`BlockedError`) names what went wrong."""
    host = urlsplit(url).netloc
    headers = {"User-Agent": agent, "Accept": accept, "Accept-Language": "en"}
    headers.update(validators.headers() if validators else {})
    try:
        with http.get(url, headers=headers, timeout=timeout, stream=True) as response:
            if response.history and _moved(url, response.url):
                # A petition taken down, or a login or home page: its numbers are not the petition's.
                raise FetchError(f"{url} redirected to {response.url}; if the petition moved, update its url")
            body = _read(response, url, timeout) if response.status_code != 304 else b""
    except (requests.Timeout, urllib3.exceptions.TimeoutError):
        raise FetchError(f"{host} did not answer within {timeout:g} s") from None
    except (requests.ConnectionError, urllib3.exceptions.ProtocolError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise FetchError(f"cannot reach {host}: {reason}") from None
    except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
        raise FetchError(f"request to {host} failed: {type(exc).__name__}: {exc}".splitlines()[0]) from None
    status = response.status_code
    new = Validators(response.headers.get("ETag"), response.headers.get("Last-Modified"))
    if status == 304:
        return Page(304, "", new if (new.etag or new.last_modified) else (validators or new))
    text = body.decode(_charset(response.headers.get("Content-Type", "")), errors="replace")
    check_blocked(status, response.headers, text)
    if status == 403:
        raise BlockedError(f"{host} refused the request (HTTP 403 Forbidden)")
    if status == 429:
        wait = response.headers.get("Retry-After")
        raise FetchError(
            f"{host} is rate limiting (HTTP 429{'; retry after ' + wait + ' s' if wait else ''})"
        )
    if status >= 300:
        raise FetchError(f"{url} answered HTTP {status} {response.reason or ''}".rstrip())
    return Page(status, text, new)
