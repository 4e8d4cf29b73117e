"""The digest as a Markdown self-post in one subreddit, by the bot's own (script-app) account.

Reddit's rules for bots (Responsible Builder Policy, see the project notes): a
descriptive User-Agent naming the contact account, one post in one place (never the
same digest across subreddits), and the post says it was made by a bot (its footer).

Looking first: the bot's own recent submissions (``/user/<name>/submitted``) are
searched for the exact title; where that listing is not served, the subreddit's
``/new`` listing, filtered to the bot's posts, is searched instead.

The client is the process's shared one (``bot.sources._reddit_client``): with the
collectors' credentials it reuses their token, and a publish holds its lock, as PRAW is
not thread-safe and the collectors' jobs may be running.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import praw
import prawcore
from praw.exceptions import RedditAPIException

from bot.config import Settings
from bot.digest import render_markdown
from bot.sources._reddit_client import CONNECTIONS, RedditConnection, RedditError

from ._delivery import Edition, NotDelivered, Remote

TITLE_MAX = 300
LOOK_BACK_POSTS = 100
# JSON errors that a later try may get past; any other refusal is about the post itself.
_TEMPORARY_ERRORS = {"RATELIMIT"}


def reddit_client(settings: Settings) -> RedditConnection:
    """The process's Reddit client for these settings; posting needs the account (a script app)."""
    try:
        return CONNECTIONS.get(settings)
    except RedditError as exc:
        raise NotDelivered(f"reddit: {exc}", permanent=True) from None


class RedditPublisher:
    target = "reddit"

    def __init__(self, client: Callable[[], RedditConnection], subreddit: str, username: str) -> None:
        self._client = client
        self.subreddit = subreddit
        self.username = username

    def title(self, edition: Edition) -> str:
        heading: str = edition.content.heading
        return heading[:TITLE_MAX]

    def _mine(self, posts: Iterable[Any], title: str) -> Any | None:
        for post in posts:
            author = getattr(post.author, "name", "") or ""
            if (
                post.title == title
                and author.lower() == self.username.lower()
                and post.subreddit.display_name.lower() == self.subreddit.lower()
            ):
                return post
        return None

    def _find(self, reddit: praw.Reddit, title: str) -> Any | None:
        try:
            return self._mine(reddit.redditor(self.username).submissions.new(limit=LOOK_BACK_POSTS), title)
        except prawcore.NotFound:
            return self._mine(reddit.subreddit(self.subreddit).new(limit=LOOK_BACK_POSTS), title)

    def _permalink(self, reddit: praw.Reddit, post_id: str) -> str:
        base = reddit.config.reddit_url.rstrip("/")
        return f"{base}/r/{self.subreddit}/comments/{post_id}/"

    def publish(self, edition: Edition, *, look_first: bool) -> Remote:
        title = self.title(edition)
        connection = self._client()
        with connection.lock:
            return self._publish(connection.reddit, edition, title, look_first=look_first)

    def _publish(self, reddit: praw.Reddit, edition: Edition, title: str, *, look_first: bool) -> Remote:
        try:
            if look_first and (found := self._find(reddit, title)) is not None:
                return Remote(found.fullname, self._permalink(reddit, found.id), found=True)
            body = render_markdown(edition.content, title=False)
            post = reddit.subreddit(self.subreddit).submit(title, selftext=body, send_replies=False)
        except RedditAPIException as exc:
            temporary = all(item.error_type in _TEMPORARY_ERRORS for item in exc.items)
            raise NotDelivered(f"reddit refused the post: {exc}", permanent=not temporary) from None
        except prawcore.TooManyRequests as exc:
            raise NotDelivered(f"reddit: rate limited (HTTP 429): {exc}") from None
        except (prawcore.OAuthException, prawcore.Forbidden, prawcore.BadRequest, prawcore.NotFound) as exc:
            raise NotDelivered(f"reddit: {type(exc).__name__}: {exc}", permanent=True) from None
        return Remote(f"t3_{post.id}", self._permalink(reddit, post.id))
