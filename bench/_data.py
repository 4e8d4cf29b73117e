"""Realistic Reddit listing pages at benchmark scale, generated deterministically.

Each post is Reddit's full listing JSON (``bot.sandbox._reddit_wire``: 104 fields, about
2.8 kB) and its text comes from the sandbox world's pools (``bot.sandbox._texts``): campaign
posts in seven languages with a hashtag, a keyword or a petition link, distress posts, near
misses that must not match, and ordinary chatter. Two mixes:

* ``listing``: a subreddit's ``/new`` as the sandbox world writes it; about half the posts are
  the campaign's and get stored, the rest are matched and dropped.
* ``campaign``: campaign posts only (what a search returns): every post pays for language
  detection and storage, the worst case per post read.

Self-texts are a post's template plus 0 to 14 more sentences in its language (about 130
characters on average, up to 1,600), so matching scans texts of realistic length.

Nothing on the measured path caches by text, so repeated templates do not flatter it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.sandbox import RedditPost
from bot.sandbox import _texts as texts
from bot.sandbox._generate import REDDIT_KINDS
from bot.sandbox._reddit_wire import thing

END = datetime(2026, 11, 1, tzinfo=UTC)
SUBREDDITS = ("ChatGPT", "OpenAI", "ChatGPTcomplaints", "MyBoyfriendIsAI", "singularity", "ChatGPTPro")
# The sandbox world's Reddit mix: kind -> weight.
LISTING_MIX = dict(REDDIT_KINDS)
CAMPAIGN_MIX = {"hashtag": 50, "keyword": 40, "link": 6, "care": 4}
MIXES = {"listing": LISTING_MIX, "campaign": CAMPAIGN_MIX}
# More sentences of the same kind and language, so bodies vary in length, not in kind.
_MORE = {
    (kind, lang): [text for code, text in pool if code == lang and "\n" not in text]
    + [text for text in texts.BODY if text and lang == "en" and kind != "care"]
    for kind, pool in texts.POOLS.items()
    for lang in {code for code, _ in pool}
}

_MORE_SENTENCES = (0, 1, 2, 4, 8, 14)
_MORE_WEIGHTS = (35, 25, 15, 12, 9, 4)


def _post(rng: random.Random, kinds: list[str], weights: list[int], made: int) -> RedditPost:
    kind = rng.choices(kinds, weights)[0]
    lang, template = rng.choice(texts.POOLS[kind])
    day = rng.randrange(1, 300)
    fill = {"tag": rng.choice(texts.TAGS), "n": day, "count": f"{20_500 + day * 15:,}"}
    title, _, body = template.format(**fill).partition("\n")
    link = body.startswith("http") or title.startswith("Petition update")
    if not link:
        # Self-text lengths vary as on Reddit: a third none, some a paragraph or more.
        more = rng.choices(_MORE_SENTENCES, _MORE_WEIGHTS)[0]
        pool = _MORE[kind, lang] or [title]
        body = " ".join([body, *(rng.choice(pool).format(**fill) for _ in range(more))]).strip()
    fate = rng.random()
    return RedditPost(
        id=f"b{made:07x}",
        subreddit=SUBREDDITS[made % len(SUBREDDITS)],
        author=f"user{rng.randrange(50_000)}",
        title=title[:300],
        selftext="" if link else body,
        created_at=END - timedelta(seconds=made * 30),
        url=body if link else None,
        score=int(rng.paretovariate(1.3) * 3),
        num_comments=rng.randrange(0, 400),
        upvote_ratio=round(rng.uniform(0.55, 1.0), 2),
        removed_by_category=("moderator" if fate < 0.01 else "deleted") if fate < 0.02 else None,
    )


def reddit_pages(
    count: int, seed: int = 1, per_page: int = 100, mix: str = "listing", first: int = 0
) -> Iterator[dict[str, Any]]:
    """``count`` posts as Reddit ``/new`` listing JSON pages (as PRAW hands them over), newest first.

    Post ids count up from ``first``: runs with disjoint ranges never see each other's posts.
    """
    rng = random.Random(seed)
    kinds, weights = list(MIXES[mix]), list(MIXES[mix].values())
    made, count = first, first + count
    while made < count:
        children = []
        for _ in range(min(per_page, count - made)):
            children.append(thing(_post(rng, kinds, weights, made)))
            made += 1
        after = f"t3_b{made - 1:07x}" if made < count else None
        yield {
            "kind": "Listing",
            "data": {"after": after, "before": None, "dist": len(children), "children": children,
                     "modhash": None, "geo_filter": ""},
        }  # fmt: skip
