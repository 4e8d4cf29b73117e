"""A Reddit post's web address is reddit.com plus its permalink's path, whatever the listing appended."""

from __future__ import annotations

from typing import Any

import pytest

from bot.config import Care, Match
from bot.sources import Matcher, normalise_submission

MATCHER = Matcher(Match(hashtags=["keep4o"], keywords=[]), Care(distress_terms=[]))
PATH = "/r/ChatGPT/comments/1abcde/please_keep4o/"


def post(permalink: str) -> dict[str, Any]:
    return {"name": "t3_1abcde", "title": "Please #keep4o", "selftext": "", "permalink": permalink,
            "created_utc": 1_771_000_000.0, "author": "someone", "subreddit": "ChatGPT"}  # fmt: skip


@pytest.mark.parametrize(
    "permalink",
    [PATH, PATH + "?ref=search_posts", PATH + "?utm_source=share&utm_medium=web", PATH + "#comments"],
)
def test_the_url_is_the_permalink_path_on_reddit_com(permalink: str) -> None:
    record = normalise_submission(post(permalink), MATCHER)
    assert record is not None
    assert record.url == "https://www.reddit.com" + PATH


def test_a_full_permalink_url_keeps_only_its_path() -> None:
    record = normalise_submission(post("https://old.reddit.com" + PATH + "?context=3"), MATCHER)
    assert record is not None
    assert record.url == "https://www.reddit.com" + PATH
