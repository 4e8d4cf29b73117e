"""A Reddit post's language (bot.sources._lang.detect_language): offline, deterministic, short-text safe."""

from __future__ import annotations

import pytest

from bot.sources._lang import MAX_CHARS, detect_language


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Please keep GPT-4o, it was the only model that understood my writing", "en"),
        ("Houd 4o alsjeblieft, het was meer dan een chatbot voor veel mensen", "nl"),
        ("Gardez GPT-4o ! La pétition avance chaque jour, signez-la", "fr"),
        ("Bitte GPT-4o behalten, es hat mir durch ein schweres Jahr geholfen", "de"),
        ("Por favor, mantengan GPT-4o, era el único modelo que me entendía", "es"),
        ("新模型冷冰冰的，我真的很想念以前的版本", "zh"),
        ("新しいモデルは冷たくて、前のバージョンが本当に恋しいです", "ja"),
    ],
)
def test_each_campaign_language_is_recognised_in_a_post_length_text(text: str, code: str) -> None:
    assert detect_language(text) == code


@pytest.mark.parametrize(("text", "code"), [("das ist so traurig", "de"), ("本当に悲しいです", "ja")])
def test_a_short_sentence_with_enough_letters_still_gets_a_label(text: str, code: str) -> None:
    assert detect_language(text) == code


@pytest.mark.parametrize("text", ["", "lol", "4o!!! 4o!!!", "😭😭😭 #4o", "短い"])
def test_too_few_letters_give_no_label(text: str) -> None:
    assert detect_language(text) is None


def test_a_chinese_or_japanese_character_counts_as_three_letters() -> None:
    assert detect_language("我们想要4o") == "zh"


def test_links_are_not_read_as_words() -> None:
    assert detect_language("https://www.change.org/p/keep-gpt-4o-and-bring-it-back-forever") is None


@pytest.mark.parametrize(
    ("text", "code"),
    [("Jour 7 de la campagne, on ne lâche rien. #keep4o", "fr"), ("第97天，我们还在坚持。 #keep4o", "zh")],
)
def test_a_hashtag_is_not_read_as_a_word(text: str, code: str) -> None:
    assert detect_language(text) == code


def test_a_row_of_hashtags_does_not_use_up_what_is_read() -> None:
    tags = "#keep4o #4oforever #keepgpt4o #save4o #bring4oback #KEEP4O " * 3
    assert len(tags) > MAX_CHARS
    french = "Rendez-nous GPT-4o. Ce n'était pas qu'un outil pour beaucoup d'entre nous."
    assert detect_language(tags + french) == "fr"
    assert detect_language(tags, "Vandaag weer de petitie gedeeld met vrienden.") == "nl"


def test_a_post_opening_with_a_very_long_link_is_read_after_it() -> None:
    link = "https://example.org/" + "x" * 20 * MAX_CHARS
    assert detect_language(link, "Bitte GPT-4o behalten, es hat mir durch ein schweres Jahr geholfen") == "de"


def test_title_and_body_are_read_together() -> None:
    assert detect_language("Gardez GPT-4o", "La pétition avance chaque jour, signez-la") == "fr"


def test_shouting_is_read_as_the_language_it_is_written_in() -> None:
    assert detect_language("PLEASE BRING BACK THE OLD MODEL, I MISS IT EVERY DAY") == "en"


def test_a_newline_inside_a_text_does_not_cut_it_short() -> None:
    assert detect_language("Bitte\nGPT-4o behalten, es hat mir durch ein schweres Jahr geholfen") == "de"


def test_only_the_opening_characters_decide() -> None:
    german = "Bitte GPT-4o behalten, es hat mir durch ein schweres Jahr geholfen. " * 4
    assert len(german) >= MAX_CHARS
    assert detect_language(german[:MAX_CHARS] + "This English tail is never read. " * 20) == "de"


def test_the_same_text_always_gets_the_same_answer() -> None:
    text = "Vandaag de petitie getekend, hopelijk luisteren ze nu eindelijk #keep4o"
    assert {detect_language(text) for _ in range(20)} == {"nl"}
