"""The sandbox's petition pages carry their numbers the way the real sites do (see _petition_pages)."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
import requests

from bot.petitions import BlockedError, check_blocked, parse_changeorg, parse_uk
from bot.sandbox import Sandbox

UK_ATTRIBUTES = {
    "action", "background", "additional_details", "committee_note", "state", "signature_count",
    "created_at", "updated_at", "rejected_at", "opened_at", "closed_at", "moderation_threshold_reached_at",
    "response_threshold_reached_at", "government_response_at", "debate_threshold_reached_at",
    "scheduled_debate_date", "debate_outcome_at", "creator_name", "rejection", "government_response",
    "debate", "departments", "topics", "signatures_by_country", "signatures_by_constituency",
    "signatures_by_region", "other_parliamentary_business",
}  # fmt: skip


def test_the_changeorg_page_shows_the_worlds_count_and_it_grows(petition_sandbox: Sandbox) -> None:
    sb = petition_sandbox
    page = sb.world.petitions["keep-gpt-4o"]
    first = parse_changeorg(requests.get(f"{sb.url}/p/keep-gpt-4o", timeout=5).text)
    sb.clock.advance(timedelta(days=3))
    later = parse_changeorg(requests.get(f"{sb.url}/p/keep-gpt-4o", timeout=5).text)
    assert first.count == page.count_at(sb.now() - timedelta(days=3))
    assert later.count == page.count_at(sb.now()) and later.count > first.count
    assert (later.goal, later.title, later.state, later.strategy) == (
        25_000,
        "Keep GPT-4o available in ChatGPT",
        "open",
        "embedded-json",
    )


def test_the_changeorg_page_carries_the_real_pages_structures(petition_sandbox: Sandbox) -> None:
    html = requests.get(f"{petition_sandbox.url}/p/keep-gpt-4o", timeout=5).text
    assert re.search(r'<script>window\.changeTargetingData=\{"reactFe":true,.*"organization":undefined', html)
    assert '"__typename":"SignatureCount"' in html
    [ld_text] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html)
    ld = json.loads(ld_text)
    assert [item["@type"] for item in ld["@graph"]] == ["Article", "Person", "ImageObject"]
    assert '<meta property="og:title" content="Keep GPT-4o available in ChatGPT">' in html


def test_every_carrier_on_the_page_agrees_on_the_count(petition_sandbox: Sandbox) -> None:
    sb = petition_sandbox
    html = requests.get(f"{sb.url}/p/keep-gpt-4o", timeout=5).text
    start = html.index("<script>window.changeTargetingData")
    without_state = html[:start] + html[html.index("</script>", start) + len("</script>") :]
    visible = parse_changeorg(without_state)
    assert (visible.strategy, visible.count) == ("visible-text", parse_changeorg(html).count)


def test_victory_and_closed_pages_show_their_banner(petition_sandbox: Sandbox) -> None:
    sb = petition_sandbox
    for state in ("victory", "closed"):
        with sb.world.lock:
            sb.world.petitions["keep-gpt-4o"].state = state
        assert parse_changeorg(requests.get(f"{sb.url}/p/keep-gpt-4o", timeout=5).text).state == state


def test_the_redesigned_page_has_no_embedded_state(petition_sandbox: Sandbox) -> None:
    sb = petition_sandbox
    with sb.world.lock:
        sb.world.petitions["keep-gpt-4o"].kind = "changeorg-redesign"
    html = requests.get(f"{sb.url}/p/keep-gpt-4o", timeout=5).text
    assert "changeTargetingData" not in html
    reading = parse_changeorg(html)
    assert (reading.strategy, reading.count) == (
        "visible-text",
        sb.world.petitions["keep-gpt-4o"].count_at(sb.now()),
    )


def test_the_challenge_is_cloudflares_403(petition_sandbox: Sandbox) -> None:
    sb = petition_sandbox
    with sb.world.lock:
        sb.world.petitions["keep-gpt-4o"].kind = "changeorg-challenge"
    response = requests.get(f"{sb.url}/p/keep-gpt-4o", timeout=5)
    assert (response.status_code, response.headers["cf-mitigated"]) == (403, "challenge")
    assert "<title>Just a moment...</title>" in response.text
    with pytest.raises(BlockedError):
        check_blocked(response.status_code, {}, response.text)  # recognisable without the header too


def test_an_unknown_petition_is_a_404(petition_sandbox: Sandbox) -> None:
    assert requests.get(f"{petition_sandbox.url}/p/no-such-petition", timeout=5).status_code == 404
    assert requests.get(f"{petition_sandbox.url}/petitions/1.json", timeout=5).status_code == 404


def test_the_uk_json_has_e_petitions_shape(petition_sandbox: Sandbox) -> None:
    sb = petition_sandbox
    response = requests.get(f"{sb.url}/petitions/700001.json", timeout=5)
    document = response.json()
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert document["links"]["self"] == f"{sb.url}/petitions/700001.json"
    assert (document["data"]["type"], document["data"]["id"]) == ("petition", 700001)
    attributes = document["data"]["attributes"]
    assert set(attributes) == UK_ATTRIBUTES
    count = sb.world.petitions["700001"].count_at(sb.now())
    assert attributes["signature_count"] == count
    assert sum(c["signature_count"] for c in attributes["signatures_by_country"]) == count
    assert {"name", "code", "signature_count"} == set(attributes["signatures_by_country"][0])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", attributes["opened_at"])
    assert parse_uk(response.text).count == count


def test_the_uk_json_answers_if_none_match_with_304_until_the_count_moves(petition_sandbox: Sandbox) -> None:
    sb = petition_sandbox
    etag = requests.get(f"{sb.url}/petitions/700001.json", timeout=5).headers["ETag"]
    again = requests.get(f"{sb.url}/petitions/700001.json", headers={"If-None-Match": etag}, timeout=5)
    assert (again.status_code, again.headers["ETag"]) == (304, etag)
    with sb.world.lock:
        page = sb.world.petitions["700001"]
        page.series = [
            *[(at, c) for at, c in page.series if at <= sb.now()],
            (sb.now() + timedelta(minutes=1), 99_999),
        ]
    sb.clock.advance(timedelta(minutes=2))
    moved = requests.get(f"{sb.url}/petitions/700001.json", headers={"If-None-Match": etag}, timeout=5)
    assert (moved.status_code, moved.json()["data"]["attributes"]["signature_count"]) == (200, 99_999)
