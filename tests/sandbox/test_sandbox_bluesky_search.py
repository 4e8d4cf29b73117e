"""searchPosts through the real atproto SDK: production semantics, bounds and refusals."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from atproto import Client
from atproto_client.exceptions import BadRequestError, UnauthorizedError
from sandbox_bluesky_support import ALICE, BOB, T0, login, post, world_of

from bot.sandbox import Clock, Sandbox

TAGGED = post(ALICE, "Bring back GPT-4o! #keep4o", 60, langs=["en"])
UNTAGGED = post(BOB, "KEEP4O forever, no hashtag here", 50, langs=["en"])
TAGS_FIELD = post(ALICE, "Les modèles comptent", 40, langs=["fr"], tags=["Keep4o"])
NEAR_MISS = post(BOB, "keep4offline is something else", 30, langs=["en"])
REPLY_LIKE = post(BOB, "bring the model back #keep4o", 20, langs=["en"])
FUTURE = post(ALICE, "#keep4o from the future", -10, langs=["en"])
GONE = post(BOB, "#keep4o soon deleted", 10, langs=["en"])
GONE.deleted = True


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    world = world_of(TAGGED, UNTAGGED, TAGS_FIELD, NEAR_MISS, REPLY_LIKE, FUTURE, GONE)
    with Sandbox(world=world, clock=Clock(T0, speed=0)) as running:
        yield running


@pytest.fixture
def client(sb: Sandbox) -> Client:
    return login(sb)


def uris(client: Client, **params: Any) -> list[str]:
    return [p.uri for p in client.app.bsky.feed.search_posts(params=params).posts]


def test_words_match_case_insensitively_and_only_whole_tokens(client: Client) -> None:
    assert uris(client, q="Keep4O") == [REPLY_LIKE.uri, UNTAGGED.uri, TAGGED.uri]


def test_a_hashtag_matches_tag_facets_and_the_tags_field_but_not_plain_words(client: Client) -> None:
    assert uris(client, q="#KEEP4O") == [REPLY_LIKE.uri, TAGS_FIELD.uri, TAGGED.uri]


def test_the_tag_parameter_filters_nothing_as_in_production(client: Client) -> None:
    assert uris(client, q="keep4o", tag=["nonexistent"]) == uris(client, q="keep4o")


def test_a_quoted_phrase_keeps_its_word_order(client: Client) -> None:
    assert uris(client, q='"bring back"') == [TAGGED.uri]


def test_since_is_inclusive_and_until_exclusive(client: Client) -> None:
    at = TAGGED.created_at.isoformat()
    assert TAGGED.uri in uris(client, q="#keep4o", since=at)
    assert TAGGED.uri not in uris(client, q="#keep4o", until=at)
    assert uris(client, q="#keep4o", since="2026-03-01", until="2026-03-02") == uris(client, q="#keep4o")


def test_lang_and_author_filter(client: Client) -> None:
    assert uris(client, q="#keep4o", lang="fr") == [TAGS_FIELD.uri]
    assert uris(client, q="#keep4o", author="bob.sandbox.test") == [REPLY_LIKE.uri]
    assert uris(client, q="#keep4o", author="nobody.sandbox.test") == []


def test_posts_appear_when_the_clock_reaches_them_and_never_once_deleted(sb: Sandbox, client: Client) -> None:
    assert FUTURE.uri not in uris(client, q="#keep4o")
    sb.clock.advance(timedelta(minutes=10))
    assert uris(client, q="#keep4o")[0] == FUTURE.uri
    assert GONE.uri not in uris(client, q="#keep4o")


def test_top_ranks_by_engagement(sb: Sandbox, client: Client) -> None:
    with sb.world.lock:
        sb.world.bluesky_posts[TAGGED.uri].like_count = 40
    assert uris(client, q="#keep4o", sort="top")[0] == TAGGED.uri


def test_the_cursor_walks_offsets_and_hits_total_counts_all_hits(client: Client) -> None:
    seen, cursor, pages = [], None, 0
    while True:
        page = client.app.bsky.feed.search_posts(params={"q": "#keep4o", "limit": 2, "cursor": cursor})
        assert page.hits_total == 3
        seen += [p.uri for p in page.posts]
        pages += 1
        cursor = page.cursor
        if cursor is None:
            break
        assert cursor == str(2 * pages)
    assert seen == [REPLY_LIKE.uri, TAGS_FIELD.uri, TAGGED.uri]


def test_a_cursor_deeper_than_ten_thousand_is_refused(client: Client) -> None:
    assert client.app.bsky.feed.search_posts(params={"q": "#keep4o", "cursor": "10000"}).posts == []
    with pytest.raises(BadRequestError) as refused:
        client.app.bsky.feed.search_posts(params={"q": "#keep4o", "cursor": "10001"})
    assert refused.value.response is not None
    assert refused.value.response.content.message == "invalid value for 'cursor' (can't paginate so deep)"


@pytest.mark.parametrize(
    ("limit", "message"),
    [
        ("0", "integer too small (minimum 1, got 0)"),
        ("101", "integer too big (maximum 100, got 101)"),
        ("ten", 'Expected integer value type (got "ten")'),
    ],
)
def test_limit_outside_one_to_a_hundred_is_refused(
    sb: Sandbox, client: Client, limit: str, message: str
) -> None:
    # The SDK's own model refuses these before sending, so ask over plain HTTP.
    headers = {"Authorization": f"Bearer {client.export_session_string().split(':::')[2]}"}
    answer = httpx.get(
        f"{sb.url}/xrpc/app.bsky.feed.searchPosts", params={"q": "x", "limit": limit}, headers=headers
    )
    assert (answer.status_code, answer.json()["message"]) == (
        400,
        f"Invalid app.bsky.feed.searchPosts params: {message}",
    )


def test_limit_of_a_hundred_is_allowed(client: Client) -> None:
    assert len(client.app.bsky.feed.search_posts(params={"q": "#keep4o", "limit": 100}).posts) == 3


@pytest.mark.parametrize("cursor", [None, "25"])
def test_anonymous_search_is_forbidden_as_on_the_public_appview(sb: Sandbox, cursor: str | None) -> None:
    with pytest.raises(UnauthorizedError) as refused:
        Client(base_url=sb.url).app.bsky.feed.search_posts(params={"q": "#keep4o", "cursor": cursor})
    response = refused.value.response
    assert response is not None and response.status_code == 403
    assert response.content.message == "Request forbidden by administrative rules."


def test_the_generated_world_is_searchable_by_its_campaign_hashtag(sandbox: Sandbox) -> None:
    found = login(sandbox).app.bsky.feed.search_posts(params={"q": "#keep4o", "limit": 100})
    assert found.hits_total is not None and found.hits_total > 100 and found.cursor == "100"
    for item in found.posts:
        tags = {f.features[0].tag.lower() for f in item.record.facets or [] if hasattr(f.features[0], "tag")}
        assert "keep4o" in tags | {t.lower() for t in item.record.tags or []}
