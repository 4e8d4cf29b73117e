"""``POST /api/submit``: Reddit's checks and answers for a new post (pure over the world).

Any well-formed subreddit name exists. Field errors come back as 200 with
``json.errors`` (what PRAW turns into ``RedditAPIException``); a title with a
blocked string is refused up front with the 400 ``SUBMIT_VALIDATION_ERROR``
recorded from Reddit (``TestSubreddit.test_submit__verify_invalid``). With
``World.submit_interval`` set, an account posting again too soon gets ``RATELIMIT``, worded as
Reddit words it.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from ._factory import next_reddit_id
from ._reddit_wire import WEB, permalink
from ._world import RedditPost, World

_SUBREDDIT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]{1,20}$")
# The string the recorded refusal names, and one for people trying the sandbox by hand.
BLOCKED_TITLE_STRINGS = ("dfgfdgfdgdf", "[blocked]")
TITLE_MAX = 300
TEXT_MAX = 40_000


def _errors(*errors: tuple[str, str, str]) -> tuple[int, dict[str, Any]]:
    return 200, {"json": {"errors": [list(e) for e in errors]}}


def _ratelimit_wait(world: World, username: str, now: datetime) -> timedelta:
    """How long ``username`` must still wait before posting again (zero: it may post)."""
    with world.lock:
        last = max((p.created_at for p in world.submitted if p.author == username), default=None)
    return timedelta(0) if last is None else max(timedelta(0), last + world.submit_interval - now)


def submit(world: World, form: dict[str, str], username: str, now: datetime) -> tuple[int, dict[str, Any]]:
    """(status, body) for a submit form from ``username``; a new post is added to the world."""
    subreddit = form.get("sr", "")
    title = form.get("title", "")
    kind = form.get("kind", "link")
    text = form.get("text", "")
    url = form.get("url")
    if not _SUBREDDIT.match(subreddit):
        return _errors(("SUBREDDIT_NOEXIST", "that subreddit doesn't exist", "sr"))
    if not title.strip():
        return _errors(("NO_TEXT", "we need something here", "title"))
    if len(title) > TITLE_MAX:
        return _errors(("TOO_LONG", f"this is too long (max: {TITLE_MAX})", "title"))
    if len(text) > TEXT_MAX:
        return _errors(("TOO_LONG", f"this is too long (max: {TEXT_MAX})", "text"))
    if kind not in ("self", "link"):
        return _errors(("INVALID_OPTION", "that option is not valid", "kind"))
    if kind == "link" and not url:
        return _errors(("NO_URL", "a url is required", "url"))
    if wait := _ratelimit_wait(world, username, now):
        minutes = max(1, round(wait.total_seconds() / 60))
        return _errors(
            (
                "RATELIMIT",
                f"Looks like you've been doing that a lot. Take a break for {minutes} minutes "
                "before trying again.",
                "ratelimit",
            )
        )
    blocked = next((s for s in BLOCKED_TITLE_STRINGS if s in title.lower()), None)
    if blocked is not None and form.get("validate_on_submit", "").lower() == "true":
        return 400, {
            "fields": ["title"],
            "explanation": f'You may not have "{blocked}" in your title. ',
            "error_type": "SUBMIT_VALIDATION_ERROR",
            "message": "Bad Request",
            "reason": "SUBMIT_VALIDATION_TITLE_BLACKLISTED_STRING",
        }
    with world.lock:
        post = RedditPost(
            id=next_reddit_id(world),
            subreddit=subreddit,
            author=username,
            title=title,
            selftext=text if kind == "self" else "",
            created_at=now,
            url=url if kind == "link" else None,
            over_18=form.get("nsfw", "").lower() == "true",
        )
        world.add_reddit_post(post)
        world.submitted.append(post)
    data = {"url": WEB + permalink(post), "drafts_count": 0, "id": post.id, "name": post.fullname}
    return 200, {"json": {"errors": [], "data": data}}
