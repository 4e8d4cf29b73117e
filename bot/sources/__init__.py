"""Collectors: campaign posts from Reddit and Bluesky, matched and normalised."""

from ._bluesky import poll_bluesky, refresh_bluesky
from ._bluesky_api import BlueskyError, BlueskyRateLimited
from ._jetstream import run_jetstream
from ._match import Matcher
from ._record import PollSummary, PostRecord
from ._reddit import poll_reddit
from ._reddit_client import RedditError
from ._reddit_normalise import normalise_submission
from ._reddit_refresh import refresh_reddit

__all__ = [
    "BlueskyError",
    "BlueskyRateLimited",
    "Matcher",
    "PollSummary",
    "PostRecord",
    "RedditError",
    "normalise_submission",
    "poll_bluesky",
    "poll_reddit",
    "refresh_bluesky",
    "refresh_reddit",
    "run_jetstream",
]
