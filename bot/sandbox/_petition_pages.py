"""Petition pages: Change.org's ``/p/<slug>`` and UK Parliament's ``/petitions/<id>.json``.

Counts grow with sandbox time: a page shows ``PetitionPage.count_at(clock.now())``.

The Change.org page carries its numbers the ways the real one does (see
``bot/petitions/_changeorg.py`` for the research): an inline
``window.changeTargetingData = {...}`` JS literal (with a bare ``undefined``)
holding ``petition.signatureCount {total, displayed, goal}``; a JSON-LD
``@graph`` with the ``Article``, its ``Person`` and ``ImageObject`` (no count);
``og:`` meta tags with the title; and the visible count, goal and banners. The
markup around the visible text is a stand-in: the real class names are
generated and change with every deploy.

``PetitionPage.kind`` picks what ``/p/<slug>`` serves, so tests can change a
page under the bot:

* ``"changeorg"``: today's page;
* ``"changeorg-redesign"``: a layout change: no embedded state, the count only
  in visible text ("21,345 have signed. Let's get to 25,000!");
* ``"changeorg-challenge"``: Cloudflare's 403 browser check in front of the page.

The UK JSON follows e-petitions' ``_petition.json.jbuilder`` (see
``bot/petitions/_uk.py``) and, as a Rails app does by default, sends a weak
``ETag`` and answers ``If-None-Match`` with ``304 Not Modified``. The
Change.org page sends no validators: it is personalised per visitor.
"""

from __future__ import annotations

import hashlib
import html
import json
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from ._context import Context
from ._world import PetitionPage

CHANGEORG_KINDS = ("changeorg", "changeorg-redesign", "changeorg-challenge")
# Shares of a UK petition's signatures by country; the UK takes the remainder.
_COUNTRIES = (("United States", "US", 0.012), ("Ireland", "IE", 0.006), ("France", "FR", 0.004))
# e-petitions' region letters and names; shares of the UK's signatures, the last takes the remainder.
_REGIONS = (
    ("A", "North East", 0.04), ("B", "North West", 0.11), ("D", "Yorkshire and The Humber", 0.08),
    ("E", "East Midlands", 0.07), ("F", "West Midlands", 0.08), ("G", "East of England", 0.09),
    ("H", "London", 0.17), ("J", "South East", 0.14), ("K", "South West", 0.08),
    ("S", "Scotland", 0.07), ("W", "Wales", 0.04), ("N", "Northern Ireland", 0.03),
)  # fmt: skip


def _iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def _script_json(value: Any) -> str:
    # Inside <script>, "</" would end the element.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def _targeting_data(page: PetitionPage, count: int, weekly: int, now: datetime) -> str:
    created = page.series[0][0] if page.series else now
    petition = {
        "id": str(int(hashlib.sha1(page.slug.encode()).hexdigest()[:7], 16)),
        "user": {"id": "1150815096", "displayName": "Sandbox Organiser", "photo": None},
        "organization": "__undefined__",
        "createdAt": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "signatureCount": {
            "total": count,
            "__typename": "SignatureCount",
            "displayed": count,
            "goal": page.goal,
        },
        "weeklySignatureCount": weekly,
        "tags": [{"id": "1", "slug": "technology", "name": "Technology"}],
    }
    data = {
        "reactFe": True,
        "appState": {"utmParams": {}, "countryCode": "US", "locale": "en-US"},
        "viewer": {"user": {}},
        "petition": petition,
        "recruiter": {},
    }
    # The real object is a JS literal, not JSON: absent values are a bare `undefined`.
    return "window.changeTargetingData=" + _script_json(data).replace('"__undefined__"', "undefined") + ";"


def _json_ld(page: PetitionPage, now: datetime) -> str:
    url = f"https://www.change.org/p/{page.slug}"
    graph = [
        {
            "@type": "Article",
            "@id": f"{url}#article",
            "name": page.title,
            "headline": page.title,
            "description": f"{page.title}. Sign the petition.",
            "datePublished": _iso(page.series[0][0] if page.series else now),
            "dateModified": _iso(now),
            "author": {"@id": f"{url}#creator"},
            "image": {"@id": f"{url}#image"},
        },
        {"@type": "Person", "@id": f"{url}#creator", "name": "Sandbox Organiser"},
        {
            "@type": "ImageObject",
            "@id": f"{url}#image",
            "contentUrl": "https://assets.change.org/photos/sandbox.jpg",
        },
    ]
    return _script_json({"@context": "https://schema.org", "@graph": graph})


def _banner(state: str) -> str:
    if state == "victory":
        return '<div role="status"><strong>Confirmed victory</strong> This petition won.</div>'
    if state == "closed":
        return '<div role="status">This petition is closed</div>'
    return '<button type="submit">Sign this petition</button>'


def changeorg_html(page: PetitionPage, now: datetime) -> str:
    """The petition page as the world shows it at ``now``."""
    count = page.count_at(now)
    weekly = count - page.count_at(now - timedelta(days=7))
    title = html.escape(page.title)
    goal = f"{page.goal:,}" if page.goal else ""
    redesign = page.kind == "changeorg-redesign"
    if redesign:
        scripts = ""
        stats = (
            f"<p><b>{count:,}</b> have signed. Let’s get to {goal}!</p>"
            if goal
            else f"<p>{count:,} have signed.</p>"
        )
    else:
        scripts = f"<script>{_targeting_data(page, count, weekly, now)}</script>\n"
        stats = (
            f'<div class="sc-3d2b1e"><strong>{count:,}</strong> <span>Verified signatures</span></div>'
            + (f'\n<div class="sc-9f1a7c">Next goal: {goal}</div>' if goal else "")
        )
    return f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Petition · {title} - United States · Change.org</title>
<meta property="og:site_name" content="Change.org">
<meta property="og:type" content="article">
<meta property="og:title" content="{title}">
<meta property="og:description" content="{title}. Sign the petition.">
<meta property="og:url" content="https://www.change.org/p/{html.escape(page.slug)}">
<meta name="twitter:site" content="@change">
<link rel="canonical" href="https://www.change.org/p/{html.escape(page.slug)}">
{scripts}<script type="application/ld+json">{_json_ld(page, now)}</script>
</head>
<body>
<div id="root"><main>
<h1>{title}</h1>
{stats}
{_banner(page.state)}
<section><h2>The issue</h2><p>{title}. Sign the petition.</p></section>
</main></div>
<script src="/static/js/petition.js" defer></script>
</body>
</html>
"""


# Cloudflare's managed-challenge page, abridged: the title and script that give it away.
CHALLENGE_HTML = (
    '<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>'
    '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">'
    '<meta name="robots" content="noindex,nofollow"></head><body>'
    '<div class="main-wrapper" role="main"><div class="main-content"><noscript><div class="h2">'
    '<span id="challenge-error-text">Enable JavaScript and cookies to continue</span>'
    "</div></noscript></div></div>"
    "<script>(function(){window._cf_chl_opt={cvId: '3',cZone: \"www.change.org\",cType: 'managed'};"
    "var cpo=document.createElement('script');"
    "cpo.src='/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1?ray=8f00';"
    "document.getElementsByTagName('head')[0].appendChild(cpo);}());</script></body></html>"
)


def _shares(total: int, shares: tuple[tuple[str, str, float], ...]) -> list[tuple[str, str, int]]:
    """``total`` split by ``shares``; the last entry takes what rounding left."""
    out = [(code, name, int(total * share)) for code, name, share in shares[:-1]]
    code, name, _ = shares[-1]
    return [*out, (code, name, total - sum(n for _, _, n in out))]


def _last_change(page: PetitionPage, now: datetime) -> datetime | None:
    changed, count = None, None
    for at, value in page.series:
        if at > now:
            break
        if value != count:
            changed, count = at, value
    return changed


def uk_json(page: PetitionPage, now: datetime, self_url: str) -> dict[str, Any]:
    count = page.count_at(now)
    abroad = [(name, code, int(count * share)) for name, code, share in _COUNTRIES]
    home = count - sum(n for _, _, n in abroad)
    countries = sorted([("United Kingdom", "GB", home), *abroad])
    regions = _shares(home, _REGIONS)
    opened = page.series[0][0] if page.series else now
    closed = page.state != "open"
    attributes = {
        "action": page.title,
        "background": "People and businesses built their work on a model that was withdrawn at short notice.",
        "additional_details": "Give a year's notice and keep withdrawn models available through the API.",
        "committee_note": None,
        "state": "closed" if closed else "open",
        "signature_count": count,
        "created_at": _iso(opened - timedelta(days=6)),
        # Moves only when the count does, so an unchanged petition keeps its ETag (and gets 304s).
        "updated_at": _iso(_last_change(page, now) or opened),
        "rejected_at": None,
        "opened_at": _iso(opened),
        "closed_at": _iso(now) if closed else None,
        "moderation_threshold_reached_at": _iso(opened - timedelta(days=5)),
        "response_threshold_reached_at": None,
        "government_response_at": None,
        "debate_threshold_reached_at": None,
        "scheduled_debate_date": None,
        "debate_outcome_at": None,
        "creator_name": "Sandbox Petitioner",
        "rejection": None,
        "government_response": None,
        "debate": None,
        "departments": [{"acronym": "DSIT", "name": "Department for Science, Innovation and Technology"}],
        "topics": [],
        "signatures_by_country": [{"name": n, "code": c, "signature_count": s} for n, c, s in countries],
        "signatures_by_constituency": [],
        "signatures_by_region": [{"name": n, "ons_code": c, "signature_count": s} for c, n, s in regions],
        "other_parliamentary_business": [],
    }
    return {
        "links": {"self": self_url},
        "data": {"type": "petition", "id": int(page.slug), "attributes": attributes},
    }


def add_routes(app: web.Application, ctx: Context) -> None:
    world, clock = ctx.world, ctx.clock

    def find(slug: str, kinds: tuple[str, ...]) -> PetitionPage | None:
        page = world.petitions.get(slug)
        return page if page is not None and page.kind in kinds else None

    async def changeorg(request: web.Request) -> web.Response:
        with world.lock:
            page = find(request.match_info["slug"], CHANGEORG_KINDS)
            if page is None:
                return web.Response(status=404, text=_NOT_FOUND, content_type="text/html")
            if page.kind == "changeorg-challenge":
                headers = {"cf-mitigated": "challenge", "server": "cloudflare", "cache-control": "no-store"}
                return web.Response(
                    status=403, text=CHALLENGE_HTML, content_type="text/html", headers=headers
                )
            body = changeorg_html(page, clock.now())
        return web.Response(
            text=body, content_type="text/html", headers={"cache-control": "private, no-cache"}
        )

    async def uk(request: web.Request) -> web.Response:
        with world.lock:
            page = find(request.match_info["id"], ("uk_parliament",))
            if page is None:
                return web.json_response({"status": 404, "error": "Not Found"}, status=404)
            body = json.dumps(uk_json(page, clock.now(), str(request.url)), ensure_ascii=False).encode()
        etag = 'W/"' + hashlib.md5(body).hexdigest() + '"'
        headers = {
            "etag": etag,
            "cache-control": "max-age=0, private, must-revalidate",
            "access-control-allow-origin": "*",
        }
        if etag in request.headers.get("If-None-Match", ""):
            return web.Response(status=304, headers=headers)
        return web.Response(body=body, content_type="application/json", charset="utf-8", headers=headers)

    app.router.add_get("/p/{slug}", changeorg)
    app.router.add_get(r"/petitions/{id:\d+}.json", uk)


_NOT_FOUND = """<!DOCTYPE html>
<html lang="en-US"><head><meta charset="utf-8"><title>Page not found · Change.org</title></head>
<body><main><h1>Sorry, we can't find that page.</h1></main></body></html>
"""
