"""Which posts a Reddit listing or search returns, in which order (pure functions).

Search is a plain case-insensitive word search over title and text: a query is
terms joined by AND (``OR`` between groups), a term a word or a "quoted phrase";
``#`` and other punctuation are not part of words, so ``#keep4o`` finds "keep4o".
Reddit's real ranking is unknown and its index lags; this keeps only the
documented parameters' meaning.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from ._world import RedditPost

LISTING_CAP = 1000  # Reddit precomputes 1000 items per listing
SEARCH_CAP = 250  # community-observed: search stops after about 250 results
TIME_FILTERS = {
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
    "month": timedelta(days=30),
    "year": timedelta(days=365),
}
_WORD = re.compile(r"\w+")
_TERM = re.compile(r'"([^"]*)"|(\S+)')


def words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def parse_query(q: str) -> list[list[tuple[str, ...]]]:
    """``a "b c" OR d`` -> ``[[("a",), ("b", "c")], [("d",)]]``: alternatives of AND-ed phrases."""
    groups: list[list[tuple[str, ...]]] = [[]]
    for phrase, word in _TERM.findall(q):
        if word == "OR":
            groups.append([])
            continue
        tokens = tuple(words(phrase or word))
        if tokens:
            groups[-1].append(tokens)
    return [g for g in groups if g]


def _has_phrase(tokens: Sequence[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(tokens[i : i + n]) == phrase for i in range(len(tokens) - n + 1))


def matches(post: RedditPost, query: list[list[tuple[str, ...]]]) -> int:
    """How many query phrases the post contains if it matches (0 if not); the relevance score."""
    tokens = words(f"{post.title}\n{post.selftext}")
    best = 0
    for group in query:
        if all(_has_phrase(tokens, phrase) for phrase in group):
            best = max(best, sum(tokens.count(phrase[0]) for phrase in group))
    return best


def _hot(post: RedditPost) -> float:
    # Reddit's published hot formula (r2 _sorts.pyx): log10 of score plus age in 12.5 h units.
    order = math.log10(max(abs(post.score), 1))
    sign = 1 if post.score > 0 else -1 if post.score < 0 else 0
    return sign * order + (post.created_at.timestamp() - 1134028003) / 45000


def _sort_key(sort: str, relevance: int, post: RedditPost) -> tuple[float, ...]:
    newest = (post.created_at.timestamp(), int(post.id, 36))
    if sort == "new":
        return newest
    if sort == "top":
        return (post.score, *newest)
    if sort == "comments":
        return (post.num_comments, *newest)
    if sort == "hot":
        return (_hot(post), *newest)
    return (relevance, post.score, *newest)


def in_subreddits(posts: Sequence[RedditPost], names: str) -> list[RedditPost]:
    """Posts in ``a+b+c`` (case-insensitive); ``all`` and ``popular`` mean every subreddit."""
    wanted = {n.lower() for n in names.split("+") if n}
    if wanted & {"all", "popular"}:
        return list(posts)
    return [p for p in posts if p.subreddit.lower() in wanted]


def search(
    posts: Sequence[RedditPost], q: str, *, sort: str, time_filter: str, now: datetime
) -> list[RedditPost]:
    """Posts (already visible and listable) matching ``q`` within ``time_filter``, sorted, capped."""
    query = parse_query(q)
    window = TIME_FILTERS.get(time_filter)
    scored = [
        (score, p)
        for p in posts
        if (window is None or p.created_at >= now - window) and (score := matches(p, query))
    ]
    scored.sort(key=lambda item: _sort_key(sort, *item), reverse=True)
    return [p for _, p in scored[:SEARCH_CAP]]


def page(
    items: Sequence[RedditPost],
    *,
    anchor_key: tuple[datetime, str] | None,
    direction: str,
    limit: int,
) -> tuple[list[RedditPost], str | None, str | None]:
    """One page of a newest-first listing: (posts, after, before).

    ``direction`` is "after" (older than the anchor) or "before" (newer than it: the ``limit``
    posts just above it, as Reddit turns ``before`` into a reversed ``after``).
    """
    if anchor_key is None:
        chosen = list(items[:limit])
        more = len(items) > limit
        return chosen, (chosen[-1].fullname if more and chosen else None), None
    if direction == "after":
        older = [p for p in items if (p.created_at, p.id) < anchor_key]
        chosen = older[:limit]
        more = len(older) > limit
        return chosen, (chosen[-1].fullname if more and chosen else None), None
    newer = [p for p in items if (p.created_at, p.id) > anchor_key]
    chosen = newer[-limit:] if limit else []
    more = len(newer) > limit
    return chosen, None, (chosen[0].fullname if more and chosen else None)
