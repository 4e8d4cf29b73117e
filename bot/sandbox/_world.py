"""The sandbox's state: the posts, accounts and petitions its fake services serve.

Everything is in memory and guarded by one lock, because the aiohttp server
thread and test code touch it at the same time. Items carry their creation
time; a service shows an item only once the sandbox clock has reached it, so a
generated world can hold "future" posts that appear as time passes.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass
class RedditPost:
    id: str  # base36, no prefix
    subreddit: str
    author: str | None  # None once the account is deleted ("[deleted]" on the wire)
    title: str
    selftext: str
    created_at: datetime
    url: str | None = None  # a link post's target; None for a self-post
    score: int = 1
    num_comments: int = 0
    upvote_ratio: float = 1.0
    # None, or Reddit's value: "moderator", "reddit", "deleted", "automod_filtered", ...
    removed_by_category: str | None = None
    over_18: bool = False

    @property
    def fullname(self) -> str:
        return f"t3_{self.id}"

    @property
    def author_fullname(self) -> str | None:
        # Stable per author name, like Reddit's t2_ ids.
        if self.author is None:
            return None
        return "t2_" + hashlib.sha1(self.author.encode()).hexdigest()[:8]


@dataclass
class BlueskyAccount:
    did: str
    handle: str
    display_name: str
    app_password: str | None = None  # None: cannot log in
    is_bot: bool = False  # carries the self-applied "bot" label


@dataclass
class BlueskyPost:
    did: str
    rkey: str
    cid: str
    text: str
    created_at: datetime
    indexed_at: datetime
    facets: list[dict[str, object]] = field(default_factory=list)  # lexicon JSON, UTF-8 byte offsets
    tags: list[str] = field(default_factory=list)
    langs: list[str] = field(default_factory=list)
    reply_root: tuple[str, str] | None = None  # (uri, cid)
    reply_parent: tuple[str, str] | None = None  # (uri, cid)
    embed: dict[str, object] | None = None  # the record's embed JSON, e.g. app.bsky.embed.external
    like_count: int = 0
    repost_count: int = 0
    reply_count: int = 0
    quote_count: int = 0
    deleted: bool = False

    @property
    def uri(self) -> str:
        return f"at://{self.did}/app.bsky.feed.post/{self.rkey}"


@dataclass
class PetitionPage:
    """A petition the sandbox serves, as a Change.org page or a UK Parliament JSON."""

    kind: str  # "changeorg" | "uk_parliament"
    slug: str  # Change.org: the path after /p/; UK: the numeric id as text
    title: str
    goal: int | None
    state: str  # open | victory | closed
    # (time, count) steps; the count at t is the last step at or before t.
    series: list[tuple[datetime, int]] = field(default_factory=list)

    def count_at(self, when: datetime) -> int:
        count = 0
        for at, value in self.series:
            if at > when:
                break
            count = value
        return count


@dataclass
class World:
    reddit_posts: dict[str, RedditPost] = field(default_factory=dict)  # by fullname
    bluesky_accounts: dict[str, BlueskyAccount] = field(default_factory=dict)  # by did
    bluesky_posts: dict[str, BlueskyPost] = field(default_factory=dict)  # by at-uri
    petitions: dict[str, PetitionPage] = field(default_factory=dict)  # by slug
    submitted: list[RedditPost] = field(default_factory=list)  # self-posts made through /api/submit
    # Reddit makes a new or low-karma account wait between posts (answered as RATELIMIT); off
    # unless a test sets it.
    submit_interval: timedelta = field(default_factory=timedelta)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def add_reddit_post(self, post: RedditPost) -> RedditPost:
        with self.lock:
            self.reddit_posts[post.fullname] = post
        return post

    def remove_reddit_post(self, fullname: str, by: str = "moderator") -> None:
        """Remove as a moderator does (``by="moderator"``) or delete as the author does (``"deleted"``)."""
        with self.lock:
            post = self.reddit_posts[fullname]
            post.removed_by_category = by
            if by == "deleted":
                post.author = None

    def visible_reddit(self, now: datetime) -> list[RedditPost]:
        """Posts created by ``now``, newest first (the order of ``/new``)."""
        with self.lock:
            shown = [p for p in self.reddit_posts.values() if p.created_at <= now]
        return sorted(shown, key=lambda p: (p.created_at, p.id), reverse=True)

    def add_account(self, account: BlueskyAccount) -> BlueskyAccount:
        with self.lock:
            self.bluesky_accounts[account.did] = account
        return account

    def account_by_handle(self, handle: str) -> BlueskyAccount | None:
        with self.lock:
            return next((a for a in self.bluesky_accounts.values() if a.handle == handle), None)

    def add_bluesky_post(self, post: BlueskyPost) -> BlueskyPost:
        with self.lock:
            self.bluesky_posts[post.uri] = post
        return post

    def delete_bluesky_post(self, uri: str) -> None:
        with self.lock:
            self.bluesky_posts[uri].deleted = True
