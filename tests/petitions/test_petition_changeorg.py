"""Reading Change.org pages (bot.petitions.parse_changeorg), on fixtures shaped like the real page."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.petitions import PageError, parse_changeorg


def test_todays_page_is_read_from_its_embedded_state(page: Callable[[str], str]) -> None:
    reading = parse_changeorg(page("changeorg_current.html"))
    assert (reading.count, reading.goal, reading.strategy) == (20_937, 25_000, "embedded-json")
    assert reading.title == "Keep GPT-4o available in ChatGPT"
    assert reading.state == "open"  # the "Sign this petition" button


def test_the_embedded_state_may_hold_a_bare_javascript_undefined(page: Callable[[str], str]) -> None:
    html = page("changeorg_current.html")
    assert '"organization":undefined' in html  # the fixture keeps the JS literal as served
    assert parse_changeorg(html).count == 20_937


def test_a_next_data_blob_with_a_graphql_signature_state_is_read(page: Callable[[str], str]) -> None:
    reading = parse_changeorg(page("changeorg_next_data.html"))
    assert (reading.count, reading.goal, reading.strategy) == (21_004, 25_000, "embedded-json")


def test_a_victory_is_read_from_the_victory_banner(page: Callable[[str], str]) -> None:
    reading = parse_changeorg(page("changeorg_victory.html"))
    assert (reading.count, reading.state, reading.title) == (
        1_840,
        "victory",
        "Bring back the old bus route 12",
    )


def test_a_closed_petition_is_read_from_the_closed_banner(page: Callable[[str], str]) -> None:
    reading = parse_changeorg(page("changeorg_closed.html"))
    assert (reading.count, reading.goal, reading.state) == (532, 1_000, "closed")


def test_an_embedded_status_wins_over_the_banners(page: Callable[[str], str]) -> None:
    html = page("changeorg_current.html").replace(
        '"weeklySignatureCount"', '"status":"VICTORY","weeklySignatureCount"'
    )
    assert parse_changeorg(html).state == "victory"


def test_a_layout_change_without_embedded_state_falls_back_to_the_visible_text(
    page: Callable[[str], str],
) -> None:
    reading = parse_changeorg(page("changeorg_redesign.html"))
    assert (reading.count, reading.goal, reading.strategy) == (21_118, 25_000, "visible-text")
    assert reading.state == "open"


def test_json_ld_with_an_interaction_counter_is_the_second_strategy(page: Callable[[str], str]) -> None:
    reading = parse_changeorg(page("changeorg_jsonld_count.html"))
    assert (reading.count, reading.strategy, reading.goal) == (21_050, "json-ld", None)
    assert reading.title == "Keep GPT-4o available in ChatGPT"  # the <h1>, as there is no og:title


def test_a_count_only_in_the_meta_description_is_the_third_strategy(page: Callable[[str], str]) -> None:
    reading = parse_changeorg(page("changeorg_meta_only.html"))
    assert (reading.count, reading.strategy) == (21_087, "meta")


def test_without_embedded_state_the_visible_count_is_read_not_the_numbers_around_it(
    page: Callable[[str], str],
) -> None:
    # Today's page minus its embedded state; "3 weeks", "2 others" and "2 years" surround the count.
    html = page("changeorg_current.html")
    start = html.index("<script>window.changeTargetingData")
    html = html[:start] + html[html.index("</script>", start) + len("</script>") :]
    reading = parse_changeorg(html)
    assert (reading.count, reading.goal, reading.strategy) == (20_937, 25_000, "visible-text")


def test_a_nonsense_embedded_count_falls_back_to_the_next_strategy(page: Callable[[str], str]) -> None:
    html = page("changeorg_current.html").replace('"total":20937', '"total":-20937')
    reading = parse_changeorg(html)
    assert (reading.count, reading.strategy) == (20_937, "visible-text")


def test_a_count_that_is_text_in_the_embedded_state_is_nonsense(page: Callable[[str], str]) -> None:
    html = page("changeorg_redesign.html").replace("<b>21,118</b> have signed", "Many have signed")
    html = html.replace("</head>", '<script>window.s={"signatureCount":{"total":"lots"}};</script></head>')
    with pytest.raises(
        PageError, match=r"embedded-json: the embedded signatureCount is 'lots', not a whole number"
    ):
        parse_changeorg(html)


def test_a_page_with_no_count_anywhere_names_every_strategy_that_failed(page: Callable[[str], str]) -> None:
    html = page("changeorg_redesign.html").replace("<b>21,118</b> have signed", "Join us")
    with pytest.raises(PageError) as caught:
        parse_changeorg(html)
    message = str(caught.value)
    assert message.startswith("no signature count on the page (embedded-json:")
    assert all(name in message for name in ("json-ld:", "meta:", "visible-text:"))
    assert "\n" not in message


def test_a_truncated_page_is_refused_even_if_the_count_came_before_the_cut(
    page: Callable[[str], str],
) -> None:
    html = page("changeorg_current.html")
    with pytest.raises(PageError, match="truncated"):
        parse_changeorg(html[: len(html) // 2])


def test_an_empty_page_is_refused() -> None:
    with pytest.raises(PageError, match="the page is empty"):
        parse_changeorg("  \n")


def test_broken_embedded_json_falls_back_and_the_reason_is_kept(page: Callable[[str], str]) -> None:
    html = page("changeorg_redesign.html").replace("<b>21,118</b> have signed", "Join us")
    html = html.replace(
        "</head>",
        '<script>window.changeTargetingData={"petition":{"signatureCount":{"total":</script></head>',
    )
    with pytest.raises(PageError, match="embedded-json: no embedded JSON state with a signatureCount"):
        parse_changeorg(html)


def test_a_page_that_is_not_html_at_all_is_refused() -> None:
    with pytest.raises(
        PageError, match=r"""not an HTML page \(it starts '\{"error": "upstream timeout"\}'\)"""
    ):
        parse_changeorg('{"error": "upstream timeout"}')


def test_a_comment_after_the_closing_html_tag_is_not_truncation(page: Callable[[str], str]) -> None:
    assert parse_changeorg(page("changeorg_current.html") + "<!-- served by edge 12 -->\n").count == 20_937


def _page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head><title>Keep GPT-4o</title>{head}</head><body>{body}</body></html>"


def test_a_goal_written_before_the_count_is_not_taken_for_it() -> None:
    reading = parse_changeorg(_page("<p>Help us reach 25,000 signatures!</p><p>21,345 have signed</p>"))
    assert (reading.count, reading.strategy) == (21_345, "visible-text")


def test_a_meta_description_asking_for_signatures_is_not_a_count() -> None:
    meta = '<meta property="og:description" content="We need 100,000 signatures to be heard.">'
    reading = parse_changeorg(_page("<p>21,345 signatures</p>", head=meta))
    assert (reading.count, reading.strategy) == (21_345, "visible-text")


@pytest.mark.parametrize("sign", ["-", "−"])
def test_a_negative_count_is_refused_not_read_without_its_sign(sign: str) -> None:
    with pytest.raises(PageError, match="visible-text: the visible text: negative count"):
        parse_changeorg(_page(f"<p>{sign}21,345 signatures</p>"))


def test_a_json_ld_counter_of_shares_is_not_the_signature_count() -> None:
    shares = (
        '<script type="application/ld+json">{"@type": "Article", "interactionStatistic": '
        '{"interactionType": "https://schema.org/ShareAction", "userInteractionCount": 512}}</script>'
    )
    reading = parse_changeorg(_page("<p>21,345 signatures</p>", head=shares))
    assert (reading.count, reading.strategy) == (21_345, "visible-text")


@pytest.mark.parametrize(
    "state",
    [
        '{"petition": {"signatureCount": {"total": ' + "9" * 5000 + "}}}",
        '{"signatureCount": ' + "[" * 100_000,
    ],
    ids=["a 5,000-digit count", "nested 100,000 deep"],
)
def test_embedded_state_python_cannot_read_falls_back_to_the_next_strategy(state: str) -> None:
    reading = parse_changeorg(_page("<p>21,345 signatures</p>", head=f"<script>window.s = {state}</script>"))
    assert (reading.count, reading.strategy) == (21_345, "visible-text")
