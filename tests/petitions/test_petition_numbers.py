"""Reading counts however a page writes them (bot.petitions.parse_count)."""

from __future__ import annotations

import pytest

from bot.petitions import CountError, ascii_digits, parse_count


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("21,345", 21_345),
        ("21.345", 21_345),
        ("21 345", 21_345),
        ("21\u00a0345", 21_345),  # no-break space
        ("21\u202f345", 21_345),  # narrow no-break space (French)
        ("21\u2009345", 21_345),  # thin space
        ("21'345", 21_345),  # Swiss
        ("21’345", 21_345),
        ("1,234,567", 1_234_567),
        ("1.234.567", 1_234_567),
        ("1,23,456", 123_456),  # Indian lakh grouping
        ("12,34,56,789", 123_456_789),
        ("21345", 21_345),
        ("0", 0),
    ],
)
def test_thousands_separators_of_every_convention_are_read(text: str, count: int) -> None:
    assert parse_count(text) == count


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("21k", 21_000),
        ("21K", 21_000),
        ("21.3K", 21_300),
        ("21,3K", 21_300),  # decimal comma before a multiplier
        ("1.25k", 1_250),
        ("1.2M", 1_200_000),
        ("1,2 M", 1_200_000),
        ("2 million", 2_000_000),
        ("3 thousand", 3_000),
    ],
)
def test_multipliers_scale_a_decimal_number(text: str, count: int) -> None:
    assert parse_count(text) == count


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("٢١٬٣٤٥", 21_345),  # Arabic-Indic digits and Arabic thousands separator
        ("۲۱٬۳۴۵", 21_345),  # Extended Arabic-Indic (Persian) digits
        ("२१,३४५", 21_345),  # Devanagari
        ("２１，３４５", 21_345),  # full-width digits and comma
        ("২১,৩৪৫", 21_345),  # Bengali
        ("٢١٫٣K", 21_300),  # Arabic decimal separator before a multiplier
    ],
)
def test_digits_of_other_scripts_are_read(text: str, count: int) -> None:
    assert parse_count(text) == count


def test_ascii_digits_only_replaces_digits() -> None:
    assert ascii_digits("٢١ signatures, ２ days") == "21 signatures, 2 days"


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("21,345 verified signatures", 21_345),
        ("Signatures: 21 345", 21_345),
        ("21.3K supporters", 21_300),
        ("21,345 have signed. Let's get to 25,000!", 21_345),  # the first number is the count
        ("Signatures: 21,345.", 21_345),  # a full stop ending the sentence is not a decimal mark
        ("21,345 members", 21_345),  # "m" starting a word is not "million"
    ],
)
def test_the_count_is_found_inside_surrounding_words(text: str, count: int) -> None:
    assert parse_count(text) == count


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "no number in ''"),
        ("lots of signatures", "no number"),
        ("21.5", "is not a whole count"),  # one separator, not followed by three digits
        ("21,34", "is not a whole count"),
        ("1,234.56", "is not a whole count"),
        ("1234,567", "is not a whole count"),  # a first group of four digits is no grouping
        ("-3 signatures", "negative count"),
        ("−3", "negative count"),  # U+2212 minus
        ("99,999,999,999", "more signatures than a petition can have"),
        ("20000000k", "more signatures than a petition can have"),
        ("2,147,483,648", "more signatures than a petition can have"),  # past the database's integers
        ("9" * 5000, "more signatures than a petition can have"),  # int() itself refuses 4,300 digits
        ("1,234K", "ambiguous"),  # 1,234,000 or 1,234?
        ("1.005k", "ambiguous"),
    ],
)
def test_nonsense_is_refused_with_a_reason(text: str, problem: str) -> None:
    with pytest.raises(CountError, match=problem):
        parse_count(text)


def test_a_refusal_quotes_the_text_it_could_not_read() -> None:
    with pytest.raises(CountError) as caught:
        parse_count("about 21.5 thousandish")
    assert "'about 21.5 thousandish'" in str(caught.value)
