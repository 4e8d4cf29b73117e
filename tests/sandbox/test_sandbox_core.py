"""The sandbox server itself: lifecycle, request counters, fault injection, config writing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from bot.config import load_settings
from bot.sandbox import Clock, Sandbox, World, generate_world

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _empty() -> Sandbox:
    return Sandbox(world=World(), clock=Clock(T0, speed=0))


def test_a_sandbox_serves_on_a_free_loopback_port_until_stopped() -> None:
    sb = _empty().start()
    url = sb.url
    assert url.startswith("http://127.0.0.1:") and sb.port > 0
    assert requests.get(f"{url}/_sandbox/health", timeout=5).json()["ok"] is True
    sb.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/_sandbox/health", timeout=5)


def test_two_sandboxes_run_side_by_side() -> None:
    with _empty() as first, _empty() as second:
        assert first.port != second.port
        requests.get(f"{first.url}/r/x/new", timeout=5)
        assert (first.requests(), second.requests()) == (1, 0)


def test_a_taken_port_fails_start_with_the_os_error() -> None:
    with _empty() as running, pytest.raises(OSError):
        Sandbox(world=World(), port=running.port).start()


def test_the_default_sandbox_serves_a_generated_world_around_its_clock() -> None:
    sb = Sandbox(clock=Clock(T0, speed=0))
    assert sb.world.visible_reddit(T0)
    assert max(p.created_at for p in sb.world.visible_reddit(T0)) > T0 - timedelta(days=1)


def test_counters_count_requests_by_path_prefix_but_not_admin_calls(sandbox: Sandbox) -> None:
    for path in ("/r/ChatGPT/new", "/r/OpenAI/new", "/api/info/", "/_sandbox/health"):
        requests.get(sandbox.url + path, timeout=5)
    assert sandbox.requests() == 3
    assert sandbox.requests("/r/") == 2
    assert sandbox.request_paths() == {"/r/ChatGPT/new": 1, "/r/OpenAI/new": 1, "/api/info/": 1}


def test_reset_counters_starts_counting_from_zero(sandbox: Sandbox) -> None:
    requests.get(sandbox.url + "/r/ChatGPT/new", timeout=5)
    sandbox.reset_counters()
    assert sandbox.requests() == 0


def test_an_injected_fault_hits_only_its_prefix_and_only_times_requests(sandbox: Sandbox) -> None:
    sandbox.inject("/r/", "503", times=2)
    statuses = [requests.get(sandbox.url + "/r/ChatGPT/new", timeout=5).status_code for _ in range(3)]
    other = requests.get(sandbox.url + "/api/info", timeout=5).status_code
    assert statuses == [503, 503, 401]  # the third reaches Reddit, which wants a token
    assert other == 401
    assert sandbox.pending_faults() == []


def test_reddit_429_carries_retry_after_and_ratelimit_headers(sandbox: Sandbox) -> None:
    sandbox.inject("/r/", "429", seconds=7)
    response = requests.get(sandbox.url + "/r/ChatGPT/new", timeout=5)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"
    assert response.headers["x-ratelimit-remaining"] == "0.0"
    assert response.headers["x-ratelimit-used"].isdigit()
    assert "Too Many Requests" in response.text


def test_xrpc_429_is_a_rate_limit_exceeded_body_with_ratelimit_headers(sandbox: Sandbox) -> None:
    sandbox.inject("/xrpc/", "429", seconds=30)
    response = requests.get(sandbox.url + "/xrpc/app.bsky.feed.searchPosts?q=keep4o", timeout=5)
    assert response.status_code == 429
    assert response.json()["error"] == "RateLimitExceeded"
    assert response.headers["ratelimit-remaining"] == "0"
    assert int(response.headers["ratelimit-reset"]) > datetime.now(UTC).timestamp()
    assert response.headers["ratelimit-policy"] == "3000;w=300"


@pytest.mark.parametrize(("fault", "status"), [("500", 500), ("502", 502), ("503", 503)])
def test_server_errors_are_empty_for_reddit_and_xrpc_bodies_for_bluesky(
    sandbox: Sandbox, fault: str, status: int
) -> None:
    sandbox.inject("/r/", fault)
    sandbox.inject("/xrpc/", fault)
    reddit = requests.get(sandbox.url + "/r/ChatGPT/new", timeout=5)
    xrpc = requests.get(sandbox.url + "/xrpc/app.bsky.actor.getProfile", timeout=5)
    assert (reddit.status_code, reddit.content) == (status, b"")
    assert xrpc.status_code == status
    assert set(xrpc.json()) == {"error", "message"}


def test_petition_pages_fail_with_html_error_pages(sandbox: Sandbox) -> None:
    sandbox.inject("/p/", "503")
    sandbox.inject("/petitions/", "429", seconds=9)
    page = requests.get(sandbox.url + "/p/keep-gpt-4o", timeout=5)
    limited = requests.get(sandbox.url + "/petitions/700001.json", timeout=5)
    assert page.status_code == 503 and page.headers["Content-Type"].startswith("text/html")
    assert "503 Service Unavailable" in page.text
    assert (limited.status_code, limited.headers["retry-after"]) == (429, "9")


def test_a_timeout_fault_stalls_longer_than_the_client_waits(sandbox: Sandbox) -> None:
    sandbox.inject("/r/", "timeout", seconds=2)
    with pytest.raises(requests.ReadTimeout):
        requests.get(sandbox.url + "/r/ChatGPT/new", timeout=0.5)


def test_malformed_json_is_a_200_that_does_not_parse(sandbox: Sandbox) -> None:
    sandbox.inject("/api/", "malformed")
    response = requests.get(sandbox.url + "/api/info", timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    with pytest.raises(ValueError):
        response.json()


def test_a_truncated_body_is_the_first_half_of_the_real_one(sandbox: Sandbox) -> None:
    full = requests.get(sandbox.url + "/_sandbox/health", timeout=5)
    sandbox.inject("/r/", "truncated")
    cut = requests.get(sandbox.url + "/r/ChatGPT/new", timeout=5)
    whole = requests.get(sandbox.url + "/r/ChatGPT/new", timeout=5)
    assert full.ok
    assert cut.content == whole.content[: len(whole.content) // 2]


def test_expired_token_is_reddits_401_challenge_or_xrpcs_expired_token(sandbox: Sandbox) -> None:
    sandbox.inject("/r/", "expired_token")
    sandbox.inject("/xrpc/", "expired_token")
    reddit = requests.get(sandbox.url + "/r/ChatGPT/new", timeout=5)
    xrpc = requests.get(sandbox.url + "/xrpc/com.atproto.server.getSession", timeout=5)
    assert reddit.status_code == 401
    assert reddit.headers["www-authenticate"] == 'Bearer realm="reddit", error="invalid_token"'
    assert (xrpc.status_code, xrpc.json()["error"]) == (400, "ExpiredToken")


def test_an_unknown_fault_is_refused(sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match="unknown fault 'teapot'"):
        sandbox.inject("/r/", "teapot")


def test_faults_armed_at_construction_apply_from_the_first_request() -> None:
    from bot.sandbox import Fault

    with Sandbox(world=World(), faults=[Fault("/r/", "502", times=1)]) as sb:
        assert requests.get(sb.url + "/r/x/new", timeout=5).status_code == 502


def test_the_admin_api_arms_lists_and_clears_faults(sandbox: Sandbox) -> None:
    url = sandbox.url + "/_sandbox/faults"
    created = requests.post(url, json={"path_prefix": "/r/", "fault": "500", "times": 2}, timeout=5)
    listed = requests.get(url, timeout=5).json()["faults"]
    requests.delete(url, timeout=5)
    assert created.status_code == 201
    assert listed == [{"path_prefix": "/r/", "fault": "500", "times": 2, "seconds": 3.0}]
    assert sandbox.pending_faults() == []


def test_the_admin_api_names_a_bad_request(sandbox: Sandbox) -> None:
    bad_fault = requests.post(
        sandbox.url + "/_sandbox/faults", json={"path_prefix": "/r/", "fault": "x"}, timeout=5
    )
    not_json = requests.post(sandbox.url + "/_sandbox/clock", data="{", timeout=5)
    assert bad_fault.status_code == 400 and "unknown fault 'x'" in bad_fault.json()["error"]
    assert not_json.status_code == 400 and not_json.json()["error"] == "the body is not JSON"


def test_the_admin_api_reads_counters_and_resets_them(sandbox: Sandbox) -> None:
    requests.get(sandbox.url + "/r/ChatGPT/new", timeout=5)
    read = requests.get(sandbox.url + "/_sandbox/counters", params={"prefix": "/r/"}, timeout=5).json()
    requests.delete(sandbox.url + "/_sandbox/counters", timeout=5)
    assert read == {"total": 1, "paths": {"/r/ChatGPT/new": 1}}
    assert sandbox.requests() == 0


def test_the_admin_api_sets_and_advances_the_clock(sandbox: Sandbox) -> None:
    later = T0 + timedelta(days=2)
    requests.post(sandbox.url + "/_sandbox/clock", json={"set": later.isoformat()}, timeout=5)
    answer = requests.post(sandbox.url + "/_sandbox/clock", json={"advance": 3600}, timeout=5).json()
    assert sandbox.clock.now() == later + timedelta(hours=1)
    assert answer["now"] == (later + timedelta(hours=1)).isoformat()


def test_the_admin_api_adds_and_removes_a_reddit_post(sandbox: Sandbox) -> None:
    made = requests.post(
        sandbox.url + "/_sandbox/reddit/posts",
        json={"subreddit": "ChatGPT", "title": "Hello #keep4o", "selftext": "hi"},
        timeout=5,
    ).json()
    requests.post(
        sandbox.url + f"/_sandbox/reddit/posts/{made['name']}/remove", json={"by": "deleted"}, timeout=5
    )
    post = sandbox.world.reddit_posts[made["name"]]
    assert (post.title, post.created_at, post.removed_by_category, post.author) == (
        "Hello #keep4o",
        T0,
        "deleted",
        None,
    )


def test_the_admin_api_adds_a_bluesky_post_with_tag_facets_and_deletes_it(sandbox: Sandbox) -> None:
    made = requests.post(
        sandbox.url + "/_sandbox/bluesky/posts",
        json={"handle": "alice.sandbox.test", "text": "Ik mis 4o — #keep4o", "langs": ["nl"]},
        timeout=5,
    ).json()
    post = sandbox.world.bluesky_posts[made["uri"]]
    facet = post.facets[0]
    index = facet["index"]
    assert isinstance(index, dict)
    assert post.text.encode()[index["byteStart"] : index["byteEnd"]] == b"#keep4o"
    requests.post(sandbox.url + "/_sandbox/bluesky/posts/delete", json={"uri": made["uri"]}, timeout=5)
    assert post.deleted


def test_world_changes_scheduled_for_later_happen_when_the_clock_gets_there(sandbox: Sandbox) -> None:
    world = sandbox.world
    future = [p for p in world.reddit_posts.values() if p.created_at > T0]
    assert future, "the generated world holds posts after its 'now'"
    before = {p.fullname: (p.score, p.num_comments) for p in world.reddit_posts.values()}
    sandbox.clock.advance(timedelta(days=1))
    requests.get(sandbox.url + "/_sandbox/health", timeout=5)  # admin calls do not move the world
    assert before == {p.fullname: (p.score, p.num_comments) for p in world.reddit_posts.values()}
    requests.get(sandbox.url + "/r/all/new", timeout=5)
    after = {p.fullname: (p.score, p.num_comments) for p in world.reddit_posts.values()}
    assert after != before


def test_config_toml_is_a_campaign_the_bot_loads_with_every_url_at_the_sandbox(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    path = sandbox.write_config(tmp_path / "campaign.toml", db_url=f"sqlite:///{tmp_path / 'bot.db'}")
    settings = load_settings(path, environ={})
    config = settings.config
    assert config.sandbox.enabled
    assert config.reddit is not None and config.bluesky is not None
    assert (config.reddit.oauth_url, config.reddit.reddit_url, config.bluesky.base_url) == (sandbox.url,) * 3
    assert config.bluesky.jetstream_url == "ws" + sandbox.url.removeprefix("http") + "/xrpc"
    assert [p.url for p in config.petitions] == [
        f"{sandbox.url}/p/keep-gpt-4o",
        f"{sandbox.url}/petitions/700001.json",
    ]
    assert settings.secrets.reddit_client_id is not None
    assert settings.secrets.reddit_client_id.get_secret_value() == "sandbox-client"
    assert settings.secrets.bluesky_app_password is not None
    assert settings.secrets.bluesky_app_password.get_secret_value() == "sandbox-app-password"
    assert settings.database_url == f"sqlite:///{tmp_path / 'bot.db'}"


def test_the_generated_world_is_the_same_for_the_same_seed_and_differs_for_another() -> None:
    def summary(seed: int) -> list[tuple[str, str, int]]:
        world = generate_world(seed=seed, now=T0, days=5)
        return [(p.fullname, p.title, p.score) for p in world.visible_reddit(T0)]

    assert summary(3) == summary(3)
    assert summary(3) != summary(4)
