"""Replaying Reddit's recorded responses (PRAW's cassettes) to unmodified PRAW."""

from __future__ import annotations

from pathlib import Path

import praw
import prawcore
import pytest

from bot.sandbox import CassetteError, ReplayServer, load_cassette
from tests.conftest import SHARED

FIXTURES = SHARED / "fixtures" / "reddit"


def connect(url: str) -> praw.Reddit:
    return praw.Reddit(
        client_id="sandbox-client",
        client_secret="sandbox-secret",
        user_agent="python:keep4o-bot-tests:1.0 (by /u/keep4o_bot)",
        oauth_url=url,
        reddit_url=url,
        short_url=url,
        check_for_updates=False,
    )


def test_praw_replays_the_recorded_search() -> None:
    with ReplayServer([FIXTURES / "TestSubreddit.test_search.json"]) as replay:
        found = list(
            connect(replay.url).subreddit("all").search("praw oauth search", syntax="cloudsearch", limit=None)
        )
        assert len(found) == 6
        assert all(s.fullname.startswith("t3_") for s in found)
        assert replay.unmatched == []


def test_praw_replays_info_in_its_three_recorded_batches() -> None:
    cassette = FIXTURES / "TestReddit.test_info.json"
    recorded = [key for key, _ in load_cassette(cassette) if key[1] == "/api/info/"]
    fullnames = [name for key in recorded for name in dict(key[2])["id"].split(",")]
    with ReplayServer([cassette]) as replay:
        things = list(connect(replay.url).info(fullnames=fullnames))
        assert len(fullnames) == 300
        assert len(things) == 297  # Reddit skipped three it did not know
        assert replay.unmatched == []


def test_praw_replays_the_recorded_stream_and_its_before_follow_up() -> None:
    with ReplayServer([FIXTURES / "TestSubredditStreams.test_submissions.json"]) as replay:
        stream = connect(replay.url).subreddit("all").stream.submissions(pause_after=-1)
        first = []
        for item in stream:
            if item is None:
                break
            first.append(item.id)
        following = []
        for item in stream:
            if item is None:
                break
            following.append(item.id)
        assert (len(first), len(following)) == (100, 4)
        assert first[-1] == "5jo13y"


def test_placeholders_are_substituted_back() -> None:
    key, recording = load_cassette(FIXTURES / "TestSubreddit.test_submit__selftext.json")[1]
    assert key[:2] == ("POST", "/api/submit/")
    assert b"<TEST_SUBREDDIT>" not in recording.body
    assert b'"url": "https://www.reddit.com/r/test/comments/4bbe4b/test_title/"' in recording.body
    assert not any(name.lower() == "content-length" for name, _ in recording.headers)


def test_an_unrecorded_request_is_a_404_naming_it() -> None:
    with ReplayServer([FIXTURES / "TestSubreddit.test_search.json"]) as replay:
        reddit = connect(replay.url)
        with pytest.raises(prawcore.NotFound):
            list(reddit.subreddit("ChatGPT").new(limit=1))
        assert replay.unmatched == ["GET /r/ChatGPT/new?limit=1&raw_json=1"]


def test_a_file_that_is_not_a_cassette_is_refused_with_its_name(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"http_interactions": []}')
    with pytest.raises(CassetteError, match=r"bad\.json: not a VCR\.py cassette"):
        load_cassette(bad)
