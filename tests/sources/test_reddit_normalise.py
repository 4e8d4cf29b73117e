"""Real recorded Reddit responses (../shared/fixtures/reddit) become the right PostRecords.

The recordings are not about #keep4o, so the campaign here is made of words they contain.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import praw
import pytest

from bot.config import Care, Match
from bot.sources import Matcher, PostRecord
from bot.sources._reddit_normalise import (
    MalformedResponse,
    listing_page,
    normalise_page,
    normalise_submission,
)
from tests.conftest import SHARED

FIXTURES = SHARED / "fixtures" / "reddit"
MATCHER = Matcher(
    Match(
        hashtags=["praw", "androidapps"],
        keywords=["serious", "what went", "genetic condition", "話題", "total bullshit"],
    ),
    Care(distress_terms=["kill yourself"]),
)


def _listings() -> list[tuple[str, Mapping[str, Any]]]:
    found = []
    for path in sorted(FIXTURES.glob("Test*.json")):
        for interaction in json.loads(path.read_text(encoding="utf-8"))["interactions"]:
            try:
                body = json.loads(interaction["response"]["body"]["string"])
            except ValueError:
                continue
            if isinstance(body, dict) and body.get("kind") == "Listing":
                found.append((f"{path.name} {interaction['request']['uri'][:60]}", body))
    return found


LISTINGS = _listings()
POSTS = {post["name"]: post for _, listing in LISTINGS for post in listing_page(listing)[0]}


def record(fullname: str) -> PostRecord:
    result = normalise_submission(POSTS[fullname], MATCHER, keep_unmatched=True)
    assert result is not None
    return result


def test_the_fixtures_hold_the_listings_these_tests_rely_on() -> None:
    assert len(LISTINGS) == 8
    assert len(POSTS) == 407


@pytest.mark.parametrize(("name", "listing"), LISTINGS, ids=[name for name, _ in LISTINGS])
def test_every_recorded_post_normalises(name: str, listing: Mapping[str, Any]) -> None:
    posts, _ = listing_page(listing)
    records = normalise_page(posts, MATCHER, keep_unmatched=True)
    assert len(records) == len(posts) > 0
    for post, rec in zip(posts, records, strict=True):
        assert rec.platform == "reddit"
        assert rec.platform_id == post["name"]
        assert rec.url.startswith("https://www.reddit.com/r/")
        assert "?" not in rec.url
        assert rec.created_at.tzinfo is UTC
        assert (rec.likes, rec.replies, rec.reposts) == (post["score"], post["num_comments"], 0)
        assert rec.community == post["subreddit"]


def test_a_listing_page_keeps_only_submissions_and_its_after_cursor() -> None:
    info = next(listing for name, listing in LISTINGS if "info" in name)
    posts, after = listing_page(info)
    assert after is None
    assert {p["name"][:3] for p in posts} == {"t3_"}
    assert len(posts) == 33


def test_a_modern_link_post_is_normalised_exactly() -> None:
    assert record("t3_1skjxta") == PostRecord(
        platform="reddit",
        platform_id="t3_1skjxta",
        url="https://www.reddit.com/r/MMA/comments/1skjxta/ulberg_on_jiri_showing_mercy_thats_bullshit_total/",
        author_handle="airplane231",
        author_id="t2_1k4v4ka3y9",
        title=POSTS["t3_1skjxta"]["title"],
        text="https://x.com/arielhelwani/status/2043757261882044451",
        created_at=datetime(2026, 4, 13, 18, 44, 8, tzinfo=UTC),
        lang="en",
        community="MMA",
        matched_terms=("total bullshit",),
        likes=546,
        replies=495,
        reposts=0,
        sensitive=False,
        state="live",
    )


def test_a_search_result_loses_its_ref_query_and_matches_a_hashtag_in_its_title() -> None:
    rec = record("t3_1qvzkd")
    assert rec.url == "https://www.reddit.com/r/redditdev/comments/1qvzkd/praw_opening_a_user_page/"
    assert rec.matched_terms == ("praw",)
    assert (rec.author_handle, rec.author_id, rec.title) == ("DAsSNipez", None, "Praw, opening a user page.")
    assert rec.created_at == datetime(2013, 11, 18, 10, 25, 49, tzinfo=UTC)


def test_a_japanese_post_matches_a_term_inside_a_word_and_is_detected_as_japanese() -> None:
    rec = record("t3_4at068")
    # Its body also quotes a search URL "/r/aww/search?q=praw".
    assert rec.matched_terms == ("praw", "話題")
    assert rec.lang == "ja"
    assert (rec.likes, rec.replies, rec.community) == (15, 0, "p18s")


def test_a_link_post_matches_a_keyword_found_only_in_its_link_url() -> None:
    rec = record("t3_5jo144")
    assert rec.matched_terms == ("genetic condition",)
    assert rec.text == ""
    assert rec.created_at == datetime(2016, 12, 22, 2, 17, 32, tzinfo=UTC)


def test_a_removed_post_keeps_its_title_for_matching_but_not_its_body() -> None:
    rec = record("t3_5dec21")
    assert rec.state == "removed"
    assert rec.text == ""
    assert rec.matched_terms == ("androidapps",)
    assert rec.author_handle == "mp4downloader"


def test_a_post_deleted_by_its_author_has_no_author() -> None:
    rec = record("t3_5dec01")
    assert (rec.state, rec.author_handle, rec.author_id, rec.text) == ("deleted", None, None, "")
    assert rec.matched_terms == ()


def test_the_care_lexicon_marks_a_recorded_post_sensitive() -> None:
    assert record("t3_5jo140").sensitive
    assert not record("t3_5jo143").sensitive


def test_a_post_matching_nothing_is_dropped_unless_kept() -> None:
    assert normalise_submission(POSTS["t3_5jo143"], MATCHER) is None
    assert normalise_submission(POSTS["t3_5jo143"], MATCHER, keep_unmatched=True) is not None


def test_only_matching_posts_of_a_real_page_are_kept() -> None:
    listing = next(listing for name, listing in LISTINGS if "test_new" in name)
    posts, after = listing_page(listing)
    records = normalise_page(posts, MATCHER)
    assert after == "t3_48f6io"
    assert 0 < len(records) < len(posts)
    assert all(r.matched_terms for r in records)
    assert "t3_48fbgl" in {r.platform_id for r in records}  # "What went from 100 to 0 ..."


@pytest.mark.parametrize(
    ("fields", "state"),
    [
        ({"removed_by_category": "moderator", "selftext": "text"}, "removed"),
        ({"removed_by_category": "reddit"}, "removed"),
        ({"removed_by_category": "deleted"}, "deleted"),
        ({"selftext": "[removed]"}, "removed"),
        ({"selftext": "[deleted]"}, "deleted"),
        ({"title": "[deleted by user]"}, "deleted"),
        ({"author": "[deleted]", "selftext": "still here, praw"}, "live"),
    ],
)
def test_the_state_of_a_post_follows_reddits_signs_of_removal(fields: dict[str, Any], state: str) -> None:
    data = {**POSTS["t3_1qvzkd"], **fields}
    rec = normalise_submission(data, MATCHER, keep_unmatched=True)
    assert rec is not None and rec.state == state


def test_a_praw_submission_normalises_like_its_json() -> None:
    reddit = praw.Reddit(
        client_id="id",
        client_secret="secret",
        user_agent="test:keep4o-bot:0 (by /u/x)",
        check_for_updates=False,
    )
    for name in ("t3_1skjxta", "t3_5dec01", "t3_4at068"):
        submission = praw.models.Submission(reddit, _data=dict(POSTS[name]))
        assert normalise_submission(submission, MATCHER, keep_unmatched=True) == record(name)


@pytest.mark.parametrize(
    "payload",
    [None, [], {"kind": "t3"}, {"kind": "Listing"}, {"kind": "Listing", "data": {"children": "x"}}, "<html>"],
)
def test_something_that_is_not_a_listing_is_a_malformed_response(payload: object) -> None:
    with pytest.raises(MalformedResponse, match="expected a Reddit listing"):
        listing_page(payload)


def test_a_malformed_post_is_skipped_and_the_rest_of_the_page_kept() -> None:
    broken = {**POSTS["t3_1qvzkd"], "created_utc": "yesterday"}
    without_name = {k: v for k, v in POSTS["t3_1qvzkd"].items() if k != "name"}
    records = normalise_page([broken, without_name, POSTS["t3_4at068"]], MATCHER)
    assert [r.platform_id for r in records] == ["t3_4at068"]


def test_a_malformed_post_on_its_own_raises_a_one_line_error() -> None:
    with pytest.raises(MalformedResponse, match=r"malformed Reddit post 't3_1qvzkd'"):
        normalise_submission({**POSTS["t3_1qvzkd"], "permalink": None}, MATCHER)
