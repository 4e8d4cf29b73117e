"""Sessions, tokens and rate limits of the sandbox's Bluesky, driven with the real atproto SDK."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from atproto import Client, SessionEvent
from atproto_client.exceptions import BadRequestError, RateLimitExceededError, UnauthorizedError
from sandbox_bluesky_support import ALICE, BOB, T0, bluesky_only, login, world_of

from bot.sandbox import Clock, Sandbox
from bot.sandbox._campaign import BLUESKY_APP_PASSWORD, BLUESKY_DID, BLUESKY_HANDLE

LOGIN = "/xrpc/com.atproto.server.createSession"


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(world=world_of(), clock=Clock(T0, speed=0)) as running:
        yield running


def claims(jwt: str) -> dict[str, object]:
    payload = jwt.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def raw_login(sb: Sandbox, http: httpx.Client | None = None) -> httpx.Response:
    body = {"identifier": BLUESKY_HANDLE, "password": BLUESKY_APP_PASSWORD}
    return (http or httpx).post(f"{sb.url}{LOGIN}", json=body)


def test_login_fetches_the_bot_profile_with_its_self_applied_bot_label(sb: Sandbox) -> None:
    me = Client(base_url=sb.url).login(BLUESKY_HANDLE, BLUESKY_APP_PASSWORD)
    assert me is not None and me.did == BLUESKY_DID
    assert [(label.val, label.src) for label in me.labels or []] == [("bot", BLUESKY_DID)]


def test_a_wrong_password_is_refused_as_the_pds_refuses_it(sb: Sandbox) -> None:
    with pytest.raises(UnauthorizedError) as refused:
        Client(base_url=sb.url).login(BLUESKY_HANDLE, "not-the-password")
    response = refused.value.response
    assert response is not None and response.status_code == 401
    assert (response.content.error, response.content.message) == (
        "AuthenticationRequired",
        "Invalid identifier or password",
    )


def test_an_account_without_an_app_password_cannot_log_in(sb: Sandbox) -> None:
    # Bob exists in the world but has no app password: nothing opens his account.
    with pytest.raises(UnauthorizedError):
        Client(base_url=sb.url).login(BOB, "any-password")


def test_the_did_works_as_login_identifier(sb: Sandbox) -> None:
    me = Client(base_url=sb.url).login(ALICE, "alice-app-password")
    assert me is not None and me.handle == "alice.sandbox.test"


def test_the_session_has_no_did_doc_so_the_client_stays_on_the_sandbox(sb: Sandbox) -> None:
    client = login(sb)
    assert "didDoc" not in raw_login(sb).json()
    assert client.export_session_string().endswith(f":::{sb.url}/xrpc")


def test_tokens_are_jwts_carrying_subject_scope_and_a_two_hour_expiry(sb: Sandbox) -> None:
    body = raw_login(sb).json()
    access, refresh = claims(body["accessJwt"]), claims(body["refreshJwt"])
    assert (access["sub"], access["scope"]) == (BLUESKY_DID, "com.atproto.appPass")
    assert int(str(access["exp"])) - int(str(access["iat"])) == 7200
    assert refresh["scope"] == "com.atproto.refresh" and "jti" in refresh


def test_an_exported_session_is_reused_without_a_second_create_session(sb: Sandbox) -> None:
    saved = login(sb).export_session_string()
    again = Client(base_url=sb.url)
    me = again.login(session_string=saved)
    assert me is not None and me.handle == BLUESKY_HANDLE
    again.get_profile("alice.sandbox.test")
    assert sb.requests(LOGIN) == 1


def test_get_session_answers_for_the_access_token(sb: Sandbox) -> None:
    session = login(sb).com.atproto.server.get_session()
    assert (session.did, session.handle) == (BLUESKY_DID, BLUESKY_HANDLE)


def test_a_forged_token_is_invalid(sb: Sandbox) -> None:
    token = raw_login(sb).json()["accessJwt"]
    head, body, _ = token.split(".")
    answer = httpx.get(
        f"{sb.url}/xrpc/com.atproto.server.getSession",
        headers={"Authorization": f"Bearer {head}.{body}.AAAA"},
    )
    assert (answer.status_code, answer.json()["error"]) == (400, "InvalidToken")


def test_refresh_rotates_and_the_old_refresh_token_lapses_after_the_grace_period(sb: Sandbox) -> None:
    first = raw_login(sb).json()["refreshJwt"]

    def refresh(token: str) -> httpx.Response:
        url = f"{sb.url}/xrpc/com.atproto.server.refreshSession"
        return httpx.post(url, headers={"Authorization": f"Bearer {token}"})

    second = refresh(first).json()["refreshJwt"]
    assert claims(second)["jti"] != claims(first)["jti"]
    retried = refresh(first).json()["refreshJwt"]  # a lost answer, retried: the same next token
    assert claims(retried)["jti"] == claims(second)["jti"]
    sb.clock.advance(timedelta(hours=2, seconds=1))
    lapsed = refresh(first)
    assert (lapsed.status_code, lapsed.json()) == (
        400,
        {"error": "ExpiredToken", "message": "Token has been revoked"},
    )
    assert refresh(second).status_code == 200


def test_an_access_token_expires_by_the_sandbox_clock(sb: Sandbox) -> None:
    client = login(sb)
    sb.clock.advance(timedelta(hours=2))
    with pytest.raises(BadRequestError) as expired:
        client.get_profile(BLUESKY_HANDLE)
    assert expired.value.response is not None
    assert expired.value.response.content.error == "ExpiredToken"


def test_the_sdk_refreshes_an_access_token_that_is_about_to_expire() -> None:
    # A 10-minute token is inside the SDK's 15-minute margin: it refreshes before its next call.
    with bluesky_only(world_of(), Clock(T0, speed=0), access_lifetime=timedelta(minutes=10)) as url:
        client = Client(base_url=url)
        events: list[SessionEvent] = []
        client.on_session_change(lambda event, _session: events.append(event))
        client.login(BLUESKY_HANDLE, BLUESKY_APP_PASSWORD, fetch_bsky_profile=False)
        before = client.export_session_string()
        profile = client.get_profile(BLUESKY_HANDLE)
    assert profile.handle == BLUESKY_HANDLE
    assert events == [SessionEvent.CREATE, SessionEvent.REFRESH]
    assert client.export_session_string() != before


def test_create_session_is_limited_to_30_per_five_minutes_per_account(sb: Sandbox) -> None:
    for _ in range(30):
        Client(base_url=sb.url).login(BLUESKY_HANDLE, BLUESKY_APP_PASSWORD, fetch_bsky_profile=False)
    with pytest.raises(RateLimitExceededError) as limited:
        Client(base_url=sb.url).login(BLUESKY_HANDLE, BLUESKY_APP_PASSWORD, fetch_bsky_profile=False)
    error = limited.value
    assert (error.limit, error.remaining, error.policy) == (30, 0, "30;w=300")
    assert error.reset_at == T0 + timedelta(minutes=5)
    assert error.retry_after == 300.0
    assert error.response is not None and error.response.content.error == "RateLimitExceeded"
    sb.clock.advance(timedelta(minutes=5))
    Client(base_url=sb.url).login(BLUESKY_HANDLE, BLUESKY_APP_PASSWORD, fetch_bsky_profile=False)


def test_create_session_is_limited_to_300_per_day_per_account(sb: Sandbox) -> None:
    with httpx.Client() as http:
        for _ in range(10):
            assert {raw_login(sb, http).status_code for _ in range(30)} == {200}
            sb.clock.advance(timedelta(minutes=5))
        refused = raw_login(sb, http)
    assert refused.status_code == 429
    assert refused.headers["ratelimit-policy"] == "300;w=86400"
    assert refused.headers["ratelimit-reset"] == str(int((T0 + timedelta(days=1)).timestamp()))


def test_every_xrpc_answer_carries_the_per_ip_rate_limit_headers(sb: Sandbox) -> None:
    first = httpx.get(f"{sb.url}/xrpc/app.bsky.actor.getProfile", params={"actor": BLUESKY_HANDLE})
    second = httpx.get(f"{sb.url}/xrpc/app.bsky.nothing.here")
    assert second.status_code == 501 and second.json()["error"] == "MethodNotImplemented"
    for answer in (first, second):
        assert answer.headers["ratelimit-limit"] == "3000"
        assert answer.headers["ratelimit-policy"] == "3000;w=300"
        assert answer.headers["ratelimit-reset"] == str(int((T0 + timedelta(minutes=5)).timestamp()))
    assert int(first.headers["ratelimit-remaining"]) - int(second.headers["ratelimit-remaining"]) == 1


def test_requests_past_the_per_ip_limit_are_refused_until_the_window_ends() -> None:
    # Production allows 3000 per 5 minutes (see the headers above); 5 keeps the test short.
    clock = Clock(T0, speed=0)
    with (
        bluesky_only(world_of(), clock, per_ip_limit=(5, timedelta(minutes=5))) as url,
        httpx.Client() as http,
    ):
        resolve = f"{url}/xrpc/com.atproto.identity.resolveHandle?handle={BLUESKY_HANDLE}"
        answers = [http.get(resolve) for _ in range(6)]
        clock.advance(timedelta(minutes=5))
        after = http.get(resolve)
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert answers[5].json() == {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}
    assert (answers[5].headers["ratelimit-remaining"], answers[5].headers["retry-after"]) == ("0", "300")
    assert after.status_code == 200


def test_a_procedure_called_with_get_is_refused(sb: Sandbox) -> None:
    answer = httpx.get(f"{sb.url}{LOGIN}")
    assert answer.status_code == 400
    assert answer.json()["message"] == "Incorrect HTTP method (GET) expected POST"
