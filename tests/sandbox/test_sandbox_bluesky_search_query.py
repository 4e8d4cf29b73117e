"""The production search semantics, as pure functions: query parsing, matching, ranking, pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sandbox_bluesky_support import ALICE, BOB, T0, post

from bot.sandbox._bluesky_search import MAX_OFFSET, matches, paginate, parse_query, parse_when, rank


def hit(text: str, q: str, **kwargs: object) -> bool:
    found: bool = matches(post(ALICE, text, 5, **kwargs), parse_query(q), None, None)
    return found


def test_words_match_whole_tokens_whatever_their_case() -> None:
    assert hit("Please KEEP4O around", "keep4o")
    assert not hit("keep4offline is another campaign", "keep4o")


def test_a_hashtag_in_the_text_is_found_by_its_word() -> None:
    assert hit("we want #keep4o", "keep4o")


def test_every_word_is_required() -> None:
    assert hit("bring back gpt-4o", "gpt-4o back")
    assert not hit("bring back the old model", "gpt-4o back")


def test_accents_fold_away() -> None:
    assert hit("Wir wollen GPT-4o behälten", "behalten")


def test_a_quoted_phrase_needs_its_words_in_order() -> None:
    assert hit("bring back 4o", '"bring back"')
    assert not hit("back to bring", '"bring back"')


def test_a_minus_word_excludes() -> None:
    assert not hit("keep4o and cats", "keep4o -cats")
    assert hit("keep4o and dogs", "keep4o -cats")


def test_chinese_and_japanese_match_as_character_sequences() -> None:
    assert hit("我们要保留4o！", "保留4o")
    assert hit("4oを残して欲しい", "残して")
    assert not hit("保存模型", "保留")


def test_a_hashtag_token_is_a_tag_filter_on_facets_or_the_tags_field() -> None:
    assert parse_query("#Keep4o").tags == ["keep4o"]
    assert parse_query("#Keep4o").phrases == []
    assert hit("signed today #keep4o", "#KEEP4O")
    assert hit("no tag in the text", "#keep4o", tags=["Keep4o"])
    assert not hit("keep4o without the hash", "#keep4o")


def test_several_tags_must_all_be_present() -> None:
    assert hit("#keep4o #4oforever", "#keep4o #4oforever")
    assert not hit("#keep4o only", "#keep4o #4oforever")


def test_filters_in_the_query_are_lifted_out() -> None:
    query = parse_query(
        "from:@alice.test lang:fr since:2026-02-01 until:2026-02-02T12:00:00Z domain:change.org words"
    )
    assert (query.author, query.lang, query.domain) == ("alice.test", "fr", "change.org")
    assert query.since == datetime(2026, 2, 1, tzinfo=UTC)
    assert query.until == datetime(2026, 2, 2, 12, tzinfo=UTC)
    assert query.phrases == [("words",)]


def test_since_is_inclusive_and_until_exclusive() -> None:
    item = post(ALICE, "x", 10)
    at = item.created_at
    since, until = parse_query("x"), parse_query("x")
    since.since, until.until = at, at
    assert matches(item, since, None, None)
    assert not matches(item, until, None, None)


def test_a_date_or_a_naive_datetime_is_read_as_utc() -> None:
    assert parse_when("2026-03-01") == datetime(2026, 3, 1, tzinfo=UTC)
    assert parse_when("2026-03-01T10:00:00") == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert parse_when("2026-03-01T11:00:00+01:00") == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert parse_when("yesterday") is None


def test_language_matches_the_primary_subtag() -> None:
    query = parse_query("x")
    query.lang = "pt"
    assert matches(post(ALICE, "x", 1, langs=["pt-BR"]), query, None, None)
    assert not matches(post(ALICE, "x", 1, langs=["en"]), query, None, None)


def test_author_filter_compares_the_resolved_did() -> None:
    query = parse_query("from:alice.sandbox.test x")
    assert matches(post(ALICE, "x", 1), query, ALICE, None)
    assert not matches(post(BOB, "x", 1), query, ALICE, None)
    assert not matches(post(ALICE, "x", 1), query, None, None)  # an unknown author matches nothing


def test_latest_ranks_newest_first_and_top_by_engagement() -> None:
    old, new = post(ALICE, "old", 60), post(ALICE, "new", 5)
    old.like_count = 10
    assert rank([old, new], "latest") == [new, old]
    assert rank([new, old], "top") == [old, new]


def test_a_full_page_carries_the_next_offset_and_the_last_one_none() -> None:
    hits = [post(ALICE, f"p{i}", i) for i in range(5)]
    first = paginate(hits, 0, 2)
    assert (first.cursor, first.hits_total, len(first.posts)) == ("2", 5, 2)
    assert paginate(hits, 4, 2).cursor is None


def test_pages_stop_at_ten_thousand_and_larger_totals_are_not_counted() -> None:
    hits = [post(ALICE, "p", 0, clock_id=0)] * (MAX_OFFSET + 50)
    assert paginate(hits, MAX_OFFSET - 100, 100).cursor is None
    assert paginate(hits, 0, 100).hits_total is None
    assert paginate(hits[:MAX_OFFSET], 0, 100).hits_total == MAX_OFFSET


def test_sort_time_is_the_earlier_of_created_and_indexed() -> None:
    backdated = post(ALICE, "x", 0)
    backdated.created_at = T0 - timedelta(days=365)
    query = parse_query("x")
    query.since = T0 - timedelta(days=1)
    assert not matches(backdated, query, None, None)
