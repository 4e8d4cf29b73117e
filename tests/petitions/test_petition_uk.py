"""Reading UK Parliament petition JSON (bot.petitions.parse_uk)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from bot.petitions import CountryCount, PageError, parse_uk
from bot.petitions._uk import fetch_url


def _with(page: Callable[[str], str], **attributes: object) -> str:
    document = json.loads(page("uk_700001.json"))
    document["data"]["attributes"].update(attributes)
    return json.dumps(document)


def test_the_count_title_and_state_come_from_data_attributes(page: Callable[[str], str]) -> None:
    reading = parse_uk(page("uk_700001.json"))
    assert (reading.count, reading.state, reading.strategy, reading.goal) == (
        12_873,
        "open",
        "json-api",
        None,
    )
    assert reading.title == "Require AI companies to give notice before withdrawing models people rely on"


def test_signatures_by_country_are_read_largest_first(page: Callable[[str], str]) -> None:
    reading = parse_uk(page("uk_700001.json"))
    assert reading.by_country[:2] == (
        CountryCount("United Kingdom", "GB", 12_603),
        CountryCount("United States", "US", 152),
    )
    assert sum(c.count for c in reading.by_country) == 12_873


@pytest.mark.parametrize(
    ("state", "ours"), [("closed", "closed"), ("rejected", "closed"), ("stopped", "closed")]
)
def test_every_state_but_open_is_closed(page: Callable[[str], str], state: str, ours: str) -> None:
    assert parse_uk(_with(page, state=state)).state == ours


def test_an_unknown_state_is_left_unknown(page: Callable[[str], str]) -> None:
    assert parse_uk(_with(page, state="archived-somehow")).state is None


def test_a_rejected_petition_without_country_figures_is_read(page: Callable[[str], str]) -> None:
    document = json.loads(page("uk_700001.json"))
    del document["data"]["attributes"]["signatures_by_country"]
    assert parse_uk(json.dumps(document)).by_country == ()


def test_truncated_json_is_refused_naming_the_parse_error(page: Callable[[str], str]) -> None:
    text = page("uk_700001.json")
    with pytest.raises(PageError, match=r"^the petition JSON does not parse \(.* at line 1\)$"):
        parse_uk(text[: len(text) // 2])


def test_an_html_error_page_is_refused_as_html() -> None:
    with pytest.raises(PageError, match=r"^the answer is an HTML page, not the petition's JSON$"):
        parse_uk("<!DOCTYPE html><html><body>Service Unavailable</body></html>")


@pytest.mark.parametrize(
    "text",
    ['{"data": {"attributes": {"signature_count": ' + "9" * 5000 + "}}}", "[" * 100_000 + "]" * 100_000],
    ids=["a 5,000-digit number", "nested 100,000 deep"],
)
def test_json_that_python_cannot_read_is_refused_not_a_crash(text: str) -> None:
    with pytest.raises(
        PageError, match=r"^the petition JSON cannot be read \((ValueError|RecursionError)\)$"
    ):
        parse_uk(text)


def test_json_that_is_not_a_petition_is_refused() -> None:
    with pytest.raises(PageError, match=r"no data\.attributes; it is not a petition"):
        parse_uk('{"status": 404, "error": "Not Found"}')


def test_a_missing_count_is_refused(page: Callable[[str], str]) -> None:
    document = json.loads(page("uk_700001.json"))
    del document["data"]["attributes"]["signature_count"]
    with pytest.raises(PageError, match="no signature_count"):
        parse_uk(json.dumps(document))


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (-4, "is negative"),
        ("12873", "not a whole number"),
        (12.5, "not a whole number"),
        (True, "not a whole number"),
    ],
)
def test_a_nonsense_count_is_refused(page: Callable[[str], str], value: object, problem: str) -> None:
    with pytest.raises(PageError, match=problem):
        parse_uk(_with(page, signature_count=value))


def test_a_nonsense_country_count_is_refused(page: Callable[[str], str]) -> None:
    countries = [{"name": "France", "code": "FR", "signature_count": None}]
    with pytest.raises(PageError, match="the signature_count of France"):
        parse_uk(_with(page, signatures_by_country=countries))


@pytest.mark.parametrize(
    ("url", "json_url"),
    [
        (
            "https://petition.parliament.uk/petitions/700001",
            "https://petition.parliament.uk/petitions/700001.json",
        ),
        (
            "https://petition.parliament.uk/petitions/700001/",
            "https://petition.parliament.uk/petitions/700001.json",
        ),
        (
            "https://petition.parliament.uk/petitions/700001.json",
            "https://petition.parliament.uk/petitions/700001.json",
        ),
        (
            "https://petition.parliament.uk/petitions/700001?reveal=1",
            "https://petition.parliament.uk/petitions/700001.json",
        ),
    ],
)
def test_the_json_address_is_derived_from_the_page_address(url: str, json_url: str) -> None:
    assert fetch_url(url) == json_url
