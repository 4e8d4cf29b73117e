"""Reading any petition site with a configured selector or pattern (bot.petitions.parse_generic)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.petitions import PageError, parse_generic


def test_a_css_selector_reads_the_element_text_in_local_format(page: Callable[[str], str]) -> None:
    reading = parse_generic(page("generic_openpetition.html"), selector="li.supporters .count")
    assert (reading.count, reading.strategy, reading.title) == (8_412, "css", "GPT-4o erhalten")


def test_a_pattern_reads_its_first_group_from_the_raw_page(page: Callable[[str], str]) -> None:
    reading = parse_generic(page("generic_openpetition.html"), pattern=r'"supporters":\s*(\d+)')
    assert (reading.count, reading.strategy) == (8_412, "regex")


def test_a_pattern_with_named_count_and_goal_groups_reads_both(page: Callable[[str], str]) -> None:
    pattern = r'"supporters":\s*(?P<count>\d+),\s*"quorum":\s*(?P<goal>\d+)'
    reading = parse_generic(page("generic_openpetition.html"), pattern=pattern)
    assert (reading.count, reading.goal) == (8_412, 30_000)


def test_selector_and_pattern_together_run_the_pattern_on_the_element(page: Callable[[str], str]) -> None:
    reading = parse_generic(
        page("generic_openpetition.html"), selector="ul.petition-stats", pattern=r"Quorum: ([\d.]+)"
    )
    assert (reading.count, reading.strategy) == (30_000, "css+regex")


def test_a_pattern_without_groups_uses_the_whole_match() -> None:
    html = "<html><body><p>Signatures: ٢١٬٣٤٥</p></body></html>"
    assert parse_generic(html, pattern=r"[٠-٩٬]+").count == 21_345


def test_a_meta_element_is_read_from_its_content() -> None:
    html = '<html><head><meta name="signatures" content="1.2K"></head><body></body></html>'
    assert parse_generic(html, selector='meta[name="signatures"]').count == 1_200


def test_a_selector_matching_nothing_is_a_layout_change(page: Callable[[str], str]) -> None:
    with pytest.raises(PageError, match=r"the selector '\.signature-total' matches nothing on the page"):
        parse_generic(page("generic_openpetition.html"), selector=".signature-total")


def test_a_pattern_matching_nothing_is_a_layout_change(page: Callable[[str], str]) -> None:
    with pytest.raises(PageError, match="matches nothing on the page"):
        parse_generic(page("generic_openpetition.html"), pattern=r"Unterschriften: (\d+)")


def test_an_element_without_a_number_is_refused(page: Callable[[str], str]) -> None:
    with pytest.raises(PageError, match="no number in 'GPT-vier-o erhalten'"):
        parse_generic(page("generic_openpetition.html").replace("GPT-4o", "GPT-vier-o"), selector="h1")


def test_a_fractional_count_is_refused() -> None:
    with pytest.raises(PageError, match="is not a whole count"):
        parse_generic("<html><body><b>21.5</b></body></html>", selector="b")


def test_an_invalid_selector_is_refused_in_one_line() -> None:
    with pytest.raises(PageError, match="is not valid CSS") as caught:
        parse_generic("<html><body><b>1</b></body></html>", selector="b[")
    assert "\n" not in str(caught.value)


def test_an_empty_page_is_refused() -> None:
    with pytest.raises(PageError, match="empty"):
        parse_generic("", selector="b")
