"""The generated #keep4o world: what it holds and how it changes as time passes."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest

from bot.sandbox import LivingWorld, generate_world
from bot.sandbox._factory import facets_for, tid

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LANGUAGES = {"en", "nl", "fr", "de", "zh", "ja", "es"}


@pytest.fixture(scope="module")
def world() -> LivingWorld:
    return generate_world(seed=7, now=T0)


def all_text(world: LivingWorld) -> list[str]:
    reddit = [f"{p.title}\n{p.selftext}" for p in world.reddit_posts.values()]
    return reddit + [p.text for p in world.bluesky_posts.values()]


def test_posts_span_the_days_before_now_and_a_day_after(world: LivingWorld) -> None:
    times = [p.created_at for p in world.reddit_posts.values()]
    assert T0 - timedelta(days=35) <= min(times) < T0 - timedelta(days=34)
    assert T0 < max(times) <= T0 + timedelta(days=1)


def test_bluesky_posts_come_in_every_campaign_language(world: LivingWorld) -> None:
    assert {lang for p in world.bluesky_posts.values() for lang in p.langs} == LANGUAGES


@pytest.mark.parametrize(
    "phrase", ["#keep4o", "#Keep4o", "#4oforever", "keep 4o", "bring back GPT-4o", "保留4o"]
)
def test_campaign_terms_appear(world: LivingWorld, phrase: str) -> None:
    assert any(phrase in text for text in all_text(world))


@pytest.mark.parametrize("near_miss", ["keep4offline", "4o-mini pricing", "keep 40 dollars", "#keep40"])
def test_near_misses_that_must_not_match_appear(world: LivingWorld, near_miss: str) -> None:
    assert any(near_miss in text for text in all_text(world))


def test_some_posts_match_only_by_a_petition_link(world: LivingWorld) -> None:
    linked = [p for p in world.reddit_posts.values() if p.url and "change.org/p/keep-gpt-4o" in p.url]
    embedded = [p for p in world.bluesky_posts.values() if p.embed is not None]
    assert linked and embedded
    assert all(p.selftext == "" for p in linked)


def test_a_few_posts_use_the_care_lexicon(world: LivingWorld) -> None:
    texts = all_text(world)
    hits = [t for t in texts if any(w in t for w in ("want to die", "self-harm", "zelfmoord", "Suizid"))]
    assert 0 < len(hits) < len(texts) / 20


def test_tag_facets_point_at_the_hashtag_bytes(world: LivingWorld) -> None:
    tagged = [p for p in world.bluesky_posts.values() if p.facets]
    for post in tagged:
        raw = post.text.encode()
        for facet in cast(list[dict[str, Any]], post.facets):
            index, feature = facet["index"], facet["features"][0]
            if feature["$type"].endswith("#tag"):
                assert raw[index["byteStart"] : index["byteEnd"]].decode() == "#" + feature["tag"]
    assert len(tagged) > len(world.bluesky_posts) / 2


def test_facets_count_bytes_not_characters() -> None:
    [facet] = facets_for("请保留 #keep4o")
    assert facet["index"] == {"byteStart": 10, "byteEnd": 17}


def test_trailing_punctuation_is_not_part_of_a_tag_and_digits_alone_are_no_tag() -> None:
    facets = cast(list[dict[str, Any]], facets_for("#keep4o! and #2026 and x#no"))
    tags = [f["features"][0]["tag"] for f in facets]
    assert tags == ["keep4o"]


def test_some_keyword_posts_carry_the_tag_only_as_an_outline_tag(world: LivingWorld) -> None:
    outlined = [p for p in world.bluesky_posts.values() if p.tags == ["keep4o"]]
    assert outlined and all("#keep4o" not in p.text.lower() for p in outlined)


def test_record_keys_sort_by_creation_time() -> None:
    assert tid(T0) < tid(T0 + timedelta(microseconds=1)) < tid(T0 + timedelta(days=1))
    assert len(tid(T0)) == 13


def test_reddit_ids_grow_with_creation_time(world: LivingWorld) -> None:
    posts = sorted(world.reddit_posts.values(), key=lambda p: p.created_at)
    numbers = [int(p.id, 36) for p in posts]
    assert numbers == sorted(numbers)


def test_some_past_posts_are_already_removed_or_deleted(world: LivingWorld) -> None:
    fates = Counter(p.removed_by_category for p in world.reddit_posts.values())
    assert fates["moderator"] > 0 and fates["deleted"] > 0
    assert all(p.author is None for p in world.reddit_posts.values() if p.removed_by_category == "deleted")
    assert any(p.deleted for p in world.bluesky_posts.values())


def test_people_post_more_in_the_evening_than_at_night(world: LivingWorld) -> None:
    hours = Counter(p.created_at.hour for p in world.bluesky_posts.values())
    assert hours[19] > 2 * hours[3]


def test_engagement_keeps_growing_after_now() -> None:
    world = generate_world(seed=7, now=T0)
    young = [p for p in world.reddit_posts.values() if T0 - timedelta(hours=6) < p.created_at <= T0]
    before = sum(p.score for p in young)
    world.timeline.catch_up(world, T0 + timedelta(days=4))
    assert sum(p.score for p in young) > before


def test_later_removals_happen_when_their_time_comes() -> None:
    world = generate_world(seed=7, now=T0)
    removed_now = sum(p.removed_by_category is not None for p in world.reddit_posts.values())
    world.timeline.catch_up(world, T0 + timedelta(days=6))
    assert sum(p.removed_by_category is not None for p in world.reddit_posts.values()) > removed_now


def test_the_changeorg_petition_grows_from_about_20500_past_21000(world: LivingWorld) -> None:
    petition = world.petitions["keep-gpt-4o"]
    counts = [count for _, count in petition.series]
    assert (petition.kind, petition.goal, petition.state) == ("changeorg", 25_000, "open")
    assert 20_400 <= petition.count_at(T0 - timedelta(days=35)) <= 20_600
    assert petition.count_at(T0) > 21_000
    assert counts == sorted(counts)


def test_the_petition_has_bursts(world: LivingWorld) -> None:
    petition = world.petitions["keep-gpt-4o"]
    daily = [
        petition.count_at(T0 - timedelta(days=d)) - petition.count_at(T0 - timedelta(days=d + 1))
        for d in range(34)
    ]
    assert max(daily) > 2 * sorted(daily)[len(daily) // 2]


def test_the_uk_parliament_petition_is_700001(world: LivingWorld) -> None:
    petition = world.petitions["700001"]
    assert petition.kind == "uk_parliament" and petition.count_at(T0) > 0


def test_the_bot_account_and_the_test_accounts_can_log_in(world: LivingWorld) -> None:
    bot = world.account_by_handle("keep4o-bot.sandbox.test")
    alice = world.account_by_handle("alice.sandbox.test")
    assert bot is not None and alice is not None
    assert (bot.did, bot.app_password, bot.is_bot) == (
        "did:plc:keep4obotsandbox000000",
        "sandbox-app-password",
        True,
    )
    assert alice.app_password == "alice-app-password"


def test_volume_follows_posts_per_day() -> None:
    light = generate_world(seed=1, now=T0, days=10, reddit_per_day=10, bluesky_per_day=10)
    heavy = generate_world(seed=1, now=T0, days=10, reddit_per_day=100, bluesky_per_day=10)
    assert len(heavy.reddit_posts) > 5 * len(light.reddit_posts)


def test_each_call_returns_a_world_of_its_own() -> None:
    first = generate_world(seed=7, now=T0)
    second = generate_world(seed=7, now=T0)
    name = next(n for n, p in first.reddit_posts.items() if p.removed_by_category is None)
    first.remove_reddit_post(name, by="deleted")
    first.timeline.catch_up(first, T0 + timedelta(days=9))
    assert second.reddit_posts[name].removed_by_category is None
    assert len(second.timeline) > 0
