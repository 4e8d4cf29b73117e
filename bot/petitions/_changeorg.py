"""Reading a Change.org petition page (pure: HTML in, :class:`Reading` out).

What the real page carries (researched in public scrapers and API docs, 2021-2026):

1. **Embedded JSON state** (most reliable). The server-rendered page assigns
   ``window.changeTargetingData = {...}`` in an inline ``<script>``: a JS literal
   (it may hold bare ``undefined``) with ``petition.id``, ``petition.createdAt``,
   ``petition.signatureCount = {"total", "displayed", "goal", "__typename":
   "SignatureCount"}`` and ``petition.weeklySignatureCount``. Sources:
   github.com/openpolitica/proclama-preliminar ``pages/api/signatures/index.js``
   (a dumped object, 2021); github.com/babajideowoyele/change-observatory
   ``observatory/scraper.py`` (June 2026: reads ``changeTargetingData=`` with
   ``raw_decode`` after replacing ``undefined``, and tries ``__NEXT_DATA__`` first
   "if present"); several trackers regex ``"signatureCount":{"displayed":N,"total":N,
   "goal":N}`` or a GraphQL cache's ``"signatureState":{"signatureCount":{"total":N,
   "displayed":N}}`` out of the HTML (2024-2025). The site's own GraphQL query
   ``PetitionDetailsPageStats`` (POST ``/api-proxy/graphql``) returns
   ``signatureState.signatureCount.displayed`` and ``signatureGoal.displayed``.
   So: any inline JSON object (assigned to a ``window`` name, or a
   ``<script type="application/json">`` such as ``__NEXT_DATA__``) is searched for
   a ``signatureCount``; its ``total`` is the count (``displayed`` if no total) and
   the goal is ``goal`` or ``signatureGoal.displayed``.
2. **JSON-LD**: ``<script type="application/ld+json">`` with an ``@graph`` of
   ``Article`` (``name``/``headline``, ``description``, dates), ``Person`` and
   ``ImageObject`` (change-observatory, 2026). It names the petition but no count
   was seen in it; a schema.org ``interactionStatistic`` counter is read if present.
3. **Meta tags**: ``og:title`` is the petition's title; a count appears in a
   description only in some share texts, so ``og:description``/``description`` are
   searched for "N signatures" as a fallback.
4. **Visible text** (least reliable; class names are generated and change):
   "21,345 Verified signatures", "21,345 have signed", "Let's get to 25,000!",
   and the "Victory"/"This petition is closed" banners.

State: the retired v1 API (github.com/change/api_docs, ``petitions.md``) named the
states ``open``, ``closed`` and ``victory``; its successor JSON has ``is_victory``.
The page's embedded state holds no status, so the state comes from such a key
when present, else from the visible banners ("Confirmed victory", "Victory",
"This petition is closed") or the "Sign this petition" button (open).

Anti-bot: Change.org sits behind Cloudflare; a challenge answers 403 with
``cf-mitigated: challenge`` and a "Just a moment..." page
(developers.cloudflare.com, "Detect a Challenge Page response").
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from bs4 import BeautifulSoup

from ._numbers import CountError, parse_count
from ._reading import (
    STATES,
    UNREADABLE_JSON,
    PageError,
    Reading,
    check_complete_html,
    check_count,
    check_goal,
    json_ld,
    page_title,
    soup_of,
    walk,
)

_ASSIGNMENT = re.compile(r"(?:window\.)?[A-Za-z_$][\w$]*\s*=\s*(?=\{)")
# ``undefined`` as a JS value (after ``:``, ``,`` or ``[``), which JSON lacks.
_UNDEFINED = re.compile(r"(?<=[:,\[])\s*undefined\b")
# "21,345 Verified signatures", "21,345 have signed", and the words of Change.org's main locales.
_WORDS = (
    r"(?:verified\s+)?(?:signatures|signers|supporters|have\s+signed"
    r"|signataires|firmas|firme|Unterschriften|handtekeningen|assinaturas)"
)
# The sign is taken too, so that "-21,345 signatures" is refused rather than read as 21,345.
_COUNT_TEXT = re.compile(
    rf"([-−]?\d[\d.,'’\s\u00a0\u202f]*\d|[-−]?\d)\s*([kKmM](?![a-z]))?\s*{_WORDS}", re.IGNORECASE
)
# A count right after these words is a goal, not the signatures so far ("Help us reach 25,000
# signatures", "We need 100,000 signatures").
_GOAL_BEFORE = re.compile(r"(?:reach|get\s+to|goal\s+of|target\s+of|towards?|needs?)\W*$", re.IGNORECASE)
_GOAL_TEXT = re.compile(
    r"(?:get\s+to|next\s+goal:?|goal\s+of|signature\s+goal:?)\s*(\d[\d.,'’\s\u00a0\u202f]*\d|\d)",
    re.IGNORECASE,
)


def _inline_objects(soup: BeautifulSoup) -> list[Any]:
    """JSON objects embedded in the page's scripts that mention a signature count."""
    found: list[Any] = []
    decoder = json.JSONDecoder()
    for script in soup.find_all("script"):
        text = script.string or ""
        if "signatureCount" not in text or script.get("type") == "application/ld+json":
            continue
        if script.get("type") == "application/json":
            starts = [0]
        else:
            starts = [m.end() for m in _ASSIGNMENT.finditer(text)]
        for start in starts:
            try:
                value, _ = decoder.raw_decode(_UNDEFINED.sub(" null", text[start:].lstrip()))
            except UNREADABLE_JSON:
                continue
            found.append(value)
    return found


def _state_from(petition: dict[str, Any]) -> str | None:
    status = petition.get("status") or petition.get("state")
    if isinstance(status, str) and status.lower() in STATES:
        return status.lower()
    if petition.get("isVictory") is True or petition.get("is_victory") is True:
        return "victory"
    if petition.get("isClosed") is True or petition.get("closed") is True:
        return "closed"
    return None


def _embedded(soup: BeautifulSoup) -> tuple[int, int | None, str | None]:
    for blob in _inline_objects(soup):
        for node in walk(blob):
            signatures = node.get("signatureCount")
            if signatures is None:
                continue
            goal: object = node.get("goal")
            if isinstance(signatures, dict):
                count = signatures.get("total", signatures.get("displayed"))
                goal = signatures.get("goal", goal)
            else:
                count = signatures
            target = node.get("signatureGoal")
            if goal is None and isinstance(target, dict):
                goal = target.get("displayed")
            where = "the embedded signatureCount"
            return check_count(count, where), check_goal(goal, f"{where} goal"), _state_from(node)
    raise PageError("no embedded JSON state with a signatureCount")


def _signing(stat: dict[str, Any]) -> bool:
    """Whether an interaction counter counts signatures: unnamed, or an endorse/sign/join action.

    Not shares, likes or comments, which a page may count beside them.
    """
    kind = stat.get("interactionType")
    name = kind.get("@type") if isinstance(kind, dict) else kind
    return not isinstance(name, str) or any(word in name for word in ("Endorse", "Sign", "Join"))


def _ld(soup: BeautifulSoup) -> tuple[int, int | None, str | None]:
    for item in json_ld(soup):
        if not isinstance(item, dict):
            continue
        stats = item.get("interactionStatistic")
        for stat in stats if isinstance(stats, list) else [stats]:
            if isinstance(stat, dict) and "userInteractionCount" in stat and _signing(stat):
                return check_count(stat["userInteractionCount"], "the JSON-LD interaction count"), None, None
    raise PageError("no JSON-LD interactionStatistic")


def _text_count(text: str, where: str) -> int:
    for found in _COUNT_TEXT.finditer(text):
        if _GOAL_BEFORE.search(text[max(0, found.start() - 24) : found.start()]):
            continue
        try:
            return parse_count(found.group(1) + (found.group(2) or ""))
        except CountError as exc:
            raise PageError(f"{where}: {exc}") from None
    raise PageError(f"no 'N signatures' in {where}")


def _meta(soup: BeautifulSoup) -> tuple[int, int | None, str | None]:
    for attr, name in (
        ("property", "og:description"),
        ("name", "description"),
        ("name", "twitter:description"),
    ):
        meta = soup.find("meta", attrs={attr: name})
        content = str(meta.get("content") or "") if meta is not None else ""
        if content:
            try:
                return _text_count(content, "the meta description"), None, None
            except PageError:
                continue
    raise PageError("no count in the meta descriptions")


def visible_text(soup: BeautifulSoup) -> str:
    """The page's words as a reader sees them (scripts and styles left out)."""
    body = soup.body or soup
    parts = [
        piece
        for piece in body.find_all(string=True)
        if piece.parent is not None and piece.parent.name not in ("script", "style", "noscript", "template")
    ]
    return " ".join(" ".join(parts).split())


def _visible(soup: BeautifulSoup) -> tuple[int, int | None, str | None]:
    text = visible_text(soup)
    count = _text_count(text, "the visible text")
    goal_found = _GOAL_TEXT.search(text)
    goal = None
    if goal_found is not None:
        try:
            goal = check_goal(parse_count(goal_found.group(1)), "the visible goal")
        except CountError:
            goal = None
    return count, goal, None


def _banner_state(soup: BeautifulSoup) -> str | None:
    text = visible_text(soup).lower()
    if "confirmed victory" in text or "this petition won" in text:
        return "victory"
    if "this petition is closed" in text or "petition closed" in text:
        return "closed"
    if "sign this petition" in text:
        return "open"
    return None


Strategy = Callable[[BeautifulSoup], tuple[int, int | None, str | None]]
STRATEGIES: tuple[tuple[str, Strategy], ...] = (
    ("embedded-json", _embedded),
    ("json-ld", _ld),
    ("meta", _meta),
    ("visible-text", _visible),
)


def parse_changeorg(html: str) -> Reading:
    """The count, goal, title and state of a Change.org page, by the most reliable carrier present.

    Raises :class:`PageError` (one line, listing why each strategy failed) when
    no strategy finds a count, or when the page is empty or cut off.
    """
    check_complete_html(html)
    soup = soup_of(html)
    failures = []
    for name, strategy in STRATEGIES:
        try:
            count, goal, state = strategy(soup)
        except PageError as exc:
            failures.append(f"{name}: {exc}")
            continue
        return Reading(
            count=count,
            strategy=name,
            goal=goal,
            title=page_title(soup),
            state=state or _banner_state(soup),
        )
    raise PageError("no signature count on the page (" + "; ".join(failures) + ")")
