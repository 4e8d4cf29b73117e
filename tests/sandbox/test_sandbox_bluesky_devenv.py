"""The sandbox refuses what Bluesky's reference PDS refuses, with the same status and body.

Runs against ``../shared/tools/bsky-devenv`` (the ``devenv`` fixture starts it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sandbox_bluesky_support import T0, world_of

from bot.sandbox import Clock, Sandbox
from bot.sandbox._campaign import BLUESKY_APP_PASSWORD, BLUESKY_HANDLE
from tests.conftest import Devenv

pytestmark = pytest.mark.devenv
Ask = Callable[[httpx.Client, str, dict[str, str]], httpx.Response]


@pytest.fixture(scope="module")
def pds(devenv: Devenv) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{devenv.pds}/xrpc", timeout=30) as client:
        yield client


@pytest.fixture
def sandbox_http() -> Iterator[httpx.Client]:
    with (
        Sandbox(world=world_of(), clock=Clock(T0, speed=0)) as sb,
        httpx.Client(base_url=f"{sb.url}/xrpc") as client,
    ):
        yield client


def session(http: httpx.Client, handle: str, password: str) -> dict[str, str]:
    body = http.post(
        "/com.atproto.server.createSession", json={"identifier": handle, "password": password}
    ).json()
    return {"Authorization": f"Bearer {body['accessJwt']}", "did": body["did"]}


def post_text(text: str) -> Ask:
    def ask(http: httpx.Client, _did: str, headers: dict[str, str]) -> httpx.Response:
        record = {"$type": "app.bsky.feed.post", "text": text, "createdAt": "2026-03-01T12:00:00.000Z"}
        body = {"repo": _did, "collection": "app.bsky.feed.post", "record": record}
        return http.post("/com.atproto.repo.createRecord", json=body, headers=headers)

    return ask


def query(nsid: str, params: dict[str, Any]) -> Ask:
    def ask(http: httpx.Client, _did: str, headers: dict[str, str]) -> httpx.Response:
        return http.get(f"/{nsid}", params=params, headers=headers)

    return ask


CASES = {
    "301 graphemes": post_text("é" * 301),
    "3001 bytes": post_text("é" * 1500 + "a"),
    "missing createdAt": lambda http, did, headers: http.post(
        "/com.atproto.repo.createRecord",
        json={
            "repo": did,
            "collection": "app.bsky.feed.post",
            "record": {"$type": "app.bsky.feed.post", "text": "x"},
        },
        headers=headers,
    ),
    "26 uris": query(
        "app.bsky.feed.getPosts", {"uris": ["at://did:plc:x/app.bsky.feed.post/3aaaaaaaaaaaa"] * 26}
    ),
    "limit 101": query("app.bsky.feed.searchPosts", {"q": "x", "limit": 101}),
    "no q": query("app.bsky.feed.searchPosts", {}),
    "unknown handle": query("com.atproto.identity.resolveHandle", {"handle": "nobody.test"}),
    "unknown method": query("app.bsky.feed.noSuchMethod", {}),
}


@pytest.mark.parametrize("case", CASES)
def test_refusals_match_the_reference_pds(pds: httpx.Client, sandbox_http: httpx.Client, case: str) -> None:
    answers = []
    for http, (handle, password) in (
        (pds, ("alice.test", "hunter2")),
        (sandbox_http, (BLUESKY_HANDLE, BLUESKY_APP_PASSWORD)),
    ):
        auth = session(http, handle, password)
        did = auth.pop("did")
        answer = CASES[case](http, did, auth)
        answers.append((answer.status_code, answer.json()))
    assert answers[1] == answers[0]


def test_a_wrong_password_is_refused_the_same_way(pds: httpx.Client, sandbox_http: httpx.Client) -> None:
    def refuse(http: httpx.Client, handle: str) -> tuple[int, Any]:
        answer = http.post(
            "/com.atproto.server.createSession", json={"identifier": handle, "password": "wrong"}
        )
        return answer.status_code, answer.json()

    assert refuse(sandbox_http, BLUESKY_HANDLE) == refuse(pds, "alice.test")
