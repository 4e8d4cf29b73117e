"""Reading a UK Parliament petition's JSON (pure: JSON text in, :class:`Reading` out).

``https://petition.parliament.uk/petitions/<id>.json`` is a JSON:API-style
document rendered by the e-petitions Rails app (github.com/alphagov/e-petitions,
``app/views/petitions/show.json.jbuilder`` and ``_petition.json.jbuilder``)::

    {"links": {"self": ".../petitions/700001.json"},
     "data": {"type": "petition", "id": 700001,
              "attributes": {"action": "<title>", "background": ..., "state": "open",
                             "signature_count": 12345, "opened_at": ..., "closed_at": null,
                             ..., "signatures_by_country": [{"name": "France", "code": "FR",
                             "signature_count": 789}, ...],
                             "signatures_by_constituency": [...], "signatures_by_region": [...]}}}

States seen in that API: ``open``, ``closed``, ``rejected``, ``hidden`` and
``stopped`` (parliament dissolved); everything but ``open`` is reported as
``closed``. The site has no "goal": the response (10,000) and debate (100,000)
thresholds are fixed, so a goal comes from the campaign config.
"""

from __future__ import annotations

import json
from typing import Any

from ._reading import UNREADABLE_JSON, CountryCount, PageError, Reading, check_count

_CLOSED = ("closed", "rejected", "hidden", "stopped", "completed")


def fetch_url(url: str) -> str:
    """The JSON address of a petition's page address (``.../petitions/123`` -> ``....json``)."""
    base = url.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    return base if base.endswith(".json") else base + ".json"


def _countries(raw: Any) -> tuple[CountryCount, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise PageError("signatures_by_country is not a list")
    out = []
    for entry in raw:
        if not isinstance(entry, dict):
            raise PageError("signatures_by_country holds a non-object")
        name = str(entry.get("name") or "")
        count = check_count(entry.get("signature_count"), f"the signature_count of {name or 'a country'}")
        out.append(CountryCount(name=name, code=str(entry.get("code") or ""), count=count))
    return tuple(sorted(out, key=lambda c: (-c.count, c.name)))


def parse_uk(text: str) -> Reading:
    """The count, title, state and signatures by country of a petition's JSON.

    Raises :class:`PageError` naming the problem when the text is not JSON, not
    a petition, or carries a nonsense count.
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        if text.lstrip().startswith("<"):
            raise PageError("the answer is an HTML page, not the petition's JSON") from None
        raise PageError(f"the petition JSON does not parse ({exc.msg} at line {exc.lineno})") from None
    except UNREADABLE_JSON as exc:
        raise PageError(f"the petition JSON cannot be read ({type(exc).__name__})") from None
    data = document.get("data") if isinstance(document, dict) else None
    attributes = data.get("attributes") if isinstance(data, dict) else None
    if not isinstance(attributes, dict):
        raise PageError("the JSON has no data.attributes; it is not a petition")
    if "signature_count" not in attributes:
        raise PageError("data.attributes has no signature_count")
    count = check_count(attributes["signature_count"], "data.attributes.signature_count")
    raw_state = attributes.get("state")
    state = "open" if raw_state == "open" else "closed" if raw_state in _CLOSED else None
    title = attributes.get("action")
    return Reading(
        count=count,
        strategy="json-api",
        title=title.strip() if isinstance(title, str) and title.strip() else None,
        state=state,
        by_country=_countries(attributes.get("signatures_by_country")),
    )
