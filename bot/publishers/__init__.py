"""Publishing digests and alerts to Bluesky, Reddit, webhooks and files, exactly once."""

from ._bluesky import BlueskyAccount, BlueskyPublisher, ensure_bot_label
from ._delivery import (
    LEASE,
    Edition,
    NotDelivered,
    Outcome,
    Publisher,
    Remote,
    Unverifiable,
    deliver,
    deliver_one,
    store_edition,
)
from ._factory import TargetError, bluesky_login, make_publishers, target_names
from ._file import FilePublisher, write_atomically
from ._reddit import RedditPublisher, reddit_client
from ._webhook import WebhookError, WebhookPublisher

__all__ = [
    "LEASE",
    "BlueskyAccount",
    "BlueskyPublisher",
    "Edition",
    "FilePublisher",
    "NotDelivered",
    "Outcome",
    "Publisher",
    "RedditPublisher",
    "Remote",
    "TargetError",
    "Unverifiable",
    "WebhookError",
    "WebhookPublisher",
    "bluesky_login",
    "deliver",
    "deliver_one",
    "ensure_bot_label",
    "make_publishers",
    "reddit_client",
    "store_edition",
    "target_names",
    "write_atomically",
]
