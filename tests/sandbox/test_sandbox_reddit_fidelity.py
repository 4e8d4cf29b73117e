"""The sandbox's Reddit JSON against responses recorded from the real Reddit (../shared/fixtures/reddit)."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import Any

import pytest
import requests

from bot.sandbox import Sandbox
from tests.conftest import SHARED

FIXTURES = SHARED / "fixtures" / "reddit"
# Every field of a post that the bot reads or may reasonably read.
BOT_FIELDS = (
    "id", "name", "title", "selftext", "selftext_html", "author", "author_fullname", "subreddit",
    "subreddit_id", "subreddit_name_prefixed", "created_utc", "created", "score", "ups", "num_comments",
    "upvote_ratio", "permalink", "url", "domain", "is_self", "over_18", "spoiler", "stickied", "locked",
    "edited", "removed_by_category", "link_flair_text", "num_crossposts", "distinguished",
)  # fmt: skip


def interactions(name: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads((FIXTURES / name).read_text())["interactions"]
    return found


def recorded(name: str, path_part: str) -> dict[str, Any]:
    return next(i for i in interactions(name) if path_part in i["request"]["uri"])


def body(interaction: dict[str, Any]) -> Any:
    return json.loads(interaction["response"]["body"]["string"])


def kind(value: object) -> str:
    return type(value).__name__


@pytest.fixture(scope="module")
def real_children() -> list[dict[str, Any]]:
    listing = body(recorded("TestSubmission.test_hide_multiple_in_batches.json", "/r/popular/hot"))
    return [child["data"] for child in listing["data"]["children"]]


@pytest.fixture(scope="module")
def real_types(real_children: list[dict[str, Any]]) -> dict[str, set[str]]:
    types: dict[str, set[str]] = defaultdict(set)
    for child in real_children:
        for key, value in child.items():
            types[key].add(kind(value))
    return types


def auth(sb: Sandbox) -> dict[str, str]:
    answer = requests.post(
        sb.url + "/api/v1/access_token",
        auth=("sandbox-client", "sandbox-secret"),
        data={"grant_type": "client_credentials"},
        timeout=5,
    )
    return {"Authorization": f"bearer {answer.json()['access_token']}"}


def get(sb: Sandbox, path: str, **params: str) -> requests.Response:
    return requests.get(sb.url + path, params={**params, "raw_json": "1"}, headers=auth(sb), timeout=10)


def sandbox_children(sb: Sandbox) -> list[dict[str, Any]]:
    listing = get(sb, "/r/all/new", limit="100").json()
    return [child["data"] for child in listing["data"]["children"]]


def test_the_generated_world_has_self_posts_and_link_posts_to_compare(sandbox: Sandbox) -> None:
    children = sandbox_children(sandbox)
    assert {c["is_self"] for c in children} == {True, False}


@pytest.mark.parametrize("field", BOT_FIELDS)
def test_every_field_the_bot_reads_has_reddits_name_and_json_type(
    sandbox: Sandbox, real_types: dict[str, set[str]], field: str
) -> None:
    for child in sandbox_children(sandbox):
        assert field in child
        assert kind(child[field]) in real_types[field], f"{field}={child[field]!r}"


def test_a_listed_post_has_exactly_reddits_field_set(
    sandbox: Sandbox, real_children: list[dict[str, Any]]
) -> None:
    always = set.intersection(*(set(c) for c in real_children))
    anywhere = set.union(*(set(c) for c in real_children))
    for child in sandbox_children(sandbox):
        assert always <= set(child), always - set(child)
        assert set(child) <= anywhere, set(child) - anywhere


def test_link_posts_carry_the_link_only_fields_and_self_posts_do_not(sandbox: Sandbox) -> None:
    children = sandbox_children(sandbox)
    link = next(c for c in children if not c["is_self"])
    own = next(c for c in children if c["is_self"])
    assert link["url_overridden_by_dest"] == link["url"] and link["post_hint"] == "link"
    assert "url_overridden_by_dest" not in own
    assert own["url"] == "https://www.reddit.com" + own["permalink"]
    assert own["domain"] == "self." + own["subreddit"]


def test_the_listing_envelope_has_reddits_keys(sandbox: Sandbox) -> None:
    real = body(recorded("TestSubmission.test_hide_multiple_in_batches.json", "/r/popular/hot"))
    ours = get(sandbox, "/r/ChatGPT/new", limit="100").json()
    assert set(ours) == set(real) == {"kind", "data"}
    assert set(ours["data"]) == set(real["data"])
    assert {k: kind(v) for k, v in ours["data"].items() if k != "children"} == {
        "after": "str", "dist": "int", "modhash": "NoneType", "geo_filter": "NoneType", "before": "NoneType",
    }  # fmt: skip


def test_search_listings_add_facets_as_reddits_search_does(sandbox: Sandbox) -> None:
    real = body(recorded("TestSubreddit.test_search.json", "/search"))
    ours = get(sandbox, "/r/all/search/", q="keep4o", restrict_sr="False", sort="new").json()
    assert ours["data"]["facets"] == real["data"]["facets"] == {}
    new_listing = get(sandbox, "/r/ChatGPT/new").json()
    assert set(ours["data"]) == set(new_listing["data"]) | {"facets"}


def test_ratelimit_headers_have_reddits_number_formats(sandbox: Sandbox) -> None:
    real = recorded("TestSubmission.test_hide_multiple_in_batches.json", "/r/popular/hot")["response"][
        "headers"
    ]
    ours = get(sandbox, "/r/ChatGPT/new").headers
    formats = {"x-ratelimit-remaining": r"\d+\.\d", "x-ratelimit-used": r"\d+", "x-ratelimit-reset": r"\d+"}
    for header, pattern in formats.items():
        assert re.fullmatch(pattern, real[header][0])
        assert re.fullmatch(pattern, ours[header]), ours[header]


def test_the_token_answer_has_reddits_keys_and_types(sandbox: Sandbox) -> None:
    real = body(recorded("TestSubreddit.test_submit__selftext.json", "/api/v1/access_token"))
    ours = requests.post(
        sandbox.url + "/api/v1/access_token",
        auth=("sandbox-client", "sandbox-secret"),
        data={"grant_type": "client_credentials"},
        timeout=5,
    ).json()
    assert {k: kind(v) for k, v in ours.items()} == {k: kind(v) for k, v in real.items()}
    assert (ours["token_type"], ours["expires_in"], ours["scope"]) == ("bearer", 3600, "*")


def test_the_submission_page_is_two_listings_like_reddits(sandbox: Sandbox) -> None:
    real = body(recorded("TestSubreddit.test_submit__selftext.json", "/comments/"))
    fullname = sandbox_children(sandbox)[0]["name"]
    ours = get(sandbox, f"/comments/{fullname[3:]}/", limit="2048", sort="confidence").json()
    assert [part["kind"] for part in ours] == [part["kind"] for part in real] == ["Listing", "Listing"]
    assert ours[0]["data"]["children"][0]["data"]["name"] == fullname


def test_the_validation_refusal_is_the_recorded_one(sandbox: Sandbox) -> None:
    real = recorded("TestSubreddit.test_submit__verify_invalid.json", "/api/submit/")
    token = requests.post(
        sandbox.url + "/api/v1/access_token",
        auth=("sandbox-client", "sandbox-secret"),
        data={"grant_type": "password", "username": "keep4o_bot", "password": "sandbox-password"},
        timeout=5,
    ).json()["access_token"]
    form = {
        "sr": "test",
        "kind": "self",
        "title": "dfgfdgfdgdf",
        "api_type": "json",
        "validate_on_submit": "True",
    }
    ours = requests.post(
        sandbox.url + "/api/submit/?raw_json=1",
        data=form,
        headers={"Authorization": f"bearer {token}"},
        timeout=5,
    )
    assert ours.status_code == real["response"]["status"]["code"] == 400
    assert ours.json() == body(real)
