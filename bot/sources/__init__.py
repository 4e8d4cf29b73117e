"""Collectors: campaign posts from Reddit and Bluesky, matched and normalised."""

from typing import TYPE_CHECKING

from ._bluesky import poll_bluesky, refresh_bluesky
from ._bluesky_api import JETSTREAM_CURSOR_CHECKPOINT, BlueskyApi, BlueskyError, BlueskyRateLimited
from ._care import apply_care_list, care_list_applied
from ._match import Matcher, fold
from ._polled import polled_checkpoint
from ._record import PollSummary, PostRecord
from ._reddit import poll_reddit
from ._reddit_client import RedditError
from ._reddit_normalise import normalise_submission
from ._reddit_refresh import refresh_reddit

__all__ = [
    "JETSTREAM_CURSOR_CHECKPOINT",
    "BlueskyApi",
    "BlueskyError",
    "BlueskyRateLimited",
    "Matcher",
    "PollSummary",
    "PostRecord",
    "RedditError",
    "apply_care_list",
    "care_list_applied",
    "fold",
    "normalise_submission",
    "poll_bluesky",
    "poll_reddit",
    "polled_checkpoint",
    "refresh_bluesky",
    "refresh_reddit",
    "run_jetstream",
]


if TYPE_CHECKING:
    from ._jetstream import run_jetstream


def __getattr__(name: str) -> object:
    # Jetstream mode is optional, and its client (atproto_jetstream, websockets) added 2 MB
    # to every daemon, polling ones included: it is imported when first asked for.
    if name == "run_jetstream":
        from ._jetstream import run_jetstream

        return run_jetstream
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
