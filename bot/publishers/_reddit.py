"""The digest as a Markdown self-post in one subreddit, by the bot's own (script-app) account.

Reddit's rules for bots (Responsible Builder Policy, see the project notes): a
descriptive User-Agent naming the contact account, one post in one place (never the
same digest across subreddits), and the post says it was made by a bot (its footer).

Looking first: the bot's own recent submissions (``/user/<name>/submitted``) are
searched for the exact title; where that listing is not served, the subreddit's
``/new`` listing, filtered to the bot's posts, is searched instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import praw
import prawcore
from praw.exceptions import RedditAPIException

from bot._version import __version__
from bot.config import Settings
from bot.digest import render_markdown

from ._delivery import Edition, NotDelivered, Remote

TITLE_MAX = 300
LOOK_BACK_POSTS = 100
# JSON errors that a later try may get past; any other refusal is about the post itself.
_TEMPORARY_ERRORS = {"RATELIMIT"}


def reddit_client(settings: Settings) -> praw.Reddit:
    """An authorised PRAW client for the bot account (script app: username + password)."""
    secrets = settings.secrets
    config = settings.config.reddit
    username = secrets.reddit_username.get_secret_value() if secrets.reddit_username else ""
    secret = secrets.reddit_client_secret
    return praw.Reddit(
        client_id=secrets.reddit_client_id.get_secret_value() if secrets.reddit_client_id else None,
        client_secret=secret.get_secret_value() if secret else None,
        username=username,
        password=secrets.reddit_password.get_secret_value() if secrets.reddit_password else None,
        user_agent=f"python:{config.app_id if config else 'keep4o-bot'}:v{__version__} "
        f"(by /u/{config.contact_username if config else username})",
        check_for_updates=False,
        oauth_url=config.oauth_url if config else "https://oauth.reddit.com",
        reddit_url=config.reddit_url if config else "https://www.reddit.com",
    )


class RedditPublisher:
    target = "reddit"

    def __init__(self, client: Callable[[], praw.Reddit], subreddit: str, username: str) -> None:
        self._client = client
        self.subreddit = subreddit
        self.username = username
        self._reddit: praw.Reddit | None = None

    def _api(self) -> praw.Reddit:
        if self._reddit is None:
            self._reddit = self._client()
        return self._reddit

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

    def find(self, title: str) -> Any | None:
        reddit = self._api()
        try:
            return self._mine(reddit.redditor(self.username).submissions.new(limit=LOOK_BACK_POSTS), title)
        except prawcore.NotFound:
            return self._mine(reddit.subreddit(self.subreddit).new(limit=LOOK_BACK_POSTS), title)

    def _permalink(self, post_id: str) -> str:
        base = self._api().config.reddit_url.rstrip("/")
        return f"{base}/r/{self.subreddit}/comments/{post_id}/"

    def publish(self, edition: Edition, *, look_first: bool) -> Remote:
        title = self.title(edition)
        try:
            if look_first and (found := self.find(title)) is not None:
                return Remote(found.fullname, self._permalink(found.id), found=True)
            body = render_markdown(edition.content, title=False)
            post = self._api().subreddit(self.subreddit).submit(title, selftext=body, send_replies=False)
        except RedditAPIException as exc:
            temporary = all(item.error_type in _TEMPORARY_ERRORS for item in exc.items)
            raise NotDelivered(f"reddit refused the post: {exc}", permanent=not temporary) from None
        except prawcore.TooManyRequests as exc:
            raise NotDelivered(f"reddit: rate limited (HTTP 429): {exc}") from None
        except (prawcore.OAuthException, prawcore.Forbidden, prawcore.BadRequest, prawcore.NotFound) as exc:
            raise NotDelivered(f"reddit: {type(exc).__name__}: {exc}", permanent=True) from None
        return Remote(f"t3_{post.id}", self._permalink(post.id))
