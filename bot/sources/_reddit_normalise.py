"""Reddit JSON (or a PRAW ``Submission``) into a :class:`PostRecord`; pure.

Field meanings follow Reddit's listing JSON (``kind: t3`` children): ``name`` is the fullname
used for dedupe and ``/api/info``, ``created_utc`` a float epoch, ``score`` and
``num_comments`` the engagement, ``removed_by_category`` / ``"[removed]"`` /
``"[deleted]"`` the signs of a post that is gone.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from ._lang import detect_language
from ._match import Matcher
from ._record import PostRecord, capped, storable

log = logging.getLogger(__name__)

REDDIT_WEB = "https://www.reddit.com"
DELETED = "[deleted]"
REMOVED = "[removed]"
# Titles Reddit shows in place of the real one on some gone posts.
_GONE_TITLES = {"[deleted by user]": "deleted", "[removed by reddit]": "removed"}


class MalformedResponse(ValueError):
    """A Reddit response that is not the listing it should be."""


def listing_page(payload: object) -> tuple[list[Mapping[str, Any]], str | None]:
    """The ``t3`` children's data of a listing and its ``after`` cursor.

    Anything that is not a listing raises :class:`MalformedResponse`; children of other kinds
    (comments, subreddits in ``/api/info``) are skipped.
    """
    data = payload.get("data") if isinstance(payload, Mapping) else None
    if (
        not isinstance(payload, Mapping)
        or payload.get("kind") != "Listing"
        or not isinstance(data, Mapping)
        or not isinstance(children := data.get("children"), list)
    ):
        raise MalformedResponse(f"expected a Reddit listing, got {_describe(payload)}")
    after = data.get("after")
    posts = [
        child["data"]
        for child in children
        if isinstance(child, Mapping) and child.get("kind") == "t3" and isinstance(child.get("data"), Mapping)
    ]
    return posts, after if isinstance(after, str) and after else None


def _describe(payload: object) -> str:
    text = repr(payload)
    return text if len(text) <= 80 else text[:77] + "..."


def submission_fields(item: Mapping[str, Any] | Any) -> Mapping[str, Any]:
    """A listing child's data as is; a PRAW ``Submission`` turned back into that shape."""
    if isinstance(item, Mapping):
        return item
    fields = {k: v for k, v in vars(item).items() if not k.startswith("_")}
    # PRAW turns "[deleted]" into author None and names into Redditor/Subreddit objects.
    author = fields.get("author")
    fields["author"] = DELETED if author is None else str(author)
    fields["subreddit"] = str(fields.get("subreddit", ""))
    return fields


def post_state(data: Mapping[str, Any]) -> str:
    """``live``, ``removed`` (by moderators, Reddit or a filter) or ``deleted`` (by its author)."""
    category = data.get("removed_by_category")
    selftext = data.get("selftext")
    if category == "deleted" or selftext == DELETED:
        return "deleted"
    if category or selftext == REMOVED:
        return "removed"
    return _GONE_TITLES.get(str(data.get("title")), "live")


def _permalink_url(permalink: str) -> str:
    # Search results have carried "?ref=search_posts"; the post's address is the path alone.
    # A plain path, as nearly every permalink is, is its own path; urlsplit costs 2 µs a post.
    plain = permalink[:1] == "/" and permalink[1:2] != "/" and permalink.isprintable()
    if plain and "?" not in permalink and "#" not in permalink:
        return REDDIT_WEB + permalink
    return REDDIT_WEB + urlsplit(permalink).path


def normalise_submission(
    item: Mapping[str, Any] | Any, matcher: Matcher, *, keep_unmatched: bool = False
) -> PostRecord | None:
    """The record of one submission, or ``None`` if it does not match the campaign.

    ``keep_unmatched`` returns a record even without a matched term (the engagement refresh
    of known posts). Raises :class:`MalformedResponse` if a post to be returned misses a
    required field or has one of the wrong type.
    """
    data = submission_fields(item)
    title = data.get("title")
    selftext = data.get("selftext")
    body = selftext if isinstance(selftext, str) and selftext not in (REMOVED, DELETED) else ""
    link = data.get("url")
    urls = [link] if isinstance(link, str) and not data.get("is_self") else []
    # Matching first: most posts a listing holds are not the campaign's and need nothing else.
    reading = matcher.read([title if isinstance(title, str) else "", body], urls=urls)
    terms = reading.terms
    if not terms and not keep_unmatched:
        return None
    try:
        fullname = data["name"]
        permalink = data["permalink"]
        if not (isinstance(fullname, str) and fullname.startswith("t3_")):
            raise TypeError(f"'name' is {fullname!r}")
        if not isinstance(title, str) or not isinstance(permalink, str):
            raise TypeError("'title' or 'permalink' is not a string")
        likes = capped(int(data.get("score") or 0))
        replies = capped(int(data.get("num_comments") or 0))
        created_at = datetime.fromtimestamp(float(data["created_utc"]), UTC)
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise MalformedResponse(f"malformed Reddit post {data.get('name')!r}: {exc}") from None
    author = data.get("author")
    author_id = data.get("author_fullname")
    deleted_author = not isinstance(author, str) or author == DELETED
    subreddit = data.get("subreddit")
    title, body = storable(title), storable(body)
    return PostRecord(
        platform="reddit",
        platform_id=storable(fullname),
        url=storable(_permalink_url(permalink)),
        author_handle=None if deleted_author else storable(str(author)),
        author_id=storable(author_id) if isinstance(author_id, str) and not deleted_author else None,
        title=title,
        text=body,
        created_at=created_at,
        lang=detect_language(title, body),
        community=storable(subreddit) if isinstance(subreddit, str) and subreddit else None,
        matched_terms=terms,
        likes=likes,
        replies=replies,
        sensitive=reading.sensitive(),
        state=post_state(data),
    )


def normalise_page(
    posts: list[Mapping[str, Any]], matcher: Matcher, *, keep_unmatched: bool = False
) -> list[PostRecord]:
    """Records of a page's campaign posts; a malformed post is logged and skipped, not fatal.

    Skipping is deliberate: Reddit would serve the same broken item on every poll, and failing
    the page for it would stall the collector for good.
    """
    records = []
    for data in posts:
        try:
            record = normalise_submission(data, matcher, keep_unmatched=keep_unmatched)
        except MalformedResponse as exc:
            log.warning("skipping a post: %s", exc)
            continue
        if record is not None:
            records.append(record)
    return records
