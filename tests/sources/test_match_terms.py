"""Which campaign terms a post mentions (bot.sources.Matcher), as a specification."""

from __future__ import annotations

import pytest

from bot.config import Care, Match
from bot.sources import Matcher

MATCH = Match(
    hashtags=["keep4o", "4oforever", "keep4oAPI"],
    keywords=["keep 4o", "keep GPT-4o", "GPT-4o retirement", "garder GPT-4o", "保留4o", "4oを残して"],
    exclude=["keep4offline", "don't keep 4o"],
)
CARE = Care(distress_terms=["want to die", "self-harm", "zelfmoord", "死にたい", "自杀"])


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(MATCH, CARE)


@pytest.mark.parametrize("text", ["#keep4o", "#Keep4o", "KEEP4O", "we say keep4o!", "(keep4o)", "keep4o's"])
def test_a_hashtag_matches_with_or_without_hash_in_any_case(matcher: Matcher, text: str) -> None:
    assert "keep4o" in matcher.terms([text])


def test_full_width_characters_match_their_ascii_term(matcher: Matcher) -> None:
    assert matcher.terms(["ｋｅｅｐ４ｏ"]) == ("keep4o", "keep 4o")


@pytest.mark.parametrize("text", ["keep4offline", "keep4o2", "mykeep4o", "keep4o_fans"])
def test_a_term_inside_a_longer_word_does_not_match(matcher: Matcher, text: str) -> None:
    assert matcher.terms([text]) == ()


def test_a_longer_hashtag_matches_itself_and_not_its_prefix(matcher: Matcher) -> None:
    assert matcher.terms(["#keep4oAPI"]) == ("keep4oAPI",)


@pytest.mark.parametrize("text", ["keep 4o", "keep-4o", "keep_4o", "keep4o", "Keep  4o", "keep\n4o"])
def test_a_keyword_space_matches_spaces_dashes_underscores_or_nothing(matcher: Matcher, text: str) -> None:
    assert "keep 4o" in matcher.terms([text])


def test_a_hyphen_in_a_keyword_is_as_flexible_as_a_space(matcher: Matcher) -> None:
    assert matcher.terms(["Keep GPT 4o please"]) == ("keep GPT-4o",)
    assert matcher.terms(["keep gpt4o"]) == ("keep GPT-4o",)


def test_typographic_dashes_count_as_separators(matcher: Matcher) -> None:
    assert matcher.terms(["Keep GPT\u20114o"]) == ("keep GPT-4o",)


def test_a_hashtag_does_not_match_a_spaced_spelling(matcher: Matcher) -> None:
    assert matcher.terms(["4o forever"]) == ()


def test_accents_are_ignored(matcher: Matcher) -> None:
    assert matcher.terms(["Gardér GPT-4o, s'il vous plaît"]) == ("garder GPT-4o",)


def test_chinese_terms_match_inside_a_sentence_without_spaces(matcher: Matcher) -> None:
    assert matcher.terms(["我们一定要保留4o吧"]) == ("保留4o",)


def test_japanese_terms_match_inside_a_sentence(matcher: Matcher) -> None:
    assert matcher.terms(["お願い4oを残してください"]) == ("4oを残して",)


def test_a_latin_term_next_to_cjk_text_still_matches(matcher: Matcher) -> None:
    assert "keep4o" in matcher.terms(["支持keep4o运动"])


def test_overlapping_terms_are_all_reported(matcher: Matcher) -> None:
    assert matcher.terms(["Keep GPT-4o retirement off the table"]) == ("keep GPT-4o", "GPT-4o retirement")


def test_terms_come_back_in_config_order_once_each(matcher: Matcher) -> None:
    assert matcher.terms(["#4oforever", "#keep4o #keep4o", "keep4o"]) == ("keep4o", "4oforever", "keep 4o")


def test_the_title_and_the_body_are_both_searched(matcher: Matcher) -> None:
    assert matcher.terms(["Nothing here", "but #4oforever in the body"]) == ("4oforever",)


def test_a_term_does_not_span_two_parts_of_a_post(matcher: Matcher) -> None:
    assert matcher.terms(["please keep", "4o is great"]) == ()


def test_tags_are_matched_like_words(matcher: Matcher) -> None:
    assert matcher.terms([], tags=["Keep4o"]) == ("keep4o", "keep 4o")
    assert matcher.terms([], tags=["keep4oforever"]) == ()


def test_url_path_tokens_split_on_dashes_match_keywords(matcher: Matcher) -> None:
    assert matcher.terms([], urls=["https://www.change.org/p/keep-gpt-4o"]) == ("keep GPT-4o",)


def test_url_tokens_split_on_underscores_and_percent_encoding(matcher: Matcher) -> None:
    assert matcher.terms([], urls=["https://example.org/keep4o_campaign"]) == ("keep4o", "keep 4o")
    assert matcher.terms([], urls=["https://example.org/search?q=%E4%BF%9D%E7%95%994o"]) == ("保留4o",)


def test_an_excluded_phrase_hides_the_term_inside_it(matcher: Matcher) -> None:
    assert matcher.terms(["Honestly, don't keep 4o"]) == ()


def test_a_term_outside_an_excluded_phrase_still_counts(matcher: Matcher) -> None:
    assert matcher.terms(["don't keep 4o, they say; I say #4oforever"]) == ("4oforever",)


def test_a_post_without_any_term_matches_nothing(matcher: Matcher) -> None:
    assert matcher.terms(["GPT-5 is fine", "I like the new model"], urls=["https://openai.com/"]) == ()


def test_a_term_sharing_no_word_with_the_others_is_still_found() -> None:
    matcher = Matcher(Match(hashtags=["keep4o", "4oforever"], keywords=["bring back the model"]), Care())
    assert matcher.terms(["Please BRING BACK the-model"]) == ("bring back the model",)
    assert matcher.terms(["#keep4o and bring back the model"]) == ("keep4o", "bring back the model")


def test_a_reading_finds_terms_in_every_part_and_distress_only_in_the_texts(matcher: Matcher) -> None:
    quiet = matcher.read(["#keep4o"], tags=["zelfmoord"], urls=["https://example.org/self-harm"])
    assert quiet.terms == matcher.terms(["#keep4o"]) == ("keep4o", "keep 4o")
    assert not quiet.sensitive()
    said = matcher.read(["A title", "keep4o, but I want to die"], urls=["https://example.org/keep-gpt-4o"])
    assert said.terms == ("keep4o", "keep 4o", "keep GPT-4o")
    assert said.sensitive()


def test_a_config_without_keywords_still_matches_hashtags() -> None:
    matcher = Matcher(Match(hashtags=["#Save4o"]), Care())
    assert matcher.terms(["SAVE4O now"]) == ("#Save4o",)
    assert not matcher.is_sensitive("I want to die")


@pytest.mark.parametrize(
    "text",
    [
        "I want to die",
        "WANT TO DIE",
        "self harm",
        "self-harm",
        "selfharm",
        "over zelfmoord",
        "もう死にたい",
        "我想自杀",
    ],
)
def test_the_care_lexicon_flags_distress_in_any_language(matcher: Matcher, text: str) -> None:
    assert matcher.is_sensitive("A title", text)


@pytest.mark.parametrize("text", ["I want to dive", "selfharmony", "#keep4o"])
def test_the_care_lexicon_respects_word_boundaries(matcher: Matcher, text: str) -> None:
    assert not matcher.is_sensitive(text)
