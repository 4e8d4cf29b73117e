"""Choosing background articles for the day's conversation."""

from __future__ import annotations

import datetime as dt

from bot.digest import SeedLink, pick_seeds
from bot.seeds import SeedArticle, load_manifest


def _seed(
    id: str, topics: tuple[str, ...], language: str = "en", url: str | None = None, day: int = 1
) -> SeedArticle:
    return SeedArticle(
        id=id,
        file=f"{id}.txt",
        title=id.title(),
        language=language,
        topics=topics,
        summary="s",
        url=url,
        date=dt.date(2026, 2, day),
    )


def test_articles_sharing_the_days_topics_come_first_at_most_three() -> None:
    seeds = [
        _seed("safety", ("safety", "lawsuits")),
        _seed("launch", ("launch", "voice")),
        _seed("petition", ("petition", "change.org")),
        _seed("grief", ("grief",)),
        _seed("campaign", ("keep4o", "petition")),
    ]
    posts = ["Sign the petition! #keep4o", "the petition on change.org", "keep4o forever", "so much grief"]
    chosen = pick_seeds(seeds, posts, {"en": 4}, None)
    assert [s.id for s in chosen] == ["campaign", "petition", "grief"]


def test_no_shared_topic_means_no_background() -> None:
    assert pick_seeds([_seed("launch", ("launch",))], ["nothing relevant"], {"en": 1}, None) == ()


def test_the_days_language_breaks_a_tie() -> None:
    seeds = [_seed("english", ("petition",), "en", day=20), _seed("dutch", ("petition",), "nl", day=1)]
    chosen = pick_seeds(seeds, ["petitie petition"], {"nl": 3, "en": 1}, None)
    assert [s.id for s in chosen] == ["dutch", "english"]


def test_topics_fold_accents_as_the_campaign_matcher_does() -> None:
    # "pétition" (French) in a post written without accents, and the other way round.
    seeds = [_seed("fr", ("pétition",), "fr"), _seed("nl", ("protest",), "nl")]
    chosen = pick_seeds(seeds, ["signez la petition", "PROTÈST vandaag"], {"fr": 1, "nl": 1}, None)
    assert sorted(s.id for s in chosen) == ["fr", "nl"]


def test_topics_match_whole_words_across_hyphens() -> None:
    seeds = [_seed("model", ("gpt-4o",)), _seed("free", ("free tier",))]
    chosen = pick_seeds(seeds, ["I miss GPT 4o", "freedom tiers"], {}, None)
    assert [s.id for s in chosen] == ["model"]


def test_links_are_the_articles_url_else_the_bots_page_else_none() -> None:
    seeds = [_seed("a", ("x",), url="https://news.example/a"), _seed("b", ("x",))]
    with_site = pick_seeds(seeds, ["x"], {}, "https://keep4o.example.org/")
    assert [s.url for s in with_site] == ["https://news.example/a", "https://keep4o.example.org/seeds/b"]
    without = pick_seeds(seeds, ["x"], {}, None)
    assert [s.url for s in without] == ["https://news.example/a", None]


def test_the_projects_seeds_are_chosen_for_a_petition_day() -> None:
    chosen = pick_seeds(
        load_manifest(), ["Sign the #keep4o petition", "keep4o petition at 21k"], {"en": 2}, None
    )
    assert [s.id for s in chosen] == ["en-true-value-of-4o", "nl-gpt4o-retired-keep4o"]
    assert chosen[0] == SeedLink(
        "en-true-value-of-4o",
        "The True Value of 4o: Currently the Only ChatGPT that Resembles a General-Purpose Model",
        None,
        "en",
        None,
    )
