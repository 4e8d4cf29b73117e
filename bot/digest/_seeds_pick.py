"""Which background articles fit a day's conversation (pure).

Relevance of an article = for each of its topics, the share of the day's sampled
posts that mention the topic (words folded, matched on word boundaries), summed;
plus the share of the day's posts written in the article's language. Only articles
with some shared topic are chosen (a language alone is not relevance), at most
three, best first; ties go to the newer article, then the id, so the choice is stable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from bot.seeds import SeedArticle
from bot.sources import fold

from ._model import SeedLink

MAX_SEEDS = 3


@dataclass(frozen=True)
class Scored:
    seed: SeedArticle
    topics: float
    language: float

    @property
    def score(self) -> float:
        return self.topics + self.language


def _mentions(topic: str, folded_texts: Sequence[str]) -> int:
    """How many of the (folded) texts mention ``topic``: its words in order, on word boundaries."""
    words = [w for w in re.split(r"[\s_\-]+", fold(topic)) if w]
    pattern = re.compile(r"(?<!\w)" + r"[\s_\-]*".join(map(re.escape, words)) + r"(?!\w)")
    # A text the pattern matches holds each word as it is, the longest too; most texts do not,
    # and that substring check is much cheaper than the search.
    longest = max(words, key=len, default="")
    return sum(1 for text in folded_texts if longest in text and pattern.search(text))


def score_seeds(
    seeds: Sequence[SeedArticle], post_texts: Sequence[str], languages: Mapping[str, int]
) -> list[Scored]:
    """Every seed with its relevance, best first."""
    folded = [fold(text) for text in post_texts]
    total_lang = sum(languages.values())
    shares: dict[str, float] = {}  # per topic: articles share topics ("gpt-4o", "petition")
    scored = []
    for seed in seeds:
        topics = 0.0
        if folded:
            for topic in seed.topics:
                if topic not in shares:
                    shares[topic] = _mentions(topic, folded) / len(folded)
                topics += shares[topic]
        language = languages.get(seed.language, 0) / total_lang if total_lang else 0.0
        scored.append(Scored(seed, topics, language))
    return sorted(scored, key=lambda s: (-s.score, -(s.seed.date or date.min).toordinal(), s.seed.id))


def seed_link(seed: SeedArticle, public_base_url: str | None) -> SeedLink:
    """Its own URL, else its page on the bot's site, else no link (title and outlet only)."""
    url = seed.url or (f"{public_base_url.rstrip('/')}/seeds/{seed.id}" if public_base_url else None)
    return SeedLink(id=seed.id, title=seed.title, outlet=seed.outlet, language=seed.language, url=url)


def pick_seeds(
    seeds: Sequence[SeedArticle],
    post_texts: Sequence[str],
    languages: Mapping[str, int],
    public_base_url: str | None,
) -> tuple[SeedLink, ...]:
    chosen = [s for s in score_seeds(seeds, post_texts, languages) if s.topics > 0][:MAX_SEEDS]
    return tuple(seed_link(s.seed, public_base_url) for s in chosen)
