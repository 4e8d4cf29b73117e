"""Reddit's JSON for posts and listings, field for field.

The field set, order and types follow a real 2026 listing
(``fixtures/reddit/TestSubmission.test_hide_multiple_in_batches.json``, structure
derived from PRAW's cassettes, BSD-2-Clause, (c) Bryce Boe); the bot-facing
fields carry the sandbox world's values, the rest Reddit's defaults for a
public, unmoderated post.
"""

from __future__ import annotations

import hashlib
import html
import re
from typing import Any
from urllib.parse import urlsplit

from ._world import RedditPost

WEB = "https://www.reddit.com"
_FLAIRS = ("Discussion", "Serious replies only", "Other", "News", None, None)


def _stable(text: str, modulo: int) -> int:
    return int(hashlib.sha1(text.encode()).hexdigest()[:8], 16) % modulo


def subreddit_id(name: str) -> str:
    return "t5_" + hashlib.sha1(name.lower().encode()).hexdigest()[:6]


def subscribers(name: str) -> int:
    return 50_000 + _stable(name.lower(), 11_000_000)


def slug(title: str) -> str:
    """r2's ``title_to_url``: spaces to "_", other non-word characters dropped, cut near 50 chars."""
    text = re.sub(r"_+", "_", re.sub(r"\W", "", re.sub(r"\s+", "_", title))).strip("_").lower()
    if len(text) > 50:
        text = text[:50]
        if text.rfind("_") > 0:
            text = text[: text.rfind("_")]
    return text or "_"


def permalink(post: RedditPost) -> str:
    return f"/r/{post.subreddit}/comments/{post.id}/{slug(post.title)}/"


def _selftext_html(text: str) -> str | None:
    if not text:
        return None
    paragraphs = "".join(f"<p>{html.escape(p)}</p>\n" for p in text.split("\n\n") if p.strip())
    return f'<!-- SC_OFF --><div class="md">{paragraphs}</div><!-- SC_ON -->'


def post_data(post: RedditPost) -> dict[str, Any]:
    """The ``data`` of a ``t3`` thing as a listing shows it to a logged-out reader."""
    deleted = post.removed_by_category == "deleted"
    removed = post.removed_by_category is not None
    link = post.url is not None
    # A removed or deleted self-post keeps its title; its text is replaced (link posts have none).
    selftext = ("[deleted]" if deleted else "[removed]") if removed and not link else post.selftext
    link_url = post.url or ""
    url = link_url if link else WEB + permalink(post)
    flair = _FLAIRS[_stable(post.id, len(_FLAIRS))]
    created = float(int(post.created_at.timestamp()))  # Reddit's epochs are whole seconds
    data: dict[str, Any] = {
        "approved_at_utc": None,
        "subreddit": post.subreddit,
        "selftext": selftext,
    }
    if post.author is not None:
        data["author_fullname"] = post.author_fullname
    data |= {
        "saved": False,
        "mod_reason_title": None,
        "gilded": 0,
        "clicked": False,
        "title": post.title,
        "link_flair_richtext": [{"e": "text", "t": flair}] if flair else [],
        "subreddit_name_prefixed": f"r/{post.subreddit}",
        "hidden": False,
        "pwls": 6,
        "link_flair_css_class": flair.lower().replace(" ", "-") if flair else None,
        "downs": 0,
        "thumbnail_height": None,
        "top_awarded_type": None,
        "hide_score": False,
        "name": post.fullname,
        "quarantine": False,
        "link_flair_text_color": "dark" if flair else None,
        "upvote_ratio": float(post.upvote_ratio),
        "author_flair_background_color": None,
        "subreddit_type": "public",
        "ups": post.score,
        "total_awards_received": 0,
        "media_embed": {},
        "thumbnail_width": None,
        "author_flair_template_id": None,
        "is_original_content": False,
        "user_reports": [],
        "secure_media": None,
        "is_reddit_media_domain": False,
        "is_meta": False,
        "category": None,
        "secure_media_embed": {},
        "link_flair_text": flair,
        "can_mod_post": False,
        "score": post.score,
        "approved_by": None,
        "is_created_from_ads_ui": False,
        "author_premium": False,
        "thumbnail": "default" if link else "self",
        "edited": False,
        "author_flair_css_class": None,
        "author_flair_richtext": [],
        "gildings": {},
    }
    if link:
        data["post_hint"] = "link"
    data |= {
        "content_categories": None,
        "is_self": not link,
        "mod_note": None,
        "created": created,
        "link_flair_type": "richtext" if flair else "text",
        "wls": 6,
        "removed_by_category": post.removed_by_category,
        "banned_by": None,
        "author_flair_type": "text",
        "domain": (urlsplit(link_url).hostname or "").removeprefix("www.")
        if link
        else f"self.{post.subreddit}",
        "allow_live_comments": False,
        "selftext_html": _selftext_html(selftext),
        "likes": None,
        "suggested_sort": None,
        "banned_at_utc": None,
    }
    if link:
        data["url_overridden_by_dest"] = link_url
    data |= {
        "view_count": None,
        "archived": False,
        "no_follow": post.score < 3,
        "is_crosspostable": not removed,
        "pinned": False,
        "over_18": post.over_18,
        "all_awardings": [],
        "awarders": [],
        "media_only": False,
        "can_gild": False,
        "spoiler": False,
        "locked": False,
        "author_flair_text": None,
        "treatment_tags": [],
        "visited": False,
        "removed_by": None,
        "num_reports": None,
        "distinguished": None,
        "subreddit_id": subreddit_id(post.subreddit),
        "author_is_blocked": False,
        "mod_reason_by": None,
        "removal_reason": None,
        "link_flair_background_color": "" if flair else None,
        "id": post.id,
        "is_robot_indexable": not removed,
        "report_reasons": None,
        "author": post.author if post.author is not None else "[deleted]",
        "discussion_type": None,
        "num_comments": post.num_comments,
        "send_replies": True,
        "contest_mode": False,
        "mod_reports": [],
        "author_patreon_flair": False,
        "author_flair_text_color": None,
        "permalink": permalink(post),
        "stickied": False,
        "url": url,
        "subreddit_subscribers": subscribers(post.subreddit),
        "created_utc": created,
        "num_crossposts": 0,
        "media": None,
        "is_video": False,
    }
    return data


def thing(post: RedditPost) -> dict[str, Any]:
    return {"kind": "t3", "data": post_data(post)}


def listing(
    posts: list[RedditPost], *, after: str | None = None, before: str | None = None, search: bool = False
) -> dict[str, Any]:
    """A ``Listing`` envelope; search results also carry ``facets``."""
    data: dict[str, Any] = {"after": after, "dist": len(posts)}
    if search:
        data["facets"] = {}
    data |= {"modhash": None, "geo_filter": None, "children": [thing(p) for p in posts], "before": before}
    return {"kind": "Listing", "data": data}
