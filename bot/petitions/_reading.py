"""What every adapter returns, the errors they raise, and checks they share."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from bs4 import BeautifulSoup

from ._numbers import MAX_COUNT

STATES = ("open", "victory", "closed")
# What ``json`` raises on a hostile text: a syntax error, a number of thousands of digits
# (ValueError), or nesting deeper than the interpreter's stack (RecursionError).
UNREADABLE_JSON = (ValueError, RecursionError)


class PetitionError(Exception):
    """A petition could not be read; the message is one line naming the problem."""


class FetchError(PetitionError):
    """The request failed: network, timeout or an HTTP error status."""


class BlockedError(FetchError):
    """An anti-bot wall (a challenge page) answered instead of the petition."""


class PageError(PetitionError):
    """The page arrived but holds no usable count: broken, truncated or a changed layout."""


@dataclass(frozen=True)
class CountryCount:
    name: str
    code: str
    count: int


@dataclass(frozen=True)
class Reading:
    """A petition as one page showed it."""

    count: int
    strategy: str  # how the count was found, e.g. "embedded-json", "visible-text", "css"
    goal: int | None = None
    title: str | None = None
    state: str | None = None  # one of STATES, or None when the page does not say
    by_country: tuple[CountryCount, ...] = field(default=())


def check_count(value: object, where: str) -> int:
    """``value`` as a count, or :class:`PageError` saying why it is nonsense."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise PageError(f"{where} is {value!r}, not a whole number")
    if value < 0:
        raise PageError(f"{where} is negative ({value})")
    if value > MAX_COUNT:
        raise PageError(f"{where} is {value:,}, more signatures than a petition can have")
    return value


def check_goal(value: object, where: str) -> int | None:
    """A goal, or None when the page has none (a goal of 0 means "not set" on some sites)."""
    if value is None or value == 0:
        return None
    return check_count(value, where)


# Cloudflare's challenge and block pages: their titles and the challenge's options object. Not the
# "/cdn-cgi/challenge-platform/scripts/jsd/" script, which Cloudflare also adds to ordinary pages.
_CHALLENGE_MARKERS = (
    "<title>Just a moment...</title>",
    "window._cf_chl_opt",
    "cf-browser-verification",
    "<title>Attention Required! | Cloudflare</title>",
)


def check_blocked(status: int, headers: Mapping[str, str], body: str) -> None:
    """Raise :class:`BlockedError` when the response is an anti-bot wall instead of the page.

    Cloudflare marks every challenge with ``cf-mitigated: challenge``; without that
    header the page itself gives it away. Some walls answer 200, so the body is
    checked whatever the status.
    """
    if headers.get("cf-mitigated", "").lower() == "challenge":
        raise BlockedError(
            f"blocked by a Cloudflare challenge (HTTP {status}); a browser check stands in the way"
        )
    head = body[:20_000]
    if any(marker in head for marker in _CHALLENGE_MARKERS):
        raise BlockedError(f"blocked by an anti-bot challenge page (HTTP {status})")


def soup_of(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def check_complete_html(html: str) -> None:
    """Refuse an empty or cut-off document rather than trust a half-read page."""
    if not html.strip():
        raise PageError("the page is empty")
    if "<html" not in html[:4096].lower():
        raise PageError(f"the answer is not an HTML page (it starts {html.strip()[:40]!r})")
    # Near the end rather than at it: some servers append a comment after </html>.
    if not re.search(r"</html\s*>", html[-4096:], re.IGNORECASE):
        raise PageError("the page is truncated (it does not end with </html>)")


def page_title(soup: BeautifulSoup) -> str | None:
    """The petition's title from ``og:title``, else the first ``<h1>``, else ``<title>``."""
    meta = soup.find("meta", attrs={"property": "og:title"})
    if meta is not None and str(meta.get("content") or "").strip():
        return str(meta["content"]).strip()
    for tag in ("h1", "title"):
        found = soup.find(tag)
        if found is not None and found.get_text(strip=True):
            return " ".join(found.get_text(" ", strip=True).split())
    return None


def json_ld(soup: BeautifulSoup) -> list[Any]:
    """Every JSON-LD block's objects (``@graph`` members flattened); unreadable blocks are skipped."""
    items: list[Any] = []
    for script in soup.find_all("script", attrs={"type": "application/ld+json"}):
        try:
            data = json.loads(script.string or "")
        except UNREADABLE_JSON:
            continue
        for item in data if isinstance(data, list) else [data]:
            if isinstance(item, dict) and isinstance(item.get("@graph"), list):
                items.extend(item["@graph"])
            else:
                items.append(item)
    return items


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object inside ``node``, outermost first."""
    stack = [node]
    while stack:
        current = stack.pop(0)
        if isinstance(current, dict):
            yield current
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
