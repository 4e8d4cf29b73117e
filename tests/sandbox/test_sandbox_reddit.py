"""Unmodified PRAW 8 against the sandbox's Reddit: auth, listings, search, info, submit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import praw
import prawcore
import pytest
import requests
from praw.exceptions import RedditAPIException

from bot.sandbox import Clock, RedditPost, Sandbox, World

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def connect(sb: Sandbox, client_secret: str = "sandbox-secret", **login: str) -> praw.Reddit:
    return praw.Reddit(
        client_id="sandbox-client",
        client_secret=client_secret,
        user_agent="python:keep4o-bot-tests:1.0 (by /u/keep4o_bot)",
        oauth_url=sb.url,
        reddit_url=sb.url,
        short_url=sb.url,
        check_for_updates=False,
        **login,  # type: ignore[arg-type]
    )


def bearer(sb: Sandbox) -> dict[str, str]:
    """An app-only token fetched by hand, for looking at raw responses."""
    answer = requests.post(
        sb.url + "/api/v1/access_token",
        auth=("sandbox-client", "sandbox-secret"),
        data={"grant_type": "client_credentials"},
        timeout=5,
    )
    return {"Authorization": f"bearer {answer.json()['access_token']}"}


def script(sb: Sandbox, password: str = "sandbox-password") -> praw.Reddit:
    return connect(sb, username="keep4o_bot", password=password)


def post(n: int, subreddit: str = "ChatGPT", title: str = "", text: str = "", minutes: int = 0) -> RedditPost:
    return RedditPost(
        id=f"p{n:05d}",
        subreddit=subreddit,
        author=f"user{n % 7}",
        title=title or f"Post {n}",
        selftext=text,
        created_at=T0 - timedelta(minutes=minutes or n),
    )


@pytest.fixture
def small() -> Iterator[Sandbox]:
    """300 posts a minute apart in r/ChatGPT and 50 in r/OpenAI; p00001 is the newest."""
    world = World()
    for n in range(1, 301):
        world.add_reddit_post(post(n))
    for n in range(301, 351):
        world.add_reddit_post(post(n, "OpenAI", minutes=n - 300))
    with Sandbox(world=world, clock=Clock(T0, speed=0)) as sb:
        yield sb


def newest_first(sb: Sandbox, *subreddits: str) -> list[str]:
    wanted = {s.lower() for s in subreddits}
    return [p.id for p in sb.world.visible_reddit(T0) if p.subreddit.lower() in wanted]


# -- auth ------------------------------------------------------------------------------------


def test_client_credentials_give_a_read_only_session(small: Sandbox) -> None:
    reddit = connect(small)
    assert reddit.read_only
    assert next(iter(reddit.subreddit("ChatGPT").new(limit=1))).id == "p00001"
    assert small.requests("/api/v1/access_token") == 1


def test_the_password_grant_logs_the_script_app_in_as_the_bot(small: Sandbox) -> None:
    reddit = script(small)
    assert not reddit.read_only
    me = reddit.user.me()
    assert me is not None and me.name == "keep4o_bot"


def test_a_wrong_client_secret_is_a_401_at_the_token_endpoint(small: Sandbox) -> None:
    reddit = connect(small, client_secret="wrong")
    with pytest.raises(prawcore.ResponseException) as caught:
        list(reddit.subreddit("ChatGPT").new(limit=1))
    assert caught.value.response.status_code == 401
    assert caught.value.response.json() == {"message": "Unauthorized", "error": 401}


def test_a_wrong_password_is_an_invalid_grant(small: Sandbox) -> None:
    with pytest.raises(prawcore.OAuthException, match="invalid_grant"):
        script(small, password="wrong").user.me()


def test_api_calls_without_a_bearer_token_get_reddits_challenge(small: Sandbox) -> None:
    response = requests.get(small.url + "/r/ChatGPT/new", timeout=5)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="reddit", error="invalid_token"'


# -- /new ------------------------------------------------------------------------------------


def test_new_pages_through_a_multireddit_with_after(small: Sandbox) -> None:
    got = [s.id for s in connect(small).subreddit("ChatGPT+OpenAI").new(limit=250)]
    assert got == newest_first(small, "ChatGPT", "OpenAI")[:250]
    assert small.requests("/r/ChatGPT+OpenAI/new") == 3


def test_new_with_before_returns_the_posts_just_newer_than_it(small: Sandbox) -> None:
    got = [s.id for s in connect(small).subreddit("ChatGPT").new(limit=100, params={"before": "t3_p00150"})]
    assert got == [f"p{n:05d}" for n in range(50, 150)]


def test_limit_above_100_is_clamped_to_100(small: Sandbox) -> None:
    reddit = connect(small)
    page = reddit.get("r/ChatGPT/new", params={"limit": 500})
    assert len(page) == 100


def test_the_stream_yields_the_backlog_oldest_first_then_new_posts(small: Sandbox) -> None:
    stream = connect(small).subreddit("OpenAI").stream.submissions(pause_after=0)
    backlog = []
    for item in stream:
        if item is None:
            break
        backlog.append(item.id)
    small.world.add_reddit_post(RedditPost("p00999", "OpenAI", "someone", "Just now", "", T0))
    fresh = next(item for item in stream if item is not None)
    assert backlog == [f"p{n:05d}" for n in range(350, 300, -1)]
    assert fresh.id == "p00999"


def test_posts_appear_once_the_clock_reaches_them(small: Sandbox) -> None:
    small.world.add_reddit_post(post(777, minutes=-30))
    reddit = connect(small)
    first = next(iter(reddit.subreddit("ChatGPT").new(limit=1))).id
    small.clock.advance(timedelta(hours=1))
    later = next(iter(reddit.subreddit("ChatGPT").new(limit=1))).id
    assert (first, later) == ("p00001", "p00777")


def test_listings_stop_after_1000_items() -> None:
    world = World()
    for n in range(1, 1101):
        world.add_reddit_post(post(n))
    with Sandbox(world=world, clock=Clock(T0, speed=0)) as sb:
        got = list(connect(sb).subreddit("ChatGPT").new(limit=None))
        assert len(got) == 1000
        assert got[-1].id == "p01000"
        assert sb.requests("/r/") == 10


# -- search ----------------------------------------------------------------------------------


@pytest.fixture
def searchable() -> Iterator[Sandbox]:
    world = World()
    texts = [
        ("ChatGPT", "Please keep 4o", "we want #keep4o", 10, 5),
        ("ChatGPT", "Unrelated", "how do I export chats", 20, 50),
        ("OpenAI", "Keep4o rally", "", 30, 1),
        ("OpenAI", "The keep4offline tool", "archive chats", 40, 2),
        ("singularity", "keep 4o forever", "", 60 * 30, 100),
    ]
    for n, (sub, title, text, minutes, score) in enumerate(texts, start=1):
        world.add_reddit_post(
            RedditPost(f"s{n}", sub, "a", title, text, T0 - timedelta(minutes=minutes), score=score)
        )
    with Sandbox(world=world, clock=Clock(T0, speed=0)) as sb:
        yield sb


def ids(results: Iterator[praw.models.Submission]) -> list[str]:
    return [s.id for s in results]


def test_search_in_all_finds_the_word_case_insensitively_and_not_lookalikes(searchable: Sandbox) -> None:
    reddit = connect(searchable)
    assert ids(reddit.subreddit("all").search("keep4o", sort="new")) == ["s1", "s3"]


def test_a_hash_in_the_query_is_not_part_of_the_word(searchable: Sandbox) -> None:
    reddit = connect(searchable)
    assert ids(reddit.subreddit("all").search("#keep4o", sort="new")) == ["s1", "s3"]


def test_a_quoted_phrase_must_appear_as_is(searchable: Sandbox) -> None:
    reddit = connect(searchable)
    assert ids(reddit.subreddit("all").search('"keep 4o"', sort="new")) == ["s1", "s5"]


def test_subreddit_search_is_restricted_to_that_subreddit(searchable: Sandbox) -> None:
    reddit = connect(searchable)
    assert ids(reddit.subreddit("OpenAI").search("keep4o")) == ["s3"]


def test_subreddit_search_without_restrict_sr_searches_all_of_reddit(searchable: Sandbox) -> None:
    reddit = connect(searchable)
    # PRAW always sends restrict_sr for a subreddit, so ask by hand as other clients might.
    found = reddit.get("r/OpenAI/search", params={"q": "keep4o", "sort": "new"})
    assert [s.id for s in found] == ["s1", "s3"]


def test_the_time_filter_drops_older_posts(searchable: Sandbox) -> None:
    reddit = connect(searchable)
    assert ids(reddit.subreddit("all").search('"keep 4o"', time_filter="hour")) == ["s1"]


def test_top_sorts_by_score(searchable: Sandbox) -> None:
    reddit = connect(searchable)
    assert ids(reddit.subreddit("all").search("keep", sort="top")) == ["s5", "s1"]


def test_search_pages_with_after() -> None:
    world = World()
    for n in range(1, 131):
        world.add_reddit_post(post(n, title=f"keep4o number {n}"))
    with Sandbox(world=world, clock=Clock(T0, speed=0)) as sb:
        got = ids(connect(sb).subreddit("all").search("keep4o", sort="new", limit=None))
        assert got == [f"p{n:05d}" for n in range(1, 131)]
        assert sb.requests("/r/all/search") == 2


def test_site_search_without_a_subreddit_answers_at_slash_search(searchable: Sandbox) -> None:
    reddit = connect(searchable)
    listing = reddit.get("search", params={"q": "keep4o", "sort": "new"})
    assert [s.id for s in listing] == ["s1", "s3"]


# -- info ------------------------------------------------------------------------------------


def test_info_asks_in_batches_of_100_and_skips_unknown_ids(small: Sandbox) -> None:
    wanted = [f"t3_p{n:05d}" for n in range(1, 251)]
    got = list(connect(small).info(fullnames=[*wanted[:10], "t3_unknown", *wanted[10:]]))
    assert [s.fullname for s in got] == wanted
    assert small.requests("/api/info") == 3


def test_info_shows_removed_and_deleted_posts_as_reddit_does(small: Sandbox) -> None:
    small.world.remove_reddit_post("t3_p00001", by="moderator")
    small.world.remove_reddit_post("t3_p00002", by="deleted")
    removed, deleted = connect(small).info(fullnames=["t3_p00001", "t3_p00002"])
    assert (removed.selftext, removed.removed_by_category, removed.author.name) == (
        "[removed]",
        "moderator",
        "user1",
    )
    assert (deleted.selftext, deleted.removed_by_category, deleted.author) == ("[deleted]", "deleted", None)
    assert not hasattr(deleted, "author_fullname")


def test_removed_and_deleted_posts_leave_new_and_search(small: Sandbox) -> None:
    small.world.remove_reddit_post("t3_p00001", by="moderator")
    small.world.remove_reddit_post("t3_p00002", by="deleted")
    reddit = connect(small)
    assert [s.id for s in reddit.subreddit("ChatGPT").new(limit=2)] == ["p00003", "p00004"]
    assert "p00001" not in ids(reddit.subreddit("all").search("Post", limit=None))


# -- submit ----------------------------------------------------------------------------------


def test_a_submitted_self_post_is_in_new_and_in_the_worlds_submitted_list(small: Sandbox) -> None:
    reddit = script(small)
    made = reddit.subreddit("keep4o_sandbox").submit("Daily #keep4o digest", selftext="**42** new posts")
    author = made.author  # a lazy fetch through /comments/<id>/
    assert author is not None and author.name == "keep4o_bot"
    newest = next(iter(reddit.subreddit("keep4o_sandbox").new(limit=1)))
    assert (newest.id, newest.title, newest.selftext) == (made.id, "Daily #keep4o digest", "**42** new posts")
    assert [p.fullname for p in small.world.submitted] == [made.fullname]
    assert small.requests(f"/comments/{made.id}") == 1


def test_a_title_with_a_blocked_string_is_refused_with_reddits_validation_error(small: Sandbox) -> None:
    with pytest.raises(RedditAPIException) as caught:
        script(small).subreddit("keep4o_sandbox").submit("dfgfdgfdgdf", selftext="x")
    item = caught.value.items[0]
    assert (item.error_type, item.field) == ("SUBMIT_VALIDATION_TITLE_BLACKLISTED_STRING", "title")
    assert small.world.submitted == []


def test_a_title_over_300_characters_is_a_too_long_error(small: Sandbox) -> None:
    with pytest.raises(RedditAPIException) as caught:
        script(small).subreddit("keep4o_sandbox").submit("x" * 301, selftext="")
    assert (caught.value.items[0].error_type, caught.value.items[0].field) == ("TOO_LONG", "title")


def test_an_app_only_token_may_not_submit(small: Sandbox) -> None:
    response = requests.post(
        small.url + "/api/submit/",
        headers=bearer(small),
        data={"sr": "test", "kind": "self", "title": "t", "api_type": "json"},
        timeout=5,
    )
    assert response.status_code == 403


# -- wire details ----------------------------------------------------------------------------


def test_paths_answer_with_and_without_a_trailing_slash(small: Sandbox) -> None:
    reddit = connect(small)
    with_slash = reddit.get("r/ChatGPT/new/", params={"limit": 1})
    without = reddit.get("r/ChatGPT/new", params={"limit": 1})
    assert [s.id for s in with_slash] == [s.id for s in without] == ["p00001"]


def test_without_raw_json_strings_come_html_escaped(small: Sandbox) -> None:
    small.world.add_reddit_post(post(5000, title="Fish & chips <3", minutes=-1))
    small.clock.advance(timedelta(minutes=2))
    auth = bearer(small)
    legacy = requests.get(small.url + "/r/ChatGPT/new?limit=1", headers=auth, timeout=5).json()
    raw = requests.get(small.url + "/r/ChatGPT/new?limit=1&raw_json=1", headers=auth, timeout=5).json()
    assert legacy["data"]["children"][0]["data"]["title"] == "Fish &amp; chips &lt;3"
    assert raw["data"]["children"][0]["data"]["title"] == "Fish & chips <3"


def test_ratelimit_headers_count_up_within_the_window(small: Sandbox) -> None:
    auth = bearer(small)
    requests.get(small.url + "/r/ChatGPT/new", headers=auth, timeout=5)
    response = requests.get(small.url + "/r/ChatGPT/new", headers=auth, timeout=5)
    assert response.headers["x-ratelimit-used"] == "2"
    assert response.headers["x-ratelimit-remaining"] == "998.0"
    assert 1 <= int(response.headers["x-ratelimit-reset"]) <= 600


def test_past_the_budget_requests_get_a_429() -> None:
    with Sandbox(world=World(), reddit_ratelimit=(2, 600)) as sb:
        auth = bearer(sb)
        statuses = [requests.get(sb.url + "/r/x/new", headers=auth, timeout=5).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
